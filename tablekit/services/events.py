"""Domain events, written to the outbox table in the same transaction as the change.

The automation worker reads them; because they commit or roll back with the change,
nothing is lost when a process dies between commit and dispatch.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from tablekit.db.models import OutboxEvent, utcnow

ROW_CREATED = "row_created"
ROW_UPDATED = "row_updated"
ROW_DELETED = "row_deleted"
FIELD_CHANGED = "field_changed"
TABLE_CHANGED = "table_changed"


@dataclass(frozen=True)
class Event:
    type: str
    base_id: int
    table_id: int | None = None
    row_id: int | None = None
    actor_id: int | None = None
    payload: dict[str, Any] = field(default_factory=dict)
    depth: int = 0


def emit(session: Session, events: Sequence[Event]) -> None:
    """Append events to the outbox in one statement (no-op for an empty list)."""
    if not events:
        return
    now = utcnow()
    session.execute(
        insert(OutboxEvent),
        [
            {
                "type": e.type,
                "base_id": e.base_id,
                "table_id": e.table_id,
                "row_id": e.row_id,
                "actor_id": e.actor_id,
                "payload": e.payload,
                "depth": e.depth,
                "created_at": now,
            }
            for e in events
        ],
    )
