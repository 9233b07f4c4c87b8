"""Restoring fields, tables and views from the trash (see ``trash_schema``).

Objects come back with their old ids when those are free (always, unless an SQLite
database made before ids became AUTOINCREMENT gave the id to something new); otherwise
the object gets a new id and the references inside what is restored are rewritten
through one id map.
"""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from tablekit.db.models import BaseMeta, Counter, FieldMeta, TableMeta, TrashItem, ViewMeta
from tablekit.errors import Conflict, TableKitError
from tablekit.fields.base import FieldType
from tablekit.interchange.sql import quote
from tablekit.interchange.trash_schema import required_capability
from tablekit.registry import Registry
from tablekit.services import fieldops
from tablekit.services.access import Access
from tablekit.services.actor import Actor
from tablekit.services.views import check_view_config, view_dict
from tablekit.storage import physical

ID_KEYS = frozenset(
    {
        "field",
        "field_id",
        "stack_field",
        "date_field",
        "cover_field",
        "link_field",
        "target_field",
        "reverse_field_id",
        "junction",
    }
)
ID_LISTS = frozenset({"hidden_fields", "field_order"})
FIELD_REF = re.compile(r"\bf_(\d+)\b")


def remap(value: Any, fields: dict[int, int]) -> Any:
    """``value`` (a view config or field options) with field ids replaced per ``fields``."""
    if not any(old != new for old, new in fields.items()):
        return value
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if key in ID_KEYS and isinstance(item, int) and not isinstance(item, bool):
                out[key] = fields.get(item, item)
            elif key in ID_LISTS and isinstance(item, list):
                out[key] = [fields.get(i, i) if isinstance(i, int) else i for i in item]
            elif key == "field_widths" and isinstance(item, dict):
                out[key] = {
                    str(fields.get(int(k), int(k))) if str(k).isdigit() else k: v
                    for k, v in item.items()
                }
            elif key == "formula" and isinstance(item, str):
                out[key] = FIELD_REF.sub(
                    lambda m: f"f_{fields.get(int(m.group(1)), int(m.group(1)))}", item
                )
            else:
                out[key] = remap(item, fields)
        return out
    if isinstance(value, list):
        return [remap(v, fields) for v in value]
    return value


def _free_name(taken: set[str], name: str) -> str:
    candidate, n = name, 2
    while candidate in taken:
        candidate = f"{name} (restored{'' if n == 2 else f' {n - 1}'})"
        n += 1
    return candidate


def _insert_fields(session: Session, snaps: list[dict[str, Any]]) -> list[FieldMeta]:
    """Field rows for ``snaps`` (in order): old ids where free first, then new ids, so a
    new id can never be one that another restored field still needs."""
    metas: dict[int, FieldMeta] = {}
    free = [s for s in snaps if session.get(FieldMeta, s["id"]) is None]
    for snap in free + [s for s in snaps if s not in free]:
        taken = set(
            session.scalars(sa.select(FieldMeta.name).where(FieldMeta.table_id == snap["table_id"]))
        )
        values = {k: v for k, v in snap.items() if k not in ("id", "name")}
        meta = FieldMeta(name=_free_name(taken, snap["name"]), **values)
        if snap in free:
            meta.id = snap["id"]
        session.add(meta)
        session.flush()
        metas[snap["id"]] = meta
    return [metas[s["id"]] for s in snaps]


def _move_counter(session: Session, old: int, new: int) -> None:
    if old != new:
        session.execute(sa.update(Counter).where(Counter.field_id == old).values(field_id=new))


def _restore_junction(session: Session, junction: dict[str, Any], owner_id: int) -> None:
    conn = session.connection()
    name = physical.junction_name(owner_id)
    conn.exec_driver_sql(
        f"ALTER TABLE {quote(conn, junction['name'])} RENAME TO {quote(conn, name)}"
    )
    conn.exec_driver_sql(
        f"CREATE INDEX {quote(conn, f'ix_{name}_b')} ON {quote(conn, name)} (b, a)"
    )


def restore_field(
    session: Session, registry: Registry[FieldType], item: TrashItem
) -> dict[str, Any]:
    payload = item.payload
    snaps = payload["fields"]
    for snap in snaps:
        if session.get(TableMeta, snap["table_id"]) is None:
            raise Conflict(
                "The field's table (or the table it links to) is not there; restore it first",
                code="TABLE_GONE",
            )
    metas = _insert_fields(session, snaps)
    fields = {s["id"]: m.id for s, m in zip(snaps, metas, strict=True)}
    conn = session.connection()
    for column in payload.get("columns", []):
        new_id = fields[column["field_id"]]
        table_id = column["table_id"]
        physical.rename_column(conn, table_id, column["column"], f"f_{new_id}")
        if column.get("error_column"):
            physical.rename_column(
                conn, table_id, column["error_column"], physical.error_column(new_id)
            )
        if column["unique"]:
            physical.create_unique_index(conn, table_id, f"f_{new_id}")
        if column["sort_index"]:
            physical.create_sort_index(conn, table_id, f"f_{new_id}")
    if payload.get("junction"):
        junction = payload["junction"]
        _restore_junction(session, junction, fields.get(junction["owner"], junction["owner"]))
    for meta in metas:
        meta.options = remap(dict(meta.options or {}), fields)
    for snap in snaps:
        _move_counter(session, snap["id"], fields[snap["id"]])
    for meta in metas:
        table = session.get(TableMeta, meta.table_id)
        assert table is not None
        fieldops.bump(table)
    fieldops.bump_base(session, item.base_id)
    session.delete(item)
    return {
        "kind": "field",
        "id": metas[0].id,
        "table_id": metas[0].table_id,
        "name": metas[0].name,
        "field_ids": [m.id for m in metas],
    }


def restore_table(
    session: Session, registry: Registry[FieldType], item: TrashItem
) -> dict[str, Any]:
    payload = item.payload
    snap = payload["table"]
    for reverse in payload.get("reverse_fields", []):
        if session.get(TableMeta, reverse["table_id"]) is None:
            raise Conflict(
                "A table this one links to is not there; restore it first", code="TABLE_GONE"
            )
    taken = set(session.scalars(sa.select(TableMeta.name).where(TableMeta.base_id == item.base_id)))
    table = TableMeta(
        base_id=item.base_id,
        name=_free_name(taken, snap["name"]),
        position=snap["position"],
        schema_version=snap["schema_version"] + 1,
    )
    if session.get(TableMeta, snap["id"]) is None:
        table.id = snap["id"]
    session.add(table)
    session.flush()
    conn = session.connection()
    conn.exec_driver_sql(
        f"ALTER TABLE {quote(conn, payload['physical'])} RENAME TO {quote(conn, f't_{table.id}')}"
    )
    own = [{**f, "table_id": table.id} for f in payload["fields"]]
    others = list(payload.get("reverse_fields", []))
    inserted = _insert_fields(session, own + others)
    metas, reverses = inserted[: len(own)], inserted[len(own) :]
    fields = {s["id"]: m.id for s, m in zip(own + others, inserted, strict=True)}
    for old, new in fields.items():
        if old != new and any(f["id"] == old for f in payload["fields"]):
            meta = next(m for m in metas if m.id == new)
            if registry.get(meta.type).storage == "column":
                physical.rename_column(conn, table.id, f"f_{old}", f"f_{new}")
                if registry.get(meta.type).error_column:
                    physical.rename_column(
                        conn, table.id, physical.error_column(old), physical.error_column(new)
                    )
        _move_counter(session, old, new)
    for junction in payload.get("junctions", []):
        _restore_junction(session, junction, fields.get(junction["owner"], junction["owner"]))
    for index in payload.get("indexes", []):
        column = _mapped_column(index["column"], fields)
        if index["kind"] == "unique":
            physical.create_unique_index(conn, table.id, column)
        else:
            physical.create_sort_index(conn, table.id, column)
    table.primary_field_id = fields.get(snap["primary_field_id"], snap["primary_field_id"])
    for view in payload["views"]:
        restored = ViewMeta(
            table_id=table.id,
            name=view["name"],
            type=view["type"],
            config=remap(view["config"] or {}, fields),
            position=view["position"],
        )
        if session.get(ViewMeta, view["id"]) is None:
            restored.id = view["id"]
        session.add(restored)
    session.flush()
    for meta in metas + reverses:
        # Options of the restored fields only: on SQLite an id taken meanwhile means the
        # references elsewhere may now name the newcomer, so they are left alone.
        meta.options = remap(dict(meta.options or {}), fields)
        if meta.type == "link" and meta.options.get("table_id") == snap["id"]:
            meta.options = {**meta.options, "table_id": table.id}
    if table.id != snap["id"]:
        session.execute(
            sa.update(TrashItem)
            .where(
                TrashItem.base_id == item.base_id,
                TrashItem.table_id == snap["id"],
                TrashItem.deleted_at <= item.deleted_at,
                TrashItem.id != item.id,
            )
            .values(table_id=table.id)
        )
    for reverse in reverses:
        other = session.get(TableMeta, reverse.table_id)
        if other is not None:
            fieldops.bump(other)
    fieldops.bump_base(session, item.base_id)
    session.delete(item)
    return {
        "kind": "table",
        "id": table.id,
        "name": table.name,
        "field_ids": [m.id for m in metas + reverses],
    }


def _mapped_column(column: str, fields: dict[int, int]) -> str:
    if column.startswith("f_") and column[2:].isdigit():
        return f"f_{fields.get(int(column[2:]), int(column[2:]))}"
    return column


def restore_view(
    session: Session, registry: Registry[FieldType], item: TrashItem
) -> dict[str, Any]:
    snap = item.payload["view"]
    table = session.get(TableMeta, snap["table_id"])
    base = session.get(BaseMeta, item.base_id)
    if table is None or base is None:
        raise Conflict("The view's table is not there; restore it first", code="TABLE_GONE")
    config = dict(snap["config"] or {})
    try:
        with session.begin_nested():
            config = check_view_config(session, registry, table, base, snap["type"], config)
    except TableKitError:
        # Fields it used are gone: keep what still applies rather than refuse the restore.
        existing = set(
            session.scalars(sa.select(FieldMeta.id).where(FieldMeta.table_id == table.id))
        )
        for key in ("filter", "sort", "group_by", "row_colors"):
            config.pop(key, None)
        for key in ("hidden_fields", "field_order"):
            config[key] = [f for f in config.get(key) or [] if f in existing]
    view = ViewMeta(
        table_id=table.id,
        name=snap["name"],
        type=snap["type"],
        config=config,
        position=snap["position"],
    )
    if session.get(ViewMeta, snap["id"]) is None:
        view.id = snap["id"]
    session.add(view)
    session.flush()
    session.delete(item)
    return {"kind": "view", **view_dict(view)}


RESTORERS = {"field": restore_field, "table": restore_table, "view": restore_view}


def restore(session: Session, registry: Registry[FieldType], item: TrashItem) -> dict[str, Any]:
    """Restore a field, table or view item (the caller checked access and the item's base);
    answers ``{kind, id, ...}``; ``field_ids`` lists fields whose computed dependents may
    need recalculating."""
    return RESTORERS[item.kind](session, registry, item)


def restore_item(
    session: Session, access: Access, registry: Registry[FieldType], actor: Actor, item: TrashItem
) -> dict[str, Any]:
    """The trash service's hook for non-row items: check the capability the kind needs
    (``schema`` for fields and tables, ``write`` for views), then restore."""
    access.require_base(session, actor, item.base_id, required_capability(item.kind))
    return restore(session, registry, item)
