"""Math functions: SUM, AVERAGE, MIN, MAX, ROUND..., ABS, INT, MOD, POWER, SQRT.

Results keep the kind of their input: Decimal (currency) in, Decimal out. Rounding is
"half away from zero" on the decimal value people see, so ROUND(2.675, 2) is 2.68.
"""

from __future__ import annotations

import math
from datetime import date
from decimal import ROUND_CEILING, ROUND_DOWN, ROUND_FLOOR, ROUND_HALF_UP, ROUND_UP, Decimal

from tablekit.formulas.functions.coerce import (
    DECIMAL,
    WIDE,
    Number,
    as_datetime,
    check_number,
    flatten,
    is_blank,
    to_date,
    to_decimal,
    to_int,
    to_number,
)
from tablekit.formulas.functions.kinds import NUMBER, extreme, numeric, numeric_first
from tablekit.formulas.functions.operators import decimal_op, modulo, power
from tablekit.formulas.functions.spec import FunctionSpec
from tablekit.formulas.values import BadNumber, BadValue, DivisionByZero

_MAX_DIGITS = 400  # ROUND(x, 400) is already past any float's precision


def _numbers(values: tuple[object, ...]) -> tuple[list[Number], type]:
    # Non-blank items of the arguments, lists expanded, as numbers; and the widest kind
    # among them (int < float < Decimal) so the total is computed once in that kind.
    numbers: list[Number] = []
    widest: type = int
    for item in flatten(values):
        kind = type(item)
        if kind is not int and kind is not float and kind is not Decimal:
            if item is None or item == "":
                continue
            item = to_number(item)
            kind = type(item)
        numbers.append(item)  # type: ignore[arg-type]
        if kind is Decimal or (kind is float and widest is int):
            widest = kind
    return numbers, widest


def _total(numbers: list[Number], widest: type) -> Number:
    if widest is Decimal:
        total = Decimal(0)
        for n in numbers:
            total = decimal_op(DECIMAL.add, total, to_decimal(n))
        return total
    if widest is float:
        try:
            return check_number(math.fsum(numbers))
        except OverflowError as exc:
            raise BadNumber("number is too large") from exc
    return check_number(sum(numbers))


def SUM(*values: object) -> Number:
    """The sum of the arguments; lists (lookups) are added item by item, blanks skipped.

    >>> SUM(1, 2.5, (3, None, 4))
    10.5
    """
    return _total(*_numbers(values))


def AVERAGE(*values: object) -> Number:
    """The mean of the non-blank values; no values at all is ``#DIV/0!``.

    >>> AVERAGE(2, (4, None), 6)
    4
    """
    numbers, widest = _numbers(values)
    if not numbers:
        raise DivisionByZero("AVERAGE of no values")
    total = _total(numbers, widest)
    if isinstance(total, Decimal):
        return decimal_op(DECIMAL.divide, total, Decimal(len(numbers)))
    mean = total / len(numbers)
    return int(mean) if isinstance(total, int) and mean.is_integer() else mean


def _extreme(values: tuple[object, ...], pick: str) -> object:
    items = [item for item in flatten(values) if not is_blank(item)]
    if not items:
        return 0
    if all(isinstance(item, date) for item in items):
        dates = [to_date(item) for item in items]
        # as_datetime so that dates and datetimes (aware or not) compare with each other
        return max(dates, key=as_datetime) if pick == "max" else min(dates, key=as_datetime)
    if any(isinstance(item, date) for item in items):
        raise BadValue("cannot compare dates with numbers")
    numbers = [to_number(item) for item in items]
    if any(isinstance(n, Decimal) for n in numbers):
        numbers = [to_decimal(n) for n in numbers]
    return max(numbers) if pick == "max" else min(numbers)


def MIN(*values: object) -> object:
    """The smallest value (numbers or dates); blanks are skipped, nothing at all is 0.

    >>> MIN(3, (1, 7), None)
    1
    """
    return _extreme(values, "min")


def MAX(*values: object) -> object:
    """The largest value (numbers or dates); blanks are skipped, nothing at all is 0.

    >>> MAX(3, (1, 7))
    7
    """
    return _extreme(values, "max")


def _round(value: object, digits: object, rounding: str) -> Number:
    number = to_number(value)
    places = to_int(digits, "number of digits")
    if abs(places) > _MAX_DIGITS:
        raise BadNumber(f"number of digits must be between -{_MAX_DIGITS} and {_MAX_DIGITS}")
    if isinstance(number, int) and places >= 0:
        return number
    step = Decimal(1).scaleb(-places)
    try:
        rounded = to_decimal(number).quantize(step, rounding=rounding, context=WIDE)
    except ArithmeticError as exc:
        raise BadNumber("number is too large to round") from exc
    if isinstance(number, Decimal):
        return rounded
    if isinstance(number, int):
        return int(rounded)
    return check_number(float(rounded))


def ROUND(value: object, digits: object = 0) -> Number:
    """``value`` rounded to ``digits`` decimals, halves away from zero; negative digits round
    to tens, hundreds...

    >>> ROUND(2.675, 2)
    2.68
    >>> ROUND(1234, -2)
    1200
    """
    return _round(value, digits, ROUND_HALF_UP)


def ROUNDUP(value: object, digits: object = 0) -> Number:
    """``value`` rounded away from zero to ``digits`` decimals.

    >>> ROUNDUP(3.141, 2)
    3.15
    """
    return _round(value, digits, ROUND_UP)


def ROUNDDOWN(value: object, digits: object = 0) -> Number:
    """``value`` rounded toward zero to ``digits`` decimals.

    >>> ROUNDDOWN(-3.149, 2)
    -3.14
    """
    return _round(value, digits, ROUND_DOWN)


def _to_multiple(value: object, significance: object, rounding: str) -> Number:
    number, step = to_number(value), to_number(significance)
    if not step:
        return 0
    try:
        count = WIDE.divide(to_decimal(number), to_decimal(step)).to_integral_value(rounding)
        result = WIDE.multiply(count, to_decimal(step))
    except ArithmeticError as exc:
        raise BadNumber("number is too large") from exc
    if isinstance(number, Decimal) or isinstance(step, Decimal):
        return result
    if isinstance(number, int) and isinstance(step, int):
        return int(result)
    return check_number(float(result))


def CEILING(value: object, significance: object = 1) -> Number:
    """``value`` rounded up to the next multiple of ``significance`` (default 1).

    >>> CEILING(7.2)
    8.0
    >>> CEILING(23, 5)
    25
    """
    return _to_multiple(value, significance, ROUND_CEILING)


def FLOOR(value: object, significance: object = 1) -> Number:
    """``value`` rounded down to the previous multiple of ``significance`` (default 1).

    >>> FLOOR(7.8)
    7.0
    >>> FLOOR(23, 5)
    20
    """
    return _to_multiple(value, significance, ROUND_FLOOR)


def ABS(value: object) -> Number:
    """The value without its sign.

    >>> ABS(-4.5)
    4.5
    """
    number = to_number(value)
    return -number if number < 0 else number


def INT(value: object) -> int:
    """The integer at or below ``value`` (so INT(-1.5) is -2).

    >>> INT(-1.5)
    -2
    """
    number = to_number(value)
    if isinstance(number, Decimal):
        return int(number.to_integral_value(rounding=ROUND_FLOOR))
    if isinstance(number, float):
        if not math.isfinite(number):
            raise BadNumber("number is not finite")
        return math.floor(number)
    return number


def MOD(value: object, divisor: object) -> object:
    """The remainder of ``value / divisor``, with the sign of the divisor.

    >>> MOD(10, 3)
    1
    >>> MOD(-7, 3)
    2
    """
    return modulo(value, divisor)


def POWER(base: object, exponent: object) -> object:
    """``base`` to the power ``exponent`` (same as ``^``).

    >>> POWER(2, 10)
    1024
    """
    return power(base, exponent)


def SQRT(value: object) -> Number:
    """The square root; negative numbers are ``#NUM!``.

    >>> SQRT(16)
    4.0
    """
    number = to_number(value)
    if number < 0:
        raise BadNumber("square root of a negative number")
    if isinstance(number, Decimal):
        return DECIMAL.sqrt(number)  # exact enough and never overflows for a finite input
    try:
        return math.sqrt(number)
    except OverflowError as exc:
        raise BadNumber("number is too large") from exc


FUNCTIONS = (
    FunctionSpec("SUM", SUM, 1, None, numeric),
    FunctionSpec("AVERAGE", AVERAGE, 1, None, numeric),
    FunctionSpec("MIN", MIN, 1, None, extreme),
    FunctionSpec("MAX", MAX, 1, None, extreme),
    FunctionSpec("ROUND", ROUND, 1, 2, numeric_first),
    FunctionSpec("ROUNDUP", ROUNDUP, 1, 2, numeric_first),
    FunctionSpec("ROUNDDOWN", ROUNDDOWN, 1, 2, numeric_first),
    FunctionSpec("CEILING", CEILING, 1, 2, numeric_first),
    FunctionSpec("FLOOR", FLOOR, 1, 2, numeric_first),
    FunctionSpec("ABS", ABS, 1, 1, numeric),
    FunctionSpec("INT", INT, 1, 1, NUMBER),
    FunctionSpec("MOD", MOD, 2, 2, numeric),
    FunctionSpec("POWER", POWER, 2, 2, NUMBER),
    FunctionSpec("SQRT", SQRT, 1, 1, numeric),
)
