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


def _parse_number(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise CellError("expected a number")
    if isinstance(value, int | Decimal):
        return Decimal(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise CellError("expected a finite number")
        return Decimal(repr(value))
    if isinstance(value, str):
        text = value.strip().replace(",", "").replace("_", "")
        for symbol in ("€", "$", "£", "%"):
            text = text.replace(symbol, "")
        try:
            number = Decimal(text.strip())
        except InvalidOperation:
            raise CellError(f"{value!r} is not a number") from None
        if not number.is_finite():
            raise CellError("expected a finite number")
        return number
    raise CellError("expected a number")


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

    def normalize_options(self, options: Any, ctx: OptionsContext) -> dict[str, Any]:
        return {**options, "precision": _precision(options, self.default_precision)}

    def column_type(self, fdef: FieldDef) -> TypeEngine[Any]:
        return sa.Float()

    def to_db(self, value: Any, fdef: FieldDef, ctx: Context) -> Any:
        if value is None or value == "":
            return None
        number = _parse_number(value)
        if abs(number) >= Decimal("1e15"):
            raise CellError("number too large")
        quantum = Decimal(1).scaleb(-int(fdef.options.get("precision", self.default_precision)))
        return float(number.quantize(quantum, rounding=ROUND_HALF_UP))

    def from_db(self, value: Any, fdef: FieldDef, ctx: Context) -> Any:
        if value is None:
            return None
        if fdef.options.get("precision", self.default_precision) == 0:
            return int(value)
        return float(value)


class PercentField(NumberField):
    """Stored as a fraction (0.5 is 50 %), as Airtable does; text "50%" parses to 0.5."""

    type = "percent"
    label = "Percent"
    can_be_unique = False
    default_precision = 4

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
        if value is None or value == "":
            return None
        number = _parse_number(value)
        if abs(number) >= Decimal("1e15"):
            raise CellError("amount too large")
        return number.quantize(self._quantum(fdef), rounding=ROUND_HALF_UP)

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
        if value is None or value == "":
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
        if value is None or value == "":
            return None
        if isinstance(value, str) and (match := DURATION_RE.match(value.strip())):
            hours, minutes, seconds = match.groups()
            if hours is None:
                return int(minutes) * 60 + int(seconds)
            return int(hours) * 3600 + int(minutes) * 60 + int(seconds)
        number = _parse_number(value)
        if abs(number) >= Decimal("1e12"):
            raise CellError("duration too large")
        return int(number.to_integral_value(rounding=ROUND_HALF_UP))
