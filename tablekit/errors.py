"""Domain errors with stable codes.

Services raise these; only the API layer (``tablekit.api.errors``) turns them into HTTP
responses. The ``code`` is part of the public contract: clients branch on it.
"""

from __future__ import annotations

from typing import Any


class TableKitError(Exception):
    """Base of every domain error: a stable ``code``, a human ``message``, optional details."""

    code = "ERROR"

    def __init__(
        self, message: str, *, code: str | None = None, details: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.details: dict[str, Any] = details or {}


class ValidationFailed(TableKitError):
    """Input is well-formed but not acceptable (wrong type, unknown field, bad option)."""

    code = "VALIDATION_FAILED"


class NotFound(TableKitError):
    """The object does not exist or the caller may not see it (never reveal which)."""

    code = "NOT_FOUND"


class PermissionDenied(TableKitError):
    """The caller can see the object but their role or token scope does not allow the act."""

    code = "PERMISSION_DENIED"


class NotAuthenticated(TableKitError):
    """No valid session or token."""

    code = "NOT_AUTHENTICATED"


class Conflict(TableKitError):
    """The request conflicts with current state (version mismatch, duplicate unique value)."""

    code = "CONFLICT"


class TooLarge(TableKitError):
    """The request exceeds a size limit (batch of more than 1000 rows, upload too big)."""

    code = "TOO_LARGE"


class RateLimited(TableKitError):
    """Too many requests; ``retry_after`` says in how many seconds to try again."""

    code = "RATE_LIMITED"

    def __init__(self, message: str, *, retry_after: int, code: str | None = None) -> None:
        super().__init__(message, code=code, details={"retry_after": retry_after})
        self.retry_after = retry_after
