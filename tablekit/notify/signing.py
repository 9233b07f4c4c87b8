"""HMAC-SHA256 signatures for outgoing webhook bodies (the Stripe scheme).

Header: ``X-TableKit-Signature: t=<unix seconds>,v1=<hex>`` where ``<hex>`` is
HMAC-SHA256(secret, ``"<t>." + body``). The timestamp is signed with the body so a captured
request cannot be replayed later than ``tolerance`` seconds; receivers should verify the
exact bytes they received, before parsing JSON. Several ``v1=`` entries may appear while a
secret is being rotated; one valid entry is enough.
"""

from __future__ import annotations

import hashlib
import hmac
import time

SIGNATURE_HEADER = "X-TableKit-Signature"
SCHEME = "v1"
DEFAULT_TOLERANCE = 300


def _digest(secret: str | bytes, timestamp: int, body: bytes) -> str:
    key = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(key, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def sign(secret: str | bytes, body: bytes, now: float | None = None) -> str:
    """The header value for ``body`` signed at ``now`` (unix seconds; default: the clock)."""
    if not secret:
        raise ValueError("a webhook signature needs a non-empty secret")
    timestamp = int(time.time() if now is None else now)
    return f"t={timestamp},{SCHEME}={_digest(secret, timestamp, body)}"


def signed_headers(secret: str | bytes, body: bytes, now: float | None = None) -> dict[str, str]:
    """``{SIGNATURE_HEADER: sign(...)}``, ready to merge into a request's headers."""
    return {SIGNATURE_HEADER: sign(secret, body, now)}


def verify(
    secret: str | bytes,
    body: bytes,
    header: str,
    tolerance: int = DEFAULT_TOLERANCE,
    now: float | None = None,
) -> bool:
    """True when ``header`` signs ``body`` with ``secret`` within ``tolerance`` seconds of now.

    Malformed headers verify as False rather than raising: a receiver treats them like a
    wrong signature. Comparison is constant-time.
    """
    if not secret:
        return False
    timestamp: int | None = None
    candidates: list[str] = []
    for item in header.split(","):
        key, _, value = item.strip().partition("=")
        if key == "t" and value.isascii() and value.isdigit():
            timestamp = int(value)
        elif key == SCHEME and value:
            candidates.append(value)
    if timestamp is None or not candidates:
        return False
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        return False
    expected = _digest(secret, timestamp, body)
    return any(hmac.compare_digest(expected.encode(), c.encode()) for c in candidates)
