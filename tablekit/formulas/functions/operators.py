"""Semantics of the operators ``+ - * / ^ %`` and the comparisons, spreadsheet style.

The parser emits Python ``BinOp``/``UnaryOp``/``Compare`` nodes; the sandbox maps each
Python operator class to one of these functions (``BINARY``, ``UNARY``, ``COMPARE``).
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import ROUND_FLOOR, Decimal, InvalidOperation, Overflow
from typing import Any

from tablekit.formulas.functions.coerce import (
    DECIMAL,
    Number,
    as_datetime,
    check_number,
    single,
    to_date,
    to_decimal,
    to_number,
    to_text,
)
from tablekit.formulas.limits import MAX_INT_BITS
from tablekit.formulas.values import BadNumber, BadValue, DivisionByZero, spend

_MAX_DAYS = 3_700_000  # a little more than year 1 to year 9999


def decimal_op(op: Callable[[Decimal, Decimal], Decimal], x: Decimal, y: Decimal) -> Decimal:
    """Run a ``DECIMAL`` context operation, its traps turned into cell errors."""
    try:
        return op(x, y)
    except ZeroDivisionError as exc:  # decimal.DivisionByZero and DivisionUndefined
        raise DivisionByZero("division by zero") from exc
    except Overflow as exc:
        raise BadNumber("number is too large") from exc
    except InvalidOperation as exc:
        raise BadNumber("no valid result for this number operation") from exc


def _both(a: Number, b: Number) -> tuple[Decimal, Decimal] | None:
    # Decimal arithmetic when either side is Decimal (currency), else None.
    if isinstance(a, Decimal) or isinstance(b, Decimal):
        return to_decimal(a), to_decimal(b)
    return None


def _arithmetic(
    x: Number,
    y: Number,
    native: Callable[[Any, Any], Number],
    exact: Callable[[Decimal, Decimal], Decimal],
) -> Number:
    # One operation: in the DECIMAL context if either side is Decimal, else natively.
    pair = _both(x, y)
    if pair is not None:
        return decimal_op(exact, *pair)
    try:
        return check_number(native(x, y))
    except OverflowError as exc:
        raise BadNumber("number is too large") from exc


def _days(amount: Number) -> timedelta:
    if not abs(float(amount)) <= _MAX_DAYS:  # also refuses NaN
        raise BadNumber("date out of range")
    return timedelta(days=float(amount))


def _shift(day: date, amount: Number) -> date:
    # date + n days; a fractional n on a date gives a datetime (noon for 0.5).
    try:
        if not isinstance(day, datetime) and amount == int(amount):
            return day + timedelta(days=int(amount))
        start = day if isinstance(day, datetime) else datetime(day.year, day.month, day.day)
        return start + _days(amount)
    except OverflowError as exc:
        raise BadNumber("date out of range") from exc


def add(a: object, b: object) -> object:
    """``a + b``; a date plus a number of days is a date."""
    a, b = single(a), single(b)
    if isinstance(a, date) and not isinstance(b, date):
        return _shift(a, to_number(b))
    if isinstance(b, date) and not isinstance(a, date):
        return _shift(b, to_number(a))
    if isinstance(a, date):
        raise BadValue("cannot add two dates")
    return _arithmetic(to_number(a), to_number(b), operator.add, DECIMAL.add)


def subtract(a: object, b: object) -> object:
    """``a - b``; date minus date is a number of days, date minus a number is a date."""
    a, b = single(a), single(b)
    if isinstance(a, date):
        if isinstance(b, date | str) and not _is_number_text(b):
            other = to_date(b)
            if isinstance(a, datetime) or isinstance(other, datetime):
                seconds = (as_datetime(a) - as_datetime(other)).total_seconds()
                return seconds / 86_400
            return (a - other).days
        return _shift(a, -to_number(b))
    if isinstance(b, date):
        raise BadValue("cannot subtract a date from a number")
    return _arithmetic(to_number(a), to_number(b), operator.sub, DECIMAL.subtract)


def _is_number_text(value: object) -> bool:
    if not isinstance(value, str):
        return False
    try:
        to_number(value)
    except BadValue:
        return False
    return True


def multiply(a: object, b: object) -> object:
    """``a * b``."""
    # Operands are at most ~10^308 (results are checked), so no product is expensive.
    return _arithmetic(to_number(a), to_number(b), operator.mul, DECIMAL.multiply)


def divide(a: object, b: object) -> object:
    """``a / b``; dividing by zero or blank is ``#DIV/0!``."""
    x, y = to_number(a), to_number(b)
    if not y:
        raise DivisionByZero("division by zero")
    return _arithmetic(x, y, operator.truediv, DECIMAL.divide)


def modulo(a: object, b: object) -> object:
    """``a % b``: the remainder, with the sign of the divisor (like MOD in spreadsheets)."""
    x, y = to_number(a), to_number(b)
    if not y:
        raise DivisionByZero("division by zero")
    return _arithmetic(x, y, operator.mod, _floor_remainder)


def _floor_remainder(x: Decimal, y: Decimal) -> Decimal:
    # Decimal's own % keeps the sign of the dividend; spreadsheets keep the divisor's.
    quotient = DECIMAL.divide(x, y).to_integral_value(rounding=ROUND_FLOOR)
    return DECIMAL.subtract(x, DECIMAL.multiply(y, quotient))


def power(a: object, b: object) -> object:
    """``a ^ b``; results beyond about 10^308 are ``#NUM!`` (checked before computing)."""
    x, y = to_number(a), to_number(b)
    if isinstance(x, Decimal) or isinstance(y, Decimal):
        return _arithmetic(x, y, operator.pow, DECIMAL.power)
    if isinstance(x, int) and isinstance(y, int) and y >= 0:
        if abs(x) > 1 and y * math.log2(abs(x)) > MAX_INT_BITS:
            raise BadNumber("number is too large")
        return x**y
    if x == 0 and y < 0:
        raise DivisionByZero("division by zero")
    try:
        return check_number(math.pow(x, y))
    except OverflowError as exc:
        raise BadNumber("number is too large") from exc
    except ValueError as exc:
        raise BadNumber("no real result (negative number to a fractional power)") from exc


def negate(a: object) -> object:
    """``-a``."""
    x = to_number(a)
    return -x


def plus(a: object) -> object:
    """``+a``: the number itself."""
    return to_number(a)


# -- comparisons -------------------------------------------------------------------------


def _comparable(a: object, b: object) -> tuple[object, object]:
    # Both sides brought to one kind (number, text, datetime), or BadValue if they cannot be.
    if a is None and b is None:
        return 0, 0
    if a is None:
        a = _blank_like(b)
    elif b is None:
        b = _blank_like(a)
    if isinstance(a, date) or isinstance(b, date):
        if a == "" or b == "":
            return (0, 1) if a == "" else (1, 0)  # a blank sorts before every date
        return as_datetime(to_date(a)), as_datetime(to_date(b))
    a_num = isinstance(a, bool | int | float | Decimal)
    b_num = isinstance(b, bool | int | float | Decimal)
    if a_num or b_num:
        x, y = to_number(a), to_number(b)
        pair = _both(x, y)
        return pair if pair else (x, y)
    if isinstance(a, str) and isinstance(b, str):
        return a, b
    return to_text(a), to_text(b)


def _blank_like(other: object) -> object:
    if isinstance(other, bool | int | float | Decimal):
        return 0
    return ""


def equals(a: object, b: object) -> bool:
    """``a = b``: blank equals "" and 0; number and numeric text compare as numbers."""
    if isinstance(a, tuple) and isinstance(b, tuple):
        spend(len(a))
        return len(a) == len(b) and all(equals(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, tuple) and len(a) > 1:
        return to_text(a) == to_text(b)
    if isinstance(b, tuple) and len(b) > 1:
        return to_text(a) == to_text(b)
    try:
        x, y = _comparable(single(a), single(b))
    except BadValue:
        return False
    return x == y


def not_equals(a: object, b: object) -> bool:
    """``a != b`` and ``a <> b``."""
    return not equals(a, b)


def _ordered(a: object, b: object, test: Callable[[object, object], bool]) -> bool:
    x, y = _comparable(single(a), single(b))
    try:
        return test(x, y)
    except TypeError as exc:
        raise BadValue(f"cannot compare {_kind(a)} with {_kind(b)}") from exc


def _kind(value: object) -> str:
    if isinstance(value, date):
        return "a date"
    if isinstance(value, str):
        return "text"
    return "a number"


def less(a: object, b: object) -> bool:
    """``a < b``."""
    return _ordered(a, b, lambda x, y: x < y)  # type: ignore[operator]


def less_equal(a: object, b: object) -> bool:
    """``a <= b``."""
    return _ordered(a, b, lambda x, y: x <= y)  # type: ignore[operator]


def greater(a: object, b: object) -> bool:
    """``a > b``."""
    return _ordered(a, b, lambda x, y: x > y)  # type: ignore[operator]


def greater_equal(a: object, b: object) -> bool:
    """``a >= b``."""
    return _ordered(a, b, lambda x, y: x >= y)  # type: ignore[operator]


BINARY: dict[type[ast.operator], Callable[[object, object], object]] = {
    ast.Add: add,
    ast.Sub: subtract,
    ast.Mult: multiply,
    ast.Div: divide,
    ast.Mod: modulo,
    ast.Pow: power,
}
UNARY: dict[type[ast.unaryop], Callable[[object], object]] = {ast.USub: negate, ast.UAdd: plus}
COMPARE: dict[type[ast.cmpop], Callable[[object, object], bool]] = {
    ast.Eq: equals,
    ast.NotEq: not_equals,
    ast.Lt: less,
    ast.LtE: less_equal,
    ast.Gt: greater,
    ast.GtE: greater_equal,
}
