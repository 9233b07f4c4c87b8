"""The trash for fields, tables and views: deleted schema kept restorable for N days.

Nothing is copied: a deleted field's column, a deleted link's junction and a deleted
table are *renamed* out of the way (``x<item>_f<field>``, ``x<item>_j<junction>``,
``x<item>_t<table>``), so deleting a column of a million rows costs the same as an empty
one and a restore brings back every value, including links. The metadata rows go into
the trash item's payload. Indexes are dropped with the rename (index names are global
in a database) and rebuilt on restore.

Restored objects keep their ids. SQLite databases made before ids became AUTOINCREMENT
can have given a deleted field's or table's id to a new one; the restore then gives the
object a new id and rewrites the references inside what it restores (view
configurations, link options, formulas). Purging (after ``TABLEKIT_TRASH_DAYS``, or
when the trash is emptied) drops what was renamed.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from tablekit.db.models import FieldMeta, TableMeta, TrashItem, ViewMeta, utcnow
from tablekit.errors import Conflict
from tablekit.fields.base import FieldType
from tablekit.interchange.sql import quote
from tablekit.registry import Registry
from tablekit.services import fieldops
from tablekit.storage import counters, physical

CAPABILITY = {"row": "write", "view": "write", "field": "schema", "table": "schema"}
FIELD_COLUMNS = (
    "id",
    "table_id",
    "name",
    "type",
    "options",
    "unique",
    "required",
    "description",
    "position",
)
VIEW_COLUMNS = ("id", "table_id", "name", "type", "config", "position")


def required_capability(kind: str) -> str:
    """The capability a caller needs on the base to restore an item of this kind."""
    return CAPABILITY[kind]


def snap(obj: Any, columns: tuple[str, ...]) -> dict[str, Any]:
    return {c: getattr(obj, c) for c in columns}


def _index_names(conn: Connection, table: str) -> list[str]:
    return [str(i["name"]) for i in sa.inspect(conn).get_indexes(table) if i.get("name")]


def _new_item(
    session: Session, kind: str, base_id: int, table_id: int, label: str, actor_id: int | None
) -> TrashItem:
    item = TrashItem(
        base_id=base_id,
        kind=kind,
        table_id=table_id,
        label=label[:300],
        payload={},
        deleted_by=actor_id,
        deleted_at=utcnow(),
    )
    session.add(item)
    session.flush()
    return item


def _hide_junction(conn: Connection, item_id: int, junction_id: int) -> dict[str, Any]:
    name = f"x{item_id}_j{junction_id}"
    conn.exec_driver_sql(f"DROP INDEX IF EXISTS {quote(conn, f'ix_j_{junction_id}_b')}")
    conn.exec_driver_sql(
        f"ALTER TABLE {quote(conn, physical.junction_name(junction_id))} RENAME TO "
        f"{quote(conn, name)}"
    )
    return {"owner": junction_id, "name": name}


def trash_field(
    session: Session, registry: Registry[FieldType], meta: FieldMeta, actor_id: int | None
) -> TrashItem:
    """Move a field (with the reverse side of a link) to the trash; values stay in place
    under a trash name. Raises Conflict for the primary field."""
    table = session.get(TableMeta, meta.table_id)
    assert table is not None
    if table.primary_field_id == meta.id:
        raise Conflict(
            "The primary field cannot be deleted; make another field primary first",
            code="PRIMARY_FIELD",
        )
    ftype = registry.get(meta.type)
    conn = session.connection()
    item = _new_item(session, "field", table.base_id, table.id, meta.name, actor_id)
    payload: dict[str, Any] = {
        "version": 1,
        "fields": [snap(meta, FIELD_COLUMNS)],
        "columns": [],
        "junction": None,
    }
    if ftype.storage == "column":
        payload["columns"].append(_hide_column(conn, item.id, table.id, meta, ftype))
    if ftype.storage == "junction":
        payload["junction"] = _hide_junction(conn, item.id, int(meta.options["junction"]))
        reverse = session.get(FieldMeta, meta.options.get("reverse_field_id"))
        if reverse is not None and reverse.id != meta.id:
            payload["fields"].append(snap(reverse, FIELD_COLUMNS))
            other = session.get(TableMeta, reverse.table_id)
            session.delete(reverse)
            if other is not None:
                fieldops.bump(other)
    item.payload = payload
    session.delete(meta)
    fieldops.bump(table)
    fieldops.bump_base(session, table.base_id)
    return item


def _hide_column(
    conn: Connection, item_id: int, table_id: int, meta: FieldMeta, ftype: FieldType
) -> dict[str, Any]:
    column = f"f_{meta.id}"
    existing = _index_names(conn, f"t_{table_id}")
    sort_index = physical.sort_index_name(table_id, column) in existing
    physical.drop_indexes_of(conn, table_id, column)
    hidden = f"x{item_id}_f{meta.id}"
    physical.rename_column(conn, table_id, column, hidden)
    error = None
    if ftype.error_column:
        error = f"x{item_id}_e{meta.id}"
        physical.rename_column(conn, table_id, physical.error_column(meta.id), error)
    return {
        "table_id": table_id,
        "field_id": meta.id,
        "column": hidden,
        "error_column": error,
        "unique": bool(meta.unique),
        "sort_index": sort_index,
    }


def trash_table(
    session: Session, registry: Registry[FieldType], table: TableMeta, actor_id: int | None
) -> TrashItem:
    """Move a table to the trash with its fields, views, rows and links (the reverse link
    fields in other tables go with it and come back with it)."""
    conn = session.connection()
    item = _new_item(session, "table", table.base_id, table.id, table.name, actor_id)
    fields = list(session.scalars(sa.select(FieldMeta).where(FieldMeta.table_id == table.id)))
    views = list(session.scalars(sa.select(ViewMeta).where(ViewMeta.table_id == table.id)))
    physical_name = f"t_{table.id}"
    indexes = []
    for name in _index_names(conn, physical_name):
        for kind, prefix in (("unique", f"u_{table.id}_"), ("sort", f"s_{table.id}_")):
            if name.startswith(prefix):
                indexes.append({"kind": kind, "column": name[len(prefix) :]})
                conn.exec_driver_sql(f"DROP INDEX IF EXISTS {quote(conn, name)}")
    junctions: list[dict[str, Any]] = []
    reverses: list[dict[str, Any]] = []
    seen: set[int] = set()
    for meta in fields:
        if registry.get(meta.type).storage != "junction":
            continue
        junction_id = int(meta.options["junction"])
        if junction_id not in seen:
            seen.add(junction_id)
            junctions.append(_hide_junction(conn, item.id, junction_id))
        reverse = session.get(FieldMeta, meta.options.get("reverse_field_id"))
        if reverse is not None and reverse.table_id != table.id:
            reverses.append(snap(reverse, FIELD_COLUMNS))
            other = session.get(TableMeta, reverse.table_id)
            session.delete(reverse)
            if other is not None:
                fieldops.bump(other)
    hidden = f"x{item.id}_t{table.id}"
    conn.exec_driver_sql(
        f"ALTER TABLE {quote(conn, physical_name)} RENAME TO {quote(conn, hidden)}"
    )
    item.payload = {
        "version": 1,
        "table": snap(table, ("id", "name", "position", "primary_field_id", "schema_version")),
        "physical": hidden,
        "fields": [snap(f, FIELD_COLUMNS) for f in fields],
        "reverse_fields": reverses,
        "junctions": junctions,
        "views": [snap(v, VIEW_COLUMNS) for v in views],
        "indexes": indexes,
    }
    for view in views:
        session.delete(view)
    for meta in fields:
        session.delete(meta)
    session.flush()
    session.delete(table)
    session.flush()
    fieldops.bump_base(session, table.base_id)
    return item


def trash_view(session: Session, view: ViewMeta, actor_id: int | None) -> TrashItem:
    """Move a view to the trash (its share links are revoked, not restored)."""
    table = session.get(TableMeta, view.table_id)
    assert table is not None
    item = _new_item(session, "view", table.base_id, table.id, view.name, actor_id)
    item.payload = {"version": 1, "view": snap(view, VIEW_COLUMNS)}
    session.delete(view)
    return item


def purge(session: Session, item: TrashItem) -> None:
    """Delete an item for good, with whatever its restore would have needed."""
    conn = session.connection()
    payload = item.payload or {}
    tables = sa.inspect(conn).get_table_names()
    for column in payload.get("columns", []):
        # The column is in its table, live or itself in the trash (``x<n>_t<id>``).
        suffix = f"_t{column['table_id']}"
        for table in tables:
            if table == f"t_{column['table_id']}" or (
                table.startswith("x") and table.endswith(suffix)
            ):
                names = {c["name"] for c in sa.inspect(conn).get_columns(table)}
                for name in (column["column"], column.get("error_column")):
                    if name in names:
                        conn.exec_driver_sql(
                            f"ALTER TABLE {quote(conn, table)} DROP COLUMN {quote(conn, name)}"
                        )
    drop_hidden_tables(conn, item.id)
    for field in [*payload.get("fields", []), *payload.get("reverse_fields", [])]:
        if field.get("type") == "auto_number":
            counters.reset(session, int(field["id"]))
    if item.kind == "table" and item.table_id is not None:
        session.execute(
            sa.delete(TrashItem).where(
                TrashItem.base_id == item.base_id,
                TrashItem.table_id == item.table_id,
                TrashItem.kind.in_(("row", "field", "view")),
                TrashItem.deleted_at <= item.deleted_at,
            )
        )
    session.delete(item)


def drop_hidden_tables(
    conn: Connection, item_id: int | None = None, keep: set[int] | None = None
) -> int:
    """Drop ``x<item>_*`` tables of one item, or (``keep`` given) of every item not in it."""
    dropped = 0
    for name in sa.inspect(conn).get_table_names():
        if not name.startswith("x") or "_" not in name:
            continue
        owner = name[1:].split("_", 1)[0]
        if not owner.isdigit():
            continue
        if (item_id is not None and int(owner) == item_id) or (
            keep is not None and int(owner) not in keep
        ):
            # CASCADE (PostgreSQL): junctions of other items may still point at this table.
            cascade = " CASCADE" if conn.dialect.name == "postgresql" else ""
            conn.exec_driver_sql(f"DROP TABLE IF EXISTS {quote(conn, name)}{cascade}")
            dropped += 1
    return dropped


def empty_trash(session: Session, base_id: int) -> int:
    """Purge every item of a base's trash (the caller checked the ``schema`` capability)."""
    items = list(
        session.scalars(
            sa.select(TrashItem)
            .where(TrashItem.base_id == base_id, TrashItem.kind != "row")
            .order_by(TrashItem.id.desc())
        )
    )
    for item in items:
        if session.get(TrashItem, item.id) is not None:
            purge(session, item)
    rows = session.execute(
        sa.delete(TrashItem).where(TrashItem.base_id == base_id, TrashItem.kind == "row")
    )
    return len(items) + int(getattr(rows, "rowcount", 0) or 0)


def purge_expired(session: Session, days: int) -> int:
    """Purge items deleted more than ``days`` ago, and hidden tables whose item is gone
    (a deleted base takes its trash items with it, not its renamed tables)."""
    cutoff = utcnow() - timedelta(days=days)
    items = list(
        session.scalars(
            sa.select(TrashItem)
            .where(TrashItem.deleted_at < cutoff, TrashItem.kind != "row")
            .order_by(TrashItem.id.desc())
        )
    )
    for item in items:
        if session.get(TrashItem, item.id) is not None:
            purge(session, item)
    rows = session.execute(
        sa.delete(TrashItem).where(TrashItem.deleted_at < cutoff, TrashItem.kind == "row")
    )
    keep = set(session.scalars(sa.select(TrashItem.id)))
    drop_hidden_tables(session.connection(), keep=keep)
    return len(items) + int(getattr(rows, "rowcount", 0) or 0)
