"""Pattern formatting for TEXT and FORMATDATE, written out by hand.

Patterns come from users, so they are never handed to ``str.format``, ``strftime`` or
``format()``: each token is translated here, and everything else is copied literally.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from tablekit.formulas.functions.coerce import WIDE, Number, to_decimal
from tablekit.formulas.limits import MAX_PATTERN_LENGTH
from tablekit.formulas.values import BadNumber, BadValue

MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

# Longest tokens first; [text] in brackets is copied without its brackets.
_DATE_TOKENS = re.compile(r"\[[^\]]*\]|YYYY|YY|MMMM|MMM|MM|M|DD|D|dddd|ddd|HH|H|hh|h|mm|ss|A|a")


def _check_pattern(pattern: str) -> None:
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise BadValue(f"format is longer than {MAX_PATTERN_LENGTH} characters")
    if "{" in pattern or "}" in pattern:
        # No pattern needs braces; refusing them keeps format-string tricks out for good.
        raise BadValue("a format cannot contain { or }")


def format_date(value: date, pattern: str) -> str:
    """``value`` written with tokens such as ``YYYY-MM-DD``, ``DD.MM.YYYY HH:mm``, ``MMMM D``."""
    _check_pattern(pattern)
    moment = value if isinstance(value, datetime) else datetime(value.year, value.month, value.day)
    hour12 = moment.hour % 12 or 12

    def token(match: re.Match[str]) -> str:
        tok = match.group()
        if tok.startswith("["):
            return tok[1:-1]
        table = {
            "YYYY": f"{moment.year:04d}",
            "YY": f"{moment.year % 100:02d}",
            "MMMM": MONTHS[moment.month - 1],
            "MMM": MONTHS[moment.month - 1][:3],
            "MM": f"{moment.month:02d}",
            "M": str(moment.month),
            "DD": f"{moment.day:02d}",
            "D": str(moment.day),
            "dddd": WEEKDAYS[moment.weekday()],
            "ddd": WEEKDAYS[moment.weekday()][:3],
            "HH": f"{moment.hour:02d}",
            "H": str(moment.hour),
            "hh": f"{hour12:02d}",
            "h": str(hour12),
            "mm": f"{moment.minute:02d}",
            "ss": f"{moment.second:02d}",
            "A": "AM" if moment.hour < 12 else "PM",
            "a": "am" if moment.hour < 12 else "pm",
        }
        return table[tok]

    return _DATE_TOKENS.sub(token, pattern)


def format_number(number: Number, pattern: str) -> str:
    """``number`` written with a spreadsheet pattern: ``0.00``, ``#,##0``, ``0%``, ``€ 0.00``.

    ``0`` is a digit always shown, ``#`` a digit shown when needed, ``,`` in the integer
    part groups thousands, ``%`` multiplies by 100; text around the digits is kept.
    """
    _check_pattern(pattern)
    spots = [i for i, ch in enumerate(pattern) if ch in "0#"]
    if not spots:
        return pattern
    first, last = spots[0], spots[-1]
    prefix, body, suffix = pattern[:first], pattern[first : last + 1], pattern[last + 1 :]
    if body.count(".") > 1:
        raise BadValue(f'format "{pattern}" has more than one decimal point')
    whole, _, fraction = body.partition(".")
    required = len(fraction.rstrip("#"))
    places = len(fraction)
    value = to_decimal(number)
    if "%" in prefix + suffix:
        value = value * 100
    try:
        rounded = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP, context=WIDE)
    except ArithmeticError as exc:
        raise BadNumber("number is too large to format") from exc
    sign = "-" if rounded < 0 else ""
    digits = format(abs(rounded), "f")
    int_part, _, frac_part = digits.partition(".")
    frac_part = frac_part.rstrip("0").ljust(required, "0") if places else ""
    int_part = int_part.lstrip("0").rjust(whole.count("0"), "0")
    if "," in whole:
        int_part = f"{int(int_part or '0'):,}" if int_part else ""
    text = int_part + ("." + frac_part if frac_part else "")
    return f"{prefix}{sign}{text}{suffix}" if text else f"{prefix}0{suffix}"
