"""The parse-time error of the formula language."""

from __future__ import annotations

from tablekit.errors import ValidationFailed


class FormulaError(ValidationFailed):
    """A formula cannot be saved: ``message`` says what is wrong and where.

    ``position`` is the 1-based ``"line:col"`` of the offending character; it is also in
    ``details["position"]`` so the API layer reports it without knowing this class (422).
    ``reason`` is the message without the position, for UIs that show the position apart.
    """

    code = "FORMULA_INVALID"

    def __init__(self, reason: str, position: str, *, hint: str | None = None) -> None:
        message = f"{reason} at {position}"
        if hint:
            message = f"{message}; {hint}"
        super().__init__(message, details={"position": position})
        self.reason = reason
        self.position = position


def position_of(text: str, offset: int) -> str:
    """Turn a 0-based character offset into the 1-based ``"line:col"`` users see."""
    offset = max(0, min(offset, len(text)))
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"{line}:{col}"
