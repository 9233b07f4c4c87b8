"""Link and button fields."""

import pytest

from tablekit.errors import ValidationFailed
from tablekit.fields.base import CellError, OptionsContext
from tablekit.fields.link import MAX_LINKS_PER_CELL, ButtonField, LinkField
from tests.factories import cell_context, field_def

OPTS = OptionsContext(table_ids={1, 2})
CTX = cell_context()


def test_link_options_keep_only_what_links_need():
    options = LinkField().normalize_options(
        {"table_id": 2, "multiple": False, "reverse_field_id": 9, "junction": 8, "evil": 1}, OPTS
    )
    assert options == {"table_id": 2, "multiple": False, "reverse_field_id": 9, "junction": 8}
    assert LinkField().normalize_options({"table_id": 2}, OPTS)["multiple"] is True


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({}, "table_id"),
        ({"table_id": 3}, "same base"),
        ({"table_id": "2"}, "table_id"),
        ({"table_id": 2, "multiple": "no"}, "multiple must be true or false"),
    ],
)
def test_link_options_are_checked(options, message):
    with pytest.raises(ValidationFailed, match=message) as info:
        LinkField().normalize_options(options, OPTS)
    assert info.value.code == "INVALID_FIELD_OPTIONS"


@pytest.mark.parametrize(
    ("value", "ids"),
    [
        ([1, "2", {"id": 3}], [1, 2, 3]),
        ([2, 2, "2"], [2]),
        (5, [5]),
        (None, []),
        ("", []),
        ([], []),
    ],
)
def test_link_cells_are_distinct_row_ids(value, ids):
    assert LinkField().to_db(value, field_def("link", {"table_id": 2}), CTX) == ids


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (["x"], "'x' is not a row id"),
        ([True], "expected a list of row ids"),
        ([1.5], "expected a list of row ids"),
        ([{"name": "Acme"}], "expected a list of row ids"),
        (list(range(MAX_LINKS_PER_CELL + 1)), "at most"),
    ],
)
def test_link_cells_refuse_what_is_not_a_row_id(value, message):
    with pytest.raises(CellError, match=message):
        LinkField().to_db(value, field_def("link", {"table_id": 2}), CTX)


def test_single_link_takes_one_record():
    fdef = field_def("link", {"table_id": 2, "multiple": False})
    assert LinkField().to_db([4], fdef, CTX) == [4]
    with pytest.raises(CellError, match="links to one record only"):
        LinkField().to_db([4, 5], fdef, CTX)


def test_link_is_empty_when_it_has_no_records():
    assert LinkField().is_empty_value([])
    assert not LinkField().is_empty_value([{"id": 1, "name": "Acme"}])
    assert (
        LinkField().to_text(
            [{"id": 1, "name": "Acme"}, {"id": 2, "name": "Bolt"}],
            field_def("link", {"table_id": 2}),
        )
        == "Acme, Bolt"
    )


def test_button_options():
    assert ButtonField().normalize_options({}, OPTS) == {"label": "Run", "rule_id": None}
    assert ButtonField().normalize_options({"label": " Send "}, OPTS)["label"] == "Send"
    for bad in ({"label": " "}, {"label": "x" * 61}, {"label": 5}, {"rule_id": "7"}):
        with pytest.raises(ValidationFailed):
            ButtonField().normalize_options(bad, OPTS)


def test_button_has_no_value():
    assert ButtonField().from_db("anything", field_def("button"), CTX) is None
    assert ButtonField.read_only and ButtonField.storage == "none" and not ButtonField.operators
