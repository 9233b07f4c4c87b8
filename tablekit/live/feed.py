"""Reading the outbox (``tk_events``) for live updates: one indexed query per poll for all
bases, read-only, so the automation dispatcher that marks events processed never waits on it.

Events are found by id (``WHERE id > last``). On SQLite every write transaction holds the
write lock from its first statement to its commit, so ids become visible in order. On
PostgreSQL ids come from a sequence when the row is inserted, and a transaction that took a
lower id can commit after one that took a higher id: the ids skipped over are remembered as
*gaps* and looked at again for ``gap_seconds`` (ids of rolled-back transactions never show
up and simply expire).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from tablekit.db.engine import Database
from tablekit.db.models import OutboxEvent, TableMeta
from tablekit.services.events import (
    FIELD_CHANGED,
    ROW_CREATED,
    ROW_DELETED,
    ROW_UPDATED,
    TABLE_CHANGED,
)

ROWS_IMPORTED = "rows_imported"  # tablekit.interchange.importer: one event per import
ROW_OPS = {ROW_CREATED: "created", ROW_UPDATED: "updated", ROW_DELETED: "deleted"}
SCHEMA_EVENTS = frozenset({FIELD_CHANGED, TABLE_CHANGED})
WATCHED = (*ROW_OPS, *SCHEMA_EVENTS, ROWS_IMPORTED)
MAX_GAP_RANGES = 64


@dataclass(frozen=True)
class LiveEvent:
    """One outbox event as the live feed needs it (never the row's values)."""

    id: int
    type: str
    base_id: int
    table_id: int | None
    row_id: int | None
    actor_id: int | None
    fields: tuple[int, ...] = ()


@dataclass
class EventFeed:
    """Tails ``tk_events`` by id. Not thread-safe: one poller calls it at a time."""

    db: Database
    batch: int = 1000
    gap_seconds: float = 30.0
    track_gaps: bool = False
    last_id: int | None = None
    # [low, high, give up at (monotonic)]: ids skipped over that may still commit.
    gaps: list[list[float]] = field(default_factory=list)

    @classmethod
    def for_database(cls, db: Database, **kw: Any) -> EventFeed:
        return cls(db, track_gaps=not db.is_sqlite, **kw)

    def reset(self) -> None:
        """Start from the newest event: what happened before nobody was listening is moot."""
        with self.db.read() as session:
            newest = session.scalar(sa.select(sa.func.max(OutboxEvent.id)))
        self.last_id = int(newest or 0)
        self.gaps.clear()

    def poll(self, now: float | None = None) -> tuple[list[LiveEvent], bool]:
        """New events in id order, and whether there may be more right away (a full batch)."""
        if self.last_id is None:
            self.reset()
        assert self.last_id is not None
        now = time.monotonic() if now is None else now
        self.gaps = [g for g in self.gaps if g[2] > now]
        e = OutboxEvent
        wanted = sa.or_(
            e.id > self.last_id, *(e.id.between(int(lo), int(hi)) for lo, hi, _ in self.gaps)
        )
        # Only an update's payload says which fields changed; a deletion's holds the whole
        # row, which the feed must not read (size) nor pass on (it never sends values).
        changes = sa.case((e.type == ROW_UPDATED, e.payload), else_=sa.null())
        # Every type is read (not only the watched ones) so that the ids skipped over are
        # exactly the ones not committed yet.
        query = (
            sa.select(e.id, e.type, e.base_id, e.table_id, e.row_id, e.actor_id, changes)
            .where(wanted)
            .order_by(e.id)
            .limit(self.batch)
        )
        with self.db.read() as session:
            rows = session.execute(query).all()
        events = [_event(r) for r in rows]
        self._advance([ev.id for ev in events], now)
        return [ev for ev in events if ev.type in WATCHED], len(rows) >= self.batch

    def _advance(self, ids: Sequence[int], now: float) -> None:
        assert self.last_id is not None
        last = self.last_id
        for ev_id in ids:
            if ev_id <= last:
                self._fill(ev_id)
            elif self.track_gaps and ev_id > self.last_id + 1:
                self._add_gap(self.last_id + 1, ev_id - 1, now)
            self.last_id = max(self.last_id, ev_id)

    def _add_gap(self, low: int, high: int, now: float) -> None:
        self.gaps.append([low, high, now + self.gap_seconds])
        if len(self.gaps) > MAX_GAP_RANGES:
            del self.gaps[: len(self.gaps) - MAX_GAP_RANGES]

    def _fill(self, ev_id: int) -> None:
        """An id inside a gap has shown up: split the gap around it."""
        for i, (lo, hi, until) in enumerate(self.gaps):
            if lo <= ev_id <= hi:
                parts = [[lo, ev_id - 1, until], [ev_id + 1, hi, until]]
                self.gaps[i : i + 1] = [p for p in parts if p[0] <= p[1]]
                return

    def schema_signatures(self, base_ids: Iterable[int]) -> dict[int, tuple[int, int]]:
        """Per base: (sum of table schema versions, number of tables). Changes whenever a
        field or table changes, also through paths that write no event (trash restores)."""
        ids = sorted(set(base_ids))
        if not ids:
            return {}
        t = TableMeta
        query = (
            sa.select(
                t.base_id, sa.func.coalesce(sa.func.sum(t.schema_version), 0), sa.func.count()
            )
            .where(t.base_id.in_(ids))
            .group_by(t.base_id)
        )
        with self.db.read() as session:
            found = {int(b): (int(v), int(n)) for b, v, n in session.execute(query).all()}
        return {b: found.get(b, (0, 0)) for b in ids}


def _event(row: Any) -> LiveEvent:
    ev_id, ev_type, base_id, table_id, row_id, actor_id, payload = row
    fields: tuple[int, ...] = ()
    if isinstance(payload, dict) and isinstance(payload.get("changes"), dict):
        fields = tuple(
            sorted(int(k[2:]) for k in payload["changes"] if k.startswith("f_") and k[2:].isdigit())
        )
    return LiveEvent(
        id=int(ev_id),
        type=str(ev_type),
        base_id=int(base_id),
        table_id=None if table_id is None else int(table_id),
        row_id=None if row_id is None else int(row_id),
        actor_id=None if actor_id is None or actor_id == 0 else int(actor_id),
        fields=fields,
    )
