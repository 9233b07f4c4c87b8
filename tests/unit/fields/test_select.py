"""Single and multiple select fields: choices are stored by id and read by name."""

import pytest
import sqlalchemy as sa

from tablekit.errors import ValidationFailed
from tablekit.fields.base import CellError
from tablekit.fields.select import MultipleSelectField, SingleSelectField, normalize_choices
from tests.factories import cell_context, field_def

CTX = cell_context()
CHOICES = {
    "choices": [
        {"id": "c_todo", "name": "Todo", "color": "red"},
        {"id": "c_doing", "name": "Doing"},
        {"id": "c_done", "name": "Done"},
    ]
}
SINGLE = field_def("single_select", CHOICES)
MULTI = field_def("multiple_select", CHOICES)


def test_choices_get_ids_and_colours():
    options = normalize_choices({"choices": ["Low", {"name": " High ", "color": "red"}]})
    low, high = options["choices"]
    assert low["name"] == "Low" and low["id"].startswith("c") and low["color"] == "gray"
    assert high == {"id": high["id"], "name": "High", "color": "red"}
    assert low["id"] != high["id"]


def test_choice_ids_are_kept_so_renames_keep_cells():
    options = normalize_choices({"choices": [{"id": "c_todo", "name": "Backlog"}]})
    assert options["choices"][0]["id"] == "c_todo"


@pytest.mark.parametrize(
    ("choices", "message"),
    [
        ("Low, High", "must be a list"),
        ([{"color": "red"}], "needs a name"),
        ([5], "needs a name"),
        ([""], "empty or too long"),
        (["x" * 201], "empty or too long"),
        (["Low", "Low "], "appears twice"),
        ([{"name": "Low", "color": "mauve"}], "unknown colour"),
        ([{"id": "a", "name": "Low"}, {"id": "a", "name": "High"}], "duplicate id"),
    ],
)
def test_bad_choices_are_refused(choices, message):
    with pytest.raises(ValidationFailed, match=message) as info:
        normalize_choices({"choices": choices})
    assert info.value.code == "INVALID_FIELD_OPTIONS"


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        ("Todo", "c_todo"),
        ("doing", "c_doing"),
        (" DONE ", "c_done"),
        ("c_done", "c_done"),
        (None, None),
        ("", None),
        ("  ", None),
    ],
)
def test_single_select_stores_the_choice_id(value, stored):
    assert SingleSelectField().to_db(value, SINGLE, CTX) == stored


def test_single_select_unknown_choice_lists_the_choices():
    with pytest.raises(CellError, match="'Someday' is not one of the choices: Todo, Doing, Done"):
        SingleSelectField().to_db("Someday", SINGLE, CTX)


@pytest.mark.parametrize("value", [1, True, ["Todo"], {"name": "Todo"}])
def test_single_select_wants_a_name(value):
    with pytest.raises(CellError, match="expected a choice name"):
        SingleSelectField().to_db(value, SINGLE, CTX)


def test_single_select_reads_names_and_forgets_deleted_choices():
    assert SingleSelectField().from_db("c_done", SINGLE, CTX) == "Done"
    assert SingleSelectField().from_db("c_gone", SINGLE, CTX) is None
    assert SingleSelectField().from_db(None, SINGLE, CTX) is None


def test_single_select_round_trips_through_text():
    text = SingleSelectField().to_text("Doing", SINGLE)
    assert SingleSelectField().from_text(text, SINGLE, CTX) == "c_doing"


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        (["Todo", "Done"], ["c_todo", "c_done"]),
        (["done", "Done", "c_done"], ["c_done"]),
        ("Todo, doing", ["c_todo", "c_doing"]),
        ([], None),
        ("", None),
        (None, None),
    ],
)
def test_multiple_select_stores_distinct_ids_in_order(value, stored):
    assert MultipleSelectField().to_db(value, MULTI, CTX) == stored


def test_multiple_select_refuses_unknown_choices_and_non_lists():
    with pytest.raises(CellError, match="'Later' is not one of the choices"):
        MultipleSelectField().to_db(["Todo", "Later"], MULTI, CTX)
    with pytest.raises(CellError, match="expected a list of choice names"):
        MultipleSelectField().to_db({"Todo": True}, MULTI, CTX)
    with pytest.raises(CellError, match="expected a choice name"):
        MultipleSelectField().to_db([1], MULTI, CTX)


def test_multiple_select_reads_names_and_round_trips_through_text():
    api = MultipleSelectField().from_db(["c_done", "c_gone", "c_todo"], MULTI, CTX)
    assert api == ["Done", "Todo"]
    assert MultipleSelectField().from_db(None, MULTI, CTX) == []
    text = MultipleSelectField().to_text(api, MULTI)
    assert text == "Done, Todo"
    assert MultipleSelectField().from_text(text, MULTI, CTX) == ["c_done", "c_todo"]


def test_select_filter_with_an_unknown_choice_is_an_invalid_filter():
    column = sa.column("f_7", sa.String(32))
    for ftype, fdef in ((SingleSelectField(), SINGLE), (MultipleSelectField(), MULTI)):
        with pytest.raises(ValidationFailed, match="Someday") as info:
            ftype.filter(column, "eq", "Someday", fdef, CTX)
        assert info.value.code == "INVALID_FILTER"


def test_multiple_select_cannot_be_sorted_or_primary():
    assert not MultipleSelectField.sortable
    assert not MultipleSelectField.can_be_primary
