"""The import's fast paths return exactly what the field types' own parsing returns."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tablekit.fields.base import CellError
from tablekit.fields.builtin import build_field_registry
from tablekit.interchange.convert import MEMO_TRIAL, Memo, fast_path, unwrap
from tablekit.interchange.detect import guess_columns
from tests.factories import cell_context, field_def

REGISTRY = build_field_registry()
CTX = cell_context()
CASES = [
    ("number", {"precision": 0}),
    ("number", {"precision": 2}),
    ("percent", {}),
    ("currency", {"precision": 2}),
    ("date", {}),
    ("text", {}),
]
plain_numbers = st.from_regex(r"-?\d{1,17}(\.\d{1,10})?", fullmatch=True)
iso_dates = st.from_regex(r"\d{4}-\d{2}-\d{2}", fullmatch=True)
anything = st.text(alphabet=st.characters(codec="utf-8"), max_size=30)


def outcome(convert: Any, text: str) -> tuple[str, Any]:
    try:
        return "ok", convert(text)
    except CellError as exc:
        return "error", exc.message


@pytest.mark.parametrize(("type_key", "options"), CASES)
@settings(max_examples=120, deadline=None)
@given(text=st.one_of(plain_numbers, iso_dates, anything))
def test_fast_path_equals_from_text(type_key: str, options: dict[str, Any], text: str) -> None:
    fdef = field_def(type_key, options)
    ftype = REGISTRY.get(type_key)

    def slow(value: str) -> Any:
        return ftype.from_text(value, fdef, CTX)

    fast = fast_path(fdef, ftype, slow)
    expected, got = outcome(slow, text), outcome(fast, text)
    assert got == expected
    assert type(got[1]) is type(expected[1])


def test_a_memo_that_does_not_pay_is_dropped() -> None:
    calls = []
    memo = Memo(lambda text: calls.append(text) or text)
    for i in range(MEMO_TRIAL):
        memo(str(i))
    assert unwrap(memo) is memo.inner
    repeated = Memo(str.upper)
    for i in range(MEMO_TRIAL):
        repeated(str(i % 10))
    assert unwrap(repeated) is repeated
    assert repeated.hits == MEMO_TRIAL - 10


def test_column_types_are_detected_from_values_the_field_accepts() -> None:
    header = [
        "Name",
        "Qty",
        "Price",
        "Share",
        "Cost",
        "Day",
        "At",
        "Ok",
        "Mail",
        "Web",
        "Kind",
        "Zip",
        "Note",
    ]
    rows = [
        [
            f"Item {i}",
            str(i),
            f"{i}.25",
            f"{i}%",
            f"€{i}.50",
            f"2024-01-{i + 1:02d}",
            f"2024-01-02T10:0{i}:00",
            "yes" if i % 2 else "no",
            f"u{i}@example.com",
            f"https://example.com/{i}",
            "AB"[i % 2],
            f"0{i}123",
            "line\nbreak",
        ]
        for i in range(9)
    ]
    guesses = {g.name: g for g in guess_columns(header, rows, REGISTRY, CTX)}
    assert {n: g.type for n, g in guesses.items()} == {
        "Name": "text",
        "Qty": "number",
        "Price": "number",
        "Share": "percent",
        "Cost": "currency",
        "Day": "date",
        "At": "datetime",
        "Ok": "checkbox",
        "Mail": "email",
        "Web": "url",
        "Kind": "single_select",
        "Zip": "text",
        "Note": "long_text",
    }
    assert guesses["Price"].options == {"precision": 2}
    assert guesses["Cost"].options["currency"] == "EUR"
    assert [c["name"] for c in guesses["Kind"].options["choices"]] == ["A", "B"]
