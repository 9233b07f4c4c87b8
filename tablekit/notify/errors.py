"""The error a failed delivery raises, with whether trying again can help."""

from __future__ import annotations

from typing import Any

from tablekit.errors import TableKitError


class DeliveryFailed(TableKitError):
    """A webhook or mail could not be delivered.

    ``retryable`` tells the automation engine whether a later attempt can succeed (timeouts,
    refused connections, 4xx SMTP replies) or not (TLS certificate mismatch, too many
    redirects, 5xx SMTP replies), so it can back off or give up without parsing messages.
    """

    code = "DELIVERY_FAILED"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        retryable: bool,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message, code=code, details={**(details or {}), "retryable": retryable})
        self.retryable = retryable
