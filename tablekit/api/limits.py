"""Request limits and idempotency, as ASGI middleware in front of the API.

* **Rate limits**: a token bucket per credential (API token or session) and per client IP,
  refilled continuously (N per minute). Over the limit the answer is 429 with
  ``Retry-After`` and the usual error body; every API answer carries
  ``X-RateLimit-Limit`` and ``X-RateLimit-Remaining``. Buckets live in the process: with
  several server processes each enforces the limit on what it sees.
* **Idempotency-Key** on row-creating POSTs: the first request with a key runs and, if it
  succeeds (2xx), its answer is stored for 24 h in ``tk_idempotency``; a repeat with the
  same key and the same request gets the stored answer (``Idempotent-Replayed: true``) and
  writes nothing; the same key with a different request is refused (422), and a repeat
  while the first is still running gets 409.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any, cast

from anyio import to_thread
from litestar.middleware import MiddlewareProtocol
from litestar.types import ASGIApp as LitestarApp
from litestar.types import Receive as LitestarReceive
from litestar.types import Scope as LitestarScope
from litestar.types import Send as LitestarSend

from tablekit.interchange import idempotency
from tablekit.settings import Settings

# Plain ASGI shapes: the middleware only reads a few well-known keys.
Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

LIMITED_PREFIXES = ("/api/", "/hooks/")
IDEMPOTENT = re.compile(r"^/api/v1/(?:tables/[^/]+/rows(?:/upsert)?|public/forms/[^/]+)/?$")
KEY_RE = re.compile(r"^[\x21-\x7e]{1,255}$")
MAX_IDEMPOTENT_BODY = 8 << 20
MAX_BUCKETS = 100_000


class TokenBuckets:
    """``per_minute`` requests per key, refilled continuously; thread-safe."""

    def __init__(self, per_minute: int) -> None:
        self.limit = per_minute
        self.rate = per_minute / 60.0
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key: str, now: float | None = None) -> tuple[bool, int, int]:
        """(allowed, remaining, seconds until one more request is allowed)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            tokens, last = self._buckets.get(key, (float(self.limit), now))
            tokens = min(float(self.limit), tokens + (now - last) * self.rate)
            if tokens < 1.0:
                self._buckets[key] = (tokens, now)
                return False, 0, max(1, math.ceil((1.0 - tokens) / self.rate))
            self._buckets[key] = (tokens - 1.0, now)
            if len(self._buckets) > MAX_BUCKETS:
                self._prune(now)
            return True, int(tokens - 1.0), 0

    def _prune(self, now: float) -> None:
        full = [
            k
            for k, (t, last) in self._buckets.items()
            if t + (now - last) * self.rate >= self.limit
        ]
        for key in full:
            del self._buckets[key]


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}


def credential_key(headers: dict[str, str]) -> str | None:
    """A hash of the caller's API token or session cookie (never the secret itself)."""
    auth = headers.get("authorization", "")
    if auth.lower().startswith("bearer ") and auth[7:].strip():
        return "t:" + hashlib.sha256(auth[7:].strip().encode()).hexdigest()[:32]
    for part in headers.get("cookie", "").split(";"):
        name, _, value = part.strip().partition("=")
        if name == "tk_session" and value:
            return "s:" + hashlib.sha256(value.encode()).hexdigest()[:32]
    return None


async def send_error(
    send: Send,
    status: int,
    code: str,
    message: str,
    details: dict[str, Any],
    extra: list[tuple[bytes, bytes]] | None = None,
) -> None:
    body = json.dumps({"code": code, "message": message, "details": details}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send(
        {"type": "http.response.start", "status": status, "headers": headers + (extra or [])}
    )
    await send({"type": "http.response.body", "body": body})


class RateLimitMiddleware(MiddlewareProtocol):
    def __init__(self, app: LitestarApp, settings: Settings) -> None:
        self.app = app
        self.inner = cast(ASGIApp, app)
        self.by_token = (
            TokenBuckets(settings.rate_limit_per_token)
            if settings.rate_limit_per_token > 0
            else None
        )
        self.by_ip = (
            TokenBuckets(settings.rate_limit_per_ip) if settings.rate_limit_per_ip > 0 else None
        )

    async def __call__(
        self, scope: LitestarScope, receive: LitestarReceive, send: LitestarSend
    ) -> None:
        await self.handle(cast(Scope, scope), cast(Receive, receive), cast(Send, send))

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(LIMITED_PREFIXES):
            await self.inner(scope, receive, send)
            return
        headers = _headers(scope)
        client = scope.get("client")
        checks: list[tuple[str, TokenBuckets, str]] = []
        credential = credential_key(headers)
        if credential is not None and self.by_token is not None:
            checks.append(("token", self.by_token, credential))
        if self.by_ip is not None:
            checks.append(("ip", self.by_ip, "ip:" + (client[0] if client else "?")))
        shown: tuple[int, int] | None = None
        for name, buckets, key in checks:
            allowed, remaining, retry = buckets.take(key)
            if not allowed:
                await send_error(
                    send,
                    429,
                    "RATE_LIMITED",
                    f"Too many requests; at most {buckets.limit} a minute per {name}. "
                    f"Try again in {retry} s.",
                    {"retry_after": retry, "limit": buckets.limit, "scope": name},
                    [
                        (b"retry-after", str(retry).encode()),
                        (b"x-ratelimit-limit", str(buckets.limit).encode()),
                        (b"x-ratelimit-remaining", b"0"),
                    ],
                )
                return
            if shown is None:
                shown = (buckets.limit, remaining)
        if shown is None:
            await self.inner(scope, receive, send)
            return
        limit, remaining = shown

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [
                    *message.get("headers", []),
                    (b"x-ratelimit-limit", str(limit).encode()),
                    (b"x-ratelimit-remaining", str(remaining).encode()),
                ]
            await send(message)

        await self.inner(scope, receive, send_with_headers)


class IdempotencyMiddleware(MiddlewareProtocol):
    def __init__(self, app: LitestarApp) -> None:
        self.app = app
        self.inner = cast(ASGIApp, app)

    async def __call__(
        self, scope: LitestarScope, receive: LitestarReceive, send: LitestarSend
    ) -> None:
        await self.handle(cast(Scope, scope), cast(Receive, receive), cast(Send, send))

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "POST"
            or not IDEMPOTENT.match(scope["path"])
        ):
            await self.inner(scope, receive, send)
            return
        headers = _headers(scope)
        key = headers.get("idempotency-key")
        if key is None:
            await self.inner(scope, receive, send)
            return
        if not KEY_RE.match(key):
            await send_error(
                send,
                400,
                "INVALID_IDEMPOTENCY_KEY",
                "Idempotency-Key is 1 to 255 printable ASCII characters",
                {},
            )
            return
        body = await _read_body(receive)
        if body is None:
            await send_error(send, 413, "TOO_LARGE", "The request body is too large", {})
            return
        owner = credential_key(headers) or "public:" + scope["path"]
        request_hash = hashlib.sha256(
            b"\n".join([scope["path"].encode(), scope.get("query_string", b""), body])
        ).hexdigest()
        services = scope["app"].state.services
        claim = await to_thread.run_sync(idempotency.claim, services.db, owner, key, request_hash)
        if isinstance(claim, idempotency.Stored):
            replay = [
                (b"content-type", claim.content_type.encode()),
                (b"content-length", str(len(claim.body)).encode()),
                (b"idempotent-replayed", b"true"),
            ]
            await send({"type": "http.response.start", "status": claim.status, "headers": replay})
            await send({"type": "http.response.body", "body": claim.body})
            return
        if claim == "mismatch":
            await send_error(
                send,
                422,
                "IDEMPOTENCY_KEY_REUSED",
                "This Idempotency-Key was used for a different request",
                {"key": key},
            )
            return
        if claim == "busy":
            await send_error(
                send,
                409,
                "IDEMPOTENCY_KEY_IN_USE",
                "A request with this Idempotency-Key is still running; retry later",
                {"key": key},
                [(b"retry-after", b"1")],
            )
            return
        await self._run(scope, body, send, services.db, claim)

    async def _run(self, scope: Scope, body: bytes, send: Send, db: Any, record_id: int) -> None:
        sent = False

        async def replay_receive() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return {"type": "http.disconnect"}

        status = 500
        content_type = "application/json"
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal status, content_type
            if message["type"] == "http.response.start":
                status = int(message["status"])
                for name, value in message.get("headers", []):
                    if name.lower() == b"content-type":
                        content_type = value.decode("latin-1")
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        try:
            await self.inner(scope, replay_receive, capture)
        finally:
            await to_thread.run_sync(
                idempotency.settle, db, record_id, status, content_type, b"".join(chunks)
            )


async def _read_body(receive: Receive) -> bytes | None:
    parts: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_IDEMPOTENT_BODY:
            return None
        parts.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(parts)
