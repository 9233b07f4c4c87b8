"""Single and multiple select fields.

Cells store choice **ids**, so renaming a choice touches only the field's options, never
millions of rows. The API reads and writes choice names.
"""

from __future__ import annotations

import secrets
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import TypeEngine

from tablekit.fields import conditions
from tablekit.fields.base import (
    EMPTY_OPS,
    JSON_CELL,
    MULTI_OPS,
    CellError,
    Context,
    FieldDef,
    FieldType,
    OptionsContext,
    options_error,
)

COLORS = ("gray", "red", "orange", "yellow", "green", "teal", "blue", "purple", "pink")


def normalize_choices(options: Any) -> dict[str, Any]:
    raw = options.get("choices", [])
    if not isinstance(raw, list):
        raise options_error("choices must be a list", option="choices")
    choices, seen_names, seen_ids = [], set(), set()
    for index, item in enumerate(raw):
        if isinstance(item, str):
            item = {"name": item}
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise options_error(f"choice {index} needs a name", option="choices", index=index)
        name = item["name"].strip()
        if not name or len(name) > 200:
            raise options_error(f"choice {index} has an empty or too long name", index=index)
        if name in seen_names:
            raise options_error(f"choice {name!r} appears twice", option="choices", index=index)
        color = item.get("color") or COLORS[index % len(COLORS)]
        if color not in COLORS:
            raise options_error(
                f"unknown colour {color!r}; use one of {', '.join(COLORS)}", index=index
            )
        choice_id = item.get("id") or f"c{secrets.token_hex(4)}"
        if not isinstance(choice_id, str) or choice_id in seen_ids:
            raise options_error(f"choice {index} has a duplicate id", index=index)
        seen_names.add(name)
        seen_ids.add(choice_id)
        choices.append({"id": choice_id, "name": name, "color": color})
    return {**options, "choices": choices}


def by_name(fdef: FieldDef) -> dict[str, str]:
    return {c["name"]: c["id"] for c in fdef.options.get("choices", [])}


def by_id(fdef: FieldDef) -> dict[str, str]:
    return {c["id"]: c["name"] for c in fdef.options.get("choices", [])}


def choice_id(value: Any, fdef: FieldDef) -> str:
    if not isinstance(value, str):
        raise CellError("expected a choice name")
    names = by_name(fdef)
    if value in names:
        return names[value]
    if value in by_id(fdef):
        return value
    folded = {name.casefold(): cid for name, cid in names.items()}
    if value.strip().casefold() in folded:
        return folded[value.strip().casefold()]
    raise CellError(f"{value!r} is not one of the choices: {', '.join(names)}")


class SingleSelectField(FieldType):
    type = "single_select"
    label = "Single select"
    operators = frozenset({"eq", "neq", "in"} | EMPTY_OPS)

    def normalize_options(self, options: Any, ctx: OptionsContext) -> dict[str, Any]:
        return normalize_choices(options)

    def column_type(self, fdef: FieldDef) -> TypeEngine[Any]:
        return sa.String(32)

    def to_db(self, value: Any, fdef: FieldDef, ctx: Context) -> Any:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        return choice_id(value, fdef)

    def from_db(self, value: Any, fdef: FieldDef, ctx: Context) -> Any:
        return by_id(fdef).get(value) if value is not None else None

    def sort_expression(self, column: ColumnElement[Any], fdef: FieldDef) -> ColumnElement[Any]:
        # Sort by the choices' order, as spreadsheet users expect, not alphabetically by id.
        order = {c["id"]: i for i, c in enumerate(fdef.options.get("choices", []))}
        if not order:
            return column
        return sa.case(order, value=column, else_=None)

    def search(
        self, column: ColumnElement[Any], text: str, fdef: FieldDef, ctx: Context
    ) -> ColumnElement[bool] | None:
        ids = [cid for name, cid in by_name(fdef).items() if text.casefold() in name.casefold()]
        return column.in_(ids) if ids else None


class MultipleSelectField(FieldType):
    type = "multiple_select"
    label = "Multiple select"
    operators = MULTI_OPS
    sortable = False
    can_be_primary = False

    def normalize_options(self, options: Any, ctx: OptionsContext) -> dict[str, Any]:
        return normalize_choices(options)

    def column_type(self, fdef: FieldDef) -> TypeEngine[Any]:
        return JSON_CELL

    def to_db(self, value: Any, fdef: FieldDef, ctx: Context) -> Any:
        if value is None or value == "" or value == []:
            return None
        if isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        if not isinstance(value, list):
            raise CellError("expected a list of choice names")
        ids: list[str] = []
        for item in value:
            cid = choice_id(item, fdef)
            if cid not in ids:
                ids.append(cid)
        return ids or None

    def from_db(self, value: Any, fdef: FieldDef, ctx: Context) -> Any:
        if not value:
            return []
        names = by_id(fdef)
        return [names[cid] for cid in value if cid in names]

    def filter(
        self, column: ColumnElement[Any], op: str, value: Any, fdef: FieldDef, ctx: Context
    ) -> ColumnElement[bool]:
        if op == "is_empty":
            return conditions.json_empty(column, ctx.dialect)
        if op == "is_not_empty":
            return sa.not_(conditions.json_empty(column, ctx.dialect))
        values = value if isinstance(value, list) else [value]
        ids = conditions.convert_operand(self, values, fdef, ctx) or []
        if op in {"has_any", "contains"}:
            return conditions.json_has_any(column, ids, ctx.dialect)
        if op == "has_all":
            return conditions.json_has_all(column, ids, ctx.dialect)
        if not ids:  # eq []: empty cells are stored as NULL
            return conditions.json_empty(column, ctx.dialect)
        # eq: exactly this set of choices
        return sa.and_(
            conditions.json_has_all(column, ids, ctx.dialect),
            conditions.json_length(column, ctx.dialect) == len(ids),
        )

    def search(
        self, column: ColumnElement[Any], text: str, fdef: FieldDef, ctx: Context
    ) -> ColumnElement[bool] | None:
        ids = [cid for name, cid in by_name(fdef).items() if text.casefold() in name.casefold()]
        return conditions.json_has_any(column, ids, ctx.dialect) if ids else None
