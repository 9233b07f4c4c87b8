"""The filters a document template may use: a curated subset of Jinja2's plus formatting helpers.

Left out on purpose: ``attr`` (a second path to attributes), ``pprint`` (shows Python
internals), ``random`` (documents must be reproducible), ``urlize`` and ``xmlattr``.
Every kept filter is wrapped so its numeric parameters and its result respect the
:class:`~tablekit.documents.limits.Limits`; ``replace``, ``indent``, ``wordwrap``, ``join``
and ``format`` also estimate their result size before allocating it.

Formatting helpers, kept deliberately small (no CLDR): ``money(value, currency="EUR",
locale="en")`` rounds half-up to the currency's minor unit and writes ``€1,234.50`` (en),
``1.234,50 €`` (de) or ``1 234,50 €`` (fr), with plain spaces; ``number(value, precision=2,
locale="en")`` uses the same separators; ``date(value, fmt="%Y-%m-%d")`` takes a date,
datetime or ISO string. ``None`` and ``""`` format as an empty string.
"""

from __future__ import annotations

import functools
import inspect
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext
from typing import Any

from jinja2 import pass_eval_context
from jinja2.exceptions import FilterArgumentError, TemplateRuntimeError
from jinja2.filters import FILTERS, do_join, make_attrgetter
from jinja2.nodes import EvalContext
from markupsafe import soft_str

from tablekit.documents.limits import LimitExceeded, Limits, check_percent_format, check_result
from tablekit.documents.limits import estimate_text_size as _estimate

SAFE_BUILTINS = (
    "abs", "batch", "capitalize", "center", "count", "d", "default", "dictsort", "e",
    "escape", "filesizeformat", "first", "float", "forceescape", "groupby", "indent", "int",
    "items", "last", "length", "list", "lower", "map", "max", "min", "reject", "rejectattr",
    "replace", "reverse", "round", "safe", "select", "selectattr", "slice", "sort", "string",
    "striptags", "sum", "title", "tojson", "trim", "truncate", "unique", "upper", "urlencode",
    "wordcount", "wordwrap",
)  # fmt: skip

# Filters that turn their whole input into text: refuse inputs whose text would be too big.
_TEXT_FILTERS = frozenset(
    {"capitalize", "center", "e", "escape", "forceescape", "indent", "lower", "replace",
     "safe", "string", "striptags", "title", "tojson", "trim", "truncate", "upper",
     "urlencode", "wordcount", "wordwrap"}
)  # fmt: skip

Precheck = Callable[[Limits, dict[str, Any]], None]


def _too_long(limits: Limits, size: int, name: str) -> None:
    if size > limits.max_string_chars:
        raise LimitExceeded(f"|{name} would produce more than {limits.max_string_chars} characters")


def _indent(limits: Limits, args: dict[str, Any]) -> None:
    text, width = soft_str(args["s"]), args["width"]
    per_line = len(width) if isinstance(width, str) else int(width)
    _too_long(limits, len(text) + per_line * (text.count("\n") + 1), "indent")


def _replace(limits: Limits, args: dict[str, Any]) -> None:
    text, old, new = soft_str(args["s"]), soft_str(args["old"]), soft_str(args["new"])
    hits = text.count(old) if old else len(text) + 1
    if args["count"] is not None and args["count"] >= 0:
        hits = min(hits, args["count"])
    _too_long(limits, len(text) + hits * len(new), "replace")


def _wordwrap(limits: Limits, args: dict[str, Any]) -> None:
    text, width = soft_str(args["s"]), max(int(args["width"]), 1)
    breaks = len(text) // width + text.count("\n") + 1
    _too_long(limits, len(text) + breaks * len(args["wrapstring"] or "\n"), "wordwrap")


_PRECHECKS: dict[str, Precheck] = {"indent": _indent, "replace": _replace, "wordwrap": _wordwrap}


def _guard(name: str, func: Callable[..., Any], limits: Limits) -> Callable[..., Any]:
    """Wrap ``func`` so parameters and result respect ``limits`` (keeps ``pass_*`` markers)."""
    signature = inspect.signature(func)
    names = list(signature.parameters)
    first = 1 if hasattr(func, "jinja_pass_arg") else 0
    value_name, param_names = names[first], names[first + 1 :]
    precheck = _PRECHECKS.get(name)
    always_bind = precheck is not None or name in _TEXT_FILTERS

    @functools.wraps(func)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        # Binding costs microseconds per call; skip it when no parameter needs checking.
        params = (*args[first + 1 :], *kwargs.values())
        if not always_bind and not any(isinstance(value, int) for value in params):
            return check_result(limits, func(*args, **kwargs))
        try:
            bound = signature.bind(*args, **kwargs)
        except TypeError as exc:
            raise FilterArgumentError(f"|{name}: {exc}") from None
        bound.apply_defaults()
        arguments = bound.arguments
        for key in param_names:
            value = arguments.get(key)
            if isinstance(value, int) and abs(value) > limits.max_string_chars:
                raise LimitExceeded(f"|{name}: {key}={value} is too large")
        if name in _TEXT_FILTERS:
            cap = limits.max_string_chars
            _too_long(limits, _estimate(arguments[value_name], cap), name)
        if precheck is not None:
            precheck(limits, arguments)
        return check_result(limits, func(*args, **kwargs))

    return guarded


def _join_filter(limits: Limits) -> Callable[..., str]:
    @pass_eval_context
    def join(
        eval_ctx: EvalContext, value: Iterable[Any], d: str = "", attribute: Any = None
    ) -> str:
        items = list(value)
        if len(items) > limits.max_items:
            raise LimitExceeded(f"|join of {len(items)} items is too large")
        if attribute is not None:
            getter = make_attrgetter(eval_ctx.environment, attribute)
            items = [getter(item) for item in items]
        size, cap = len(soft_str(d)) * len(items), limits.max_string_chars
        for item in items:
            size += _estimate(item, cap)
            _too_long(limits, size, "join")
        joined: str = do_join(eval_ctx, items, d)
        return joined

    return join


def _format_filter(limits: Limits) -> Callable[..., str]:
    def format(value: Any, *args: Any, **kwargs: Any) -> str:
        if args and kwargs:
            raise FilterArgumentError("|format takes positional or keyword arguments, not both")
        values: Any = kwargs or args
        check_percent_format(limits, soft_str(value), values)
        formatted: str = soft_str(value) % values
        return formatted

    return format


# --- formatting helpers -----------------------------------------------------------------


@dataclass(frozen=True)
class _Convention:
    group: str
    decimal: str
    symbol_first: bool


_CONVENTIONS = {
    "en": _Convention(",", ".", True),
    "de": _Convention(".", ",", False),
    "fr": _Convention(" ", ",", False),
}
CURRENCY_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥", "INR": "₹", "CHF": "CHF"}
_MINOR_UNITS = {"JPY": 0, "KRW": 0, "ISK": 0, "CLP": 0}
_CURRENCY = re.compile(r"[A-Za-z]{3}")


def _convention(locale: str) -> _Convention:
    language = locale.replace("_", "-").split("-")[0].lower()
    try:
        return _CONVENTIONS[language]
    except KeyError:
        known = ", ".join(_CONVENTIONS)
        raise TemplateRuntimeError(f"unknown locale {locale!r}; use one of {known}") from None


def _decimal(value: Any, name: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal | int | float | str):
        raise TemplateRuntimeError(f"{name}: {value!r} is not a number")
    try:
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    except InvalidOperation:
        raise TemplateRuntimeError(f"{name}: {value!r} is not a number") from None
    if not number.is_finite():
        raise TemplateRuntimeError(f"{name}: {value!r} is not a finite number")
    return number


def _grouped(
    number: Decimal, places: int, convention: _Convention, name: str
) -> tuple[Decimal, str]:
    """The absolute value rounded half-up to ``places``, and its text with separators."""
    with localcontext() as context:
        context.prec = 60
        try:
            rounded = abs(number).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        except InvalidOperation:
            raise TemplateRuntimeError(f"{name}: {number} is too large") from None
    text = f"{rounded:,.{places}f}"
    return rounded, text.translate(str.maketrans(",.", convention.group + convention.decimal))


def money(value: Any, currency: str = "EUR", locale: str = "en") -> str:
    """``1234.5`` → ``€1,234.50`` (en) / ``1.234,50 €`` (de); None or "" → ""."""
    if value is None or value == "":
        return ""
    if not isinstance(currency, str) or not _CURRENCY.fullmatch(currency):
        raise TemplateRuntimeError(f"money: {currency!r} is not a three-letter currency code")
    code = currency.upper()
    number, convention = _decimal(value, "money"), _convention(locale)
    places = _MINOR_UNITS.get(code, 2)
    rounded, text = _grouped(number, places, convention, "money")
    sign = "-" if number < 0 and rounded else ""
    symbol = CURRENCY_SYMBOLS.get(code, code)
    if convention.symbol_first:
        gap = " " if symbol.isalpha() else ""
        return f"{sign}{symbol}{gap}{text}"
    return f"{sign}{text} {symbol}"


def number(value: Any, precision: int = 2, locale: str = "en") -> str:
    """``1234.5`` → ``1,234.50`` (en) / ``1.234,50`` (de), rounded half-up."""
    if value is None or value == "":
        return ""
    if not isinstance(precision, int) or not 0 <= precision <= 20:
        raise TemplateRuntimeError("number: precision must be between 0 and 20")
    parsed, convention = _decimal(value, "number"), _convention(locale)
    rounded, text = _grouped(parsed, precision, convention, "number")
    return f"-{text}" if parsed < 0 and rounded else text


def format_date(value: Any, fmt: str = "%Y-%m-%d") -> str:
    """A date, datetime or ISO 8601 string formatted with ``strftime`` codes."""
    if value is None or value == "":
        return ""
    if not isinstance(fmt, str) or len(fmt) > 200:
        raise TemplateRuntimeError("date: the format must be a string of at most 200 characters")
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            raise TemplateRuntimeError(f"date: {value[:50]!r} is not an ISO date") from None
    if not isinstance(value, date):
        raise TemplateRuntimeError(f"date: {value!r} is not a date")
    return value.strftime(fmt)


def build_filters(limits: Limits) -> dict[str, Callable[..., Any]]:
    """Every filter a template may use, each guarded by ``limits``."""
    chosen: dict[str, Callable[..., Any]] = {}
    for name in SAFE_BUILTINS:
        func = FILTERS[name]
        # Filters with an async twin hide their real signature behind a (*args) wrapper; the
        # environment is never async, so use the synchronous function directly.
        chosen[name] = func.__wrapped__ if getattr(func, "jinja_async_variant", False) else func
    chosen.update(
        join=_join_filter(limits),
        format=_format_filter(limits),
        money=money,
        number=number,
        date=format_date,
    )
    return {name: _guard(name, func, limits) for name, func in chosen.items()}
