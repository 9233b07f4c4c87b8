"""The checkbox field."""

import pytest
import sqlalchemy as sa

from tablekit.errors import ValidationFailed
from tablekit.fields.base import CellError
from tablekit.fields.boolean import CheckboxField
from tests.factories import cell_context, field_def

CTX = cell_context()
FDEF = field_def("checkbox")
COLUMN = sa.column("f_7", sa.Boolean())


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        (True, True),
        (False, False),
        (None, False),
        (1, True),
        (0, False),
        (1.0, True),
        ("true", True),
        (" Yes ", True),
        ("x", True),
        ("checked", True),
        ("false", False),
        ("no", False),
        ("0", False),
        ("", False),
        ("OFF", False),
    ],
)
def test_checkbox_accepts_booleans_and_their_words(value, stored):
    assert CheckboxField().to_db(value, FDEF, CTX) is stored


@pytest.mark.parametrize("value", [2, -1, 0.5, "maybe", "truee", [True], {"v": True}])
def test_checkbox_refuses_anything_else(value):
    with pytest.raises(CellError, match="expected true or false"):
        CheckboxField().to_db(value, FDEF, CTX)


def test_unchecked_is_empty_and_reads_false():
    assert CheckboxField().from_db(None, FDEF, CTX) is False
    assert CheckboxField().from_db(1, FDEF, CTX) is True
    assert CheckboxField().is_empty_value(False)
    assert not CheckboxField().is_empty_value(True)


def test_checkbox_round_trips_through_plain_text():
    for value in (True, False):
        text = CheckboxField().to_text(value, FDEF)
        assert CheckboxField().from_text(text, FDEF, CTX) is value


@pytest.mark.parametrize(("op", "value"), [("eq", True), ("eq", "yes"), ("neq", False)])
def test_checkbox_filters_compile(op, value):
    assert CheckboxField().filter(COLUMN, op, value, FDEF, CTX) is not None


def test_checkbox_filter_with_a_non_boolean_is_an_invalid_filter():
    with pytest.raises(ValidationFailed, match="expected true or false") as info:
        CheckboxField().filter(COLUMN, "eq", "maybe", FDEF, CTX)
    assert info.value.code == "INVALID_FILTER"
