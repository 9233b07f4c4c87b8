"""Cell values as document templates see them, and their display text.

The API's JSON values suit clients, not documents: currency arrives as a string, numbers
as floats, dates as ISO text. Templates compute and format, so here currency and
fractional numbers become :class:`Amount` (an exact ``Decimal`` that also accepts float
literals, so ``row["Net"] * 0.19`` works and money adds up to the cent), dates become
``date`` and date-times ``datetime``, and attachments gain a ``src`` the PDF renderer can
embed. :func:`display` formats any cell for the base's locale, which is what
``row.display[...]`` holds; :class:`Formatter` is the ``fmt`` helper of templates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation
from typing import Any, cast
from zoneinfo import ZoneInfo

from jinja2.exceptions import TemplateRuntimeError

from tablekit.documents import filters
from tablekit.fields.base import FieldDef

LOCALES = ("en", "de", "fr")
FILE_SCHEME = "tablekit-file:"
_NUMERIC = frozenset({"number", "percent", "rating", "duration"})


Operand = Decimal | int | float


def _amount(result: Any) -> Amount:
    # Decimal answers NotImplemented for operands it does not know (text); pass that on.
    return cast(Amount, result) if result is NotImplemented else Amount(result)


def _exact(value: Operand) -> Decimal | int:
    """Floats (template literals) become the Decimal they are written as: 1.19, not 1.18999."""
    return Decimal(repr(value)) if isinstance(value, float) else value


class Amount(Decimal):
    """A Decimal whose arithmetic also takes floats (template literals such as ``1.19``)
    and keeps returning Amounts; ``round()`` rounds half up, as invoices do. Results of
    unsupported operands (text) are NotImplemented, as for Decimal."""

    __slots__ = ()

    def __add__(self, other: Operand) -> Amount:
        return _amount(Decimal.__add__(self, _exact(other)))

    def __radd__(self, other: Operand) -> Amount:
        return _amount(Decimal.__radd__(self, _exact(other)))

    def __sub__(self, other: Operand) -> Amount:
        return _amount(Decimal.__sub__(self, _exact(other)))

    def __rsub__(self, other: Operand) -> Amount:
        return _amount(Decimal.__rsub__(self, _exact(other)))

    def __mul__(self, other: Operand) -> Amount:
        return _amount(Decimal.__mul__(self, _exact(other)))

    def __rmul__(self, other: Operand) -> Amount:
        return _amount(Decimal.__rmul__(self, _exact(other)))

    def __truediv__(self, other: Operand) -> Amount:
        return _amount(Decimal.__truediv__(self, _exact(other)))

    def __rtruediv__(self, other: Operand) -> Amount:
        return _amount(Decimal.__rtruediv__(self, _exact(other)))

    def __floordiv__(self, other: Operand) -> Amount:
        return _amount(Decimal.__floordiv__(self, _exact(other)))

    def __rfloordiv__(self, other: Operand) -> Amount:
        return _amount(Decimal.__rfloordiv__(self, _exact(other)))

    def __mod__(self, other: Operand) -> Amount:
        return _amount(Decimal.__mod__(self, _exact(other)))

    def __rmod__(self, other: Operand) -> Amount:
        return _amount(Decimal.__rmod__(self, _exact(other)))

    def __pow__(self, other: Operand, modulo: Decimal | int | None = None) -> Amount:
        return _amount(Decimal.__pow__(self, _exact(other), modulo))

    def __rpow__(self, other: Operand, context: Context | None = None) -> Amount:
        return _amount(Decimal.__rpow__(self, _exact(other), context))

    def __neg__(self) -> Amount:
        return Amount(Decimal.__neg__(self))

    def __pos__(self) -> Amount:
        return Amount(Decimal.__pos__(self))

    def __abs__(self) -> Amount:
        return Amount(Decimal.__abs__(self))

    def __round__(self, ndigits: int | None = None) -> Any:
        quantum = Decimal(1).scaleb(-(ndigits or 0))
        rounded = self.quantize(quantum, rounding=ROUND_HALF_UP)
        return int(rounded) if ndigits is None else Amount(rounded)


def locale_of(settings: Mapping[str, Any]) -> str:
    """``en``, ``de`` or ``fr`` from the base's ``locale`` setting (``de-AT`` → ``de``)."""
    raw = str(settings.get("locale") or "en")
    language = raw.replace("_", "-").split("-")[0].lower()
    return language if language in LOCALES else "en"


class Formatter:
    """``fmt`` in templates: the formatting filters with the base's locale, currency and
    time zone as defaults, so templates need not repeat them."""

    __slots__ = ("_zone", "currency", "locale")

    def __init__(self, locale: str, currency: str, zone: ZoneInfo) -> None:
        self.locale = locale
        self.currency = currency
        self._zone = zone

    def money(self, value: Any, currency: str | None = None) -> str:
        return filters.money(value, currency or self.currency, self.locale)

    def number(self, value: Any, precision: int = 2) -> str:
        return filters.number(value, precision, self.locale)

    def percent(self, value: Any, precision: int | None = None) -> str:
        """A fraction as a percentage: ``0.19`` → ``19%`` (en) or ``19 %`` (de, fr); without
        ``precision``, as many decimals as the value has (``0.075`` → ``7.5%``)."""
        if value is None or value == "":
            return ""
        hundred = Decimal(repr(value) if isinstance(value, float) else str(value)) * 100
        if precision is None:
            exponent = hundred.normalize().as_tuple().exponent
            precision = min(-exponent, 8) if isinstance(exponent, int) and exponent < 0 else 0
        text = filters.number(hundred, precision, self.locale)
        return f"{text}%" if self.locale == "en" else f"{text} %"

    def date(self, value: Any, fmt: str | None = None) -> str:
        """A date in the locale's style (``5 Mar 2026``, ``05.03.2026``, ``05/03/2026``)."""
        moment = self._moment(value)
        if moment is None or fmt is not None:
            return filters.format_date(moment, fmt or "%Y-%m-%d")
        if self.locale == "de":
            return moment.strftime("%d.%m.%Y")
        if self.locale == "fr":
            return moment.strftime("%d/%m/%Y")
        return f"{moment.day} {moment.strftime('%b %Y')}"

    def datetime(self, value: Any) -> str:
        """A date-time in the base's time zone: the locale's date, then ``HH:MM``."""
        moment = self._moment(value)
        if not isinstance(moment, datetime):
            return self.date(moment)
        return f"{self.date(moment)} {moment.strftime('%H:%M')}"

    def _moment(self, value: Any) -> dt.date | None:
        if value is None or value == "":
            return None
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value.strip())
            except ValueError:
                raise TemplateRuntimeError(f"date: {value[:50]!r} is not an ISO date") from None
        if isinstance(value, datetime) and value.tzinfo is not None:
            return value.astimezone(self._zone)
        if not isinstance(value, date):
            raise TemplateRuntimeError(f"date: {value!r} is not a date")
        return value


class Column:
    """How one field's cells become template values: its kind and, for lookups, the kind
    of the looked-up field."""

    __slots__ = ("element", "fdef", "kind")

    def __init__(self, fdef: FieldDef, kind: str, element: Column | None = None) -> None:
        self.fdef = fdef
        self.kind = kind
        self.element = element


def field_kind(fdef: FieldDef) -> str:
    if fdef.type in ("formula", "rollup"):
        if fdef.type == "rollup" and fdef.options.get("aggregate") == "unique":
            return "list"
        return str(fdef.options.get("result_type", "text"))
    if fdef.type == "count":
        return "number"
    if fdef.type in ("created_time", "modified_time"):
        return "datetime"
    return fdef.type


def to_template(column: Column, value: Any) -> Any:
    """An API cell as a template value (see the module docstring); unknown shapes pass."""
    kind = column.kind
    if value is None or (isinstance(value, dict) and "error" in value):
        return value
    try:
        if kind == "currency" or (kind in _NUMERIC and isinstance(value, float | str)):
            return Amount(repr(value) if isinstance(value, float) else str(value))
        if kind == "date" and isinstance(value, str):
            return date.fromisoformat(value[:10])
        if kind == "datetime" and isinstance(value, str):
            return datetime.fromisoformat(value)
    except (ValueError, InvalidOperation):
        return value
    if kind == "attachment" and isinstance(value, list):
        return [{**item, "src": FILE_SCHEME + str(item.get("id"))} for item in value]
    if kind == "lookup" and isinstance(value, list) and column.element is not None:
        return [to_template(column.element, item) for item in value]
    return value


def display(column: Column, value: Any, fmt: Formatter) -> str:
    """A template value as text for the base's locale; never fails (falls back to str)."""
    if value is None or value == "" or value == []:
        return ""
    if isinstance(value, dict) and "error" in value:
        return str(value["error"])
    options, kind = column.fdef.options, column.kind
    try:
        if kind == "currency":
            return fmt.money(value, options.get("currency"))
        if kind == "percent":
            return fmt.percent(value)
        if kind in ("number", "rating"):
            return fmt.number(value, int(options.get("precision", 0)))
        if kind == "duration" and isinstance(value, int):
            hours, rest = divmod(value, 3600)
            return f"{hours}:{rest // 60:02d}:{rest % 60:02d}"
        if kind == "date":
            return fmt.date(value)
        if kind == "datetime":
            return fmt.datetime(value)
    except Exception:
        return str(value)
    if isinstance(value, bool):
        return "✓" if value else ""
    if isinstance(value, list):
        element = column.element or column
        parts = (display(element, v, fmt) if column.element else _plain(v) for v in value)
        return ", ".join(part for part in parts if part)
    return _plain(value)


def _plain(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("name") or value.get("email") or value.get("id") or "")
    return "" if value is None else str(value)
