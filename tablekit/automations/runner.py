"""The runner: executes pending runs step by step and writes the run log.

A run executes in one write transaction with a savepoint per step: a failed or refused step
rolls back its own writes, the steps before it and the log line explaining it commit. An
external step (``call_webhook``) is prepared inside the transaction, the progress committed
with a lease, the request sent with no transaction open, and the result recorded in the
next transaction; a crash in between leaves a run that resumes at that step once the lease
expires. Retryable failures (network, 5xx, database deadlocks) resume later at the failed
step with backoff; a rule that fails ``DISABLE_AFTER`` runs in a row is disabled and its
owner notified.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from tablekit.automations.actions import Action
from tablekit.automations.context import Engine, Refused, RunContext, StepResult
from tablekit.automations.models import Notification, Rule, RuleRun
from tablekit.automations.sqlutil import transient
from tablekit.automations.values import jsonable, old_cells
from tablekit.db.engine import Database
from tablekit.db.models import BaseMeta, TableMeta, utcnow
from tablekit.errors import TableKitError
from tablekit.fields.base import FieldDef
from tablekit.notify.errors import DeliveryFailed
from tablekit.registry import Registry
from tablekit.services.rowwrite import Op

log = logging.getLogger("tablekit.automations")

MAX_ATTEMPTS = 5
TEMPLATED = frozenset({"notify", "send_email", "call_webhook", "generate_document"})
_FIELD_KEY = re.compile(r"\bf_\d+\b")
DISABLE_AFTER = 10
OPEN_STATUSES = ("pending", "running")


@dataclass
class Outcome:
    """How a step ended: ok, refused, failed, or retry (with a delay)."""

    status: str
    result: StepResult | None = None
    error: str = ""
    delay: float = 0.0


def classify(exc: BaseException) -> Outcome:
    if isinstance(exc, Refused):
        return Outcome("refused", error=exc.message)
    if isinstance(exc, DeliveryFailed) and exc.retryable:
        return Outcome("retry", error=exc.message)
    if isinstance(exc, TableKitError):
        return Outcome("failed", error=exc.message)
    if transient(exc):
        return Outcome("retry", error=f"database busy: {type(exc).__name__}")
    log.exception("automation step crashed")
    return Outcome("failed", error=f"internal error: {type(exc).__name__}: {exc}"[:500])


class Runner:
    def __init__(
        self,
        db: Database,
        engine: Engine,
        actions: Registry[Action],
        *,
        lease_seconds: float = 60.0,
        retry_delay: float = 2.0,
    ) -> None:
        self.db = db
        self.engine = engine
        self.actions = actions
        self.lease = timedelta(seconds=lease_seconds)
        self.retry_delay = retry_delay
        self.worker_id = secrets.token_hex(8)

    def _due(self, now: Any) -> Any:
        return sa.and_(
            RuleRun.status.in_(OPEN_STATUSES),
            sa.or_(RuleRun.not_before.is_(None), RuleRun.not_before <= now),
            sa.or_(RuleRun.locked_until.is_(None), RuleRun.locked_until < now),
        )

    def due_ids(self, limit: int = 50) -> list[int]:
        with self.db.read() as session:
            return list(
                session.scalars(
                    sa.select(RuleRun.id)
                    .where(self._due(utcnow()))
                    .order_by(RuleRun.id)
                    .limit(limit)
                )
            )

    def run_due(self, limit: int = 50) -> int:
        ids = self.due_ids(limit)
        for run_id in ids:
            self.execute(run_id)
        return len(ids)

    # --- one run -------------------------------------------------------------------------

    def execute(self, run_id: int) -> None:
        """Run (or resume) one run if it is due and nobody else holds it."""
        delivered: tuple[int, Outcome, float] | None = None
        while True:
            try:
                with self.db.write() as session:
                    work = self._segment(session, run_id, delivered, first=delivered is None)
            except Exception as exc:
                self._crashed(run_id, exc)
                return
            if work is None:
                return
            index, action, prepared, context = work
            started = time.monotonic()
            delivered = (index, self._deliver(action, prepared, context), started)

    def _claim(self, session: Session, run_id: int, first: bool) -> RuleRun | None:
        query = sa.select(RuleRun).where(RuleRun.id == run_id).with_for_update(skip_locked=True)
        if first:
            query = query.where(self._due(utcnow()))
        else:
            query = query.where(RuleRun.claimed_by == self.worker_id)
        return session.scalar(query)

    def _segment(
        self,
        session: Session,
        run_id: int,
        delivered: tuple[int, Outcome, float] | None,
        first: bool,
    ) -> tuple[int, Action, dict[str, Any], RunContext] | None:
        run = self._claim(session, run_id, first)
        if run is None:
            return None
        rule = session.get(Rule, run.rule_id)
        if rule is None:
            return None
        if first:
            run.attempts += 1
            run.claimed_by = self.worker_id
            run.started_at = run.started_at or utcnow()
            run.status = "running"
            if not rule.enabled and not run.trigger.get("manual"):
                self._finish(session, rule, run, "stopped", "the rule was disabled")
                return None
        context = self.context(session, rule, run)
        if delivered is not None:
            index, outcome, started = delivered
            if not self._record(session, rule, run, context, index, outcome, started):
                return None
        return self.steps(session, rule, run, context)

    def context(
        self, session: Session, rule: Rule, run: RuleRun, *, dry_run: bool = False
    ) -> RunContext:
        """The trigger row (current, or as deleted), its old values, payload, outputs."""
        trigger = run.trigger or {}
        base = session.get(BaseMeta, run.base_id)
        assert base is not None
        table = (
            session.get(TableMeta, int(trigger["table_id"])) if trigger.get("table_id") else None
        )
        op = self.engine.rows.op_for(session, table, None, run.depth + 1) if table else None
        row_id = trigger.get("row_id")
        cells: dict[str, Any] | None = None
        fields = self.read_fields(rule, op) if op is not None and not dry_run else None
        if trigger.get("event") == "row_deleted":
            cells = dict(trigger.get("row") or {})
        elif op is not None and row_id is not None:
            rows = op.fetch([int(row_id)])
            decoded = op.decoder(keys="id", fields=fields).decode(rows) if rows else []
            cells = decoded[0]["fields"] if decoded else None
        outputs = [dict(step.get("output") or {}) for step in run.steps[: run.next_step]]
        return RunContext(
            session=session,
            engine=self.engine,
            rule=rule,
            run=run,
            base=base,
            trigger_op=op,
            row_id=int(row_id) if row_id is not None else None,
            row_cells=cells,
            old=old_cells(cells, trigger.get("changes")) if trigger.get("changes") else None,
            payload=trigger.get("payload"),
            steps=outputs,
            dry_run=dry_run,
            fields=fields,
        )

    def read_fields(self, rule: Rule, op: Op) -> list[FieldDef] | None:
        """The trigger-row fields a rule's actions can read: the ids its params mention, or
        every field when an action renders templates (which may read any cell)."""
        if any(spec.get("type") in TEMPLATED for spec in rule.actions):
            return None
        mentioned = set(_FIELD_KEY.findall(json.dumps(rule.actions)))
        return [f for f in op.schema.fields if f.key in mentioned]

    def steps(
        self, session: Session, rule: Rule, run: RuleRun, context: RunContext
    ) -> tuple[int, Action, dict[str, Any], RunContext] | None:
        """Execute steps from ``run.next_step``; stops at the end, a failure, or an external
        step (returned prepared, for delivery after this transaction commits)."""
        while run.next_step < len(rule.actions):
            index = run.next_step
            spec = rule.actions[index]
            context.step_index = index
            started = time.monotonic()
            params = spec.get("params") or {}
            prepared: dict[str, Any] = {}
            result: StepResult | None = None
            try:
                action = self.actions.get(spec["type"])
                with session.begin_nested():
                    if action.external:
                        prepared = action.prepare(params, context)
                    else:
                        result = action.execute(params, context)
            except Exception as exc:
                outcome = classify(exc)
                if not self._record(session, rule, run, context, index, outcome, started):
                    return None
                continue
            if action.external:
                if context.dry_run:
                    line = f"would {prepared['method']} {prepared['url']}: {prepared['body'][:200]}"
                    self._record(
                        session, rule, run, context, index, Outcome("ok", StepResult(line))
                    )
                    continue
                run.locked_until = utcnow() + self.lease
                return index, action, prepared, context
            self._record(session, rule, run, context, index, Outcome("ok", result), started)
        self._finish(session, rule, run, "ok", "")
        return None

    def _deliver(self, action: Action, prepared: dict[str, Any], context: RunContext) -> Outcome:
        try:
            return Outcome("ok", action.deliver(prepared, context))
        except Exception as exc:
            return classify(exc)

    def _record(
        self,
        session: Session,
        rule: Rule,
        run: RuleRun,
        context: RunContext,
        index: int,
        outcome: Outcome,
        started: float | None = None,
    ) -> bool:
        """Log a step; True when the run goes on with the next step."""
        entry: dict[str, Any] = {
            "index": index,
            "type": rule.actions[index]["type"],
            "status": outcome.status,
            "at": utcnow().isoformat(),
        }
        if started is not None:
            entry["duration_ms"] = round((time.monotonic() - started) * 1000, 1)
        if outcome.result is not None:
            entry["line"] = outcome.result.line
            entry["output"] = jsonable(outcome.result.output)
        if outcome.error:
            entry["error"] = outcome.error
        run.steps = [s for s in run.steps if s.get("index") != index] + [entry]
        if outcome.status == "ok":
            run.next_step = index + 1
            context.steps = [*context.steps[:index], dict(entry.get("output") or {})]
            return True
        if outcome.status == "retry" and run.attempts < MAX_ATTEMPTS and not context.dry_run:
            delay = outcome.delay or min(self.retry_delay * 2.0 ** (run.attempts - 1), 300.0)
            run.status = "pending"
            run.not_before = utcnow() + timedelta(seconds=delay)
            run.locked_until = None
            run.error = f"step {index + 1} will be retried: {outcome.error}"
            return False
        status = "refused" if outcome.status == "refused" else "failed"
        self._finish(
            session, rule, run, status, f"step {index + 1} ({entry['type']}): {outcome.error}"
        )
        return False

    def _finish(self, session: Session, rule: Rule, run: RuleRun, status: str, error: str) -> None:
        now = utcnow()
        run.status = status
        run.error = error
        run.finished_at = now
        run.locked_until = None
        started = run.started_at or run.created_at
        run.duration_ms = max(0, int((now - started).total_seconds() * 1000))
        if run.trigger.get("dry_run"):
            return
        if status == "failed":
            self._count_failure(session, rule)
        elif status == "ok" and rule.failure_count:
            rule.failure_count = 0

    def _count_failure(self, session: Session, rule: Rule) -> None:
        count = session.scalar(
            sa.update(Rule)
            .where(Rule.id == rule.id)
            .values(failure_count=Rule.failure_count + 1)
            .returning(Rule.failure_count)
        )
        session.refresh(rule)
        if count is not None and count >= DISABLE_AFTER and rule.enabled:
            rule.enabled = False
            rule.disabled_reason = f"disabled after {count} failed runs in a row"
            log.warning("rule %s disabled after %s consecutive failures", rule.id, count)
            if rule.owner_id is not None:
                session.add(
                    Notification(
                        user_id=rule.owner_id,
                        base_id=rule.base_id,
                        rule_id=rule.id,
                        message=f"The rule {rule.name!r} failed {count} times in a row and "
                        "was disabled. See its run log, fix it and enable it again.",
                        created_at=utcnow(),
                    )
                )

    def _crashed(self, run_id: int, exc: Exception) -> None:
        """A run whose transaction itself failed: back off, give up after MAX_ATTEMPTS."""
        log.warning("run %s: transaction failed: %s", run_id, exc)
        try:
            with self.db.write() as session:
                run = session.get(RuleRun, run_id)
                if run is None or run.status not in OPEN_STATUSES:
                    return
                run.attempts += 1
                run.locked_until = None
                if run.attempts >= MAX_ATTEMPTS:
                    run.status = "failed"
                    run.error = f"gave up: {type(exc).__name__}: {exc}"[:1000]
                    run.finished_at = utcnow()
                else:
                    run.status = "pending"
                    delay = min(self.retry_delay * 2.0**run.attempts, 300.0)
                    run.not_before = utcnow() + timedelta(seconds=delay)
        except Exception:
            log.exception("run %s: cannot record the failure", run_id)
