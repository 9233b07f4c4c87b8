"""The one error a broken bundle produces: ``ValidationFailed(code="INVALID_BUNDLE")`` whose
message starts with the path of the offending entry (``tables[2].fields[4].options``) and
whose details list every problem as ``{path, message}``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from tablekit.errors import Conflict, ValidationFailed


def invalid(path: str, message: str) -> ValidationFailed:
    return ValidationFailed(
        f"{path}: {message}" if path else message,
        code="INVALID_BUNDLE",
        details={"errors": [{"path": path, "message": message}]},
    )


@contextmanager
def at(path: str) -> Iterator[None]:
    """Re-raise a service's refusal of bundle content (invalid or conflicting) as a bundle
    error naming ``path``; its own code is kept in ``details.cause``. Permission and
    not-found errors pass unchanged: they are about the caller, not the bundle."""
    try:
        yield
    except (ValidationFailed, Conflict) as exc:
        error = invalid(path, exc.message)
        error.details["cause"] = exc.code
        raise error from None
