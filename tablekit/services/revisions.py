"""Earlier versions of a row, rebuilt from its history, and the base's activity log.

History entries store, per changed field, the value before and after the change (API
representation, link ids). The state right after entry E is therefore the current row with
every field changed later put back to the *old* value of the first later change to it.
Restoring writes those values as one ordinary update (history, events, rules, recalculation
all apply), recorded with action ``restore`` so the log says what happened.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from tablekit.db.models import RowHistory, TableMeta, User
from tablekit.errors import NotFound, ValidationFailed
from tablekit.services.rowwrite import Op
from tablekit.storage.query import decode_cursor, encode_cursor
from tablekit.storage.schema import TableSchema, load_schema


def values_after(op: Op, row_id: int, entry_id: int) -> tuple[dict[str, Any], list[str]]:
    """The cells to write so the row looks as it did right after ``entry_id``; and the
    names of fields that cannot go back (computed now, or deleted since)."""
    session = op.session
    entry = session.get(RowHistory, entry_id)
    if entry is None or entry.table_id != op.schema.id or entry.row_id != row_id:
        raise NotFound(
            f"History entry {entry_id} is not part of row {row_id}", code="HISTORY_NOT_FOUND"
        )
    if entry.action == "delete":
        raise ValidationFailed(
            "A deletion is undone from the trash, not from the history",
            code="CANNOT_RESTORE",
        )
    later = session.scalars(
        sa.select(RowHistory)
        .where(
            RowHistory.table_id == op.schema.id,
            RowHistory.row_id == row_id,
            RowHistory.id > entry_id,
        )
        .order_by(RowHistory.id)
    ).all()
    cells: dict[str, Any] = {}
    skipped: list[str] = []
    for later_entry in later:
        for key, (old, _new) in (later_entry.changes or {}).items():
            if key in cells or key in skipped:
                continue
            fdef = op.schema.find(key)
            if fdef is None or op.registry.get(fdef.type).read_only:
                skipped.append(fdef.name if fdef is not None else key)
                continue
            cells[key] = _existing_links(op, fdef.options, old) if fdef.type == "link" else old
    return cells, skipped


def _existing_links(op: Op, options: Any, ids: Any) -> list[int]:
    """Linked rows deleted since cannot be linked again; keep the ones that exist."""
    wanted = [int(i["id"] if isinstance(i, dict) else i) for i in ids or []]
    if not wanted:
        return []
    schema = load_schema(op.session, int(options["table_id"]))
    table = sa.table(f"t_{schema.id}", sa.column("id"))
    found = set(op.session.scalars(sa.select(table.c.id).where(table.c.id.in_(wanted))))
    return [i for i in wanted if i in found]


def activity(
    session: Session,
    base_id: int,
    *,
    table_id: int | None = None,
    user_id: int | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> dict[str, Any]:
    """Every recorded row change in a base, newest first, one page at a time."""
    if not 1 <= limit <= 200:
        raise ValidationFailed("limit is 1 to 200", code="INVALID_LIMIT")
    query = (
        sa.select(RowHistory, User.email, User.name, TableMeta.name)
        .outerjoin(User, User.id == RowHistory.actor_id)
        .outerjoin(TableMeta, TableMeta.id == RowHistory.table_id)
        .where(RowHistory.base_id == base_id)
    )
    if table_id is not None:
        query = query.where(RowHistory.table_id == table_id)
    if user_id is not None:
        query = query.where(RowHistory.actor_id == user_id)
    if cursor:
        query = query.where(RowHistory.id < decode_cursor(cursor, CURSOR)[1])
    rows = session.execute(query.order_by(RowHistory.id.desc()).limit(limit + 1)).all()
    schemas: dict[int, TableSchema | None] = {}
    items: list[dict[str, Any]] = []
    for entry, email, name, table_name in rows[:limit]:
        if entry.table_id not in schemas:
            schemas[entry.table_id] = (
                load_schema(session, entry.table_id) if table_name is not None else None
            )
        schema = schemas[entry.table_id]
        items.append(
            {
                "id": entry.id,
                "at": entry.at.isoformat(),
                "action": ACTIONS.get(entry.action, entry.action),
                "table_id": entry.table_id,
                "table": table_name,
                "row_id": entry.row_id,
                "user": {"id": entry.actor_id, "email": email, "name": name}
                if entry.actor_id
                else None,
                **_described_changes(entry, schema),
            }
        )
    more = len(rows) > limit
    return {
        "items": items,
        "next_cursor": encode_cursor(CURSOR, [], items[-1]["id"]) if more and items else None,
    }


# Stored actions (short, as the row service writes them) → the words the API uses.
ACTIONS = {
    "create": "created",
    "update": "updated",
    "delete": "deleted",
    "restore": "restored",
    "import": "imported",
}
CURSOR = "activity"


def _described_changes(entry: RowHistory, schema: TableSchema | None) -> dict[str, Any]:
    """Field changes as {field, old, new}; an import is one entry for all its rows, whose
    record is the job's summary (created, updated, rejected, first and last row id)."""
    if entry.action == "import":
        return {"changes": [], "summary": dict(entry.changes or {})}
    return {
        "changes": [
            {"field_id": key, "field": _field_name(schema, key), "old": old, "new": new}
            for key, (old, new) in (entry.changes or {}).items()
        ]
    }


def _field_name(schema: TableSchema | None, key: str) -> str | None:
    fdef = schema.find(key) if schema is not None else None
    return fdef.name if fdef is not None else None
