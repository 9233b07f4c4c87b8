"""Template values without a database: exact amounts, locale formatting, display text, the
HTML composition for browsers and generated file names."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tablekit.documents.attachments import compose_html, pdf_file_name
from tablekit.documents.templating import render_template
from tablekit.documents.values import Amount, Column, Formatter, display, locale_of, to_template
from tests.factories import field_def

BERLIN = ZoneInfo("Europe/Berlin")


def fmt(locale: str = "en", currency: str = "EUR") -> Formatter:
    return Formatter(locale, currency, BERLIN)


def test_amounts_are_exact_take_float_literals_and_round_half_up() -> None:
    price = Amount("19.99")

    results = [price * 3, 3 * price, price * 1.19, 1.19 * price, price - 0.99, -price]
    in_template = render_template(
        "{{ (p * 0.19) | round(2) }} {{ [p, p, 0.02] | sum }} {{ p / 4 > 4.99 }} {{ p ** 2 }}",
        {"p": price},
        html=True,
    )

    assert results == [Decimal("59.97"), Decimal("59.97"), Decimal("23.7881"),
                       Decimal("23.7881"), Decimal("19.00"), Decimal("-19.99")]  # fmt: skip
    assert all(isinstance(value, Amount) for value in results)
    assert round(Amount("2.675"), 2) == Decimal("2.68") and round(Amount("2.5")) == 3
    assert in_template == "3.80 40.00 True 399.6001"


@pytest.mark.parametrize(
    ("locale", "money", "number", "percent", "day", "moment"),
    [
        ("en", "€1,234.50", "1,234.50", "7.5%", "2 Mar 2026", "2 Mar 2026 10:30"),
        ("de", "1.234,50 €", "1.234,50", "7,5 %", "02.03.2026", "02.03.2026 10:30"),
        ("fr", "1 234,50 €", "1 234,50", "7,5 %", "02/03/2026", "02/03/2026 10:30"),
    ],
)
def test_the_formatter_writes_the_bases_locale(
    locale: str, money: str, number: str, percent: str, day: str, moment: str
) -> None:
    helper = fmt(locale)
    utc_moment = datetime.fromisoformat("2026-03-02T09:30:00+00:00")

    assert helper.money(Amount("1234.5")) == money
    assert helper.number(1234.5) == number
    assert helper.percent(Amount("0.075")) == percent
    assert helper.date(date(2026, 3, 2)) == day
    assert helper.datetime(utc_moment) == moment  # shown in the base's time zone
    assert helper.money(None) == helper.date("") == ""


def test_base_locales_reduce_to_the_supported_languages() -> None:
    assert [locale_of({"locale": x}) for x in ("de-AT", "fr_CH", "EN", "it", None)] == [
        "de",
        "fr",
        "en",
        "en",
        "en",
    ]
    assert fmt("en", "CHF").money(Amount("5")) == "CHF 5.00"
    assert fmt().money(Amount("5"), "USD") == "$5.00"


def column(type_key: str, options: dict[str, Any] | None = None) -> Column:
    fdef = field_def(type_key, options)
    return Column(fdef, type_key)


@pytest.mark.parametrize(
    ("type_key", "options", "api_value", "value", "shown"),
    [
        ("currency", {"currency": "GBP"}, "12.50", Decimal("12.50"), "£12.50"),
        ("number", {"precision": 2}, 2.5, Decimal("2.5"), "2.50"),
        ("number", {}, 3, 3, "3"),
        ("percent", {}, 0.19, Decimal("0.19"), "19%"),
        ("date", {}, "2026-03-02", date(2026, 3, 2), "2 Mar 2026"),
        ("duration", {}, 5430, 5430, "1:30:30"),
        ("checkbox", {}, True, True, "✓"),
        ("multiple_select", {"choices": ["A", "B"]}, ["A", "B"], ["A", "B"], "A, B"),
        ("attachment", {}, [{"id": "ab", "name": "x.png"}],
         [{"id": "ab", "name": "x.png", "src": "tablekit-file:ab"}], "x.png"),
        ("text", {}, {"error": "#REF!", "message": "gone"}, {"error": "#REF!", "message": "gone"},
         "#REF!"),
        ("text", {}, None, None, ""),
    ],
)  # fmt: skip
def test_cells_become_template_values_and_display_text(
    type_key: str, options: dict[str, Any], api_value: Any, value: Any, shown: str
) -> None:
    col = column(type_key, options)

    converted = to_template(col, api_value)

    assert converted == value
    assert isinstance(converted, Amount) == isinstance(value, Decimal)
    assert display(col, converted, fmt()) == shown


def test_datetimes_and_lookups_convert_by_their_target() -> None:
    moment = to_template(column("datetime"), "2026-03-02T10:30:00+01:00")
    prices = Column(column("text").fdef, "lookup", column("currency", {"currency": "EUR"}))

    converted = to_template(prices, ["1.50", "2"])

    assert moment == datetime(2026, 3, 2, 9, 30, tzinfo=ZoneInfo("UTC"))
    assert display(column("datetime"), moment, fmt("de")) == "02.03.2026 10:30"
    assert converted == [Decimal("1.50"), Decimal("2")]
    assert display(prices, converted, fmt()) == "€1.50, €2.00"


def test_browser_html_gets_the_css_in_its_head_and_file_api_urls() -> None:
    page = '<html><head><title>x</title></HEAD><body><img src="tablekit-file:ab12"></body>'

    composed = compose_html(page, "p { color: red } </style><script>alert(1)</script>")

    assert composed.startswith("<html><head><title>x</title><style>")
    assert "<\\/style><script>" in composed and "</style><script>" not in composed
    assert composed.index("</style>") < composed.index("</HEAD>")
    assert '<img src="/api/v1/files/ab12">' in composed
    assert compose_html("<p>x</p>", "b {}") == "<style>\nb {}\n</style>\n<p>x</p>"


def test_generated_file_names_are_safe_pdf_names() -> None:
    assert pdf_file_name("Order confirmation ORD-0001.pdf") == "Order confirmation ORD-0001.pdf"
    assert pdf_file_name("  Invoice\n 7 ") == "Invoice 7.pdf"
    assert pdf_file_name("../../etc/passwd") == "passwd.pdf"
    assert pdf_file_name("") == "document.pdf"
    assert pdf_file_name("a" * 300).endswith(".pdf") and len(pdf_file_name("a" * 300)) <= 200
