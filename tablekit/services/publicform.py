"""What a public form shows and accepts, including link pickers and line-item sub-forms.

A visitor without an account may only touch what the form owner put on the form: the
listed fields, for a picker only rows of the linked table that pass the item's filter (and
only their primary field is ever shown), and for a sub-form only new rows of the linked
table, linked to the submitted row. One submission is one transaction: the row and all its
lines, or nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tablekit.db.models import TableMeta, ViewMeta
from tablekit.errors import NotFound, ValidationFailed
from tablekit.fields.base import CellError, FieldDef, FieldType
from tablekit.registry import Registry
from tablekit.services import rowwrite
from tablekit.services.formconfig import DEFAULT_MAX_ROWS, NOT_ON_FORMS
from tablekit.services.rowcodec import CellErrors, EncodedRow, encode_rows
from tablekit.services.rows import RowService
from tablekit.services.rowwrite import Op
from tablekit.storage.schema import TableSchema, load_schema

MAX_CHOICES = 50


@dataclass
class Item:
    """One field on the form (or in a sub-form), resolved against the current schema."""

    fdef: FieldDef
    config: Mapping[str, Any]
    linked: TableSchema | None = None
    lines: list[Item] = field(default_factory=list)

    @property
    def required(self) -> bool:
        return bool(self.config.get("required") or self.fdef.required)

    @property
    def is_subform(self) -> bool:
        return self.fdef.type == "link" and self.config.get("subform") is not None

    @property
    def is_picker(self) -> bool:
        return self.fdef.type == "link" and not self.is_subform

    @property
    def line_bounds(self) -> tuple[int, int]:
        """Fewest and most lines a sub-form takes (a required one at least one)."""
        subform = self.config.get("subform") or {}
        low = max(int(subform.get("min_rows", 0)), 1 if self.required else 0)
        return low, int(subform.get("max_rows", DEFAULT_MAX_ROWS))


class PublicForm:
    """The form of one shared view, read inside an open session."""

    def __init__(
        self,
        session: Session,
        registry: Registry[FieldType],
        rows: RowService,
        view: ViewMeta,
        table: TableMeta,
    ) -> None:
        self.session = session
        self.registry = registry
        self.rows = rows
        self.view = view
        self.table = table
        self.form: Mapping[str, Any] = (view.config or {}).get("form") or {}
        self.op = rows.op_for(session, table, actor_id=None)
        self.items = self._resolve(self.op.schema, self.form.get("fields"), nested=False)

    # --- reading -------------------------------------------------------------------------
    def _resolve(self, schema: TableSchema, configured: Any, nested: bool) -> list[Item]:
        if configured is None:  # a form nobody designed yet: every writable plain field
            configured = [
                {"field_id": f.id}
                for f in schema.fields
                if not self.registry.get(f.type).read_only
                and f.type not in NOT_ON_FORMS
                and f.type != "link"
            ]
        items: list[Item] = []
        for config in configured:
            fdef = schema.by_id(config.get("field_id"))
            if fdef is None or fdef.type in NOT_ON_FORMS:
                continue  # deleted (or retyped) since the form was designed
            if self.registry.get(fdef.type).read_only:
                continue
            item = Item(fdef, config)
            if fdef.type == "link":
                item.linked = load_schema(self.session, int(fdef.options["table_id"]))
                subform = config.get("subform")
                if subform is not None and not nested:
                    item.lines = self._resolve(item.linked, subform.get("fields") or [], True)
                    item.lines = [
                        line
                        for line in item.lines
                        if line.fdef.id != fdef.options.get("reverse_field_id")
                    ]
            items.append(item)
        return items

    def definition(self) -> dict[str, Any]:
        return {
            "title": self.form.get("title") or self.view.name,
            "description": self.form.get("description", ""),
            "submit_label": self.form.get("submit_label", "Submit"),
            "success_message": self.form.get("success_message", "Thank you!"),
            "fields": [self._describe(item) for item in self.items],
        }

    def _describe(self, item: Item) -> dict[str, Any]:
        fdef = item.fdef
        out: dict[str, Any] = {
            "id": fdef.id,
            "name": fdef.name,
            "type": fdef.type,
            "options": dict(fdef.options),
            "description": fdef.description,
            "read_only": False,
            "required": item.required,
            "help": item.config.get("help") or "",
        }
        if item.linked is not None:
            if item.is_subform:
                low, high = item.line_bounds
                out["subform"] = {
                    "table": item.linked.name,
                    "min_rows": low,
                    "max_rows": high,
                    "fields": [self._describe(line) for line in item.lines],
                }
            else:
                out["picker"] = {
                    "table": item.linked.name,
                    "multiple": bool(fdef.options.get("multiple", True)),
                }
        return out

    def _pickers(self) -> dict[int, Item]:
        found: dict[int, Item] = {}
        for item in self.items:
            if item.is_picker:
                found[item.fdef.id] = item
            found.update({line.fdef.id: line for line in item.lines if line.is_picker})
        return found

    def choices(self, field_id: int, search: str | None, limit: int) -> dict[str, Any]:
        """Rows a picker offers: id and the primary field's text, nothing else."""
        item = self._pickers().get(field_id)
        if item is None or item.linked is None:
            raise NotFound("This field is not a picker of this form", code="FIELD_NOT_ON_FORM")
        limit = max(1, min(limit, MAX_CHOICES))
        op = self._linked_op(item)
        primary = op.schema.primary
        flt = self._picker_filter(item, primary, (search or "").strip()[:100])
        sort = [{"field": primary.id, "direction": "asc"}] if primary is not None else None
        fields = [primary] if primary is not None else []
        page = self.rows.page(op, filter=flt, sort=sort, fields=fields, limit=limit, keys="id")
        items = []
        for row in page["rows"]:
            value = row["fields"].get(primary.key) if primary is not None else None
            items.append({"id": row["id"], "label": _label(value, row["id"])})
        return {"items": items}

    def _linked_op(self, item: Item) -> Op:
        assert item.linked is not None
        meta = self.session.get(TableMeta, item.linked.id)
        assert meta is not None
        return self.rows.op_for(self.session, meta, actor_id=None)

    @staticmethod
    def _picker_filter(item: Item, primary: FieldDef | None, search: str) -> Any:
        parts = [item.config["filter"]] if item.config.get("filter") else []
        if search and primary is not None:
            parts.append({"field": primary.id, "op": "contains", "value": search})
        return {"and": parts} if parts else None

    # --- submitting ----------------------------------------------------------------------
    def submit(self, cells: Mapping[str, Any]) -> dict[str, Any]:
        errors = Errors()
        on_form = {item.fdef.id: item for item in self.items}
        plain: dict[str, Any] = {}
        lines: dict[int, list[Mapping[str, Any]]] = {}
        for ref, value in cells.items():
            fdef = self.op.schema.find(ref)
            item = on_form.get(fdef.id) if fdef is not None else None
            if item is None:
                raise ValidationFailed(
                    f"{ref!r} is not a field of this form",
                    code="UNKNOWN_FIELD",
                    details={"field": ref},
                )
            if item.is_subform:
                lines[item.fdef.id] = self._line_values(item, value, errors)
            else:
                if item.is_picker:
                    self._check_picked(item, value, item.fdef.name, errors)
                plain[item.fdef.key] = value
        for item in self.items:
            given = item.fdef.key in plain or item.fdef.id in lines
            if item.is_subform:
                self._check_line_count(item, lines.get(item.fdef.id, []), errors)
            elif item.required and (not given or _empty(plain.get(item.fdef.key))):
                errors.at(item.fdef.name, "is required")
        errors.raise_if_any()
        created: dict[str, list[int]] = {}
        for field_id, values in lines.items():
            item = on_form[field_id]
            ids = self._insert_lines(item, values) if values else []
            plain[item.fdef.key] = ids
            created[item.fdef.name] = ids
        encoded = _encode(self.op, self.registry, plain, None)
        row_ids = rowwrite.insert_rows(self.op, encoded)
        rowwrite.record_created(self.op, row_ids, {"form_view_id": self.view.id})
        self.rows.finish(self.op)
        return {"id": row_ids[0], "lines": created}

    def _line_values(self, item: Item, value: Any, errors: Errors) -> list[Mapping[str, Any]]:
        name = item.fdef.name
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
            errors.at(name, "expected a list of lines, each an object of field values")
            return []
        allowed = {line.fdef.id: line for line in item.lines}
        assert item.linked is not None
        for i, line_cells in enumerate(value):
            for ref, cell in line_cells.items():
                fdef = item.linked.find(ref)
                line = allowed.get(fdef.id) if fdef is not None else None
                if line is None:
                    errors.at(f"{name}[{i}].{ref}", "is not a field of this form")
                elif line.is_picker:
                    self._check_picked(line, cell, f"{name}[{i}].{line.fdef.name}", errors)
            for line in item.lines:
                cell = _cell(item.linked, line_cells, line.fdef)
                if line.required and _empty(cell):
                    errors.at(f"{name}[{i}].{line.fdef.name}", "is required")
        return list(value)

    def _check_line_count(self, item: Item, values: list[Any], errors: Errors) -> None:
        low, high = item.line_bounds
        if len(values) < low:
            errors.at(item.fdef.name, f"needs at least {low} line(s)")
        elif len(values) > high:
            errors.at(item.fdef.name, f"takes at most {high} lines")

    def _check_picked(self, item: Item, value: Any, path: str, errors: Errors) -> None:
        """Only rows the picker offers may be linked: guessing other ids gets nowhere."""
        try:
            ids = self.registry.get("link").to_db(value, item.fdef, self.op.ctx)
        except CellError as exc:
            errors.at(path, exc.message)
            return
        if not ids:
            return
        op = self._linked_op(item)
        flt = self._picker_filter(item, None, "")
        compiler = self.rows.compiler_for(op)
        query = select(op.table.c.id).where(op.table.c.id.in_(ids))
        if flt is not None:
            query = query.where(compiler.filter(flt))
        found = set(self.session.scalars(query))
        if set(ids) - found:
            errors.at(path, "is not one of the choices")

    def _insert_lines(self, item: Item, values: list[Mapping[str, Any]]) -> list[int]:
        op = self._linked_op(item)
        encoded = _encode(op, self.registry, values, item.fdef.name)
        ids = rowwrite.insert_rows(op, encoded)
        rowwrite.record_created(op, ids, {"form_view_id": self.view.id})
        self.rows.finish(op)
        return ids


class Errors(CellErrors):
    """Every problem of one submission, with paths like ``Lines[1].Quantity``."""

    def at(self, path: str, message: str) -> None:
        self.add(0, None, message, path)


def _encode(
    op: Op,
    registry: Registry[FieldType],
    values: Mapping[str, Any] | list[Mapping[str, Any]],
    lines_of: str | None,
) -> list[EncodedRow]:
    """Encode with the row service's rules; errors of lines get their ``Name[i].`` path."""
    batch = [values] if isinstance(values, Mapping) else values
    try:
        return encode_rows(op.schema, registry, batch, op.ctx, creating=True)
    except ValidationFailed as exc:
        if lines_of is None or exc.code != "INVALID_CELL":
            raise
        errors = Errors()
        for problem in (exc.details or {}).get("errors", []):
            errors.at(f"{lines_of}[{problem['row']}].{problem['field']}", problem["message"])
        errors.raise_if_any()
        raise


def _cell(schema: TableSchema, cells: Mapping[str, Any], fdef: FieldDef) -> Any:
    for ref in (fdef.name, fdef.key, str(fdef.id)):
        if ref in cells:
            return cells[ref]
    found = [v for k, v in cells.items() if getattr(schema.find(k), "id", None) == fdef.id]
    return found[0] if found else None


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _label(value: Any, row_id: int) -> str:
    if value is None or value == "":
        return f"#{row_id}"
    if isinstance(value, list):
        return ", ".join(str(v.get("name", v) if isinstance(v, dict) else v) for v in value)
    return str(value)
