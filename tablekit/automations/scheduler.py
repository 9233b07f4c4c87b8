"""The scheduler: creates runs for ``schedule``, ``schedule_matching_rows`` and
``date_relative`` rules when they are due.

Each due rule is taken with ``FOR UPDATE SKIP LOCKED`` (PostgreSQL; SQLite has one writer)
and every slot is inserted into ``tk_schedule_slots`` first: its primary key
``(rule_id, scheduled_for)`` lets exactly one of several schedulers run a slot. After
downtime a rule does not replay every missed slot: ``catch_up`` is ``last`` (default: one run
for the latest missed slot), ``none`` (skip them) or ``all`` (each missed slot, at most
``MAX_CATCH_UP``). Date-relative rules scan for rows whose moment (date + offset) passed
since the last scan; each (row, date) fires once.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from tablekit.automations import conditions, expressions, schedule, sqlutil
from tablekit.automations.context import Engine
from tablekit.automations.dispatch import create_run
from tablekit.automations.models import Rule, ScheduleSlot
from tablekit.automations.registry.triggers import OFFSET
from tablekit.automations.values import formula_values
from tablekit.db.engine import Database
from tablekit.db.models import BaseMeta, TableMeta, utcnow
from tablekit.services.rowwrite import Op

log = logging.getLogger("tablekit.automations")

SCHEDULED = ("schedule", "schedule_matching_rows", "date_relative")
MAX_CATCH_UP = 24
MAX_ROWS = 1000
GRACE = timedelta(minutes=5)  # catch_up "none": a slot this late still runs
SCAN_SECONDS = 60


def offset_of(text: str) -> timedelta:
    match = OFFSET.fullmatch(text)
    assert match is not None
    amount = int(match[2]) * (-1 if match[1] == "-" else 1)
    unit = {"d": "days", "h": "hours", "m": "minutes"}[match[3]]
    return timedelta(**{unit: amount})


class Scheduler:
    def __init__(self, db: Database, engine: Engine, scan_seconds: float = SCAN_SECONDS) -> None:
        self.db = db
        self.engine = engine
        self.scan = timedelta(seconds=scan_seconds)

    def tick(self, now: datetime | None = None) -> int:
        """Fire every due rule; returns how many runs were created."""
        now = now or utcnow()
        with self.db.read() as session:
            due = list(
                session.scalars(
                    sa.select(Rule.id).where(
                        Rule.enabled.is_(True),
                        Rule.trigger_type.in_(SCHEDULED),
                        Rule.next_run_at <= now,
                    )
                )
            )
        created = 0
        for rule_id in due:
            try:
                with self.db.write() as session:
                    created += self._fire(session, rule_id, now)
            except Exception:
                log.exception("scheduler: rule %s could not be fired", rule_id)
        if created:
            self.engine.wake()
        return created

    def _fire(self, session: Session, rule_id: int, now: datetime) -> int:
        rule = session.scalar(
            sa.select(Rule)
            .where(Rule.id == rule_id, Rule.enabled.is_(True), Rule.next_run_at <= now)
            .with_for_update(skip_locked=True)
        )
        if rule is None:
            return 0
        base = session.get(BaseMeta, rule.base_id)
        assert base is not None
        params = (rule.trigger or {}).get("params") or {}
        if rule.trigger_type == "date_relative":
            return self._scan_dates(session, rule, base, params, now)
        tz = schedule.zone(params.get("timezone"), base.timezone or "UTC")
        due = rule.next_run_at
        assert due is not None
        mode = params.get("catch_up", "last")
        if mode == "all":
            slots = schedule.slots_between(params["cron"], tz, due, now, MAX_CATCH_UP)
        else:
            latest = schedule.latest_slot(params["cron"], tz, now) or due
            slots = [] if mode == "none" and now - latest > GRACE else [max(latest, due)]
        rule.next_run_at = schedule.next_slot(params["cron"], tz, now)
        created = 0
        for slot in slots:
            if sqlutil.insert_ignore(
                session,
                ScheduleSlot,
                {"rule_id": rule.id, "scheduled_for": slot, "created_at": now},
            ):
                created += self._slot_runs(session, rule, slot)
        return created

    def _op(self, session: Session, rule: Rule) -> Op | None:
        table = session.get(TableMeta, int(rule.table_id or 0))
        return self.engine.rows.op_for(session, table, None) if table is not None else None

    def _slot_runs(self, session: Session, rule: Rule, slot: datetime) -> int:
        trigger: dict[str, Any] = {"type": rule.trigger_type, "scheduled_for": slot.isoformat()}
        if rule.trigger_type == "schedule":
            return int(create_run(session, rule, trigger, f"slot:{slot.isoformat()}"))
        op = self._op(session, rule)
        if op is None:
            log.warning("rule %s: its table no longer exists", rule.id)
            return 0
        ids = self.matching(op, rule, None)
        return sum(
            create_run(
                session,
                rule,
                {**trigger, "table_id": op.schema.id, "row_id": row_id},
                f"slot:{slot.isoformat()}:row:{row_id}",
            )
            for row_id in ids
        )

    def matching(self, op: Op, rule: Rule, candidates: list[int] | None) -> list[int]:
        """Rows (of ``candidates``, or of the table) that meet the rule's condition."""
        condition = rule.condition or {}
        query = sa.select(op.table.c.id).order_by(op.table.c.id).limit(MAX_ROWS + 1)
        if candidates is not None:
            query = query.where(op.table.c.id.in_(candidates[: MAX_ROWS * 5]))
        if condition.get("filter"):
            query = query.where(conditions.compile_filter(condition["filter"], op))
        ids = list(op.session.scalars(query))
        if len(ids) > MAX_ROWS:
            log.warning("rule %s: more than %s rows match; running the first", rule.id, MAX_ROWS)
            ids = ids[:MAX_ROWS]
        if condition.get("formula") and ids:
            decoded = op.decoder(keys="id").decode(op.fetch(ids))
            values = [
                expressions.variables(formula_values(op.schema, r["fields"]), row_id=r["id"])
                for r in decoded
            ]
            holds = conditions.formula_holds(self.engine.formulas, condition["formula"], values)
            ids = [r["id"] for r, ok in zip(decoded, holds, strict=True) if ok]
        return ids

    def _scan_dates(
        self, session: Session, rule: Rule, base: BaseMeta, params: dict[str, Any], now: datetime
    ) -> int:
        """Rows whose date + offset fell in (last scan, now]: one run per (row, date)."""
        state = dict(rule.state or {})
        since = datetime.fromisoformat(state.get("scanned_until") or rule.updated_at.isoformat())
        rule.state = {**state, "scanned_until": now.isoformat()}
        rule.next_run_at = now + self.scan
        op = self._op(session, rule)
        fdef = op.schema.find(params["field"]) if op is not None else None
        if op is None or fdef is None or since >= now:
            return 0
        offset = offset_of(params["offset"])
        at = schedule.check_at(params["at"]) if params.get("at") else None
        tz = schedule.zone(None, base.timezone or "UTC")
        column = op.table.c[fdef.column]
        slack = timedelta(days=2)
        if fdef.type == "date":
            low, high = (since - offset - slack).date(), (now - offset + slack).date()
        else:
            low, high = since - offset - slack, now - offset + slack
        found = op.session.execute(
            sa.select(op.table.c.id, column)
            .where(column.is_not(None), column >= low, column <= high)
            .order_by(op.table.c.id)
            .limit(MAX_ROWS * 5)
        ).all()
        fire_at = {row_id: self._moment(value, offset, at, tz) for row_id, value in found}
        due = [rid for rid, moment in fire_at.items() if since < moment <= now]
        created = 0
        for row_id in self.matching(op, rule, due) if due else []:
            value = dict(found)[row_id]
            created += create_run(
                session,
                rule,
                {
                    "type": "date_relative",
                    "table_id": op.schema.id,
                    "row_id": row_id,
                    "scheduled_for": fire_at[row_id].isoformat(),
                },
                f"date:{row_id}:{value.isoformat()}:{params['offset']}",
            )
        return created

    def _moment(
        self, value: Any, offset: timedelta, at: tuple[int, int] | None, tz: Any
    ) -> datetime:
        """When a row's rule fires: the date (at ``at``, local) or date-time, plus offset."""
        if isinstance(value, datetime):
            instant = value if value.tzinfo else value.replace(tzinfo=UTC)
            if at is None or offset.seconds:
                return instant + offset
            local = (instant.astimezone(tz) + offset).date()
            return schedule.place(datetime.combine(local, time(*at)), tz)
        wall = time(*at) if at else time(0, 0)
        if offset.seconds == 0:
            return schedule.place(datetime.combine(value + offset, wall), tz)
        return schedule.place(datetime.combine(value, wall), tz) + offset
