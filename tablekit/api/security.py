"""Who is calling: API token (Bearer) or session cookie plus CSRF header; login throttling."""

from __future__ import annotations

import hmac
import threading
import time
from collections import defaultdict, deque
from typing import Any

from litestar import Request

from tablekit.errors import NotAuthenticated, PermissionDenied, RateLimited
from tablekit.services.actor import Actor
from tablekit.services.container import Services

SESSION_COOKIE = "tk_session"
CSRF_COOKIE = "tk_csrf"
CSRF_HEADER = "x-csrf-token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def services_of(request: Request[Any, Any, Any]) -> Services:
    services: Services = request.app.state.services
    return services


def provide_services(request: Request[Any, Any, Any]) -> Services:
    return services_of(request)


def resolve_actor(request: Request[Any, Any, Any]) -> Actor:
    """The authenticated actor; cookie sessions must echo their CSRF token on unsafe calls."""
    services = services_of(request)
    auth = request.headers.get("authorization")
    if auth:
        scheme, _, token = auth.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise NotAuthenticated("Use 'Authorization: Bearer <token>'", code="INVALID_TOKEN")
        return services.tokens.actor_for_token(token.strip())
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        raise NotAuthenticated("Sign in, or send an API token")
    actor, csrf = services.users.actor_for_session(cookie)
    if request.method in UNSAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER, "")
        if not sent or not hmac.compare_digest(sent, csrf):
            raise PermissionDenied(
                "The CSRF header is missing or wrong; reload the page", code="CSRF_FAILED"
            )
    return actor


class FailureLimiter:
    """Counts events (failed sign-ins, public submissions) per key in a sliding window and
    refuses once the limit is reached. Per process: enough to blunt guessing and spam."""

    def __init__(
        self,
        limit: int,
        window: float = 60.0,
        message: str = "Too many failed sign-ins; wait a minute and try again",
    ) -> None:
        self.limit = limit
        self.message = message
        self.window = window
        self._hits: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _prune(self, key: str, now: float) -> deque[float]:
        hits = self._hits[key]
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        return hits

    def check(self, *keys: str) -> None:
        now = time.monotonic()
        with self._lock:
            for key in keys:
                hits = self._prune(key, now)
                if len(hits) >= self.limit:
                    retry = max(1, int(hits[0] + self.window - now) + 1)
                    raise RateLimited(self.message, retry_after=retry)

    def fail(self, *keys: str) -> None:
        now = time.monotonic()
        with self._lock:
            for key in keys:
                self._prune(key, now).append(now)

    def hit(self, *keys: str) -> None:
        """Count one request and refuse it if the window is already full."""
        self.check(*keys)
        self.fail(*keys)

    def reset(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._hits.pop(key, None)
