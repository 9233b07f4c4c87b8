"""Numeric fields: number, currency, percent, rating, duration."""

from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlalchemy.types import TypeEngine

from tablekit.fields.base import (
    ORDER_OPS,
    CellError,
    Context,
    FieldDef,
    FieldType,
    OptionsContext,
    options_error,
)

CURRENCY_RE = re.compile(r"^[A-Z]{3}$")
DURATION_RE = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{2})$")
# A comma is a thousands separator only where it groups three digits ("1,234.5"); "1,5" is
# a decimal comma, which must not silently become 15.
GROUPED_RE = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?$")
# Numbers live in double-precision columns (and currency in REAL on SQLite): 15 significant
# digits survive the round trip exactly, more would come back changed.
MAX_DIGITS = 15


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _parse_number(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise CellError("expected a number")
    if isinstance(value, int | Decimal):
        number = Decimal(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise CellError("expected a finite number")
        number = Decimal(repr(value))
    elif isinstance(value, str):
        text = value.strip()
        for symbol in ("€", "$", "£", "%"):
            text = text.replace(symbol, "")
        text = text.strip().replace("_", "")
        if "," in text:
            if not GROUPED_RE.match(text):
                raise CellError(f"{value!r} is not a number (write decimals with a dot: 1.5)")
            text = text.replace(",", "")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise CellError(f"{value!r} is not a number") from None
    else:
        raise CellError("expected a number")
    if not number.is_finite():
        raise CellError("expected a finite number")
    return number


def _check_digits(number: Decimal) -> Decimal:
    if number and len(number.normalize().as_tuple().digits) > MAX_DIGITS:
        raise CellError(
            f"{number} has more than {MAX_DIGITS} significant digits and cannot be stored exactly"
        )
    return number


def _precision(options: Any, default: int) -> int:
    precision = options.get("precision", default)
    if not isinstance(precision, int) or isinstance(precision, bool) or not 0 <= precision <= 8:
        raise options_error("precision must be an integer from 0 to 8", option="precision")
    return precision


class NumberField(FieldType):
    type = "number"
    label = "Number"
    can_be_unique = True
    operators = ORDER_OPS
    default_precision: ClassVar[int] = 0
    whole_when_precise: ClassVar[bool] = True

    def normalize_options(self, options: Any, ctx: OptionsContext) -> dict[str, Any]:
        return {**options, "precision": _precision(options, self.default_precision)}

    def column_type(self, fdef: FieldDef) -> TypeEngine[Any]:
        return sa.Float()

    def _places(self, fdef: FieldDef) -> int:
        """Decimal places kept in storage."""
        return int(fdef.options.get("precision", self.default_precision))

    def _quantum(self, fdef: FieldDef) -> Decimal:
        return Decimal(1).scaleb(-self._places(fdef))

    def to_db(self, value: Any, fdef: FieldDef, ctx: Context) -> Any:
        if _blank(value):
            return None
        number = _parse_number(value)
        if abs(number) >= Decimal("1e15"):
            raise CellError("number too large")
        return float(_check_digits(number.quantize(self._quantum(fdef), rounding=ROUND_HALF_UP)))

    def from_db(self, value: Any, fdef: FieldDef, ctx: Context) -> Any:
        if value is None:
            return None
        number = float(value)
        places = self._places(fdef)
        if round(number, places) == number:  # the usual case: stored at this precision
            return int(number) if places == 0 and self.whole_when_precise else number
        # Rounded to the field's precision, which may have been lowered after the write.
        exact = Decimal(repr(number)).quantize(self._quantum(fdef), rounding=ROUND_HALF_UP)
        if places == 0 and self.whole_when_precise:
            return int(exact)
        return float(exact)


class PercentField(NumberField):
    """Stored as a fraction (0.5 is 50 %), as Airtable does; text "50%" parses to 0.5."""

    type = "percent"
    label = "Percent"
    can_be_unique = False
    default_precision = 1
    whole_when_precise = False

    def _places(self, fdef: FieldDef) -> int:
        # Precision counts the digits of the percentage shown (12.5 %), so the stored
        # fraction (0.125) keeps two more.
        return super()._places(fdef) + 2

    def to_db(self, value: Any, fdef: FieldDef, ctx: Context) -> Any:
        if isinstance(value, str) and value.strip().endswith("%"):
            value = _parse_number(value) / 100
        return super().to_db(value, fdef, ctx)


class CurrencyField(FieldType):
    """Exact decimals (``Numeric``) read and written as decimal strings: "12.50"."""

    type = "currency"
    label = "Currency"
    operators = ORDER_OPS

    def normalize_options(self, options: Any, ctx: OptionsContext) -> dict[str, Any]:
        currency = options.get("currency", "EUR")
        if not isinstance(currency, str) or not CURRENCY_RE.match(currency):
            raise options_error("currency must be an ISO 4217 code such as EUR", option="currency")
        return {**options, "precision": _precision(options, 2), "currency": currency}

    def column_type(self, fdef: FieldDef) -> TypeEngine[Any]:
        return sa.Numeric(asdecimal=True)

    def _quantum(self, fdef: FieldDef) -> Decimal:
        return Decimal(1).scaleb(-int(fdef.options.get("precision", 2)))

    def to_db(self, value: Any, fdef: FieldDef, ctx: Context) -> Any:
        if _blank(value):
            return None
        number = _parse_number(value)
        if abs(number) >= Decimal("1e15"):
            raise CellError("amount too large")
        return _check_digits(number.quantize(self._quantum(fdef), rounding=ROUND_HALF_UP))

    def from_db(self, value: Any, fdef: FieldDef, ctx: Context) -> Any:
        if value is None:
            return None
        return str(Decimal(str(value)).quantize(self._quantum(fdef), rounding=ROUND_HALF_UP))


class RatingField(FieldType):
    type = "rating"
    label = "Rating"
    operators = ORDER_OPS

    def normalize_options(self, options: Any, ctx: OptionsContext) -> dict[str, Any]:
        maximum = options.get("max", 5)
        if not isinstance(maximum, int) or isinstance(maximum, bool) or not 1 <= maximum <= 10:
            raise options_error("max must be an integer from 1 to 10", option="max")
        return {**options, "max": maximum}

    def column_type(self, fdef: FieldDef) -> TypeEngine[Any]:
        return sa.Integer()

    def to_db(self, value: Any, fdef: FieldDef, ctx: Context) -> Any:
        if _blank(value):
            return None
        number = _parse_number(value)
        if number != number.to_integral_value() or not 0 <= number <= fdef.options.get("max", 5):
            raise CellError(f"rating must be a whole number from 0 to {fdef.options.get('max', 5)}")
        return int(number) or None


class DurationField(FieldType):
    """Seconds as an integer; text "1:30" (minutes) or "1:02:03" (hours) is accepted."""

    type = "duration"
    label = "Duration"
    operators = ORDER_OPS

    def column_type(self, fdef: FieldDef) -> TypeEngine[Any]:
        return sa.BigInteger()

    def to_db(self, value: Any, fdef: FieldDef, ctx: Context) -> Any:
        if _blank(value):
            return None
        if isinstance(value, str) and (match := DURATION_RE.match(value.strip())):
            hours, minutes, seconds = match.groups()
            if int(seconds) >= 60 or (hours is not None and int(minutes) >= 60):
                raise CellError(f"{value!r} is not a duration (use m:ss or h:mm:ss)")
            if hours is None:
                return int(minutes) * 60 + int(seconds)
            return int(hours) * 3600 + int(minutes) * 60 + int(seconds)
        number = _parse_number(value)
        if abs(number) >= Decimal("1e12"):
            raise CellError("duration too large")
        return int(number.to_integral_value(rounding=ROUND_HALF_UP))
