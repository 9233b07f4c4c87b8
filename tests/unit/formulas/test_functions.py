"""The function library, table-driven: name, arguments, expected value (or error code)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from tablekit.formulas.functions import FAMILIES, LIBRARY
from tablekit.formulas.functions.spec import Lazy
from tablekit.formulas.limits import MAX_ITEMS, MAX_TEXT_LENGTH
from tablekit.formulas.values import CellError, ErrorValue

D = Decimal
DOCS = Path(__file__).resolve().parents[3] / "docs" / "formulas.md"


def call(name: str, *args: object) -> object:
    return LIBRARY[name](*args)


CASES: list[tuple[str, tuple[object, ...], object]] = [
    # logic
    ("IF", (True, "yes", "no"), "yes"),
    ("IF", (None, "yes", "no"), "no"),
    ("IF", ("", "yes"), None),
    ("IF", ((), "yes", "no"), "no"),
    ("IFS", (False, 1, 0, 2, "x", 3), 3),
    ("SWITCH", (2, 1, "one", 2, "two"), "two"),
    ("SWITCH", ("2", 2, "numeric text matches"), "numeric text matches"),
    ("SWITCH", (None, "", "blank is empty text", "other"), "blank is empty text"),
    ("AND", ((True, 1), "x"), True),
    ("AND", ((True, 0),), False),
    ("OR", ((), None, 0), False),
    ("OR", ((0, 2),), True),
    ("NOT", ("",), True),
    ("XOR", (True, True, True), True),
    ("ISBLANK", (None,), True),
    ("ISBLANK", ((None, ""),), True),
    ("ISBLANK", (" ",), False),
    ("IFERROR", (ErrorValue("#REF!", "gone"), 0), 0),
    # math
    ("SUM", (1, 2, 3), 6),
    ("SUM", (D("1.10"), 2.2), D("3.30")),
    ("SUM", ((1, None, "2"), ()), 3),
    ("SUM", (0.1, 0.2), 0.30000000000000004),
    ("SUM", (None,), 0),
    ("AVERAGE", (1, 2), 1.5),
    ("AVERAGE", ((D("10.00"), D("20.00")),), D("15.00")),
    ("MIN", ((5, 3), 4), 3),
    ("MIN", (None, ""), 0),
    ("MAX", (date(2024, 1, 1), date(2025, 1, 1)), date(2025, 1, 1)),
    ("MAX", (D("1.5"), 1.4), D("1.5")),
    ("ROUND", (2.5,), 3.0),
    ("ROUND", (-2.5,), -3.0),
    ("ROUND", (1.005, 2), 1.01),
    ("ROUND", (D("2.345"), 2), D("2.35")),
    ("ROUND", (1250, -2), 1300),
    ("ROUND", (7, 2), 7),
    ("ROUNDUP", (1.001, 1), 1.1),
    ("ROUNDUP", (-1.001, 1), -1.1),
    ("ROUNDDOWN", (1.999, 2), 1.99),
    ("CEILING", (D("10.01"), D("0.05")), D("10.05")),
    ("CEILING", (-7.5,), -7.0),
    ("CEILING", (5, 0), 0),
    ("FLOOR", (-7.5,), -8.0),
    ("FLOOR", (26, 5), 25),
    ("ABS", (D("-3.20"),), D("3.20")),
    ("ABS", (None,), 0),
    ("INT", (D("-2.5"),), -3),
    ("INT", ("7.9",), 7),
    ("MOD", (D("-7"), 3), D("2")),
    ("MOD", (7.5, 2), 1.5),
    ("POWER", (2, 0.5), 2**0.5),
    ("POWER", (D("1.1"), 2), D("1.21")),
    ("SQRT", (D("2.25"),), D("1.5")),
    # text
    ("CONCATENATE", ("a", None, 1.0, True, D("2.50")), "a1TRUE2.50"),
    ("CONCATENATE", (("x", "y"),), "x, y"),
    ("CONCATENATE", (date(2024, 5, 1),), "2024-05-01"),
    ("CONCATENATE", (1e20,), "1e+20"),
    ("CONCATENATE", (1 / 3,), "0.333333333333333"),
    ("LEFT", ("abc",), "a"),
    ("LEFT", ("abc", 10), "abc"),
    ("LEFT", (None, 2), ""),
    ("RIGHT", ("abc", 0), ""),
    ("RIGHT", ("abc", 2), "bc"),
    ("MID", ("abcdef", 3, 2), "cd"),
    ("MID", ("abc", 10, 2), ""),
    ("LEN", (12.50,), 4),
    ("LEN", (None,), 0),
    ("UPPER", ("straße",), "STRASSE"),
    ("LOWER", ("ÄB",), "äb"),
    ("PROPER", ("ACME ltd",), "Acme Ltd"),
    ("TRIM", ("\t a  b \n",), "a b"),
    ("SUBSTITUTE", ("aaa", "a", "bb"), "bbbbbb"),
    ("SUBSTITUTE", ("abc", "", "x"), "abc"),
    ("SUBSTITUTE", ("a-a-a", "-", "+", 5), "a-a-a"),
    ("REPLACE", ("abcdef", 2, 3, "X"), "aXef"),
    ("FIND", ("b", "abcb", 3), 4),
    ("FIND", ("", "abc"), 1),
    ("SEARCH", ("B", "abcb", 3), 4),
    ("SEARCH", ("ss", "İstanbul STRASSE"), 14),
    ("TEXT", (1234.567, "#,##0.00"), "1,234.57"),
    ("TEXT", (5, "000"), "005"),
    ("TEXT", (-0.5, "0.0%"), "-50.0%"),
    ("TEXT", (D("12.5"), "€ 0.00"), "€ 12.50"),
    ("TEXT", (3.14159, "0.##"), "3.14"),
    ("TEXT", (3, "0.##"), "3"),
    ("TEXT", (1234567, "#,##0"), "1,234,567"),
    ("TEXT", (0.4, "#"), "0"),
    ("TEXT", (date(2024, 5, 7), "DD.MM.YY"), "07.05.24"),
    ("TEXT", (None, "0.00"), ""),
    ("VALUE", ("  -1,234.5 ",), -1234.5),
    ("VALUE", ("",), 0),
    ("VALUE", ("12",), 12),
    ("VALUE", (3,), 3),
    ("REPT", ("ab", 3), "ababab"),
    ("REPT", ("", 10**9), ""),
    ("REPT", ("x", 0), ""),
    # dates
    ("DATE", (2024, 2, 30), date(2024, 3, 1)),
    ("DATE", (2024, 0, 1), date(2023, 12, 1)),
    ("DATE", ("2024", "5", "1"), date(2024, 5, 1)),
    ("DATEADD", ("2024-01-31", 1, "Months"), date(2024, 2, 29)),
    ("DATEADD", (date(2024, 1, 1), -1, "year"), date(2023, 1, 1)),
    ("DATEADD", (date(2024, 1, 1), 1, "quarter"), date(2024, 4, 1)),
    ("DATEADD", (date(2024, 1, 1), 2, "weeks"), date(2024, 1, 15)),
    ("DATEADD", (date(2024, 1, 1), 1.5, "days"), datetime(2024, 1, 2, 12)),
    ("DATEADD", (datetime(2024, 1, 1, 23, 30), 45, "minutes"), datetime(2024, 1, 2, 0, 15)),
    ("DATEADD", (None, 1, "days"), None),
    ("DATEDIF", (date(2024, 1, 31), date(2024, 3, 1), "M"), 1),
    ("DATEDIF", (date(2024, 1, 31), date(2024, 3, 1), "MD"), 1),
    ("DATEDIF", (date(2020, 5, 15), date(2024, 3, 10), "YM"), 9),
    ("DATEDIF", (date(2020, 5, 15), date(2024, 3, 10), "YD"), 300),
    ("DATEDIF", (datetime(2024, 1, 1, 23, tzinfo=UTC), "2024-01-03", "d"), 2),
    ("DATEDIF", (None, date(2024, 1, 1)), None),
    ("DAY", (datetime(2024, 5, 17, 8),), 17),
    ("DAY", ("",), None),
    ("MONTH", (date(2024, 12, 1),), 12),
    ("YEAR", (("2024-05-01",),), 2024),
    ("HOUR", (date(2024, 1, 1),), 0),
    ("HOUR", (datetime(2024, 1, 1, 23, 59),), 23),
    ("MINUTE", ("2024-01-01T10:05:00+02:00",), 5),
    ("WEEKDAY", (date(2024, 5, 19),), 1),
    ("WEEKDAY", (date(2024, 5, 19), 2), 7),
    ("WEEKDAY", (date(2024, 5, 19), 3), 6),
    ("WEEKNUM", (date(2024, 1, 1),), 1),
    ("WEEKNUM", (date(2023, 1, 1), 21), 52),
    ("WEEKNUM", (date(2024, 1, 8), 2), 2),
    (
        "FORMATDATE",
        (datetime(2024, 5, 7, 15, 4, 5), "ddd D MMM YYYY, h:mm:ss a"),
        "Tue 7 May 2024, 3:04:05 pm",
    ),
    ("FORMATDATE", (datetime(2024, 5, 7, 0, 4),), "2024-05-07 00:04"),
    ("FORMATDATE", (date(2024, 5, 7), "[Week of] MMMM"), "Week of May"),
    ("FORMATDATE", (None,), ""),
    ("NETWORKDAYS", (date(2024, 5, 31), date(2024, 5, 1)), -23),
    ("NETWORKDAYS", (date(2024, 5, 4), date(2024, 5, 5)), 0),
    (
        "NETWORKDAYS",
        (date(2024, 5, 1), date(2024, 5, 31), (date(2024, 5, 1), date(2024, 5, 4))),
        22,
    ),
    ("NETWORKDAYS", (date(1, 1, 1), date(9999, 12, 31)), 2_608_615),
    ("EOMONTH", (date(2024, 1, 31), -1), date(2023, 12, 31)),
    ("EOMONTH", (datetime(2024, 2, 10, 9),), date(2024, 2, 29)),
]


@pytest.mark.parametrize(("name", "args", "expected"), CASES)
def test_function_results(name: str, args: tuple[object, ...], expected: object) -> None:
    result = call(name, *args)

    assert result == expected
    assert type(result) is type(expected)


ERRORS: list[tuple[str, tuple[object, ...], str]] = [
    ("IFS", (False, 1), "#N/A"),
    ("SWITCH", (3, 1, "one"), "#N/A"),
    ("SUM", ("abc",), "#VALUE!"),
    ("SUM", (1e308, 1e308), "#NUM!"),
    ("SUM", (tuple(range(MAX_ITEMS + 1)),), "#LIMIT!"),
    ("AVERAGE", (None, ()), "#DIV/0!"),
    ("MAX", (date(2024, 1, 1), 3), "#VALUE!"),
    ("ROUND", (1, 1000), "#NUM!"),
    ("MOD", (1, 0), "#DIV/0!"),
    ("MOD", (D("1"), None), "#DIV/0!"),
    ("POWER", (10, 400), "#NUM!"),
    ("POWER", (-8, 0.5), "#NUM!"),
    ("POWER", (0, -1), "#DIV/0!"),
    ("POWER", (D(10), D(10) ** 7), "#NUM!"),
    ("SQRT", (-1,), "#NUM!"),
    ("LEFT", ("abc", -1), "#VALUE!"),
    ("MID", ("abc", 0, 1), "#VALUE!"),
    ("REPT", ("x", MAX_TEXT_LENGTH + 1), "#LIMIT!"),
    ("REPT", ("ab", 1e9), "#LIMIT!"),
    ("CONCATENATE", ("x" * MAX_TEXT_LENGTH, "y"), "#LIMIT!"),
    ("SUBSTITUTE", ("a" * 1000, "a", "b" * 101), "#LIMIT!"),
    ("TEXT", (1, "0" * 200), "#VALUE!"),
    ("TEXT", ("abc", "0"), "#VALUE!"),
    ("VALUE", ("12abc",), "#VALUE!"),
    ("VALUE", ("nan",), "#VALUE!"),
    ("VALUE", ("inf",), "#VALUE!"),
    ("DATE", (10_000, 1, 1), "#NUM!"),
    ("DATE", (2024, 1, 10**9), "#NUM!"),
    ("DATEADD", (date(2024, 1, 1), 1, "fortnights"), "#VALUE!"),
    ("DATEADD", (date(9999, 12, 1), 1, "month"), "#NUM!"),
    ("DATEADD", (date(2024, 1, 1), 1e300, "seconds"), "#NUM!"),
    ("DATEDIF", (date(2024, 2, 1), date(2024, 1, 1)), "#NUM!"),
    ("DATEDIF", (date(2024, 1, 1), date(2024, 2, 1), "W"), "#VALUE!"),
    ("DAY", ("31.12.2024",), "#VALUE!"),
    ("DAY", (42,), "#VALUE!"),
    ("WEEKDAY", (date(2024, 1, 1), 9), "#VALUE!"),
    ("WEEKNUM", (date(2024, 1, 1), 3), "#VALUE!"),
    ("FORMATDATE", (date(2024, 1, 1), "Y" * 101), "#VALUE!"),
    ("NETWORKDAYS", (date(2024, 1, 1), date(2024, 2, 1), ("not a date",)), "#VALUE!"),
]


@pytest.mark.parametrize(("name", "args", "code"), ERRORS)
def test_function_errors_have_spreadsheet_codes(
    name: str, args: tuple[object, ...], code: str
) -> None:
    with pytest.raises(CellError) as caught:
        call(name, *args)

    assert caught.value.code == code
    assert caught.value.to_value().message


def test_lazy_functions_leave_untaken_branches_alone() -> None:
    def explode() -> object:
        raise AssertionError("the untaken branch ran")

    assert call("IF", Lazy(lambda: True), Lazy(lambda: 1), Lazy(explode)) == 1
    assert call("IFS", Lazy(lambda: 1), Lazy(lambda: 2), Lazy(explode), Lazy(explode)) == 2
    assert call("SWITCH", Lazy(lambda: "a"), "a", Lazy(lambda: 3), Lazy(explode)) == 3
    assert call("AND", Lazy(lambda: 0), Lazy(explode)) is False
    assert call("OR", Lazy(lambda: 1), Lazy(explode)) is True
    assert call("IFERROR", Lazy(lambda: 4), Lazy(explode)) == 4


def test_iferror_catches_every_failure_of_its_argument() -> None:
    def fail() -> object:
        raise CellError("boom", code="#DIV/0!")

    assert call("IFERROR", Lazy(fail), "fallback") == "fallback"


def test_today_and_now_are_utc() -> None:
    now = datetime.now(UTC)

    assert call("TODAY") in (now.date(), datetime.now(UTC).date())
    assert abs((call("NOW") - now).total_seconds()) < 5  # type: ignore[operator]


def test_families_partition_the_library() -> None:
    names = [spec.name for family in FAMILIES.values() for spec in family]

    assert sorted(names) == sorted(LIBRARY)
    assert len(names) == len(set(names)) == 54
    assert all(re.fullmatch(r"[A-Z]+", name) for name in names)


@pytest.mark.parametrize("name", sorted(LIBRARY))
def test_every_function_is_documented_with_an_example(name: str) -> None:
    doc = LIBRARY[name].impl.__doc__ or ""
    reference = DOCS.read_text(encoding="utf-8")

    assert ">>> " in doc, f"{name} has no doctest example"
    assert re.search(rf"^\| `{name}\(", reference, re.MULTILINE), f"{name} missing in {DOCS.name}"


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("TEXT", (1, "{0.__class__}")),
        ("TEXT", (date(2024, 1, 1), "{}")),
        ("FORMATDATE", (date(2024, 1, 1), "{0.__globals__}")),
    ],
)
def test_format_patterns_with_braces_are_refused(name: str, args: tuple[object, ...]) -> None:
    with pytest.raises(CellError, match=r"cannot contain \{ or \}"):
        call(name, *args)
