"""Date and date-time fields and the ranges of the ``within`` operator."""

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from tablekit.errors import ValidationFailed
from tablekit.fields.base import CellError, OptionsContext
from tablekit.fields.dates import DateField, DateTimeField, relative_range
from tests.factories import cell_context, field_def

UTC_CTX = cell_context()
BERLIN_CTX = cell_context(timezone="Europe/Berlin")


def to_date(value):
    return DateField().to_db(value, field_def("date"), UTC_CTX)


@pytest.mark.parametrize(
    "value",
    [
        "2024-02-29",
        " 2024-02-29 ",
        "29.02.2024",
        "02/29/2024",
        "2024/02/29",
        "2024-02-29T23:30:00+05:00",
        "2024-02-29 08:00",
        date(2024, 2, 29),
        datetime(2024, 2, 29, 12, 0),
    ],
)
def test_date_accepts_several_formats(value):
    assert to_date(value) == date(2024, 2, 29)


@pytest.mark.parametrize("value", [None, "", "   "])
def test_blank_date_is_empty(value):
    assert to_date(value) is None


@pytest.mark.parametrize(
    "value", ["2023-02-29", "2024-13-01", "31.02.2024", "tomorrow", "29 Feb 2024", 20240229, True]
)
def test_date_refuses_non_dates_and_says_how_to_write_one(value):
    with pytest.raises(CellError, match="use YYYY-MM-DD"):
        to_date(value)


def test_date_round_trips_through_iso_text():
    fdef = field_def("date")
    stored = to_date("29.02.2024")
    api = DateField().from_db(stored, fdef, UTC_CTX)
    assert api == "2024-02-29"
    assert DateField().from_text(DateField().to_text(api, fdef), fdef, UTC_CTX) == stored


def test_time_zone_option_must_exist():
    opts = OptionsContext(table_ids=set())
    assert DateTimeField().normalize_options({"time_zone": "Asia/Tokyo"}, opts)
    assert DateTimeField().normalize_options({}, opts) == {}
    for bad in ("Mars/Olympus", "", 5):
        with pytest.raises(ValidationFailed, match="time zone") as info:
            DateTimeField().normalize_options({"time_zone": bad}, opts)
        assert info.value.code == "INVALID_FIELD_OPTIONS"


def to_moment(value, options=None, ctx=UTC_CTX):
    return DateTimeField().to_db(value, field_def("datetime", options), ctx)


@pytest.mark.parametrize(
    ("value", "options", "ctx", "utc"),
    [
        ("2024-03-10T12:00:00Z", None, UTC_CTX, datetime(2024, 3, 10, 12, tzinfo=UTC)),
        ("2024-03-10T12:00:00+01:00", None, UTC_CTX, datetime(2024, 3, 10, 11, tzinfo=UTC)),
        ("2024-03-10T12:00:00-05:30", None, UTC_CTX, datetime(2024, 3, 10, 17, 30, tzinfo=UTC)),
        (
            "2024-03-10 12:00",
            {"time_zone": "Europe/Berlin"},
            UTC_CTX,
            datetime(2024, 3, 10, 11, tzinfo=UTC),
        ),
        (
            "2024-07-10T12:00",
            {"time_zone": "Europe/Berlin"},
            UTC_CTX,
            datetime(2024, 7, 10, 10, tzinfo=UTC),
        ),
        ("2024-03-10T12:00", None, BERLIN_CTX, datetime(2024, 3, 10, 11, tzinfo=UTC)),
        (
            "2024-03-10T12:00Z",
            {"time_zone": "Asia/Tokyo"},
            UTC_CTX,
            datetime(2024, 3, 10, 12, tzinfo=UTC),
        ),
        ("2024-03-10", None, BERLIN_CTX, datetime(2024, 3, 9, 23, tzinfo=UTC)),
        (date(2024, 3, 10), None, UTC_CTX, datetime(2024, 3, 10, tzinfo=UTC)),
        (
            datetime(2024, 3, 10, 12, tzinfo=UTC),
            None,
            BERLIN_CTX,
            datetime(2024, 3, 10, 12, tzinfo=UTC),
        ),
    ],
)
def test_datetime_is_stored_in_utc(value, options, ctx, utc):
    stored = to_moment(value, options, ctx)
    assert stored == utc
    assert stored.utcoffset() == timedelta(0)


@pytest.mark.parametrize("value", [None, "", "  "])
def test_blank_datetime_is_empty(value):
    assert to_moment(value) is None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("10/03/2024 12:00", "use ISO 8601"),
        ("2024-03-10T25:00", "use ISO 8601"),
        ("noon", "use ISO 8601"),
        (1710072000, "expected an ISO 8601 date-time"),
        (True, "expected an ISO 8601 date-time"),
        ("0001-01-01T00:00:00+01:00", "out of the supported range"),
        ("9999-12-31T23:00:00-05:00", "out of the supported range"),
    ],
)
def test_datetime_refuses_with_a_reason(value, message):
    with pytest.raises(CellError, match=message):
        to_moment(value)


def test_datetime_reads_in_the_field_zone_then_the_base_zone():
    stored = datetime(2024, 3, 10, 11, tzinfo=UTC)
    tokyo = field_def("datetime", {"time_zone": "Asia/Tokyo"})
    assert DateTimeField().from_db(stored, tokyo, BERLIN_CTX) == "2024-03-10T20:00:00+09:00"
    plain = field_def("datetime")
    assert DateTimeField().from_db(stored, plain, BERLIN_CTX) == "2024-03-10T12:00:00+01:00"
    assert DateTimeField().from_db(None, plain, BERLIN_CTX) is None


def test_datetime_round_trips_through_text():
    fdef = field_def("datetime")
    stored = to_moment("2024-03-10T12:00:00+01:00", ctx=BERLIN_CTX)
    text = DateTimeField().to_text(DateTimeField().from_db(stored, fdef, BERLIN_CTX), fdef)
    assert DateTimeField().from_text(text, fdef, BERLIN_CTX) == stored


TODAY = date(2024, 2, 15)


@pytest.mark.parametrize(
    ("name", "start", "end"),
    [
        ("today", date(2024, 2, 15), date(2024, 2, 16)),
        ("yesterday", date(2024, 2, 14), date(2024, 2, 15)),
        ("tomorrow", date(2024, 2, 16), date(2024, 2, 17)),
        ("this_month", date(2024, 2, 1), date(2024, 3, 1)),
        ("past_7_days", date(2024, 2, 8), date(2024, 2, 16)),
        ("next_7_days", date(2024, 2, 15), date(2024, 2, 23)),
        ("past_30_days", date(2024, 1, 16), date(2024, 2, 16)),
        ("next_3_days", date(2024, 2, 15), date(2024, 2, 19)),
        ("next_0_days", date(2024, 2, 15), date(2024, 2, 16)),
    ],
)
def test_relative_ranges_are_half_open_day_ranges(name, start, end):
    assert relative_range(name, TODAY) == (start, end)


def test_this_month_in_december_ends_next_year():
    assert relative_range("this_month", date(2024, 12, 31)) == (date(2024, 12, 1), date(2025, 1, 1))


@pytest.mark.parametrize("name", ["last_week", "past_days", "next_-1_days", "past_12345_days", ""])
def test_unknown_ranges_are_invalid_filters(name):
    with pytest.raises(ValidationFailed, match="Unknown range") as info:
        relative_range(name, TODAY)
    assert info.value.code == "INVALID_FILTER"


def test_today_is_taken_in_the_field_zone():
    late = cell_context(now=datetime(2024, 2, 15, 23, 30, tzinfo=UTC))
    assert DateField().today(field_def("date"), late) == date(2024, 2, 15)
    berlin = field_def("date", {"time_zone": "Europe/Berlin"})
    assert DateField().today(berlin, late) == date(2024, 2, 16)


def test_datetime_day_bounds_are_local_midnights_in_utc():
    fdef = field_def("datetime", {"time_zone": "Europe/Berlin"})
    start, end = DateTimeField().day_bounds(date(2024, 3, 31), date(2024, 4, 1), fdef, UTC_CTX)
    assert start == datetime(2024, 3, 30, 23, tzinfo=UTC)
    assert end == datetime(2024, 3, 31, 22, tzinfo=UTC)  # 23 hours: summer time starts


def test_a_moment_operand_names_its_day_in_the_field_zone():
    fdef = field_def("datetime", {"time_zone": "Europe/Berlin"})
    # 23:30 in New York is already the next day in Berlin, where the rows are compared.
    day = DateTimeField().resolve_day("2024-02-15T23:30:00-05:00", fdef, UTC_CTX)
    assert day == date(2024, 2, 16)
    assert DateTimeField().resolve_day("2024-02-15", fdef, UTC_CTX) == date(2024, 2, 15)
    now = cell_context(now=datetime(2024, 2, 15, 12, tzinfo=UTC))
    assert DateTimeField().resolve_day("yesterday", fdef, now) == date(2024, 2, 14)


@pytest.mark.parametrize(
    ("ftype", "op", "value"),
    [
        (DateField(), "on", "31.02.2024"),
        (DateField(), "within", "fortnight"),
        (DateField(), "within", 7),
        (DateField(), "before", None),
        (DateField(), "lt", "soon"),
        (DateField(), "on", "9999-12-31"),
        (DateTimeField(), "on", "0001-01-01"),
        (DateTimeField(), "eq", "2024-02-15T25:00"),
        (DateTimeField(), "gt", "later"),
    ],
)
def test_bad_date_operands_are_invalid_filters(ftype, op, value):
    column = sa.column("f_7", ftype.column_type(field_def(ftype.type)))
    with pytest.raises(ValidationFailed) as info:
        ftype.filter(column, op, value, field_def(ftype.type), BERLIN_CTX)
    assert info.value.code == "INVALID_FILTER"


@pytest.mark.parametrize("op", sorted(DateField.operators))
def test_every_date_operator_compiles(op):
    value = {"within": "this_month", "is_empty": None, "is_not_empty": None}.get(op, "2024-02-15")
    for ftype in (DateField(), DateTimeField()):
        column = sa.column("f_7", ftype.column_type(field_def(ftype.type)))
        assert ftype.filter(column, op, value, field_def(ftype.type), BERLIN_CTX) is not None
