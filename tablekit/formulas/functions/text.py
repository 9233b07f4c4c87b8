"""Text functions. Every result is checked against ``MAX_TEXT_LENGTH`` before it is built.

Positions are 1-based like in spreadsheets; FIND and SEARCH answer 0 when nothing is found.
"""

from __future__ import annotations

import re
from datetime import date

from tablekit.formulas.functions import kinds
from tablekit.formulas.functions.coerce import (
    parse_number,
    short,
    single,
    to_int,
    to_number,
    to_text,
)
from tablekit.formulas.functions.formatting import format_date, format_number
from tablekit.formulas.functions.spec import FunctionSpec
from tablekit.formulas.limits import MAX_TEXT_LENGTH
from tablekit.formulas.values import BadValue, LimitExceeded, check_text

_SPACES = re.compile(r" {2,}")


def _count(value: object, what: str) -> int:
    count = to_int(value, what)
    if count < 0:
        raise BadValue(f"{what} cannot be negative")
    return count


def _start(value: object) -> int:
    start = to_int(value, "start")
    if start < 1:
        raise BadValue("start must be 1 or more")
    return start


def _fold(text: str) -> str:
    # Lower case with positions kept: characters whose lower case is longer stay as is.
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)


def CONCATENATE(*values: object) -> str:
    """The texts of all arguments joined (same as ``&``).

    >>> CONCATENATE("Order ", 42, " of ", 2.50)
    'Order 42 of 2.5'
    """
    parts: list[str] = []
    size = 0
    for value in values:
        part = to_text(value)
        size += len(part)
        if size > MAX_TEXT_LENGTH:
            raise LimitExceeded(f"text longer than {MAX_TEXT_LENGTH:,} characters")
        parts.append(part)
    return "".join(parts)


def LEFT(text: object, count: object = 1) -> str:
    """The first ``count`` characters.

    >>> LEFT("Warehouse", 4)
    'Ware'
    """
    return to_text(text)[: _count(count, "count")]


def RIGHT(text: object, count: object = 1) -> str:
    """The last ``count`` characters.

    >>> RIGHT("ORD-2024-0042", 4)
    '0042'
    """
    n = _count(count, "count")
    value = to_text(text)
    return value[len(value) - n :] if n else ""


def MID(text: object, start: object, count: object) -> str:
    """``count`` characters from position ``start`` (1 is the first character).

    >>> MID("ORD-2024-0042", 5, 4)
    '2024'
    """
    begin = _start(start) - 1
    return to_text(text)[begin : begin + _count(count, "count")]


def LEN(text: object) -> int:
    """The number of characters.

    >>> LEN("Stock")
    5
    """
    return len(to_text(text))


def UPPER(text: object) -> str:
    """The text in capitals.

    >>> UPPER("sku-12")
    'SKU-12'
    """
    return check_text(to_text(text).upper())


def LOWER(text: object) -> str:
    """The text in small letters.

    >>> LOWER("Hello")
    'hello'
    """
    return check_text(to_text(text).lower())


def PROPER(text: object) -> str:
    """Each word starting with a capital.

    >>> PROPER("john o'neil")
    "John O'Neil"
    """
    return check_text(to_text(text).title())


def TRIM(text: object) -> str:
    """The text without leading and trailing whitespace, runs of spaces made single.

    >>> TRIM("  two   spaces ")
    'two spaces'
    """
    return _SPACES.sub(" ", to_text(text).strip())


def SUBSTITUTE(text: object, old: object, new: object, instance: object = None) -> str:
    """``text`` with ``old`` replaced by ``new``: every occurrence, or only the n-th.

    >>> SUBSTITUTE("a-b-c", "-", "/")
    'a/b/c'
    >>> SUBSTITUTE("a-b-c", "-", "/", 2)
    'a-b/c'
    """
    value, find, put = to_text(text), to_text(old), to_text(new)
    if not find:
        return value
    if instance is None:
        growth = value.count(find) * (len(put) - len(find))
        if len(value) + growth > MAX_TEXT_LENGTH:
            raise LimitExceeded(f"text longer than {MAX_TEXT_LENGTH:,} characters")
        return value.replace(find, put)
    nth = to_int(instance, "instance")
    if nth < 1:
        raise BadValue("instance must be 1 or more")
    at = -1
    for _ in range(min(nth, len(value) + 1)):
        at = value.find(find, at + 1)
        if at < 0:
            return value
    return check_text(value[:at] + put + value[at + len(find) :])


def REPLACE(text: object, start: object, count: object, new: object) -> str:
    """``text`` with ``count`` characters from ``start`` replaced by ``new``.

    >>> REPLACE("2024-01-31", 1, 4, "2025")
    '2025-01-31'
    """
    value, begin = to_text(text), _start(start) - 1
    return check_text(value[:begin] + to_text(new) + value[begin + _count(count, "count") :])


def FIND(needle: object, haystack: object, start: object = 1) -> int:
    """Position of ``needle`` in ``haystack`` (case-sensitive), 0 if absent.

    >>> FIND("-", "ORD-42")
    4
    >>> FIND("x", "ORD-42")
    0
    """
    return to_text(haystack).find(to_text(needle), _start(start) - 1) + 1


def SEARCH(needle: object, haystack: object, start: object = 1) -> int:
    """Like FIND but ignoring case.

    >>> SEARCH("ord", "New ORDER")
    5
    """
    # Case-folded str.find, not a regex: find is linear even for hostile needles.
    return _fold(to_text(haystack)).find(_fold(to_text(needle)), _start(start) - 1) + 1


def TEXT(value: object, pattern: object) -> str:
    """A number or date written with a pattern (``0.00``, ``#,##0``, ``0%``, ``DD.MM.YYYY``).

    >>> TEXT(1234.5, "#,##0.00")
    '1,234.50'
    >>> TEXT(0.256, "0.0%")
    '25.6%'
    """
    item, fmt = single(value), to_text(pattern)
    if isinstance(item, date):
        return format_date(item, fmt)
    if item is None:
        return ""
    return format_number(to_number(item), fmt)


def VALUE(text: object) -> object:
    """The number written in a text; thousands separators and a trailing % are understood.

    >>> VALUE("1,250.50")
    1250.5
    >>> VALUE("15%")
    0.15
    """
    item = single(text)
    if not isinstance(item, str):
        return to_number(item)
    if not item.strip():
        return 0
    number = parse_number(item)
    if number is None:
        raise BadValue(f'"{short(item)}" is not a number')
    return number


def REPT(text: object, count: object) -> str:
    """``text`` repeated ``count`` times (at most 100,000 characters in all).

    >>> REPT("*", 5)
    '*****'
    """
    value, times = to_text(text), _count(count, "count")
    if value and times > MAX_TEXT_LENGTH // len(value):
        raise LimitExceeded(f"text longer than {MAX_TEXT_LENGTH:,} characters")
    return value * times if value else ""


FUNCTIONS = (
    FunctionSpec("CONCATENATE", CONCATENATE, 1, None, kinds.TEXT),
    FunctionSpec("LEFT", LEFT, 1, 2, kinds.TEXT),
    FunctionSpec("RIGHT", RIGHT, 1, 2, kinds.TEXT),
    FunctionSpec("MID", MID, 3, 3, kinds.TEXT),
    FunctionSpec("LEN", LEN, 1, 1, kinds.NUMBER),
    FunctionSpec("UPPER", UPPER, 1, 1, kinds.TEXT),
    FunctionSpec("LOWER", LOWER, 1, 1, kinds.TEXT),
    FunctionSpec("PROPER", PROPER, 1, 1, kinds.TEXT),
    FunctionSpec("TRIM", TRIM, 1, 1, kinds.TEXT),
    FunctionSpec("SUBSTITUTE", SUBSTITUTE, 3, 4, kinds.TEXT),
    FunctionSpec("REPLACE", REPLACE, 4, 4, kinds.TEXT),
    FunctionSpec("FIND", FIND, 2, 3, kinds.NUMBER),
    FunctionSpec("SEARCH", SEARCH, 2, 3, kinds.NUMBER),
    FunctionSpec("TEXT", TEXT, 2, 2, kinds.TEXT),
    FunctionSpec("VALUE", VALUE, 1, 1, kinds.NUMBER),
    FunctionSpec("REPT", REPT, 2, 2, kinds.TEXT),
)
