"""The field registry: every built-in type keeps the FieldType contract."""

import re

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from tablekit.errors import ValidationFailed
from tablekit.fields.base import FieldDef, FieldType, OptionsContext
from tablekit.fields.builtin import build_field_registry
from tests.factories import cell_context, field_def

REGISTRY = build_field_registry()
TYPES = REGISTRY.keys()
# The operators API.md promises; a type may offer any subset.
API_OPERATORS = frozenset(
    {
        *("eq", "neq", "lt", "lte", "gt", "gte", "in", "is_empty", "is_not_empty"),
        *("contains", "not_contains", "starts_with", "has_any", "has_all"),
        *("before", "after", "on", "within"),
    }
)
# A base of two tables: table 1 links to table 2 (field L) and has a number Qty.
BASE_FIELDS = {
    1: FieldDef(1, 1, "L", "link", {"table_id": 2, "multiple": True}),
    2: FieldDef(2, 2, "Price", "number", {"precision": 2}),
    3: FieldDef(3, 1, "Qty", "number", {"precision": 0}),
}
OPTIONS = {
    "link": {"table_id": 2},
    "lookup": {"link_field": "L", "target_field": "Price"},
    "rollup": {"link_field": "L", "target_field": "Price", "aggregate": "sum"},
    "count": {"link_field": "L"},
    "formula": {"formula": "{Qty} * 2"},
}


def options_context() -> OptionsContext:
    return OptionsContext(table_ids={1, 2}, table_id=1, fields=BASE_FIELDS)


def fdef_of(type_key: str) -> FieldDef:
    return field_def(type_key, OPTIONS.get(type_key), options_context(), table_id=1)


def test_registry_refuses_duplicates_and_names_unknown_types():
    with pytest.raises(ValueError, match="already registered"):
        build_field_registry(extra=[REGISTRY.get("text")])
    with pytest.raises(ValidationFailed, match="Unknown field type 'colour'") as info:
        REGISTRY.get("colour")
    assert info.value.code == "UNKNOWN_FIELD_TYPE"


@pytest.mark.parametrize("type_key", TYPES)
def test_type_is_described(type_key):
    ftype = REGISTRY.get(type_key)
    assert re.fullmatch(r"[a-z]+(_[a-z]+)*", ftype.type)
    assert ftype.label.strip()
    assert ftype.storage in {"column", "system", "junction", "none"}
    assert ftype.operators_for(fdef_of(type_key)) <= API_OPERATORS
    assert not (ftype.can_be_unique and (ftype.storage != "column" or ftype.read_only))


@pytest.mark.parametrize(
    "type_key",
    [t for t in TYPES],
)
def test_options_normalize_idempotently(type_key):
    ftype = REGISTRY.get(type_key)
    once = fdef_of(type_key).options
    assert ftype.normalize_options(dict(once), options_context()) == once


@pytest.mark.parametrize("type_key", TYPES)
def test_stored_columns_compile_on_both_databases(type_key):
    ftype = REGISTRY.get(type_key)
    if ftype.storage not in {"column", "system"}:
        return
    column_type = ftype.column_type(fdef_of(type_key))
    for dialect in (sqlite.dialect(), postgresql.dialect()):
        assert column_type.compile(dialect=dialect)


@pytest.mark.parametrize("type_key", TYPES)
def test_nothing_is_empty_everywhere(type_key):
    ftype: FieldType = REGISTRY.get(type_key)
    fdef, ctx = fdef_of(type_key), cell_context()
    assert ftype.to_text(None, fdef) == ""
    empty = ftype.from_db(None, fdef, ctx)
    assert ftype.is_empty_value(empty) or ftype.storage == "none"
    assert ftype.to_text(empty, fdef) in {"", "false"}
    if not ftype.read_only:
        assert ftype.is_empty_value(ftype.to_db(None, fdef, ctx))
        assert ftype.is_empty_value(ftype.from_text("", fdef, ctx))


@pytest.mark.parametrize("type_key", TYPES)
def test_values_that_hold_many_items_are_not_sortable(type_key):
    ftype, fdef = REGISTRY.get(type_key), fdef_of(type_key)
    many = ftype.storage in {"junction", "none"} or (
        ftype.storage == "column" and isinstance(ftype.column_type(fdef), sa.JSON)
    )
    assert ftype.is_sortable(fdef) is not many
