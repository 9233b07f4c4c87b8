"""Formatting helpers (money, number, date) and the curated filter list."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from jinja2.exceptions import TemplateRuntimeError

from tablekit.documents.filters import SAFE_BUILTINS, build_filters, format_date, money, number
from tablekit.documents.limits import Limits


@pytest.mark.parametrize(
    ("value", "currency", "locale", "expected"),
    [
        (Decimal("1234.5"), "EUR", "en", "€1,234.50"),
        (Decimal("1234.5"), "EUR", "de", "1.234,50 €"),
        (Decimal("1234.5"), "EUR", "de-AT", "1.234,50 €"),
        (Decimal("1234.5"), "EUR", "fr", "1 234,50 €"),
        ("1234567.891", "USD", "en", "$1,234,567.89"),
        ("0.005", "EUR", "en", "€0.01"),
        ("2.675", "GBP", "en", "£2.68"),
        (-42, "EUR", "de", "-42,00 €"),
        ("-0.001", "EUR", "en", "€0.00"),
        (19.99, "CHF", "en", "CHF 19.99"),
        (1500, "JPY", "en", "¥1,500"),
        ("10", "sek", "en", "SEK 10.00"),
        (None, "EUR", "en", ""),
        ("", "EUR", "en", ""),
    ],
)
def test_money(value: Any, currency: str, locale: str, expected: str) -> None:
    assert money(value, currency, locale) == expected


@pytest.mark.parametrize(
    ("value", "precision", "locale", "expected"),
    [
        (Decimal("1234.5"), 2, "en", "1,234.50"),
        (Decimal("1234.5"), 0, "de", "1.235"),
        ("-0.5", 0, "en", "-1"),
        (3.14159, 3, "fr", "3,142"),
        (None, 2, "en", ""),
    ],
)
def test_number(value: Any, precision: int, locale: str, expected: str) -> None:
    assert number(value, precision, locale) == expected


@pytest.mark.parametrize(
    ("value", "fmt", "expected"),
    [
        (date(2024, 5, 1), "%d.%m.%Y", "01.05.2024"),
        (datetime(2024, 5, 1, 14, 30), "%Y-%m-%d %H:%M", "2024-05-01 14:30"),
        ("2024-05-01", "%d/%m/%Y", "01/05/2024"),
        ("2024-05-01T08:00:00+02:00", "%H:%M %z", "08:00 +0200"),
        (None, "%Y", ""),
    ],
)
def test_date(value: Any, fmt: str, expected: str) -> None:
    assert format_date(value, fmt) == expected


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: money("abc"), "not a number"),
        (lambda: money(True), "not a number"),
        (lambda: money("NaN"), "finite"),
        (lambda: money(1, "EURO"), "currency code"),
        (lambda: money(1, "EUR", "xx"), "unknown locale"),
        (lambda: money("1e70"), "too large"),
        (lambda: number(1, 99), "precision"),
        (lambda: format_date("yesterday"), "not an ISO date"),
        (lambda: format_date(42), "not a date"),
    ],
)
def test_bad_values_raise_template_errors(call: Any, message: str) -> None:
    with pytest.raises(TemplateRuntimeError, match=message):
        call()


def test_filter_list_is_curated() -> None:
    filters = build_filters(Limits())

    assert {"attr", "pprint", "random", "urlize", "xmlattr"}.isdisjoint(filters)
    assert {"money", "number", "date", "join", "format"} <= set(filters)
    assert set(SAFE_BUILTINS) <= set(filters)
