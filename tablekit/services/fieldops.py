"""Creating tables, and creating, changing and deleting fields, inside an open write
transaction.

Used by the table service, the field service and imports into a new table (which must
create the table inside the import's own transaction). Every change bumps the table's
``schema_version`` so cached Table objects are rebuilt.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tablekit.db.models import FieldMeta, TableMeta, ViewMeta
from tablekit.errors import Conflict, ValidationFailed
from tablekit.fields.base import FieldDef, FieldType, OptionsContext
from tablekit.fields.system import auto_number_period, render_auto_number
from tablekit.formulas.graph import COMPUTED, check_acyclic
from tablekit.registry import Registry
from tablekit.services.workspaces import clean_name
from tablekit.storage import counters, physical
from tablekit.storage.schema import field_def, schema_of

ALLOWED_FIELD_KEYS = frozenset({"name", "type", "options", "unique", "required", "description"})


def add_table(
    session: Session,
    registry: Registry[FieldType],
    base_id: int,
    name: str,
    specs: list[dict[str, Any]],
) -> TableMeta:
    """A table with its fields (the first that can be primary is primary; a text field
    "Name" is added when none can) and a default grid view; ``name`` must be free."""
    position = (
        session.scalar(select(func.max(TableMeta.position)).where(TableMeta.base_id == base_id))
        or 0
    ) + 1
    table = TableMeta(base_id=base_id, name=name, position=position, schema_version=1)
    session.add(table)
    session.flush()
    physical.create_table(session.connection(), schema_of(session, table), registry)
    for spec in specs:
        if not isinstance(spec, dict):
            raise ValidationFailed("Each field is an object", code="INVALID_FIELD")
        add_field(session, registry, table, spec)
    if table.primary_field_id is None:
        primary = add_field(
            session, registry, table, {"name": free_name(session, table.id, "Name"), "type": "text"}
        )
        primary.position = 0
        table.primary_field_id = primary.id
    session.add(ViewMeta(table_id=table.id, name="Grid", type="grid", config={}, position=1))
    session.flush()
    return table


def check_field_spec(spec: dict[str, Any]) -> None:
    unknown = set(spec) - ALLOWED_FIELD_KEYS
    if unknown:
        raise ValidationFailed(
            f"Unknown field properties: {', '.join(sorted(unknown))}",
            code="UNKNOWN_PROPERTY",
            details={"properties": sorted(unknown)},
        )


def bump(table: TableMeta) -> None:
    table.schema_version = (table.schema_version or 1) + 1


def options_context(
    session: Session, table: TableMeta, field_id: int | None = None
) -> OptionsContext:
    """The base's tables and fields, for validating a field's options."""
    ids = set(session.scalars(select(TableMeta.id).where(TableMeta.base_id == table.base_id)))
    metas = session.scalars(select(FieldMeta).where(FieldMeta.table_id.in_(ids))).all()
    return OptionsContext(
        table_ids=ids,
        table_id=table.id,
        field_id=field_id,
        fields={m.id: field_def(m) for m in metas},
    )


def bump_base(session: Session, base_id: int) -> None:
    """New schema versions for every table of a base: computed fields and links make the
    tables of a base depend on each other, and caches key on these versions."""
    session.flush()
    session.execute(
        sa.update(TableMeta)
        .where(TableMeta.base_id == base_id)
        .values(schema_version=TableMeta.schema_version + 1)
        .execution_options(synchronize_session="fetch")
    )


def check_dependencies(session: Session, table: TableMeta, meta: FieldMeta) -> None:
    """Refuse a computed field that would take part in a circular reference."""
    if meta.type not in COMPUTED:
        return
    session.flush()
    check_acyclic(options_context(session, table).fields, meta.id)


def unique_field_name(
    session: Session, table_id: int, name: str, exclude: int | None = None
) -> str:
    query = select(FieldMeta.id).where(FieldMeta.table_id == table_id, FieldMeta.name == name)
    if exclude is not None:
        query = query.where(FieldMeta.id != exclude)
    if session.scalar(query) is not None:
        raise Conflict(f"A field named {name!r} exists in this table", code="DUPLICATE_NAME")
    return name


def free_name(session: Session, table_id: int, wanted: str) -> str:
    """``wanted``, or ``wanted 2``, ``wanted 3``... whichever is free (for reverse links)."""
    existing = set(session.scalars(select(FieldMeta.name).where(FieldMeta.table_id == table_id)))
    if wanted not in existing:
        return wanted
    n = 2
    while f"{wanted} {n}" in existing:
        n += 1
    return f"{wanted} {n}"


def add_field(
    session: Session,
    registry: Registry[FieldType],
    table: TableMeta,
    spec: dict[str, Any],
) -> FieldMeta:
    """Create a field (its column, junction or reverse link) and return its metadata."""
    check_field_spec(spec)
    name = unique_field_name(session, table.id, clean_name(spec.get("name"), "field"))
    type_key = spec.get("type")
    if not isinstance(type_key, str):
        raise ValidationFailed("A field needs a type", code="INVALID_FIELD_TYPE")
    ftype = registry.get(type_key)
    raw_options = spec.get("options") or {}
    if not isinstance(raw_options, dict):
        raise ValidationFailed("options must be an object", code="INVALID_FIELD_OPTIONS")
    options = ftype.normalize_options(raw_options, options_context(session, table))
    unique = bool(spec.get("unique", False))
    if unique and not ftype.can_be_unique:
        raise ValidationFailed(f"{type_key} fields cannot be unique", code="UNIQUE_NOT_SUPPORTED")
    description = spec.get("description") or ""
    if not isinstance(description, str) or len(description) > 2000:
        raise ValidationFailed(
            "description must be text up to 2000 characters", code="INVALID_DESCRIPTION"
        )
    position = (
        session.scalar(select(func.max(FieldMeta.position)).where(FieldMeta.table_id == table.id))
        or 0
    ) + 1
    meta = FieldMeta(
        table_id=table.id,
        name=name,
        type=type_key,
        options=options,
        unique=unique,
        required=bool(spec.get("required", False)),
        description=description,
        position=position,
    )
    session.add(meta)
    session.flush()
    conn = session.connection()
    fdef = field_def(meta)
    if ftype.storage == "column":
        physical.add_column(conn, table.id, fdef, ftype)
        if unique:
            physical.create_unique_index(conn, table.id, fdef.column)
    if ftype.storage == "junction":
        _create_link_pair(session, registry, table, meta)
    if type_key == "auto_number":
        _number_existing_rows(session, registry, table, fdef)
    if table.primary_field_id is None and ftype.can_be_primary:
        table.primary_field_id = meta.id
    bump(table)
    if type_key in COMPUTED or type_key == "link":
        check_dependencies(session, table, meta)
        bump_base(session, table.base_id)
    return meta


def _create_link_pair(
    session: Session, registry: Registry[FieldType], table: TableMeta, meta: FieldMeta
) -> None:
    target = session.get(TableMeta, meta.options["table_id"])
    assert target is not None  # checked by normalize_options
    reverse = FieldMeta(
        table_id=target.id,
        name=free_name(session, target.id, table.name),
        type="link",
        options={
            "table_id": table.id,
            "multiple": True,
            "reverse_field_id": meta.id,
            "junction": meta.id,
            "side": "b",
        },
        position=(
            session.scalar(
                select(func.max(FieldMeta.position)).where(FieldMeta.table_id == target.id)
            )
            or 0
        )
        + 1,
    )
    session.add(reverse)
    session.flush()
    meta.options = {
        **meta.options,
        "reverse_field_id": reverse.id,
        "junction": meta.id,
        "side": "a",
    }
    physical.create_junction(session.connection(), meta.id, table.id, target.id)
    if target.id != table.id:
        bump(target)


def _number_existing_rows(
    session: Session, registry: Registry[FieldType], table: TableMeta, fdef: FieldDef
) -> None:
    schema = schema_of(session, table)
    t = physical.physical_table(schema, registry)
    fmt = str(fdef.options["format"])
    rows = session.execute(select(t.c.id, t.c.created_at).order_by(t.c.id)).all()
    updates = []
    for row_id, created in rows:
        period = auto_number_period(fmt, created)
        number = counters.advance(session, fdef.id, period, 1)
        updates.append({"_id": row_id, "_v": render_auto_number(fmt, number, created)})
    if updates:
        session.execute(
            sa.update(t)
            .where(t.c.id == sa.bindparam("_id"))
            .values({fdef.column: sa.bindparam("_v")}),
            updates,
            execution_options={"synchronize_session": False},
        )


def delete_field(session: Session, registry: Registry[FieldType], meta: FieldMeta) -> None:
    """Drop a field's storage and metadata (and the reverse side of a link)."""
    table = session.get(TableMeta, meta.table_id)
    assert table is not None
    if table.primary_field_id == meta.id:
        raise Conflict(
            "The primary field cannot be deleted; make another field primary first",
            code="PRIMARY_FIELD",
        )
    ftype = registry.get(meta.type)
    conn = session.connection()
    if ftype.storage == "column":
        physical.drop_field_columns(conn, table.id, field_def(meta), ftype)
    if ftype.storage == "junction":
        physical.drop_junction(conn, int(meta.options["junction"]))
        reverse = session.get(FieldMeta, meta.options.get("reverse_field_id"))
        if reverse is not None and reverse.id != meta.id:
            other = session.get(TableMeta, reverse.table_id)
            session.delete(reverse)
            if other is not None:
                bump(other)
    if meta.type == "auto_number":
        counters.reset(session, meta.id)
    session.delete(meta)
    bump(table)
    bump_base(session, table.base_id)


def now() -> datetime:
    return datetime.now(UTC)
