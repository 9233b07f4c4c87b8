"""``/api/v1/bases/{base}/live``: the WebSocket a client keeps open while a base is shown.

The socket is accepted first and then authenticated, so refusals can carry a WebSocket
close code a browser can read (an HTTP 403 before the upgrade cannot be told apart from a
network error): 4401 not signed in, 4403 not allowed (also for a base that does not exist,
so nothing is revealed), 4429 too many sockets or handshakes, 4503 live updates are turned
off on this server, 1013 not available right now (try again later).

Cookie sessions are accepted only from the app's own origin: browsers send cookies with
WebSocket handshakes from any site and the CSRF header cannot be set on them, so the
``Origin`` check is what stops another site from listening in (cross-site WebSocket
hijacking). The HTTP rate-limit middleware sees no WebSocket traffic, so handshakes are
counted here against the same per-IP limit.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from typing import Any
from urllib.parse import urlsplit

import anyio
from anyio import to_thread
from litestar import WebSocket, websocket
from litestar.exceptions import WebSocketDisconnect

from tablekit.api.limits import TokenBuckets
from tablekit.api.security import SESSION_COOKIE
from tablekit.errors import NotAuthenticated, NotFound, PermissionDenied
from tablekit.live.hub import SHUTDOWN, LiveHub, Subscriber
from tablekit.services.actor import Actor
from tablekit.services.container import Services

HEARTBEAT_SECONDS = 25.0
RECHECK_SECONDS = 60.0
MAX_CLIENT_MESSAGE = 4096

CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_TOO_MANY = 4429
CLOSE_GOING_AWAY = 1001
CLOSE_TRY_LATER = 1013
CLOSE_DISABLED = 4503


class LiveRuntime:
    """What the live route needs from the app: the hub and the handshake limiter."""

    def __init__(self, services: Services) -> None:
        settings = services.settings
        self.services = services
        self.enabled = settings.live_poll_ms > 0
        self.hub = LiveHub(services.db, poll_seconds=max(settings.live_poll_ms, 50) / 1000)
        self.per_user = settings.live_connections_per_user
        self.handshakes = (
            TokenBuckets(settings.rate_limit_per_ip) if settings.rate_limit_per_ip > 0 else None
        )


def start_in_app(app: Any) -> None:
    """Litestar start-up hook: one poller per web process (needs the running loop)."""
    runtime = LiveRuntime(app.state.services)
    app.state.live = runtime
    if runtime.enabled:
        runtime.hub.start()


async def stop_in_app(app: Any) -> None:
    """Litestar shut-down hook: stop the poller and close every socket (1001)."""
    runtime: LiveRuntime | None = getattr(app.state, "live", None)
    if runtime is not None:
        await runtime.hub.stop()


def same_origin(origin: str, host: str, base_url: str) -> bool:
    """The page that opened the socket is served by this app (its host, or BASE_URL)."""
    try:
        parts = urlsplit(origin)
    except ValueError:
        return False
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return False
    if host and parts.netloc.lower() == host.lower():
        return True
    public = urlsplit(base_url)
    return (parts.scheme, parts.netloc.lower()) == (public.scheme, public.netloc.lower())


def authenticate(services: Services, authorization: str | None, cookie: str | None) -> Actor:
    if authorization:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise NotAuthenticated("Use 'Authorization: Bearer <token>'", code="INVALID_TOKEN")
        return services.tokens.actor_for_token(token.strip())
    if not cookie:
        raise NotAuthenticated("Sign in, or send an API token")
    return services.users.actor_for_session(cookie)[0]


def check_access(services: Services, actor: Actor, base_id: int) -> None:
    with services.db.read() as session:
        services.access.require_base(session, actor, base_id, "read")


async def _close(socket: WebSocket[Any, Any, Any], code: int, reason: str) -> None:
    with contextlib.suppress(Exception):
        await socket.close(code=code, reason=reason)


@websocket("/bases/{base:int}/live", name="live_updates")
async def live_updates(socket: WebSocket[Any, Any, Any], base: int) -> None:
    """Row and schema changes of one base as JSON messages (see docs/api.md)."""
    runtime: LiveRuntime = socket.app.state.live
    services = runtime.services
    await socket.accept()
    client = socket.client.host if socket.client else "?"
    if runtime.handshakes is not None and not runtime.handshakes.take(f"ip:{client}")[0]:
        return await _close(socket, CLOSE_TOO_MANY, "Too many connections; try again later")
    if not runtime.enabled:
        return await _close(socket, CLOSE_DISABLED, "Live updates are turned off")
    authorization = socket.headers.get("authorization")
    cookie = None if authorization else socket.cookies.get(SESSION_COOKIE)
    origin = socket.headers.get("origin")
    if (
        cookie
        and origin
        and not same_origin(origin, socket.headers.get("host", ""), services.settings.base_url)
    ):
        return await _close(socket, CLOSE_FORBIDDEN, "Cross-site live connections are refused")
    try:
        actor = await to_thread.run_sync(authenticate, services, authorization, cookie)
    except NotAuthenticated as exc:
        return await _close(socket, CLOSE_UNAUTHENTICATED, exc.message)
    try:
        await to_thread.run_sync(check_access, services, actor, base)
    except (NotFound, PermissionDenied):
        return await _close(socket, CLOSE_FORBIDDEN, "Base not found")
    if runtime.hub.connections_of(actor.user_id) >= runtime.per_user:
        return await _close(socket, CLOSE_TOO_MANY, "Too many live connections for this user")
    sub = runtime.hub.subscribe(base, actor.user_id)
    try:
        if not await runtime.hub.wait_ready(sub):
            return await _close(socket, CLOSE_TRY_LATER, "Live updates are not available")
        await socket.send_json(
            {
                "type": "hello",
                "base_id": base,
                "user_id": actor.user_id,
                "heartbeat": HEARTBEAT_SECONDS,
            }
        )
        async with anyio.create_task_group() as tg:
            tg.start_soon(_read, socket, sub, tg.cancel_scope)
            tg.start_soon(_write, socket, sub, runtime, authorization, cookie, tg.cancel_scope)
    finally:
        runtime.hub.unsubscribe(sub)


async def _read(
    socket: WebSocket[Any, Any, Any], sub: Subscriber, scope: anyio.CancelScope
) -> None:
    """Clients only ever send ``{"type": "ping"}``; anything else is ignored. The loop is
    what notices a closed connection."""
    try:
        while True:
            data = await socket.receive_data("text")
            if len(data) > MAX_CLIENT_MESSAGE:
                await _close(socket, 1009, "Message too big")
                break
            with contextlib.suppress(ValueError):
                message = json.loads(data)
                if isinstance(message, dict) and message.get("type") == "ping":
                    sub.offer({"type": "pong"})
    except WebSocketDisconnect:
        pass
    finally:
        scope.cancel()


async def _write(
    socket: WebSocket[Any, Any, Any],
    sub: Subscriber,
    runtime: LiveRuntime,
    authorization: str | None,
    cookie: str | None,
    scope: anyio.CancelScope,
) -> None:
    """Send queued messages, a ping when idle, and re-check access now and then (a revoked
    token, an ended session or a removed membership closes the socket within a minute)."""
    services = runtime.services
    next_check = time.monotonic() + RECHECK_SECONDS
    try:
        while True:
            try:
                message = sub.take(await asyncio.wait_for(sub.queue.get(), HEARTBEAT_SECONDS))
            except TimeoutError:
                message = {"type": "ping"}
            if message is SHUTDOWN:
                await _close(socket, CLOSE_GOING_AWAY, "Server is shutting down")
                break
            await socket.send_json(message)
            if time.monotonic() >= next_check:
                next_check = time.monotonic() + RECHECK_SECONDS
                try:
                    actor = await to_thread.run_sync(authenticate, services, authorization, cookie)
                    await to_thread.run_sync(check_access, services, actor, sub.base_id)
                except NotAuthenticated:
                    await _close(socket, CLOSE_UNAUTHENTICATED, "Your session has ended")
                    break
                except (NotFound, PermissionDenied):
                    await _close(socket, CLOSE_FORBIDDEN, "Base not found")
                    break
    except Exception:  # noqa: S110 - a send on a closed connection: the reader notices too
        pass
    finally:
        scope.cancel()
