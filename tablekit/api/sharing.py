"""Share links for views and the public endpoints behind them (no sign-in)."""

from typing import Any

from litestar import Request, delete, get, post

from tablekit.api.security import services_of
from tablekit.api.structs import RowFields, ShareCreate
from tablekit.services.actor import Actor
from tablekit.services.container import Services


@post("/views/{view:int}/share", operation_id="shareView", sync_to_thread=True)
def share_view(actor: Actor, services: Services, view: int, data: ShareCreate) -> dict[str, Any]:
    """Create a public link: ``form`` (anyone can submit) or ``read`` (read-only view)."""
    return services.sharing.share(actor, view, data.kind)


@delete("/views/{view:int}/share", operation_id="unshareView", sync_to_thread=True)
def unshare_view(actor: Actor, services: Services, view: int) -> None:
    """Revoke the view's public links at once."""
    services.sharing.unshare(actor, view)


@get("/public/forms/{token:str}", operation_id="publicForm", sync_to_thread=True)
def public_form(request: Request[Any, Any, Any], token: str) -> dict[str, Any]:
    """The definition of a shared form (title, description, fields)."""
    return services_of(request).sharing.form(token)


@post("/public/forms/{token:str}", operation_id="submitPublicForm", sync_to_thread=True)
def submit_public_form(
    request: Request[Any, Any, Any], token: str, data: RowFields
) -> dict[str, Any]:
    """Submit a shared form; rate limited per visitor and link."""
    ip = request.client.host if request.client else "?"
    request.app.state.form_limiter.hit(f"form:{token}:{ip}")
    return services_of(request).sharing.submit(token, data.fields)


@get(
    "/public/forms/{token:str}/choices/{field:int}",
    operation_id="publicFormChoices",
    sync_to_thread=True,
)
def public_form_choices(
    request: Request[Any, Any, Any],
    token: str,
    field: int,
    search: str | None = None,
    limit: int = 20,
) -> dict[str, Any]:
    """Rows a link picker of a shared form offers: id and primary field text, at most 50;
    rate limited per visitor and link like submissions, with a larger allowance."""
    ip = request.client.host if request.client else "?"
    request.app.state.choices_limiter.hit(f"choices:{token}:{ip}")
    return services_of(request).sharing.choices(token, field, search, limit)


@get("/public/views/{token:str}", operation_id="publicView", sync_to_thread=True)
def public_view(request: Request[Any, Any, Any], token: str) -> dict[str, Any]:
    """A read-only shared view: its name and visible fields."""
    return services_of(request).sharing.view(token)


@get("/public/views/{token:str}/rows", operation_id="publicViewRows", sync_to_thread=True)
def public_view_rows(
    request: Request[Any, Any, Any], token: str, cursor: str | None = None, limit: int = 100
) -> dict[str, Any]:
    """Rows of a read-only shared view (cells keyed by field id)."""
    return services_of(request).sharing.view_rows(token, cursor=cursor, limit=limit)


ROUTES = [
    share_view,
    unshare_view,
    public_form,
    public_form_choices,
    submit_public_form,
    public_view,
    public_view_rows,
]
