"""Which file column goes into which field, and how its text becomes a stored value.

The plan is built before a single row is read, so a bad mapping (an unknown or read-only
field, a required field left out, an unusable key) is refused at once with a 422 rather
than from inside a job.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tablekit.db.models import TableMeta
from tablekit.errors import ValidationFailed
from tablekit.fields.base import CellError, FieldDef, FieldType
from tablekit.fields.select import normalize_choices
from tablekit.interchange.bulk import RowInserter
from tablekit.interchange.convert import Converter, link_converter, memoized, plain_converter
from tablekit.registry import Registry
from tablekit.services import fieldops
from tablekit.services.events import TABLE_CHANGED, Event, emit
from tablekit.services.rowwrite import Op
from tablekit.services.workspaces import clean_name
from tablekit.storage.schema import TableSchema

NEW_TABLE_EXCLUDED = frozenset({"link", "button", "attachment"})
NOT_KEYS = frozenset({"multiple_select", "collaborator", "attachment", "link"})
MAX_NEW_CHOICES = 1000


@dataclass
class ColumnPlan:
    """One imported column: where it comes from, where it goes, how it converts."""

    source: int
    column: str
    fdef: FieldDef
    position: int | None  # index in the insert row; None for link columns
    convert: Converter  # text → value as the driver receives it (links: row ids)
    raw: Converter  # text → stored value, for updates through rowwrite


@dataclass
class Plan:
    columns: list[ColumnPlan]
    keys: list[ColumnPlan] = field(default_factory=list)
    new_choices: dict[int, dict[str, str]] = field(default_factory=dict)

    @property
    def unique(self) -> list[ColumnPlan]:
        return [c for c in self.columns if c.fdef.unique and c.position is not None]


def _error(message: str, code: str, **details: Any) -> ValidationFailed:
    return ValidationFailed(message, code=code, details=details)


def resolve_mapping(
    header: Sequence[str],
    schema: TableSchema,
    registry: Registry[FieldType],
    mapping: Mapping[str, str | int | None] | None,
) -> list[tuple[int, FieldDef]]:
    """(column index, field) pairs: the explicit mapping, else columns whose name matches
    a writable field (exactly, then ignoring case)."""
    index = {name: i for i, name in enumerate(header)}
    pairs: list[tuple[int, FieldDef]] = []
    if mapping is None:
        by_name = {f.name: f for f in schema.fields}
        folded = {f.name.casefold(): f for f in schema.fields}
        for i, name in enumerate(header):
            fdef = by_name.get(name) or folded.get(name.casefold())
            if fdef is not None and _importable(registry, fdef):
                pairs.append((i, fdef))
    else:
        for column, ref in mapping.items():
            if column not in index:
                raise _error(
                    f"The file has no column {column!r}",
                    "IMPORT_UNKNOWN_COLUMN",
                    column=column,
                    columns=list(header),
                )
            if ref is None:
                continue
            fdef = schema.find(ref)
            if fdef is None:
                raise _error(f"Unknown field {ref!r}", "UNKNOWN_FIELD", field=ref)
            if not _importable(registry, fdef):
                raise _error(
                    f"{fdef.name!r} cannot be imported into ({fdef.type})",
                    "IMPORT_FIELD_READ_ONLY",
                    field=fdef.name,
                )
            pairs.append((index[column], fdef))
    seen: set[int] = set()
    for _, fdef in pairs:
        if fdef.id in seen:
            raise _error(
                f"Two columns go into {fdef.name!r}", "IMPORT_DUPLICATE_MAPPING", field=fdef.name
            )
        seen.add(fdef.id)
    if not pairs:
        raise _error(
            "No column of the file matches a field; give a mapping",
            "IMPORT_NOTHING_MAPPED",
            columns=list(header),
        )
    return sorted(pairs)


def _importable(registry: Registry[FieldType], fdef: FieldDef) -> bool:
    ftype = registry.get(fdef.type)
    return not ftype.read_only and (ftype.storage in ("column", "junction"))


def build_plan(
    op: Op,
    inserter: RowInserter,
    header: Sequence[str],
    mapping: Mapping[str, str | int | None] | None,
    key_fields: Sequence[str] | None,
    dynamic_choices: bool = False,
) -> Plan:
    registry = op.registry
    pairs = resolve_mapping(header, op.schema, registry, mapping)
    mapped = {fdef.id for _, fdef in pairs}
    plan = Plan(columns=[])
    for source, fdef in pairs:
        ftype = registry.get(fdef.type)
        if ftype.storage == "junction":
            target = op.load_schema(int(fdef.options["table_id"]))
            convert = link_converter(op.session, fdef, target, registry, op.ctx)
            raw = convert
            position = None
        else:
            base = plain_converter(fdef, ftype, op.ctx)
            if dynamic_choices and fdef.type in ("single_select", "multiple_select"):
                base = _choice_converter(fdef, plan.new_choices.setdefault(fdef.id, {}))
            raw = memoized(base)
            convert = _for_driver(base, inserter, fdef, ftype)
            position = inserter.position[fdef.id]
        plan.columns.append(ColumnPlan(source, header[source], fdef, position, convert, raw))
    missing = [
        f.name
        for f in op.schema.fields
        if f.required and f.id not in mapped and not registry.get(f.type).read_only
    ]
    if missing:
        raise _error(
            f"Required field(s) {', '.join(missing)} are not mapped to a column",
            "IMPORT_REQUIRED_NOT_MAPPED",
            fields=missing,
        )
    for ref in key_fields or []:
        wanted = op.schema.find(ref)
        column = next((c for c in plan.columns if wanted and c.fdef.id == wanted.id), None)
        if column is None:
            raise _error(
                f"Key field {ref!r} is not mapped to a column", "INVALID_KEY_FIELDS", field=ref
            )
        if column.fdef.type in NOT_KEYS:
            raise _error(
                f"{column.fdef.name!r} cannot be an upsert key",
                "INVALID_KEY_FIELDS",
                field=column.fdef.name,
            )
        plan.keys.append(column)
    return plan


def _for_driver(
    raw: Converter, inserter: RowInserter, fdef: FieldDef, ftype: FieldType
) -> Converter:
    processor = inserter.processors[fdef.id]
    required = fdef.required
    if processor is None and not required:
        return memoized(raw)

    def convert(text: str) -> Any:
        value = raw(text)
        if required and ftype.is_empty_value(value):
            raise CellError("is required")
        return processor(value) if processor is not None and value is not None else value

    return memoized(convert)


def _choice_converter(fdef: FieldDef, choices: dict[str, str]) -> Converter:
    """Select cells of a new table: every value becomes a choice (ids kept per name)."""
    for choice in fdef.options.get("choices", []):
        choices[choice["name"]] = choice["id"]
    folded = {name.casefold(): cid for name, cid in choices.items()}

    def choice_id(name: str) -> str:
        cid = choices.get(name) or folded.get(name.casefold())
        if cid is None:
            if len(choices) >= MAX_NEW_CHOICES or len(name) > 200:
                raise CellError(
                    f"more than {MAX_NEW_CHOICES} different values (or one over 200 "
                    "characters); import this column as text"
                )
            cid = choices[name] = folded[name.casefold()] = f"c{secrets.token_hex(4)}"
        return cid

    def convert(text: str) -> Any:
        if fdef.type == "single_select":
            return choice_id(text.strip()) if text.strip() else None
        ids = list(dict.fromkeys(choice_id(p.strip()) for p in text.split(",") if p.strip()))
        return ids or None

    return convert


def save_new_choices(session: Session, op: Op, plan: Plan) -> None:
    """Write the choices met while importing into the new table's select fields."""
    from tablekit.db.models import FieldMeta

    for field_id, choices in plan.new_choices.items():
        meta = session.get(FieldMeta, field_id)
        if meta is None:
            continue
        meta.options = normalize_choices(
            {
                **(meta.options or {}),
                "choices": [{"id": cid, "name": name} for name, cid in choices.items()],
            }
        )
    if plan.new_choices:
        fieldops.bump(op.table_meta)


def create_table(
    session: Session,
    registry: Registry[FieldType],
    base_id: int,
    name: str,
    specs: list[dict[str, Any]],
    actor_id: int | None,
) -> TableMeta:
    """A new table with the given fields and a grid view, inside the import's transaction
    (the schema service's ``create_table`` commits on its own, so a failed import would
    leave an empty table behind)."""
    wanted = clean_name(name, "table")
    taken = set(session.scalars(select(TableMeta.name).where(TableMeta.base_id == base_id)))
    final, n = wanted, 2
    while final in taken:
        final = f"{wanted} ({n})"
        n += 1
    table = fieldops.add_table(session, registry, base_id, final, specs)
    emit(
        session,
        [
            Event(
                TABLE_CHANGED,
                base_id,
                table.id,
                actor_id=actor_id,
                payload={"action": "created", "import": True},
            )
        ],
    )
    return table


def new_table_specs(
    columns: Sequence[dict[str, Any]],
    types: Mapping[str, str] | None,
    registry: Registry[FieldType],
) -> list[dict[str, Any]]:
    """Field specs for a new table from the detected columns and the user's overrides
    (``types``: column → field type, or ``"skip"``)."""
    specs = []
    for column in columns:
        wanted = (types or {}).get(column["name"], column["type"])
        if wanted == "skip":
            continue
        ftype = registry.get(wanted)
        if ftype.read_only or ftype.storage not in ("column",) or wanted in NEW_TABLE_EXCLUDED:
            raise _error(
                f"Column {column['name']!r} cannot become a {wanted} field",
                "IMPORT_FIELD_TYPE",
                column=column["name"],
                type=wanted,
            )
        options = column["options"] if wanted == column["type"] else {}
        specs.append({"name": column["name"], "type": wanted, "options": options})
    if not specs:
        raise _error("Every column is skipped; nothing to import", "IMPORT_NOTHING_MAPPED")
    return specs
