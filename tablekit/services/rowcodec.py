"""Turning API cells into stored values and stored rows back into API rows."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Row
from sqlalchemy.orm import Session

from tablekit.errors import ValidationFailed
from tablekit.fields.base import CellError, Context, FieldDef, FieldType
from tablekit.fields.computed import error_cell
from tablekit.registry import Registry
from tablekit.storage import links
from tablekit.storage.schema import TableSchema


@dataclass
class EncodedRow:
    """One input row: stored column values and link targets, per field id."""

    columns: dict[str, Any] = field(default_factory=dict)
    links: dict[int, list[int]] = field(default_factory=dict)
    given: set[int] = field(default_factory=set)


class CellErrors:
    """Collects every invalid cell of a batch, so one answer lists them all."""

    LIMIT = 100

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []

    def add(self, row: int, fdef: FieldDef | None, message: str, ref: Any = None) -> None:
        if len(self.items) < self.LIMIT:
            self.items.append({"row": row, "field": fdef.name if fdef else ref, "message": message})

    def raise_if_any(self) -> None:
        if self.items:
            first = self.items[0]
            raise ValidationFailed(
                f"Row {first['row']}, field {first['field']!r}: {first['message']}"
                + (f" (and {len(self.items) - 1} more)" if len(self.items) > 1 else ""),
                code="INVALID_CELL",
                details={"errors": self.items},
            )


def encode_rows(
    schema: TableSchema,
    registry: Registry[FieldType],
    inputs: Sequence[Mapping[str, Any]],
    ctx: Context,
    *,
    creating: bool,
    allow_read_only: bool = False,
) -> list[EncodedRow]:
    """Validate and convert a batch; raises one ValidationFailed listing every bad cell."""
    errors = CellErrors()
    encoded: list[EncodedRow] = []
    resolved: dict[str, FieldDef | None] = {}
    for index, cells in enumerate(inputs):
        row = EncodedRow()
        if not isinstance(cells, Mapping):
            errors.add(index, None, "fields must be an object")
            encoded.append(row)
            continue
        for ref, value in cells.items():
            if ref not in resolved:
                resolved[ref] = schema.find(ref)
            fdef = resolved[ref]
            if fdef is None:
                errors.add(index, None, f"unknown field {ref!r}", ref)
                continue
            ftype = registry.get(fdef.type)
            if ftype.read_only and not allow_read_only:
                errors.add(index, fdef, f"{fdef.type} fields are read-only")
                continue
            if fdef.id in row.given:
                errors.add(index, fdef, "given twice (by name and by id)")
                continue
            try:
                stored = ftype.to_db(value, fdef, ctx)
            except CellError as exc:
                errors.add(index, fdef, exc.message)
                continue
            row.given.add(fdef.id)
            if ftype.storage == "junction":
                row.links[fdef.id] = stored
            elif ftype.storage == "column":
                row.columns[fdef.column] = stored
        for fdef in schema.fields:
            if not fdef.required:
                continue
            ftype = registry.get(fdef.type)
            if ftype.read_only:
                continue  # the system fills it in; nobody can give it
            given = fdef.id in row.given
            if (creating and not given) or (
                given
                and ftype.is_empty_value(
                    row.links.get(fdef.id)
                    if ftype.storage == "junction"
                    else row.columns.get(fdef.column)
                )
            ):
                errors.add(index, fdef, "is required")
        encoded.append(row)
    errors.raise_if_any()
    return encoded


class RowDecoder:
    """Decodes a page of stored rows, loading link cells with one query per link field."""

    def __init__(
        self,
        session: Session,
        schema: TableSchema,
        registry: Registry[FieldType],
        ctx: Context,
        load_schema: Callable[[int], TableSchema],
        fields: Sequence[FieldDef] | None = None,
        keys: str = "name",
    ) -> None:
        self.session = session
        self.schema = schema
        self.registry = registry
        self.ctx = ctx
        self.load_schema = load_schema
        self.fields = list(fields) if fields is not None else list(schema.fields)
        self.keys = keys

    def key(self, fdef: FieldDef) -> str:
        return fdef.key if self.keys == "id" else fdef.name

    def decode(self, rows: Sequence[Row[Any]]) -> list[dict[str, Any]]:
        ids = [r.id for r in rows]
        link_values: dict[int, dict[int, list[dict[str, Any]]]] = {}
        for fdef in self.fields:
            if self.registry.get(fdef.type).storage == "junction":
                target = self.load_schema(int(fdef.options["table_id"]))
                link_values[fdef.id] = links.read_links(
                    self.session, fdef, ids, target, self.registry, self.ctx
                )
        plan: list[tuple[str, FieldDef, FieldType, str | None]] = []
        for fdef in self.fields:
            ftype = self.registry.get(fdef.type)
            if ftype.storage == "column":
                plan.append((self.key(fdef), fdef, ftype, fdef.column))
            elif ftype.storage == "system":
                plan.append((self.key(fdef), fdef, ftype, ftype.system_column(fdef)))
            else:
                plan.append((self.key(fdef), fdef, ftype, None))
        result = []
        for row in rows:
            mapping = row._mapping
            cells: dict[str, Any] = {}
            for key, fdef, ftype, column in plan:
                if column is not None:
                    if ftype.error_column and mapping.get(f"e_{fdef.id}"):
                        cells[key] = error_cell(mapping[f"e_{fdef.id}"])
                        continue
                    cells[key] = ftype.from_db(mapping[column], fdef, self.ctx)
                elif fdef.id in link_values:
                    cells[key] = link_values[fdef.id].get(row.id, [])
                else:
                    cells[key] = None
            result.append(
                {
                    "id": row.id,
                    "version": mapping["version"],
                    "created_at": mapping["created_at"].isoformat(),
                    "updated_at": mapping["updated_at"].isoformat(),
                    "fields": cells,
                }
            )
        return result
