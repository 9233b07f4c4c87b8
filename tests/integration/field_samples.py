"""Sample values of every field type, for the contract tests in ``test_field_contract.py``.

A registered type without a sample here fails the contract suite, so a new field type
arrives with its samples. Values that exist only once a test runs (users, uploaded files,
linked rows) are written as ``Ref("name")`` and resolved by the test's world. Dates are
relative to ``FIXED_NOW`` (the tests freeze the clock) in the base's zone, Europe/Berlin.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

FIXED_NOW = datetime(2026, 3, 18, 10, 30, tzinfo=UTC)  # a Wednesday: 11:30 in Berlin
ZONE = "Europe/Berlin"
NONE: set[int] = set()


@dataclass(frozen=True)
class Ref:
    """A value known once the test's world exists: a user, an uploaded file, a linked row."""

    name: str


@dataclass(frozen=True)
class Origin:
    """A data row of a read-only type: when and by whom ("owner" or "member") it is created,
    and the cells of other fields (``Sample.setup``) it gets."""

    at: datetime = FIXED_NOW
    by: str = "owner"
    cells: dict[str, Any] = field(default_factory=dict)


Cases = list[tuple[Any, set[int]]]


@dataclass(frozen=True)
class Sample:
    """What one field type must do.

    ``setup`` are fields created before the field under test (what a computed field reads);
    ``data`` are the cells of a small data set (``Origin`` rows for read-only types, whose
    first row is also the round trip's row and gives ``read``);
    ``filters`` maps every operator of the type to (value, indexes of the data rows it
    returns); ``rank`` is each data row's sort key (None sorts last); ``text`` is what each
    data row reads after a change to text (None: the type cannot change), ``back`` what it
    reads after changing back (None: what it read before). ``lost_back`` says the values
    cannot come back from text, so the change back lists them.
    """

    options: dict[str, Any]
    valid: Any
    read: Any
    invalid: Any
    data: tuple[Any, ...]
    filters: dict[str, Cases]
    rank: tuple[Any, ...] | None = None
    text: tuple[Any, ...] | None = None
    back: tuple[Any, ...] | None = None
    lost_back: bool = False
    good_text: tuple[str, Any] | None = None
    bad_text: str | None = None
    extremes: tuple[tuple[Any, Any], ...] = ()
    unique_pair: tuple[Any, Any] | None = None
    setup: tuple[dict[str, Any], ...] = ()


def _text_filters(values: list[str], contains: str, hit: int) -> dict[str, Cases]:
    """Filter cases of a text-like type whose data is ``values`` followed by one empty row."""
    everyone = set(range(len(values) + 1))
    empty = len(values)
    return {
        "eq": [(values[0], {0}), (None, {empty})],
        "neq": [(values[0], everyone - {0})],
        "contains": [(contains, {hit})],
        "not_contains": [(contains.lower(), everyone - {hit})],
        "starts_with": [(values[1][:4].upper(), {1})],
        "in": [([values[0], values[-1]], {0, len(values) - 1})],
        "is_empty": [(None, {empty})],
        "is_not_empty": [(None, everyone - {empty})],
    }


def _order_filters(values: list[Any], low: Any, mid: Any) -> dict[str, Cases]:
    """Filter cases of a numeric type: data row 1 < ``low``, row 0 is ``mid`` and row 2 is
    the largest, then one empty row."""
    return {
        "eq": [(mid, {0}), (None, {3})],
        "neq": [(mid, {1, 2, 3})],
        "lt": [(low, {1})],
        "lte": [(mid, {0, 1})],
        "gt": [(mid, {2})],
        "gte": [(mid, {0, 2})],
        "in": [([values[0], values[1]], {0, 1})],
        "is_empty": [(None, {3})],
        "is_not_empty": [(None, {0, 1, 2})],
    }


def _computed_filters(high: Any, mid: Any) -> dict[str, Cases]:
    """Filter cases of a numeric computed field whose data rows hold ``high``, ``mid``, 0."""
    return {
        "eq": [(high, {0})],
        "neq": [(high, {1, 2})],
        "lt": [(mid, {2})],
        "lte": [(mid, {1, 2})],
        "gt": [(mid, {0})],
        "gte": [(mid, {0, 1})],
        "in": [([0, high], {0, 2})],
        "is_empty": [(None, NONE)],
        "is_not_empty": [(None, {0, 1, 2})],
    }


def _moment(days: int) -> Origin:
    return Origin(at=FIXED_NOW - timedelta(days=days))


TIMES = (_moment(0), _moment(6), _moment(30))  # 03-18, 03-12, 02-16, each 11:30 in Berlin
TIME_TEXT = ("2026-03-18T11:30:00+01:00", "2026-03-12T11:30:00+01:00", "2026-02-16T11:30:00+01:00")
TIME_FILTERS: dict[str, Cases] = {
    "eq": [("2026-03-18", {0})],
    "neq": [("2026-03-18", {1, 2})],
    "lt": [(TIME_TEXT[1], {2})],
    "lte": [(TIME_TEXT[1], {1, 2})],
    "gt": [(TIME_TEXT[1], {0})],
    "gte": [(TIME_TEXT[1], {0, 1})],
    "before": [("today", {1, 2})],
    "after": [("2026-03-12", {0})],
    "on": [("2026-03-12", {1})],
    "within": [
        ("today", {0}),
        ("past_7_days", {0, 1}),
        ("this_month", {0, 1}),
        ("past_30_days", {0, 1, 2}),
    ],
    "is_empty": [(None, NONE)],
    "is_not_empty": [(None, {0, 1, 2})],
}

PEOPLE = (Origin(by="owner"), Origin(by="member"), Origin(by="owner"))
PEOPLE_FILTERS: dict[str, Cases] = {
    "eq": [(Ref("owner_email"), {0, 2}), (Ref("member_id"), {1})],
    "neq": [(Ref("owner_id"), {1})],
    "in": [([Ref("member_id")], {1})],
    "is_empty": [(None, NONE)],
    "is_not_empty": [(None, {0, 1, 2})],
}
PEOPLE_TEXT = (Ref("owner_email"), Ref("member_email"), Ref("owner_email"))

# Computed fields read a link L to Targets (Alpha costs 2, Beta 3.5) and a number Qty.
COMPUTED_SETUP = (
    {"name": "L", "type": "link", "options": {"table_id": Ref("targets")}},
    {"name": "Qty", "type": "number"},
)
COMPUTED_DATA = (
    Origin(cells={"L": [Ref("alpha"), Ref("beta")], "Qty": 3}),
    Origin(cells={"L": [Ref("alpha")], "Qty": 1}),
    Origin(),
)

TEXT_DATA = ["apple pie", "banana split", "cherry"]
EMAILS = ["ann@example.com", "bob@example.org", "carla@example.net"]
URLS = ["https://example.com/a", "mailto:ann@example.com", "http://example.org"]
PHONES = ["+49 30 1234567", "(555) 010-9999", "030/987 654"]

SAMPLES: dict[str, Sample] = {
    "text": Sample(
        options={},
        valid="  Hello world  ",
        read="Hello world",
        invalid=True,
        data=(*TEXT_DATA, None),
        filters=_text_filters(TEXT_DATA, "AN", 1),
        rank=(*TEXT_DATA, None),
        text=(*TEXT_DATA, None),
        good_text=("hi", "hi"),
        extremes=(
            ("ünïcödé ✓ 日本 😀", "ünïcödé ✓ 日本 😀"),
            ("x" * 10_000, "x" * 10_000),
            ("  ", None),
        ),
        unique_pair=("SKU-1", "SKU-2"),
    ),
    "long_text": Sample(
        options={},
        valid="line one\nline two",
        read="line one\nline two",
        invalid=["x"],
        data=("first line\nsecond line", "notes on banana", "zebra", None),
        filters=_text_filters(["first line\nsecond line", "notes on banana", "zebra"], "SECOND", 0),
        rank=("first line\nsecond line", "notes on banana", "zebra", None),
        text=("first line second line", "notes on banana", "zebra", None),
        back=("first line second line", "notes on banana", "zebra", None),
        good_text=("hi", "hi"),
        extremes=(("y" * 100_000, "y" * 100_000),),
    ),
    "number": Sample(
        options={"precision": 1},
        valid="1,234.56",
        read=1234.6,
        invalid="twelve",
        data=(1.5, -2, "1000.25", None),
        filters=_order_filters([1.5, -2], 0, 1.5),
        rank=(1.5, -2, 1000.3, None),
        text=("1.5", "-2.0", "1000.3", None),
        good_text=("42", 42),
        bad_text="twelve",
        extremes=(("99999999999999.9", 99999999999999.9), (-0.05, -0.1), (0, 0)),
        unique_pair=(1.5, 2.5),
    ),
    "currency": Sample(
        options={"currency": "USD", "precision": 2},
        valid="$1,234.5",
        read="1234.50",
        invalid="12 apples",
        data=("12.50", "-3", "1000000.01", None),
        filters=_order_filters(["12.5", "-3"], 0, "12.50"),
        rank=(12.5, -3, 1000000.01, None),
        text=("12.50", "-3.00", "1000000.01", None),
        good_text=("7.5", "7.50"),
        bad_text="12 apples",
        extremes=(("9999999999999.99", "9999999999999.99"), ("-0.01", "-0.01"), (0.1, "0.10")),
    ),
    "percent": Sample(
        options={},
        valid="12.5%",
        read=0.125,
        invalid="lots",
        data=(0.5, "12.5%", 1, None),
        filters=_order_filters([0.5, "12.5%"], "50%", "50%"),
        rank=(0.5, 0.125, 1.0, None),
        text=("0.5", "0.125", "1.0", None),
        good_text=("25%", 0.25),
        bad_text="lots",
        extremes=(("0.001", 0.001), ("-100%", -1.0)),  # precision 1: 0.1 % steps
    ),
    "checkbox": Sample(
        options={},
        valid="yes",
        read=True,
        invalid="maybe",
        data=(True, False, "x", None),
        filters={"eq": [(True, {0, 2}), (False, {1, 3}), ("no", {1, 3})], "neq": [(True, {1, 3})]},
        rank=(1, 0, 1, 0),
        text=("true", None, "true", None),
        good_text=("yes", True),
        bad_text="maybe",
    ),
    "date": Sample(
        options={},
        valid="18.03.2026",
        read="2026-03-18",
        invalid="2026-02-30",
        data=("2026-03-18", "2026-03-12", "2026-03-25", "2026-02-27", None),
        filters={
            "eq": [("2026-03-18", {0}), (None, {4})],
            "neq": [("2026-03-18", {1, 2, 3, 4})],
            "lt": [("2026-03-18", {1, 3})],
            "lte": [("2026-03-18", {0, 1, 3})],
            "gt": [("2026-03-18", {2})],
            "gte": [("2026-03-18", {0, 2})],
            "before": [("today", {1, 3}), ("2026-03-01", {3})],
            "after": [("today", {2}), ("yesterday", {0, 2})],
            "on": [("2026-03-12", {1}), ("today", {0})],
            "within": [
                ("today", {0}),
                ("yesterday", NONE),
                ("tomorrow", NONE),
                ("past_7_days", {0, 1}),
                ("next_7_days", {0, 2}),
                ("next_6_days", {0}),
                ("past_30_days", {0, 1, 3}),
                ("this_month", {0, 1, 2}),
            ],
            "is_empty": [(None, {4})],
            "is_not_empty": [(None, {0, 1, 2, 3})],
        },
        rank=("2026-03-18", "2026-03-12", "2026-03-25", "2026-02-27", None),
        text=("2026-03-18", "2026-03-12", "2026-03-25", "2026-02-27", None),
        good_text=("03/18/2026", "2026-03-18"),
        bad_text="someday",
        extremes=(("0001-01-01", "0001-01-01"), ("9999-12-31", "9999-12-31")),
    ),
    "datetime": Sample(
        options={},
        valid="2026-03-18 09:15",
        read="2026-03-18T09:15:00+01:00",
        invalid="18/03/2026 09:15",
        data=(
            "2026-03-18T09:15:00+01:00",
            "2026-03-17T23:30:00Z",  # already 03-18 in Berlin
            "2026-03-20 14:00",
            "2026-02-01T12:00:00+01:00",
            None,
        ),
        filters={
            "eq": [("2026-03-18", {0, 1}), ("2026-03-17T23:30:00Z", {0, 1}), (None, {4})],
            "neq": [("2026-03-18", {2, 3, 4})],
            "lt": [("2026-03-18T09:15:00+01:00", {1, 3})],
            "lte": [("2026-03-18T00:30:00+01:00", {1, 3})],
            "gt": [("2026-03-20T13:59:59+01:00", {2})],
            "gte": [("2026-03-18T09:15:00+01:00", {0, 2})],
            "before": [("2026-03-18", {3}), ("today", {3})],
            "after": [("2026-03-18", {2})],
            "on": [("2026-03-18", {0, 1}), ("2026-03-20", {2})],
            "within": [
                ("today", {0, 1}),
                ("yesterday", NONE),
                ("past_7_days", {0, 1}),
                ("next_7_days", {0, 1, 2}),
                ("this_month", {0, 1, 2}),
            ],
            "is_empty": [(None, {4})],
            "is_not_empty": [(None, {0, 1, 2, 3})],
        },
        rank=("2026-03-18T08:15", "2026-03-17T23:30", "2026-03-20T13:00", "2026-02-01T11:00", None),
        text=(
            "2026-03-18T09:15:00+01:00",
            "2026-03-18T00:30:00+01:00",
            "2026-03-20T14:00:00+01:00",
            "2026-02-01T12:00:00+01:00",
            None,
        ),
        good_text=("2026-03-18T10:00:00Z", "2026-03-18T11:00:00+01:00"),
        bad_text="next tuesday",
        extremes=(("2026-07-01T12:00", "2026-07-01T12:00:00+02:00"),),
    ),
    "single_select": Sample(
        options={"choices": ["Todo", "Doing", "Done"]},
        valid="done",
        read="Done",
        invalid="Someday",
        data=("Done", "Todo", "doing", None),
        filters={
            "eq": [("Todo", {1}), (None, {3})],
            "neq": [("Todo", {0, 2, 3})],
            "in": [(["Todo", "Done"], {0, 1})],
            "is_empty": [(None, {3})],
            "is_not_empty": [(None, {0, 1, 2})],
        },
        rank=(2, 0, 1, None),  # the choices' order, not the alphabet
        text=("Done", "Todo", "Doing", None),
        good_text=("todo", "Todo"),
        bad_text="Someday",
    ),
    "multiple_select": Sample(
        options={"choices": ["red", "green", "blue"]},
        valid="red, blue",
        read=["red", "blue"],
        invalid=["purple"],
        data=(["red"], ["green", "blue"], "blue, red", None),
        filters={
            "has_any": [(["blue"], {1, 2}), ("red", {0, 2}), ([], NONE)],
            "has_all": [(["red", "blue"], {2})],
            "eq": [(["blue", "green"], {1}), (["red"], {0}), ([], {3})],
            "contains": [("green", {1})],
            "is_empty": [(None, {3})],
            "is_not_empty": [(None, {0, 1, 2})],
        },
        text=("red", "green, blue", "blue, red", None),
        good_text=("green, red", ["green", "red"]),
        bad_text="purple",
    ),
    "email": Sample(
        options={},
        valid=" Ann@Example.com ",
        read="Ann@Example.com",
        invalid="ann@example.com\r\nBcc: eve@example.com",
        data=(*EMAILS, None),
        filters=_text_filters(EMAILS, "EXAMPLE.ORG", 1),
        rank=(*EMAILS, None),
        text=(*EMAILS, None),
        good_text=("x@example.com", "x@example.com"),
        bad_text="not an address",
        unique_pair=("ann@example.com", "bob@example.com"),
    ),
    "url": Sample(
        options={},
        valid="https://example.com/a?b=1",
        read="https://example.com/a?b=1",
        invalid="javascript:alert(1)",
        data=(*URLS, None),
        filters=_text_filters(URLS, "EXAMPLE.ORG", 2),
        rank=(*URLS, None),
        text=(*URLS, None),
        good_text=("https://example.com", "https://example.com"),
        bad_text="javascript:alert(1)",
    ),
    "phone": Sample(
        options={},
        valid="+49 30 1234567",
        read="+49 30 1234567",
        invalid="call me",
        data=(*PHONES, None),
        filters=_text_filters(PHONES, "987", 2),
        rank=(*PHONES, None),
        text=(*PHONES, None),
        good_text=("112", "112"),
        bad_text="call me",
    ),
    "rating": Sample(
        options={"max": 5},
        valid="4",
        read=4,
        invalid=6,
        data=(3, 1, 5, None),
        filters=_order_filters([3, 1], 2, 3),
        rank=(3, 1, 5, None),
        text=("3", "1", "5", None),
        good_text=("2", 2),
        bad_text="9",
    ),
    "duration": Sample(
        options={},
        valid="1:02:03",
        read=3723,
        invalid="1:75",
        data=("1:30", "0:45", 3600, None),
        filters=_order_filters([90, "0:45"], 60, "1:30"),
        rank=(90, 45, 3600, None),
        text=("90", "45", "3600", None),
        good_text=("2:00", 120),
        bad_text="soon",
        extremes=((999_999_999, 999_999_999),),
    ),
    "auto_number": Sample(
        options={"format": "ORD-{YYYY}-{0000}"},
        valid=None,
        read="ORD-2026-0001",
        invalid="ORD-1",
        data=(Origin(), Origin(), Origin()),
        filters={
            "eq": [("ORD-2026-0002", {1})],
            "neq": [("ORD-2026-0002", {0, 2})],
            "contains": [("0003", {2})],
            "not_contains": [("0003", {0, 1})],
            "starts_with": [("ord-2026", {0, 1, 2})],
            "in": [(["ORD-2026-0001", "ORD-2026-0003"], {0, 2})],
            "is_empty": [(None, NONE)],
            "is_not_empty": [(None, {0, 1, 2})],
        },
        rank=(1, 2, 3),
        text=("ORD-2026-0001", "ORD-2026-0002", "ORD-2026-0003"),
        bad_text="A-17",
    ),
    "created_time": Sample(
        options={},
        valid=None,
        read="2026-03-18T11:30:00+01:00",
        invalid="2026-03-18",
        data=TIMES,
        filters=TIME_FILTERS,
        rank=(3, 2, 1),
        text=TIME_TEXT,
        bad_text="2026-03-18",
    ),
    "modified_time": Sample(
        options={},
        valid=None,
        read="2026-03-18T11:30:00+01:00",
        invalid="2026-03-18",
        data=TIMES,
        filters=TIME_FILTERS,
        rank=(3, 2, 1),
        text=TIME_TEXT,
        bad_text="2026-03-18",
    ),
    "created_by": Sample(
        options={},
        valid=None,
        read=Ref("owner"),
        invalid=Ref("owner_id"),
        data=PEOPLE,
        filters=PEOPLE_FILTERS,
        rank=(0, 1, 0),  # by user id: the owner signed up first
        text=PEOPLE_TEXT,
        bad_text="someone",
    ),
    "modified_by": Sample(
        options={},
        valid=None,
        read=Ref("owner"),
        invalid=Ref("owner_id"),
        data=PEOPLE,
        filters=PEOPLE_FILTERS,
        rank=(0, 1, 0),
        text=PEOPLE_TEXT,
        bad_text="someone",
    ),
    "collaborator": Sample(
        options={},
        valid=Ref("owner_email"),
        read=[Ref("owner")],
        invalid="eve@nowhere.example",
        data=([Ref("owner_id")], [Ref("member_email")], [Ref("owner_id"), Ref("member_id")], None),
        filters={
            "has_any": [([Ref("member_id")], {1, 2}), (Ref("member_email"), {1, 2})],
            "has_all": [([Ref("owner_id"), Ref("member_email")], {2})],
            "is_empty": [(None, {3})],
            "is_not_empty": [(None, {0, 1, 2})],
        },
        text=(Ref("owner_email"), Ref("member_email"), Ref("both_emails"), None),
        good_text=(Ref("member_email"), [Ref("member")]),
        bad_text="eve@nowhere.example",
    ),
    "attachment": Sample(
        options={},
        valid=[Ref("file_a")],
        read=[Ref("file_a_read")],
        invalid=["0" * 32],
        data=([Ref("file_a")], [Ref("file_a"), Ref("file_b")], None),
        filters={"is_empty": [(None, {2})], "is_not_empty": [(None, {0, 1})]},
        text=("a.txt", "a.txt, b.pdf", None),
        back=([], [], []),
        lost_back=True,
        bad_text="a.txt",
    ),
    "link": Sample(
        options={"table_id": Ref("targets"), "multiple": True},
        valid=[Ref("alpha")],
        read=[Ref("alpha_link")],
        invalid=[10**9],
        data=([Ref("alpha")], [Ref("alpha"), Ref("beta")], None),
        filters={
            "has_any": [([Ref("beta")], {1}), ([Ref("alpha")], {0, 1})],
            "has_all": [([Ref("alpha"), Ref("beta")], {1})],
            "contains": [("BET", {1})],
            "not_contains": [("bet", {0, 2})],
            "is_empty": [(None, {2})],
            "is_not_empty": [(None, {0, 1})],
        },
    ),
    "formula": Sample(
        options={"formula": "{Qty} * 2"},
        valid=None,
        read=6,
        invalid=6,
        setup=COMPUTED_SETUP,
        data=COMPUTED_DATA,
        filters=_computed_filters(6, 2),
        rank=(6, 2, 0),
        text=("6.0", "2.0", "0.0"),
        bad_text="12",
    ),
    "lookup": Sample(
        options={"link_field": "L", "target_field": "Price"},
        valid=None,
        read=[2, 3.5],
        invalid=[2],
        setup=COMPUTED_SETUP,
        data=COMPUTED_DATA,
        filters={
            "has_any": [([3.5], {0}), ([2], {0, 1})],
            "has_all": [([2, 3.5], {0})],
            "contains": [("3.5", {0})],
            "is_empty": [(None, {2})],
            "is_not_empty": [(None, {0, 1})],
        },
        text=("2.0, 3.5", "2.0", None),
        bad_text="2.0",
    ),
    "rollup": Sample(
        options={"link_field": "L", "target_field": "Price", "aggregate": "sum"},
        valid=None,
        read=5.5,
        invalid=5.5,
        setup=COMPUTED_SETUP,
        data=COMPUTED_DATA,
        filters=_computed_filters(5.5, 2),
        rank=(5.5, 2, 0),
        text=("5.5", "2.0", "0.0"),
        bad_text="5.5",
    ),
    "count": Sample(
        options={"link_field": "L"},
        valid=None,
        read=2,
        invalid=2,
        setup=COMPUTED_SETUP,
        data=COMPUTED_DATA,
        filters=_computed_filters(2, 1),
        rank=(2, 1, 0),
        text=("2", "1", "0"),
        bad_text="2",
    ),
    "button": Sample(
        options={"label": "Send"},
        valid=None,
        read=None,
        invalid="click",
        data=(Origin(), Origin()),
        filters={},
    ),
}
