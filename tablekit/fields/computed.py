"""Computed fields: formula, lookup, rollup and count.

Their results are stored in typed columns (so views filter and sort them with indexes) and
refreshed by ``tablekit.formulas.recalc``. A failed cell keeps its value column NULL and
its error in the companion column ``e_<id>``; the API shows ``{"error", "message"}``.
Filtering, sorting and formatting delegate to the plain field type of the result.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import TypeEngine

from tablekit.db.models import JSONType
from tablekit.fields import conditions
from tablekit.fields.base import (
    EMPTY_OPS,
    CellError,
    Context,
    FieldDef,
    FieldType,
    OptionsContext,
    options_error,
)
from tablekit.fields.boolean import CheckboxField
from tablekit.fields.dates import DateField, DateTimeField
from tablekit.fields.number import CurrencyField, NumberField
from tablekit.fields.text import TextField

RESULT_TYPES: dict[str, FieldType] = {
    "number": NumberField(),
    "currency": CurrencyField(),
    "text": TextField(),
    "date": DateField(),
    "datetime": DateTimeField(),
    "checkbox": CheckboxField(),
}
AGGREGATES = ("sum", "count", "min", "max", "average", "concatenate", "unique")
LIST_OPS = frozenset({"has_any", "has_all", "contains"} | EMPTY_OPS)


def error_cell(raw: Any) -> dict[str, str] | None:
    """The API form of a stored error (``e_<id>`` column), or None."""
    if not raw:
        return None
    try:
        data = json.loads(raw)
        return {"error": str(data["error"]), "message": str(data.get("message", ""))}
    except (ValueError, KeyError, TypeError):
        return {"error": "#ERROR!", "message": str(raw)}


def _precision(options: Mapping[str, Any], default: int) -> int:
    value = options.get("precision", default)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 8:
        raise options_error("precision must be an integer from 0 to 8", option="precision")
    return value


class ComputedField(FieldType):
    """Shared behaviour: read-only, stored, with an error column and a result type."""

    read_only = True
    error_column = True
    list_result: ClassVar[bool] = False

    def __init__(self) -> None:
        # Stand-in field definitions per (field, result type, format): built once, since
        # every cell of a recalculation needs one.
        self._proxies: dict[tuple[Any, ...], FieldDef] = {}

    def result_type(self, fdef: FieldDef) -> str:
        return str(fdef.options.get("result_type", "text"))

    def proxy(self, fdef: FieldDef) -> tuple[FieldType, FieldDef]:
        """The plain field type (and a stand-in field) this result behaves like."""
        kind = self.result_type(fdef)
        key = (
            fdef.id,
            kind,
            fdef.options.get("precision"),
            fdef.options.get("currency"),
            fdef.options.get("time_zone"),
        )
        stand_in = self._proxies.get(key)
        if stand_in is None:
            stand_in = replace(fdef, type=kind)
            if len(self._proxies) > 10_000:
                self._proxies.clear()
            self._proxies[key] = stand_in
        return RESULT_TYPES.get(kind, RESULT_TYPES["text"]), stand_in

    def is_list(self, fdef: FieldDef) -> bool:
        return self.list_result

    def column_type(self, fdef: FieldDef) -> TypeEngine[Any]:
        if self.is_list(fdef):
            return JSONType
        ftype, proxy = self.proxy(fdef)
        return ftype.column_type(proxy)

    def operators_for(self, fdef: FieldDef) -> frozenset[str]:
        if self.is_list(fdef):
            return LIST_OPS
        ftype, proxy = self.proxy(fdef)
        return ftype.operators_for(proxy)

    def is_sortable(self, fdef: FieldDef) -> bool:
        return not self.is_list(fdef)

    def to_db(self, value: Any, fdef: FieldDef, ctx: Context) -> Any:
        """Converts a computed result (or a filter operand) to the stored form."""
        if self.is_list(fdef):
            if value is None:
                return None
            return list(value) if isinstance(value, list | tuple) else [value]
        ftype, proxy = self.proxy(fdef)
        if isinstance(value, bool) and self.result_type(fdef) in ("number", "currency"):
            value = int(value)
        return ftype.to_db(value, proxy, ctx)

    def from_db(self, value: Any, fdef: FieldDef, ctx: Context) -> Any:
        if self.is_list(fdef):
            return list(value) if value else []
        ftype, proxy = self.proxy(fdef)
        if value is None and self.result_type(fdef) == "checkbox":
            return None
        return ftype.from_db(value, proxy, ctx)

    def to_text(self, value: Any, fdef: FieldDef) -> str:
        if isinstance(value, dict) and "error" in value:
            return str(value["error"])
        return super().to_text(value, fdef)

    def filter(
        self, column: ColumnElement[Any], op: str, value: Any, fdef: FieldDef, ctx: Context
    ) -> ColumnElement[bool]:
        if not self.is_list(fdef):
            ftype, proxy = self.proxy(fdef)
            return ftype.filter(column, op, value, proxy, ctx)
        if op == "is_empty":
            return conditions.json_empty(column, ctx.dialect)
        if op == "is_not_empty":
            return sa.not_(conditions.json_empty(column, ctx.dialect))
        if op == "contains":
            return conditions.contains(sa.cast(column, sa.Text()), str(value))
        values = value if isinstance(value, list) else [value]
        if op == "has_any":
            return conditions.json_has_any(column, values, ctx.dialect)
        return conditions.json_has_all(column, values, ctx.dialect)

    def sort_expression(self, column: ColumnElement[Any], fdef: FieldDef) -> ColumnElement[Any]:
        return column

    def search(
        self, column: ColumnElement[Any], text: str, fdef: FieldDef, ctx: Context
    ) -> ColumnElement[bool] | None:
        if self.is_list(fdef) or self.result_type(fdef) == "text":
            return conditions.contains(sa.cast(column, sa.Text()), text)
        return None

    def from_text(self, text: str, fdef: FieldDef, ctx: Context) -> Any:
        raise CellError("computed fields are calculated, not typed in")


def _link(ctx: OptionsContext, options: Mapping[str, Any]) -> FieldDef:
    link = ctx.resolve(ctx.table_id, options.get("link_field"))
    if link is None or link.type != "link":
        raise options_error("link_field must be a link field of this table", option="link_field")
    return link


def _target(ctx: OptionsContext, link: FieldDef, ref: Any, option: str) -> FieldDef:
    target = ctx.resolve(int(link.options["table_id"]), ref)
    if target is None:
        raise options_error(f"{option} must be a field of the linked table", option=option)
    return target


def _value_kind(ref: FieldDef) -> str:
    """The kind of value a field feeds into a formula (a lookup: its target's kind)."""
    if ref.type in ("formula", "rollup"):
        return str(ref.options.get("result_type", "text"))
    if ref.type == "lookup":
        return str(ref.options.get("target_type", "text"))
    return ref.type


def normalize_filter(ctx: OptionsContext, table_id: int, node: Any, depth: int = 0) -> Any:
    """A condition on linked rows with field references resolved to ids."""
    if depth > 8:
        raise options_error("the filter nests too deeply", option="filter")
    if node in (None, {}):
        return None
    if not isinstance(node, dict):
        raise options_error("filter must be an object like a view filter", option="filter")
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "field":
            found = ctx.resolve(table_id, value)
            if found is None:
                raise options_error(
                    f"filter: unknown field {value!r} in the linked table", option="filter"
                )
            out[key] = found.id
        elif key in ("and", "or"):
            if not isinstance(value, list):
                raise options_error(f"filter: {key} takes a list", option="filter")
            out[key] = [normalize_filter(ctx, table_id, v, depth + 1) for v in value]
        else:
            out[key] = value
    return out


def filter_field_ids(node: Any) -> set[int]:
    if isinstance(node, dict):
        found = {int(node["field"])} if "field" in node else set()
        for key in ("and", "or"):
            for child in node.get(key) or []:
                found |= filter_field_ids(child)
        return found
    return set()


class FormulaField(ComputedField):
    type = "formula"
    label = "Formula"

    def normalize_options(self, options: Mapping[str, Any], ctx: OptionsContext) -> dict[str, Any]:
        from tablekit.formulas import infer_type, parse_formula

        text = options.get("formula")
        if not isinstance(text, str) or not text.strip():
            raise options_error("a formula field needs a formula", option="formula")

        def resolve(ref: str) -> str | None:
            found = ctx.resolve(ctx.table_id, ref)
            return found.key if found is not None else None

        parsed = parse_formula(text, resolve)
        if ctx.field_id is not None and f"f_{ctx.field_id}" in parsed.field_ids:
            raise options_error("a formula cannot refer to its own field", option="formula")
        types = {}
        for key in parsed.field_ids:
            ref = ctx.fields.get(int(key[2:]))
            if ref is not None:
                types[key] = _value_kind(ref)
        # A stored result type is only a declaration if the user made it one; otherwise
        # it was inferred and is inferred again (so options round-trip unchanged).
        declared = options.get("result_type") if options.get("result_type_declared", True) else None
        if declared is not None and declared not in RESULT_TYPES:
            raise options_error(
                f"result_type must be one of {', '.join(RESULT_TYPES)}", option="result_type"
            )
        result_type = declared or infer_type(parsed, types)
        out: dict[str, Any] = {
            "formula": parsed.source,
            "result_type": result_type,
            "result_type_declared": declared is not None,
        }
        if result_type in ("number", "currency"):
            out["precision"] = _precision(options, 2 if result_type == "currency" else 4)
        if result_type == "currency":
            currency = options.get("currency") or next(
                (
                    ctx.fields[int(k[2:])].options.get("currency")
                    for k in sorted(parsed.field_ids)
                    if int(k[2:]) in ctx.fields and ctx.fields[int(k[2:])].options.get("currency")
                ),
                "EUR",
            )
            out["currency"] = currency
        return out


class LookupField(ComputedField):
    type = "lookup"
    label = "Lookup"
    list_result = True
    can_be_primary = False

    def normalize_options(self, options: Mapping[str, Any], ctx: OptionsContext) -> dict[str, Any]:
        link = _link(ctx, options)
        target = _target(ctx, link, options.get("target_field"), "target_field")
        return {"link_field": link.id, "target_field": target.id, "target_type": target.type}


class RollupField(ComputedField):
    type = "rollup"
    label = "Rollup"
    can_be_primary = False

    def is_list(self, fdef: FieldDef) -> bool:
        return fdef.options.get("aggregate") == "unique"

    def normalize_options(self, options: Mapping[str, Any], ctx: OptionsContext) -> dict[str, Any]:
        link = _link(ctx, options)
        target = _target(ctx, link, options.get("target_field"), "target_field")
        aggregate = options.get("aggregate", "sum")
        if aggregate not in AGGREGATES:
            raise options_error(
                f"aggregate must be one of {', '.join(AGGREGATES)}", option="aggregate"
            )
        kind = (
            target.options.get("result_type", target.type)
            if target.type in ("formula", "rollup")
            else target.type
        )
        if aggregate == "count":
            result = "number"
        elif aggregate in ("concatenate", "unique"):
            result = "text"
        elif aggregate in ("min", "max") and kind in ("date", "datetime"):
            result = kind
        elif aggregate in ("sum", "average", "min", "max"):
            if kind not in ("number", "currency", "percent", "rating", "duration", "count"):
                raise options_error(
                    f"{aggregate} needs a numeric field; {target.name!r} is {kind}",
                    option="target_field",
                )
            result = "currency" if kind == "currency" else "number"
        else:
            result = "text"
        out: dict[str, Any] = {
            "link_field": link.id,
            "target_field": target.id,
            "aggregate": aggregate,
            "result_type": result,
            "filter": normalize_filter(ctx, int(link.options["table_id"]), options.get("filter")),
        }
        if result in ("number", "currency"):
            out["precision"] = _precision(options, 0 if aggregate == "count" else 2)
        if result == "currency":
            out["currency"] = options.get("currency") or target.options.get("currency", "EUR")
        return out


class CountField(ComputedField):
    type = "count"
    label = "Count"
    can_be_primary = False

    def result_type(self, fdef: FieldDef) -> str:
        return "number"

    def normalize_options(self, options: Mapping[str, Any], ctx: OptionsContext) -> dict[str, Any]:
        link = _link(ctx, options)
        return {
            "link_field": link.id,
            "result_type": "number",
            "precision": 0,
            "filter": normalize_filter(ctx, int(link.options["table_id"]), options.get("filter")),
        }


def dependencies(fdef: FieldDef, fields: Mapping[int, FieldDef]) -> set[int]:
    """Field ids a computed field reads (same table, and through its link the other one)."""
    if fdef.type == "formula":
        from tablekit.formulas import parse_formula, resolve_id
        from tablekit.formulas.errors import FormulaError

        try:
            parsed = parse_formula(str(fdef.options.get("formula", "")), resolve_id)
        except FormulaError:
            return set()
        return {int(k[2:]) for k in parsed.field_ids}
    deps: set[int] = set()
    if fdef.options.get("link_field") is not None:
        deps.add(int(fdef.options["link_field"]))
    if fdef.options.get("target_field") is not None:
        deps.add(int(fdef.options["target_field"]))
    deps |= filter_field_ids(fdef.options.get("filter"))
    return deps
