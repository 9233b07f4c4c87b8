"""Links between rows, and the button field.

A link pair (a field and its reverse in the other table) shares one junction table
``j_<owner field id>`` with columns ``a`` (rows of the owner's table) and ``b`` (rows of the
linked table). Reading, writing and filtering links is done by the storage layer in one
query per field per page; this class validates options and cell values.
"""

from __future__ import annotations

from typing import Any

from tablekit.fields.base import (
    EMPTY_OPS,
    CellError,
    Context,
    FieldDef,
    FieldType,
    OptionsContext,
    options_error,
)

MAX_LINKS_PER_CELL = 10_000


class LinkField(FieldType):
    type = "link"
    label = "Link to another record"
    storage = "junction"
    sortable = False
    can_be_primary = False
    operators = frozenset({"has_any", "has_all", "contains", "not_contains"} | EMPTY_OPS)

    def normalize_options(self, options: Any, ctx: OptionsContext) -> dict[str, Any]:
        table_id = options.get("table_id")
        if not isinstance(table_id, int) or table_id not in ctx.table_ids:
            raise options_error(
                "table_id must be the id of a table in the same base", option="table_id"
            )
        multiple = options.get("multiple", True)
        if not isinstance(multiple, bool):
            raise options_error("multiple must be true or false", option="multiple")
        kept = {k: options[k] for k in ("reverse_field_id", "junction", "side") if k in options}
        return {"table_id": table_id, "multiple": multiple, **kept}

    def to_db(self, value: Any, fdef: FieldDef, ctx: Context) -> Any:
        """A list of distinct linked row ids (existence is checked by the row service)."""
        if value is None or value == "" or value == []:
            return []
        if not isinstance(value, list):
            value = [value]
        if len(value) > MAX_LINKS_PER_CELL:
            raise CellError(f"at most {MAX_LINKS_PER_CELL} links per cell")
        ids: list[int] = []
        for item in value:
            if isinstance(item, dict):
                item = item.get("id")
            if isinstance(item, bool) or not isinstance(item, int | str):
                raise CellError("expected a list of row ids")
            try:
                row_id = int(item)
            except ValueError:
                raise CellError(f"{item!r} is not a row id") from None
            if row_id not in ids:
                ids.append(row_id)
        if not fdef.options.get("multiple", True) and len(ids) > 1:
            raise CellError("this field links to one record only")
        return ids

    def is_empty_value(self, value: Any) -> bool:
        return not value


class ButtonField(FieldType):
    type = "button"
    label = "Button"
    storage = "none"
    read_only = True
    sortable = False
    can_be_primary = False
    operators = frozenset()

    def normalize_options(self, options: Any, ctx: OptionsContext) -> dict[str, Any]:
        label = options.get("label", "Run")
        if not isinstance(label, str) or not label.strip() or len(label) > 60:
            raise options_error("label must be text of 1 to 60 characters", option="label")
        rule_id = options.get("rule_id")
        if rule_id is not None and not isinstance(rule_id, int):
            raise options_error("rule_id must be a rule id", option="rule_id")
        return {**options, "label": label.strip(), "rule_id": rule_id}

    def from_db(self, value: Any, fdef: FieldDef, ctx: Context) -> Any:
        return None
