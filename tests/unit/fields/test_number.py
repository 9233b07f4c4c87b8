"""Numeric fields: number, currency, percent, rating and duration."""

import math
from decimal import Decimal

import pytest

from tablekit.errors import ValidationFailed
from tablekit.fields.base import CellError, OptionsContext
from tablekit.fields.number import (
    CurrencyField,
    DurationField,
    NumberField,
    PercentField,
    RatingField,
)
from tests.factories import cell_context, field_def

CTX = cell_context()
OPTS = OptionsContext(table_ids=set())


def number(value, precision=0):
    return NumberField().to_db(value, field_def("number", {"precision": precision}), CTX)


@pytest.mark.parametrize(
    ("value", "precision", "stored"),
    [
        (12, 0, 12.0),
        ("12", 0, 12.0),
        (" 12 ", 0, 12.0),
        (12.5, 0, 13.0),
        (-12.5, 0, -13.0),
        ("1,234.567", 2, 1234.57),
        ("-1,234,567", 0, -1234567.0),
        ("€ 12.50", 2, 12.5),
        ("$1_000", 0, 1000.0),
        ("1e3", 0, 1000.0),
        (Decimal("0.125"), 2, 0.13),
        (0.1 + 0.2, 8, 0.3),
        (999_999_999_999_999, 0, 999_999_999_999_999.0),
        ("9999999999999.99", 2, 9999999999999.99),
    ],
)
def test_number_parses_and_rounds_to_its_precision(value, precision, stored):
    assert number(value, precision) == stored


@pytest.mark.parametrize("value", [None, "", "   "])
def test_blank_number_is_empty(value):
    assert number(value) is None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (True, "expected a number"),
        (False, "expected a number"),
        ([1], "expected a number"),
        ({"n": 1}, "expected a number"),
        ("twelve", "'twelve' is not a number"),
        ("1,5", "decimals with a dot"),
        ("12,34.5", "decimals with a dot"),
        ("1.2.3", "is not a number"),
        (math.nan, "finite"),
        (math.inf, "finite"),
        (-math.inf, "finite"),
        ("NaN", "finite"),
        ("Infinity", "finite"),
        ("-inf", "finite"),
        (Decimal("NaN"), "finite"),
        (1e15, "too large"),
        (-1e15, "too large"),
        (10**400, "too large"),
        ("1e400", "too large"),
        (1e308, "too large"),
    ],
)
def test_number_refuses_with_a_reason(value, message):
    with pytest.raises(CellError, match=message):
        number(value)


def test_number_refuses_digits_a_double_cannot_hold():
    with pytest.raises(CellError, match="15 significant digits"):
        number("99999999999999.99", 2)
    # Rounding first: only the digits the field keeps count.
    assert number("3.14159265358979323846", 8) == 3.14159265


def test_number_reads_back_at_its_precision():
    assert NumberField().from_db(12.0, field_def("number"), CTX) == 12
    assert isinstance(NumberField().from_db(12.0, field_def("number"), CTX), int)
    assert NumberField().from_db(1.25, field_def("number", {"precision": 2}), CTX) == 1.25
    assert NumberField().from_db(None, field_def("number"), CTX) is None


def test_lowering_the_precision_rounds_stored_values_when_read():
    fdef = field_def("number", {"precision": 0})
    assert NumberField().from_db(2.5, fdef, CTX) == 3
    assert NumberField().from_db(-2.7, fdef, CTX) == -3
    assert NumberField().from_db(1.23456, field_def("number", {"precision": 2}), CTX) == 1.23


def test_number_round_trips_through_plain_text():
    fdef = field_def("number", {"precision": 2})
    for value in (12.5, -0.01, 1000000.25):
        text = NumberField().to_text(value, fdef)
        assert NumberField().from_db(NumberField().from_text(text, fdef, CTX), fdef, CTX) == value
    assert NumberField().from_text("", fdef, CTX) is None


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"precision": 9}, "precision"),
        ({"precision": -1}, "precision"),
        ({"precision": "2"}, "precision"),
        ({"precision": True}, "precision"),
    ],
)
def test_number_options_are_checked(options, message):
    with pytest.raises(ValidationFailed, match=message) as info:
        NumberField().normalize_options(options, OPTS)
    assert info.value.code == "INVALID_FIELD_OPTIONS"


def test_number_options_default_precision():
    assert NumberField().normalize_options({}, OPTS) == {"precision": 0}
    assert PercentField().normalize_options({}, OPTS) == {"precision": 1}


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        ("50%", 0.5),
        (" 12.5 % ", 0.125),
        (0.25, 0.25),
        ("0.123456", 0.123),  # precision 1 means 12.3 %: the fraction keeps 3 places
        (1, 1.0),
        ("", None),
    ],
)
def test_percent_is_a_fraction(value, stored):
    assert PercentField().to_db(value, field_def("percent"), CTX) == stored


@pytest.mark.parametrize("value", ["abc%", "%", True, "1,5%"])
def test_percent_refuses_non_numbers(value):
    with pytest.raises(CellError):
        PercentField().to_db(value, field_def("percent"), CTX)


def currency(value, **options):
    return CurrencyField().to_db(value, field_def("currency", options), CTX)


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        ("12.5", Decimal("12.50")),
        (12, Decimal("12.00")),
        (0.1, Decimal("0.10")),
        ("€1,234.565", Decimal("1234.57")),
        ("-3", Decimal("-3.00")),
        ("9999999999999.99", Decimal("9999999999999.99")),
    ],
)
def test_currency_is_an_exact_decimal(value, stored):
    result = currency(value)
    assert result == stored
    assert str(result) == str(stored)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("12 apples", "is not a number"),
        (True, "expected a number"),
        (math.nan, "finite"),
        ("1e15", "too large"),
        ("99999999999999.99", "15 significant digits"),
        ("123456789012345.67", "15 significant digits"),
    ],
)
def test_currency_refuses_with_a_reason(value, message):
    with pytest.raises(CellError, match=message):
        currency(value)


def test_currency_reads_as_a_decimal_string_at_its_precision():
    fdef = field_def("currency", {"precision": 3, "currency": "USD"})
    assert CurrencyField().from_db(Decimal("12.5"), fdef, CTX) == "12.500"
    assert CurrencyField().from_db(12.5, fdef, CTX) == "12.500"
    assert CurrencyField().from_db(None, fdef, CTX) is None
    assert CurrencyField().to_text("12.500", fdef) == "12.500"


def test_currency_options():
    assert CurrencyField().normalize_options({}, OPTS) == {"currency": "EUR", "precision": 2}
    for bad in ({"currency": "eur"}, {"currency": "EURO"}, {"currency": 978}):
        with pytest.raises(ValidationFailed, match="ISO 4217"):
            CurrencyField().normalize_options(bad, OPTS)
    with pytest.raises(ValidationFailed, match="precision"):
        CurrencyField().normalize_options({"precision": 10}, OPTS)


def rating(value, maximum=5):
    return RatingField().to_db(value, field_def("rating", {"max": maximum}), CTX)


@pytest.mark.parametrize(
    ("value", "stored"), [(3, 3), ("4", 4), (5.0, 5), (0, None), ("", None), (None, None)]
)
def test_rating_is_a_whole_number_up_to_max(value, stored):
    assert rating(value) == stored


@pytest.mark.parametrize("value", [6, -1, 2.5, "10"])
def test_rating_refuses_out_of_range(value):
    with pytest.raises(CellError, match="whole number from 0 to 5"):
        rating(value)


def test_rating_refuses_non_numbers():
    for value in (True, "three", [3]):
        with pytest.raises(CellError):
            rating(value)


def test_rating_options():
    assert RatingField().normalize_options({}, OPTS) == {"max": 5}
    assert rating(10, maximum=10) == 10
    for bad in (0, 11, "5", True):
        with pytest.raises(ValidationFailed, match="max"):
            RatingField().normalize_options({"max": bad}, OPTS)


def duration(value):
    return DurationField().to_db(value, field_def("duration"), CTX)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("1:30", 90),
        ("0:05", 5),
        ("90:00", 5400),
        ("1:02:03", 3723),
        (" 12:00:00 ", 43200),
        (90, 90),
        ("90", 90),
        (1.6, 2),
        ("", None),
        (None, None),
    ],
)
def test_duration_in_seconds(value, seconds):
    assert duration(value) == seconds


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1:75", "not a duration"),
        ("1:60:00", "not a duration"),
        ("1:00:60", "not a duration"),
        ("soon", "not a number"),
        ("1:2", "not a number"),
        (True, "expected a number"),
        (1e12, "too large"),
    ],
)
def test_duration_refuses_with_a_reason(value, message):
    with pytest.raises(CellError, match=message):
        duration(value)


def test_percent_precision_counts_the_digits_of_the_percentage():
    whole = field_def("percent", {"precision": 0})
    assert PercentField().to_db(0.1, whole, CTX) == 0.1
    assert PercentField().to_db("12.6%", whole, CTX) == 0.13
    assert PercentField().from_db(0.13, whole, CTX) == 0.13
