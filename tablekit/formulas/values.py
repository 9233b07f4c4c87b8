"""Cell values as formulas see them, and the errors a cell can evaluate to.

Only plain values enter an evaluation (see ``plain_value``): the sandbox never hands a
formula an ORM object, a dict or anything with interesting attributes. A failed cell is an
``ErrorValue`` (a value, never raised past the evaluator); inside the evaluation the same
failure travels as a ``CellError`` exception so that IFERROR can catch it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from tablekit.formulas.limits import MAX_ITEMS, MAX_STEPS, MAX_TEXT_LENGTH, MAX_TEXT_WORK

#: Types a cell value may have, checked by exact type (subclasses could override methods).
SCALAR_TYPES: frozenset[type] = frozenset({str, int, float, bool, Decimal, date, datetime})


@dataclass(frozen=True, slots=True)
class ErrorValue:
    """What a failed cell evaluates to, e.g. ``ErrorValue("#DIV/0!", "division by zero")``.

    ``code`` is stable and short (shown in the grid); ``message`` says what went wrong.
    """

    code: str
    message: str

    def __str__(self) -> str:
        return self.code


class CellError(Exception):
    """A formula failed for one row; becomes ``ErrorValue(code, message)``.

    Subclasses fix the code. The constructor takes the message alone because asteval
    re-raises exceptions as ``type(exc)(message)``.
    """

    code = "#ERROR!"

    def __init__(self, message: str = "", code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def to_value(self) -> ErrorValue:
        """The cell value this error stands for."""
        return ErrorValue(self.code, self.message or "formula error")


class DivisionByZero(CellError):
    """``#DIV/0!``: a division or modulo by zero (or blank), an average of nothing."""

    code = "#DIV/0!"


class BadValue(CellError):
    """``#VALUE!``: a value of the wrong kind, e.g. text where a number is needed."""

    code = "#VALUE!"


class BadNumber(CellError):
    """``#NUM!``: a number out of range (overflow, square root of a negative...)."""

    code = "#NUM!"


class BrokenReference(CellError):
    """``#REF!``: the formula refers to a field that no longer exists."""

    code = "#REF!"


class LimitExceeded(CellError):
    """``#LIMIT!``: a result would exceed a size limit (text length, list length)."""

    code = "#LIMIT!"


class NoMatch(CellError):
    """``#N/A``: IFS or SWITCH found no matching branch and has no default."""

    code = "#N/A"


class _Allowance(threading.local):
    # What the evaluation running in this thread may still do; unlimited outside one
    # (doctests, direct calls). The sandbox sets it around each evaluation.
    steps: int = 1 << 62
    text: int = 1 << 62


_allowance = _Allowance()


def set_allowance(steps: int | None, text: int | None = None) -> None:
    """Start metering this thread's work (None: stop metering)."""
    _allowance.steps = (1 << 62) if steps is None else steps
    _allowance.text = (1 << 62) if text is None else text


def spend(items: int) -> None:
    """Account for visiting ``items`` list items; ``LimitExceeded`` past ``MAX_STEPS``."""
    _allowance.steps -= items
    if _allowance.steps < 0:
        raise LimitExceeded(f"formula needs too much work (more than {MAX_STEPS:,} list items)")


def spend_text(chars: int) -> None:
    """Account for producing ``chars`` characters; ``LimitExceeded`` past ``MAX_TEXT_WORK``."""
    _allowance.text -= chars
    if _allowance.text < 0:
        raise LimitExceeded(f"formula produces too much text (more than {MAX_TEXT_WORK:,})")


def check_text(text: str) -> str:
    """Return ``text`` if it is within ``MAX_TEXT_LENGTH``, else raise ``LimitExceeded``."""
    if len(text) > MAX_TEXT_LENGTH:
        raise LimitExceeded(f"text longer than {MAX_TEXT_LENGTH:,} characters")
    return text


def plain_value(value: object, field: str = "") -> object:
    """Check that ``value`` may enter an evaluation; lists become tuples.

    Raises ``BadValue`` for anything else (an ORM object, a dict...), ``LimitExceeded``
    for lists of more than ``MAX_ITEMS`` items in all, and the stored error for an
    ``ErrorValue`` (a formula field that itself failed), so errors spread like in a
    spreadsheet. Lists may nest one level (a lookup of a multi-select).
    """
    if value is None or type(value) in SCALAR_TYPES:
        return value
    if isinstance(value, ErrorValue):
        raise CellError(value.message, code=value.code)
    if isinstance(value, tuple | list) and type(value) in (tuple, list):
        return _plain_list(value, field, nested=True)
    raise _unsupported(value, field)


def _plain_list(value: tuple[object, ...] | list[object], field: str, nested: bool) -> object:
    items = tuple(value)
    spend(len(items))
    total = len(items)
    if total > MAX_ITEMS:
        raise LimitExceeded(f"list longer than {MAX_ITEMS:,} items")
    copy: list[object] | None = None
    for index, item in enumerate(items):
        if item is None or type(item) in SCALAR_TYPES:
            continue
        if nested and isinstance(item, tuple | list) and type(item) in (tuple, list):
            inner = _plain_list(item, field, nested=False)
            total += len(item) - 1  # counted as its items, not as one
            if total > MAX_ITEMS:
                raise LimitExceeded(f"list longer than {MAX_ITEMS:,} items")
            if inner is not item:  # a list became a tuple
                copy = copy if copy is not None else list(items)
                copy[index] = inner
            continue
        if isinstance(item, ErrorValue):
            raise CellError(item.message, code=item.code)
        raise _unsupported(item, field)
    return items if copy is None else tuple(copy)


def _unsupported(value: object, field: str) -> BadValue:
    where = f" in {field}" if field else ""
    return BadValue(f"unsupported value of type {type(value).__name__}{where}")
