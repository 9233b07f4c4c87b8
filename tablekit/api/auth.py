"""Sign-in, the current user, and API tokens."""

from typing import Any

from litestar import Request, Response, delete, get, post
from litestar.datastructures import Cookie

from tablekit.api.security import CSRF_COOKIE, SESSION_COOKIE, services_of
from tablekit.api.structs import LoginIn, TokenCreate
from tablekit.errors import NotAuthenticated
from tablekit.services.actor import Actor
from tablekit.services.container import Services


@post(
    "/auth/login",
    status_code=200,
    operation_id="login",
    sync_to_thread=True,
    exclude_from_auth=True,
)
def login(request: Request[Any, Any, Any], data: LoginIn) -> Response[dict[str, Any]]:
    """Sign in with e-mail and password; sets the session cookie and returns a CSRF token."""
    services = services_of(request)
    limiter = request.app.state.login_limiter
    ip = request.client.host if request.client else "?"
    keys = (f"ip:{ip}", f"email:{data.email.strip().lower()}")
    limiter.check(*keys)
    try:
        result = services.users.login(data.email, data.password)
    except NotAuthenticated:
        limiter.fail(*keys)
        raise
    limiter.reset(keys[1])
    secure = services.settings.secure_cookies
    max_age = services.settings.session_days * 86400
    return Response(
        {"user": result.user, "csrf_token": result.csrf_token},
        cookies=[
            Cookie(
                key=SESSION_COOKIE,
                value=result.session_token,
                httponly=True,
                samesite="lax",
                secure=secure,
                max_age=max_age,
                path="/",
            ),
            Cookie(
                key=CSRF_COOKIE,
                value=result.csrf_token,
                httponly=False,
                samesite="lax",
                secure=secure,
                max_age=max_age,
                path="/",
            ),
        ],
    )


@post("/auth/logout", status_code=200, operation_id="logout", sync_to_thread=True)
def logout(request: Request[Any, Any, Any], actor: Actor) -> Response[dict[str, Any]]:
    """End the browser session."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        services_of(request).users.logout(cookie)
    return Response(
        {"ok": True},
        cookies=[
            Cookie(key=SESSION_COOKIE, value="", max_age=0, path="/", httponly=True),
            Cookie(key=CSRF_COOKIE, value="", max_age=0, path="/"),
        ],
    )


@get("/me", operation_id="me", sync_to_thread=True)
def me(actor: Actor, services: Services) -> dict[str, Any]:
    """The current user and their workspace memberships."""
    return services.users.me(actor)


@get("/tokens", operation_id="listTokens", sync_to_thread=True)
def list_tokens(actor: Actor, services: Services) -> dict[str, Any]:
    """Your API tokens (never their secrets)."""
    return {"items": services.tokens.mine(actor)}


@post("/tokens", operation_id="createToken", sync_to_thread=True)
def create_token(actor: Actor, services: Services, data: TokenCreate) -> dict[str, Any]:
    """Create an API token; the ``token`` in the answer is shown this once only."""
    return services.tokens.create(
        actor,
        name=data.name,
        scopes=data.scopes,
        workspace_id=data.workspace_id,
        base_id=data.base_id,
    )


@delete("/tokens/{token_id:int}", operation_id="revokeToken", sync_to_thread=True)
def revoke_token(actor: Actor, services: Services, token_id: int) -> None:
    """Revoke a token at once."""
    services.tokens.revoke(actor, token_id)


ROUTES = [login, logout, me, list_tokens, create_token, revoke_token]
