"""The outbox dispatcher: claims row events, matches rules and webhooks, and turns each match
into a durable job (a pending run, a pending delivery) in the same transaction that marks
the events processed.

Claiming is ``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL (two workers take disjoint
events) and a ``BEGIN IMMEDIATE`` write transaction on SQLite (one writer at a time). Rules
are matched with one indexed query per batch (``table_id``, ``trigger_type``); events of
tables without rules cost nothing more. Conditions are evaluated here, so only runs that
fire are created; ``row_matches`` keeps the set of matching rows (``tk_rule_row_states``)
and fires when a row enters it. A crash anywhere before commit leaves the events unclaimed,
a crash after it leaves pending jobs: nothing is lost, nothing runs twice
(``(rule_id, dedupe_key)`` is unique).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from tablekit.automations import conditions, expressions, sqlutil, transitions
from tablekit.automations.context import Engine
from tablekit.automations.models import Rule, RuleRun
from tablekit.automations.registry import Trigger
from tablekit.automations.values import formula_values, old_cells, with_new
from tablekit.automations.webhooks import queue_deliveries
from tablekit.db.engine import Database
from tablekit.db.models import OutboxEvent, TableMeta, utcnow
from tablekit.registry import Registry
from tablekit.services.events import ROW_CREATED, ROW_DELETED, ROW_UPDATED
from tablekit.services.rowwrite import Op

log = logging.getLogger("tablekit.automations")

MAX_DEPTH = 5
ROW_EVENTS = (ROW_CREATED, ROW_UPDATED, ROW_DELETED)


class Batch:
    """One claimed batch: row operations and decoded rows, loaded once per table/row."""

    def __init__(self, session: Session, engine: Engine) -> None:
        self.session = session
        self.engine = engine
        self._ops: dict[int, Op | None] = {}
        self._cells: dict[tuple[int, int], dict[str, Any] | None] = {}
        self.runs: list[dict[str, Any]] = []

    def op(self, table_id: int) -> Op | None:
        if table_id not in self._ops:
            meta = self.session.get(TableMeta, table_id)
            self._ops[table_id] = (
                self.engine.rows.op_for(self.session, meta, None) if meta is not None else None
            )
        return self._ops[table_id]

    def preload(self, events: Sequence[OutboxEvent]) -> None:
        """Read the rows of many events with one query (and one per link field) per table."""
        wanted: dict[int, set[int]] = defaultdict(set)
        for event in events:
            key = (int(event.table_id or 0), int(event.row_id or 0))
            if event.type != ROW_DELETED and key not in self._cells:
                wanted[key[0]].add(key[1])
        for table_id, ids in wanted.items():
            op = self.op(table_id)
            rows = op.decoder(keys="id").decode(op.fetch(sorted(ids))) if op is not None else []
            found = {row["id"]: row["fields"] for row in rows}
            for row_id in ids:
                self._cells[(table_id, row_id)] = found.get(row_id)

    def cells(self, event: OutboxEvent) -> dict[str, Any] | None:
        """The row keyed by field id: as deleted (from the event) or as stored now."""
        assert event.table_id is not None and event.row_id is not None
        if event.type == ROW_DELETED:
            return dict((event.payload or {}).get("row") or {})
        key = (event.table_id, event.row_id)
        if key not in self._cells:
            op = self.op(event.table_id)
            rows = op.fetch([event.row_id]) if op is not None else []
            self._cells[key] = (
                op.decoder(keys="id").decode(rows)[0]["fields"] if op is not None and rows else None
            )
        return self._cells[key]

    def variables(self, event: OutboxEvent) -> dict[str, Any] | None:
        """Formula variables of an event's row: the values the event set, and the old ones."""
        op = self.op(event.table_id or 0)
        cells = self.cells(event)
        if op is None or cells is None:
            return None
        changes = (event.payload or {}).get("changes")
        values = formula_values(op.schema, with_new(cells, changes), old_cells(cells, changes))
        return expressions.variables(values, row_id=event.row_id)


def trigger_info(event: OutboxEvent, rule: Rule) -> dict[str, Any]:
    info: dict[str, Any] = {
        "type": rule.trigger_type,
        "event": event.type,
        "event_id": event.id,
        "table_id": event.table_id,
        "row_id": event.row_id,
        "actor_id": event.actor_id,
        "at": event.created_at.isoformat(),
    }
    payload = event.payload or {}
    if payload.get("changes"):
        info["changes"] = payload["changes"]
    if event.type == ROW_DELETED:
        info["row"] = payload.get("row") or {}
    if payload.get("form_view_id") is not None:
        info["form_view_id"] = payload["form_view_id"]
    return info


class Dispatcher:
    def __init__(self, db: Database, engine: Engine, triggers: Registry[Trigger]) -> None:
        self.db = db
        self.engine = engine
        self.triggers = triggers
        self.event_triggers = [t.type for t in triggers if t.events]

    def pending(self) -> bool:
        """A cheap read-only check, so an idle worker never takes the write lock."""
        with self.db.read() as session:
            return (
                session.scalar(
                    sa.select(OutboxEvent.id).where(OutboxEvent.processed_at.is_(None)).limit(1)
                )
                is not None
            )

    def dispatch(self, limit: int = 200) -> int:
        """Handle up to ``limit`` events; returns how many were claimed."""
        with self.db.write() as session:
            events = list(
                session.scalars(
                    sa.select(OutboxEvent)
                    .where(OutboxEvent.processed_at.is_(None))
                    .order_by(OutboxEvent.id)
                    .limit(limit)
                    .with_for_update(skip_locked=True)
                )
            )
            if not events:
                return 0
            row_events = [e for e in events if e.type in ROW_EVENTS and e.table_id and e.row_id]
            batch = Batch(session, self.engine)
            if row_events:
                self._match_rules(batch, row_events)
                queue_deliveries(session, batch, row_events)
            session.execute(
                sa.update(OutboxEvent)
                .where(OutboxEvent.id.in_([e.id for e in events]))
                .values(processed_at=utcnow())
            )
            return len(events)

    def _match_rules(self, batch: Batch, events: Sequence[OutboxEvent]) -> None:
        table_ids = sorted({e.table_id for e in events if e.table_id is not None})
        rules = batch.session.scalars(
            sa.select(Rule)
            .where(
                Rule.table_id.in_(table_ids),
                Rule.trigger_type.in_(self.event_triggers),
                Rule.enabled.is_(True),
            )
            .order_by(Rule.id)
        ).all()
        by_table: dict[int, list[Rule]] = defaultdict(list)
        for rule in rules:
            by_table[int(rule.table_id or 0)].append(rule)
        candidates: dict[int, list[OutboxEvent]] = defaultdict(list)
        rule_of = {rule.id: rule for rule in rules}
        for event in events:
            for rule in by_table.get(int(event.table_id or 0), []):
                trigger = self.triggers.get(rule.trigger_type)
                params = (rule.trigger or {}).get("params") or {}
                # A rule reacts to changes made after it was created, never to older ones
                # that were still waiting in the outbox.
                if rule.created_at > event.created_at:
                    continue
                if event.type in trigger.events and trigger.accepts(params, event):
                    candidates[rule.id].append(event)
        for rule_id, found in candidates.items():
            rule = rule_of[rule_id]
            if rule.trigger_type == "row_matches":
                self._transitions(batch, rule, found)
            else:
                for event in self._holding(batch, rule, found):
                    batch.runs.append(self._run_row(rule, event))
        if batch.runs:
            # One statement for all runs of the batch; the unique key drops a duplicate.
            batch.session.execute(sqlutil.insert_statement(batch.session, RuleRun), batch.runs)
            self.engine.wake()

    def _holding(
        self, batch: Batch, rule: Rule, events: Sequence[OutboxEvent]
    ) -> list[OutboxEvent]:
        """The events whose row satisfies the rule's condition (filter: one query)."""
        condition = rule.condition or {}
        if not condition:
            return list(events)
        op = batch.op(int(rule.table_id or 0))
        if op is None:
            return []
        kept = list(events)
        if condition.get("filter"):
            live = [e for e in kept if e.type != ROW_DELETED]
            ids = conditions.matching_ids(
                op, condition["filter"], [int(e.row_id or 0) for e in live]
            )
            kept = [e for e in live if e.row_id in ids]
        if condition.get("formula") and kept:
            batch.preload(kept)
            values = [batch.variables(e) for e in kept]
            present = [(e, v) for e, v in zip(kept, values, strict=True) if v is not None]
            holds = conditions.formula_holds(
                self.engine.formulas, condition["formula"], [v for _, v in present]
            )
            kept = [e for (e, _), ok in zip(present, holds, strict=True) if ok]
        return kept

    def _transitions(self, batch: Batch, rule: Rule, events: Sequence[OutboxEvent]) -> None:
        """``row_matches``: one run per transition into the matching set."""
        for event in transitions.firing(batch, rule, events):
            batch.runs.append(self._run_row(rule, event))

    def _run_row(self, rule: Rule, event: OutboxEvent) -> dict[str, Any]:
        stopped = event.depth >= MAX_DEPTH
        if stopped:
            log.warning(
                "rule %s not run for event %s: chain depth limit of %s reached",
                rule.id,
                event.id,
                MAX_DEPTH,
            )
        return run_row(
            rule,
            trigger_info(event, rule),
            f"event:{event.id}",
            depth=event.depth,
            stopped=(
                f"not run: this change comes from a chain of {event.depth} rules; chains stop "
                f"at depth {MAX_DEPTH} so rules cannot loop"
                if stopped
                else None
            ),
        )


def run_row(
    rule: Rule,
    trigger: dict[str, Any],
    dedupe_key: str,
    *,
    depth: int = 0,
    stopped: str | None = None,
) -> dict[str, Any]:
    """The values of a new run: pending, or a ``stopped`` notice."""
    now = utcnow()
    return {
        "rule_id": rule.id,
        "base_id": rule.base_id,
        "status": "stopped" if stopped else "pending",
        "trigger": trigger,
        "depth": depth,
        "dedupe_key": dedupe_key[:200],
        "steps": [],
        "next_step": 0,
        "error": stopped or "",
        "attempts": 0,
        "created_at": now,
        "finished_at": now if stopped else None,
    }


def create_run(
    session: Session,
    rule: Rule,
    trigger: dict[str, Any],
    dedupe_key: str,
    *,
    depth: int = 0,
    stopped: str | None = None,
) -> bool:
    """Insert a pending run (or a ``stopped`` notice); False when that key already ran."""
    row = run_row(rule, trigger, dedupe_key, depth=depth, stopped=stopped)
    return sqlutil.insert_ignore(session, RuleRun, row)
