"""Outgoing HTTP through the SSRF guard: connect only to the address the guard pinned.

The standard library's ``http.client`` is used because it lets us open the TCP connection
ourselves: the socket goes to ``Target.address`` while the ``Host`` header, TLS SNI and
certificate check use the host name from the URL. No proxy environment variables are read
(a proxy would resolve the name again), responses are not decompressed (no zip bombs), and
one wall-clock deadline covers connecting, every redirect hop and reading the body.
Retries are the automation engine's job; :func:`is_retryable` tells it when they help.
"""

from __future__ import annotations

import contextlib
import email.utils
import http.client
import re
import socket
import ssl
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urljoin

from tablekit.errors import ValidationFailed
from tablekit.notify.errors import DeliveryFailed
from tablekit.notify.ssrf import Allowlist, Resolver, Target, check_url, system_resolver

DEFAULT_TIMEOUT = 5.0
MAX_REDIRECTS = 3
MAX_RESPONSE_BYTES = 1024 * 1024
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
RETRYABLE_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
# Headers that describe the connection or message framing are ours to set, never the
# caller's: a forged Host or Content-Length would desynchronise the request.
_RESERVED_HEADERS = frozenset(
    {"host", "content-length", "transfer-encoding", "connection", "accept-encoding"}
)
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_CREDENTIAL_HEADERS = frozenset({"authorization", "cookie", "proxy-authorization"})


@dataclass(frozen=True)
class Response:
    """What the server answered; ``headers`` has lower-case names, ``url`` is the last hop."""

    status: int
    headers: Mapping[str, str]
    body: bytes
    url: str = ""
    redirects: tuple[str, ...] = field(default=())


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Plain HTTP to a fixed IP; ``host`` is only used for the Host header."""

    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self._address = target.address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to a fixed IP, with SNI and certificate verification against the host name."""

    def __init__(self, target: Target, timeout: float, context: ssl.SSLContext) -> None:
        super().__init__(target.host, target.port, timeout=timeout, context=context)
        self._address = target.address
        self._tls_context = context

    def connect(self) -> None:
        raw = socket.create_connection((self._address, self.port), self.timeout)
        try:
            self.sock = self._tls_context.wrap_socket(raw, server_hostname=self.host)
        except BaseException:
            raw.close()
            raise


class _Watchdog:
    """Shuts the socket down at the deadline, so a server dripping bytes cannot stall us."""

    def __init__(self, connection: http.client.HTTPConnection, seconds: float) -> None:
        self.fired = False
        self._connection = connection
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True

    def _fire(self) -> None:
        self.fired = True
        sock = self._connection.sock
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def __enter__(self) -> _Watchdog:
        self._timer.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._timer.cancel()


def _timeout_error(url: str) -> DeliveryFailed:
    return DeliveryFailed(
        f"request to {url} timed out", code="HTTP_TIMEOUT", retryable=True, details={"url": url}
    )


def _exchange(
    target: Target,
    method: str,
    body: bytes,
    headers: dict[str, str],
    deadline: float,
    context: ssl.SSLContext,
    max_bytes: int,
) -> Response:
    """One request/response on a fresh connection to the pinned address."""
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise _timeout_error(target.url)
    connection: http.client.HTTPConnection
    if target.scheme == "https":
        connection = _PinnedHTTPSConnection(target, remaining, context)
    else:
        connection = _PinnedHTTPConnection(target, remaining)
    watchdog = _Watchdog(connection, remaining)
    try:
        with watchdog:
            connection.request(method, target.request_target, body=body or None, headers=headers)
            reply = connection.getresponse()
            data = reply.read(max_bytes + 1)
            if len(data) > max_bytes:
                raise DeliveryFailed(
                    f"response from {target.url} is larger than {max_bytes} bytes",
                    code="HTTP_RESPONSE_TOO_LARGE",
                    retryable=False,
                    details={"url": target.url},
                )
            merged: dict[str, str] = {}
            for name, value in reply.getheaders():
                key = name.lower()
                merged[key] = f"{merged[key]}, {value}" if key in merged else value
            return Response(reply.status, merged, data, target.url)
    except DeliveryFailed:
        raise
    except ssl.SSLCertVerificationError as exc:
        raise DeliveryFailed(
            f"TLS certificate of {target.host} not accepted: {exc.verify_message}",
            code="HTTP_TLS_FAILED",
            retryable=False,
            details={"url": target.url},
        ) from None
    except (OSError, http.client.HTTPException) as exc:
        if watchdog.fired or isinstance(exc, TimeoutError):
            raise _timeout_error(target.url) from None
        raise DeliveryFailed(
            f"request to {target.url} failed: {type(exc).__name__}: {exc}",
            code="HTTP_CONNECTION_FAILED",
            retryable=True,
            details={"url": target.url},
        ) from None
    finally:
        connection.close()


def _request_headers(headers: Mapping[str, str] | None) -> dict[str, str]:
    clean = {"User-Agent": "TableKit", "Accept-Encoding": "identity"}
    for name, value in (headers or {}).items():
        if not _TOKEN.fullmatch(name) or any(ch in value for ch in "\r\n\0"):
            raise ValidationFailed(
                f"header {name!r} has an invalid name or a line break in its value",
                code="HTTP_HEADER_INVALID",
            )
        if name.lower() not in _RESERVED_HEADERS:
            clean[name] = value
    return clean


def send_request(
    method: str,
    url: str,
    *,
    body: bytes = b"",
    headers: Mapping[str, str] | None = None,
    allowlist: Allowlist | Iterable[str] = (),
    timeout: float = DEFAULT_TIMEOUT,
    resolver: Resolver = system_resolver,
    max_redirects: int = MAX_REDIRECTS,
    max_response_bytes: int = MAX_RESPONSE_BYTES,
    ssl_context: ssl.SSLContext | None = None,
) -> Response:
    """Send one request through the SSRF guard and return the final response.

    ``timeout`` (seconds) bounds the whole exchange including redirects. Each redirect
    target is checked (and resolved once) before it is contacted; 303, and 301/302 after a
    POST, continue as GET without body; credentials are dropped when the origin changes;
    HTTPS never redirects to plain HTTP. Raises ValidationFailed (URL refused, bad header)
    or DeliveryFailed (network, TLS, timeout, too large, too many redirects). Any status
    code is returned as a Response, including 4xx/5xx.
    """
    method = method.upper()
    if method not in METHODS:
        raise ValidationFailed(f"HTTP method {method!r} is not supported", code="HTTP_METHOD")
    rules = allowlist if isinstance(allowlist, Allowlist) else Allowlist.parse(allowlist)
    context = ssl_context or ssl.create_default_context()
    deadline = time.monotonic() + timeout
    current_headers = _request_headers(headers)
    target = check_url(url, rules, resolver=resolver)
    hops: list[str] = []
    while True:
        response = _exchange(
            target, method, body, current_headers, deadline, context, max_response_bytes
        )
        location = response.headers.get("location")
        if response.status not in REDIRECT_STATUSES or not location:
            return Response(
                response.status, response.headers, response.body, target.url, tuple(hops)
            )
        if len(hops) >= max_redirects:
            raise DeliveryFailed(
                f"more than {max_redirects} redirects starting at {url}",
                code="HTTP_TOO_MANY_REDIRECTS",
                retryable=False,
                details={"url": url, "redirects": [*hops, target.url]},
            )
        hops.append(target.url)
        following = check_url(urljoin(target.url, location), rules, resolver=resolver)
        if target.scheme == "https" and following.scheme == "http":
            raise DeliveryFailed(
                f"{target.url} redirects from HTTPS to plain HTTP ({following.url})",
                code="HTTP_REDIRECT_REFUSED",
                retryable=False,
                details={"url": url},
            )
        if response.status == 303 or (response.status in (301, 302) and method == "POST"):
            method = "GET" if method != "HEAD" else method
            body = b""
            current_headers = {
                k: v for k, v in current_headers.items() if k.lower() != "content-type"
            }
        if following.origin != target.origin:
            current_headers = {
                k: v for k, v in current_headers.items() if k.lower() not in _CREDENTIAL_HEADERS
            }
        target = following


def is_retryable(outcome: Response | BaseException) -> bool:
    """Whether trying the same delivery later may succeed.

    True for 408/425/429 and most 5xx answers, timeouts and connection failures, and a
    host that did not resolve; False for refused URLs, other statuses and TLS failures.
    """
    if isinstance(outcome, Response):
        return outcome.status in RETRYABLE_STATUSES or (
            500 <= outcome.status < 600 and outcome.status not in (501, 505)
        )
    if isinstance(outcome, DeliveryFailed):
        return outcome.retryable
    if isinstance(outcome, ValidationFailed):
        return outcome.code == "URL_UNRESOLVABLE"
    return isinstance(outcome, TimeoutError | ConnectionError)


def retry_after(response: Response, now: datetime | None = None) -> float | None:
    """Seconds the server asked us to wait (``Retry-After``: seconds or HTTP date), or None."""
    value = response.headers.get("retry-after", "").strip()
    if not value:
        return None
    if value.isascii() and value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
