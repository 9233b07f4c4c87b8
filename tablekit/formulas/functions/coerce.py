"""Spreadsheet coercions: how a value becomes a number, a text, a truth value or a date.

Blanks (None) are 0 in arithmetic and "" in text. Numbers keep their type: Decimal
(currency) stays Decimal, and a float meeting a Decimal becomes the Decimal of its shortest
repr (so 1.19 is 1.19, not 1.1899999...). Dates in text must be ISO 8601.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime
from decimal import Context, Decimal, InvalidOperation, Overflow
from decimal import DivisionByZero as DecimalDivisionByZero

from tablekit.formulas.limits import MAX_INT_BITS, MAX_ITEMS, MAX_TEXT_LENGTH
from tablekit.formulas.values import BadNumber, BadValue, LimitExceeded, check_text, spend

Number = int | float | Decimal

#: Context of every Decimal operation: explicit, so that no thread's context leaks in,
#: and trapping so that overflow and 0/0 become cell errors instead of Infinity/NaN.
DECIMAL = Context(
    prec=28, Emax=999_999, Emin=-999_999, traps=[InvalidOperation, DecimalDivisionByZero, Overflow]
)
#: Wider context for rounding, where a float's full range meets many decimal places.
WIDE = Context(
    prec=1_000,
    Emax=999_999,
    Emin=-999_999,
    traps=[InvalidOperation, DecimalDivisionByZero, Overflow],
)
_MAX_TEXT_NUMBER = 100  # longest text read as a number


def short(text: str, limit: int = 30) -> str:
    """``text`` cut for an error message."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def single(value: object) -> object:
    """A one-item list is its item and an empty list is blank; longer lists are refused."""
    if isinstance(value, tuple):
        if not value:
            return None
        if len(value) == 1:
            return value[0]
        raise BadValue(f"expected one value but got a list of {len(value)}; use SUM, MAX...")
    return value


def parse_number(text: str) -> int | float | None:
    """Read ``text`` as a number: ``"12"``, ``"-1,234.5"``, ``"12%"``; None if it is not one."""
    s = text.strip().replace(",", "")
    if not s or len(s) > _MAX_TEXT_NUMBER or not s.isascii():
        return None  # int() and float() would also read other scripts' digits
    percent = s.endswith("%")
    if percent:
        s = s[:-1].strip()
    body = s.lstrip("+-")
    if not body or not (body[0].isascii() and (body[0].isdigit() or body[0] == ".")):
        return None  # refuses "inf", "nan" and other words float() would take
    try:
        number: int | float = int(s) if s.lstrip("+-").isdigit() else float(s)
    except ValueError:
        return None
    if percent:
        return number / 100
    return number


def to_number(value: object) -> Number:
    """The number a value stands for; raises ``BadValue`` for text that is not a number."""
    value = single(value)
    if value is None:
        return 0
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, str):
        if not value.strip():
            return 0
        number = parse_number(value)
        if number is None:
            raise BadValue(f'cannot use text "{short(value)}" as a number')
        return number
    if isinstance(value, date):
        raise BadValue("cannot use a date as a number")
    raise BadValue(f"cannot use {type(value).__name__} as a number")


def to_int(value: object, what: str = "count") -> int:
    """A whole number (truncated toward zero), e.g. a count of characters."""
    number = to_number(value)
    if isinstance(number, float) and not math.isfinite(number):
        raise BadNumber(f"{what} is not a finite number")
    if isinstance(number, Decimal) and not number.is_finite():
        raise BadNumber(f"{what} is not a finite number")
    return int(number)


def to_decimal(number: Number) -> Decimal:
    """A Decimal; floats go through their shortest repr so 0.1 stays 0.1."""
    if isinstance(number, Decimal):
        return number
    if isinstance(number, float):
        if not math.isfinite(number):
            raise BadNumber("number is not finite")
        return Decimal(repr(number))
    return Decimal(number)


def check_number(number: Number) -> Number:
    """Refuse results a cell cannot hold: infinities, NaN, integers over ~10^308."""
    if isinstance(number, float):
        if not math.isfinite(number):
            raise BadNumber("number is too large" if not math.isnan(number) else "not a number")
    elif isinstance(number, int):
        if number.bit_length() > MAX_INT_BITS:
            raise BadNumber("number is too large")
    elif not number.is_finite():
        raise BadNumber("number is not finite")
    return number


def format_number(number: Number) -> str:
    """Numbers as text: no trailing ``.0``, up to 15 significant digits for floats."""
    if isinstance(number, bool):
        return "TRUE" if number else "FALSE"
    if isinstance(number, int):
        return str(number)
    if isinstance(number, float):
        check_number(number)
        if number.is_integer() and abs(number) < 1e15:
            return str(int(number))
        return format(number, ".15g")
    if not number.is_finite():
        raise BadNumber("number is not finite")
    if not -1_000 < number.adjusted() < 1_000:
        return str(number)  # scientific form: "f" could print a million zeros
    return format(number, "f")


def to_text(value: object) -> str:
    """Text for a value: blanks are "", TRUE/FALSE, ISO dates, lists joined with ", "."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool | int | float | Decimal):
        return format_number(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        parts: list[str] = []
        size = 0
        for item in flatten((value,)):
            part = to_text(item)
            size += len(part) + 2
            if size > MAX_TEXT_LENGTH + 2:
                raise LimitExceeded(f"text longer than {MAX_TEXT_LENGTH:,} characters")
            parts.append(part)
        return check_text(", ".join(parts))
    raise BadValue(f"cannot use {type(value).__name__} as text")


def to_bool(value: object) -> bool:
    """Truth of a value: blank, 0, "" and the empty list are false."""
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float | Decimal):
        return bool(value)
    if isinstance(value, str | tuple):
        return len(value) > 0
    return True


def is_blank(value: object) -> bool:
    """Blank: None, "", or a list of blanks (an empty lookup)."""
    if value is None or value == "":
        return True
    if isinstance(value, tuple):
        return all(is_blank(item) for item in value)
    return False


def to_date(value: object) -> date:
    """A date or datetime; text must be ISO 8601 (``2024-05-01``, ``2024-05-01T14:30``)."""
    value = single(value)
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        if len(text) <= 40:
            try:
                return date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
            except ValueError:
                pass
        raise BadValue(f'cannot read text "{short(value)}" as a date (use 2024-05-31)')
    if value is None:
        raise BadValue("date is blank")
    raise BadValue(f"cannot use {type(value).__name__} as a date")


def as_datetime(value: date) -> datetime:
    """A datetime for a date (at midnight) or datetime; naive datetimes are read as UTC."""
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def as_date(value: date) -> date:
    """The calendar date of a date or datetime."""
    return value.date() if isinstance(value, datetime) else value


def flatten(values: tuple[object, ...]) -> list[object]:
    """The items of the arguments with lists expanded (two levels: a lookup of a list).

    Visiting an item costs one unit of the evaluation's work allowance; more than
    ``MAX_ITEMS`` items in all is ``#LIMIT!``.
    """
    out: list[object] = []
    for value in values:
        if type(value) is not tuple:
            out.append(value)
            continue
        spend(len(value))
        for item in value:
            if type(item) is tuple:
                spend(len(item))
                out.extend(x for x in item if type(x) is not tuple)
            else:
                out.append(item)
        if len(out) > MAX_ITEMS:
            raise LimitExceeded(f"more than {MAX_ITEMS:,} values")
    if len(out) > MAX_ITEMS:
        raise LimitExceeded(f"more than {MAX_ITEMS:,} values")
    return out
