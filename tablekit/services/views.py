"""View configuration: validated, field references stored as ids, indexes for sorts."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import Session

from tablekit.db.models import BaseMeta, TableMeta, ViewMeta
from tablekit.errors import ValidationFailed
from tablekit.fields.base import FieldType
from tablekit.fields.select import COLORS
from tablekit.registry import Registry
from tablekit.services.cellctx import make_context
from tablekit.services.formconfig import FormChecker
from tablekit.storage import physical
from tablekit.storage.query import Compiler
from tablekit.storage.schema import TableSchema, load_schema, schema_of

VIEW_TYPES = ("grid", "form", "kanban", "calendar", "gallery")
MAX_CONFIG_BYTES = 64_000
FIELD_KIND = {
    "stack_field": ({"single_select"}, "a single select"),
    "date_field": ({"date", "datetime", "created_time", "modified_time"}, "a date"),
    "cover_field": ({"attachment"}, "an attachment"),
}


def view_dict(view: ViewMeta) -> dict[str, Any]:
    return {
        "id": view.id,
        "table_id": view.table_id,
        "name": view.name,
        "type": view.type,
        "config": view.config or {},
    }


def invalid(message: str, **details: Any) -> ValidationFailed:
    return ValidationFailed(message, code="INVALID_VIEW_CONFIG", details=details)


def _field_id(schema: TableSchema, ref: Any, where: str) -> int:
    if not isinstance(ref, str | int) or isinstance(ref, bool):
        raise invalid(f"{where}: expected a field name or id")
    found = schema.find(ref)
    if found is None:
        raise ValidationFailed(
            f"{where}: unknown field {ref!r}", code="UNKNOWN_FIELD", details={"field": ref}
        )
    return found.id


def normalize_filter(schema: TableSchema, node: Any) -> Any:
    """The same filter with every field reference replaced by the field's id."""
    if isinstance(node, dict):
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key == "field":
                out[key] = _field_id(schema, value, "filter")
            elif key in ("and", "or") and isinstance(value, list):
                out[key] = [normalize_filter(schema, v) for v in value]
            elif key == "not":
                out[key] = normalize_filter(schema, value)
            else:
                out[key] = value
        return out
    return node


def _sort_list(schema: TableSchema, items: Any, key: str) -> list[dict[str, Any]]:
    if not isinstance(items, list):
        raise invalid(f"{key} must be a list of {{field, direction}}")
    result = []
    for item in items:
        if not isinstance(item, dict) or item.get("direction", "asc") not in ("asc", "desc"):
            raise invalid(f"{key} items are {{field, direction: asc|desc}}")
        result.append(
            {
                "field": _field_id(schema, item.get("field"), key),
                "direction": item.get("direction", "asc"),
            }
        )
    return result


def check_view_config(
    session: Session,
    registry: Registry[FieldType],
    table: TableMeta,
    base: BaseMeta,
    view_type: str,
    config: Any,
) -> dict[str, Any]:
    if view_type not in VIEW_TYPES:
        raise ValidationFailed(
            f"Unknown view type {view_type!r}; use one of {', '.join(VIEW_TYPES)}",
            code="INVALID_VIEW_TYPE",
        )
    if not isinstance(config, dict):
        raise invalid("config must be an object")
    if len(json.dumps(config, default=str)) > MAX_CONFIG_BYTES:
        raise ValidationFailed("The view configuration is too large", code="TOO_LARGE")
    schema = schema_of(session, table)
    out = dict(config)
    tbl = physical.physical_table(schema, registry)
    compiler = Compiler(
        schema,
        tbl,
        registry,
        make_context(session, base, None),
        lambda tid: load_schema(session, tid),
    )
    if config.get("filter") not in (None, {}):
        out["filter"] = normalize_filter(schema, config["filter"])
        compiler.filter(out["filter"])  # raises a precise error if invalid
    for key in ("sort", "group_by"):
        if config.get(key) is not None:
            out[key] = _sort_list(schema, config[key], key)
            compiler.sort_keys(out[key])
    for key in ("hidden_fields", "field_order"):
        if config.get(key) is not None:
            if not isinstance(config[key], list):
                raise invalid(f"{key} must be a list of field ids")
            out[key] = [_field_id(schema, ref, key) for ref in config[key]]
    if config.get("field_widths") is not None:
        widths = config["field_widths"]
        if not isinstance(widths, dict) or not all(
            isinstance(v, int | float) and 20 <= v <= 2000 for v in widths.values()
        ):
            raise invalid("field_widths maps field ids to widths from 20 to 2000 px")
        out["field_widths"] = {
            str(_field_id(schema, int(k) if str(k).isdigit() else k, "field_widths")): v
            for k, v in widths.items()
        }
    if config.get("row_colors") is not None:
        rules = config["row_colors"]
        if not isinstance(rules, list):
            raise invalid("row_colors is a list of {filter, color}")
        out["row_colors"] = []
        for rule in rules:
            if not isinstance(rule, dict) or rule.get("color") not in COLORS:
                raise invalid(f"row_colors items need a color among {', '.join(COLORS)}")
            flt = normalize_filter(schema, rule.get("filter") or {})
            compiler.filter(flt)
            out["row_colors"].append({"filter": flt, "color": rule["color"]})
    for key, (types, label) in FIELD_KIND.items():
        if config.get(key) is not None:
            field_id = _field_id(schema, config[key], key)
            fdef = schema.by_id(field_id)
            assert fdef is not None
            if fdef.type not in types:
                raise invalid(f"{key} must be {label} field", field=fdef.name)
            out[key] = field_id
    if view_type == "kanban" and out.get("stack_field") is None:
        stack = next((f for f in schema.fields if f.type == "single_select"), None)
        if stack is None:
            raise invalid("A kanban view needs a single select field to stack by")
        out["stack_field"] = stack.id
    if view_type == "calendar" and out.get("date_field") is None:
        dated = next((f for f in schema.fields if f.type in FIELD_KIND["date_field"][0]), None)
        if dated is None:
            raise invalid("A calendar view needs a date field")
        out["date_field"] = dated.id
    if config.get("form") is not None:
        out["form"] = _form_checker(session, registry, base).check(schema, config["form"])
    _index_sorts(session, registry, schema, table, out.get("sort") or [])
    return out


def _form_checker(session: Session, registry: Registry[FieldType], base: BaseMeta) -> FormChecker:
    def check_filter(linked: TableSchema, flt: Any) -> Any:
        normalized = normalize_filter(linked, flt)
        tbl = physical.physical_table(linked, registry)
        ctx = make_context(session, base, None)
        Compiler(linked, tbl, registry, ctx, lambda tid: load_schema(session, tid)).filter(
            normalized
        )
        return normalized

    return FormChecker(registry, lambda tid: load_schema(session, tid), _field_id, check_filter)


def _index_sorts(
    session: Session,
    registry: Registry[FieldType],
    schema: TableSchema,
    table: TableMeta,
    sorts: list[dict[str, Any]],
) -> None:
    """The first sort key of a view gets an index so its pages come from an index scan."""
    if not sorts:
        return
    fdef = schema.by_id(sorts[0]["field"])
    if fdef is None:
        return
    ftype = registry.get(fdef.type)
    if ftype.storage == "column" and fdef.type not in (
        "multiple_select",
        "collaborator",
        "attachment",
    ):
        physical.create_sort_index(session.connection(), table.id, fdef.column)
