"""``RuleService``: rules CRUD, dry-run tests, manual runs, button clicks, incoming webhooks
and the run log. Every entry point authorizes the caller against the rule's base first."""

from __future__ import annotations

import secrets
import time
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from tablekit.automations.conditions import formula_errors, formula_holds, matching_ids
from tablekit.automations.context import DocumentGenerator, Engine, RunContext, SaveContext
from tablekit.automations.dispatch import create_run
from tablekit.automations.expressions import FormulaRunner
from tablekit.automations.models import Rule, RuleRun
from tablekit.automations.registry import (
    Trigger,
    build_action_registry,
    build_trigger_registry,
    describe,
)
from tablekit.automations.runner import Runner
from tablekit.automations.scheduler import Scheduler
from tablekit.automations.validation import validate_rule
from tablekit.db.engine import Database
from tablekit.db.models import BaseMeta, utcnow
from tablekit.errors import NotFound, ValidationFailed
from tablekit.services.access import Access
from tablekit.services.actor import Actor
from tablekit.services.rows import RowService
from tablekit.settings import Settings

MAX_WAIT = 30.0
FINISHED = ("ok", "failed", "refused", "stopped")


def run_dict(run: RuleRun) -> dict[str, Any]:
    return {
        "id": run.id,
        "rule_id": run.rule_id,
        "status": run.status,
        "trigger": run.trigger,
        "steps": sorted(run.steps or [], key=lambda s: s.get("index", 0)),
        "error": run.error,
        "attempts": run.attempts,
        "depth": run.depth,
        "created_at": run.created_at.isoformat(),
        "started_at": run.started_at.isoformat() if run.started_at else None,
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "duration_ms": run.duration_ms,
    }


class _DryRun(Exception):
    """Raised to roll back a dry run's transaction, carrying its report."""

    def __init__(self, report: dict[str, Any]) -> None:
        super().__init__("dry run")
        self.report = report


class RuleService:
    def __init__(
        self,
        db: Database,
        access: Access,
        rows: RowService,
        settings: Settings,
        documents: DocumentGenerator | None = None,
    ) -> None:
        self.db = db
        self.access = access
        self.rows = rows
        self.settings = settings
        self.documents = documents
        self.triggers = build_trigger_registry()
        self.actions = build_action_registry()
        self.formulas = FormulaRunner()
        self.engine = Engine(
            rows=rows, settings=settings, formulas=self.formulas, documents=documents
        )
        self.runner = Runner(db, self.engine, self.actions)
        self.scheduler = Scheduler(db, self.engine)

    def close(self) -> None:
        self.formulas.close()

    def describe(self) -> dict[str, Any]:
        """Trigger and action types with their params' JSON schemas (the rule builder)."""
        return {"triggers": describe(self.triggers), "actions": describe(self.actions)}

    # --- CRUD ----------------------------------------------------------------------------

    def rule_dict(self, rule: Rule) -> dict[str, Any]:
        trigger = rule.trigger or {}
        result: dict[str, Any] = {
            "id": rule.id,
            "base_id": rule.base_id,
            "name": rule.name,
            "enabled": rule.enabled,
            "trigger": {
                "type": rule.trigger_type,
                "table_id": rule.table_id,
                "params": trigger.get("params") or {},
            },
            "condition": rule.condition,
            "actions": rule.actions,
            "owner_id": rule.owner_id,
            "next_run_at": rule.next_run_at.isoformat() if rule.next_run_at else None,
            "failure_count": rule.failure_count,
            "disabled_reason": rule.disabled_reason,
            "created_at": rule.created_at.isoformat(),
            "updated_at": rule.updated_at.isoformat(),
        }
        if rule.hook_secret:
            result["hook_url"] = f"{self.settings.base_url.rstrip('/')}/hooks/{rule.hook_secret}"
        return result

    def _rule(self, session: Session, actor: Actor, rule_id: int, capability: str) -> Rule:
        rule = session.get(Rule, rule_id)
        if rule is None:
            raise NotFound("Rule not found", code="RULE_NOT_FOUND")
        try:
            self.access.require_base(session, actor, rule.base_id, capability)
        except NotFound:
            raise NotFound("Rule not found", code="RULE_NOT_FOUND") from None
        return rule

    def _apply(
        self, session: Session, actor: Actor, base: BaseMeta, rule: Rule, body: dict[str, Any]
    ) -> None:
        ctx = SaveContext(session, base, actor, self.rows, self.settings, self.documents)
        stored = validate_rule(ctx, self.triggers, self.actions, body)
        trigger_changed = stored["trigger"] != rule.trigger
        for key, value in stored.items():
            setattr(rule, key, value)
        now = utcnow()
        rule.updated_at = now
        if stored["enabled"]:
            rule.disabled_reason = ""
            rule.failure_count = 0
        trigger = self.triggers.get(rule.trigger_type)
        if trigger.scheduled and (trigger_changed or rule.next_run_at is None):
            zone = ZoneInfo(base.timezone or "UTC")
            rule.next_run_at = trigger.first_run(stored["trigger"]["params"], zone, now)
            rule.state = {}
        elif not trigger.scheduled:
            rule.next_run_at = None
        if trigger.payload and not rule.hook_secret:
            rule.hook_secret = secrets.token_urlsafe(24)
        elif not trigger.payload:
            rule.hook_secret = None

    def create(self, actor: Actor, base_id: int, body: dict[str, Any]) -> dict[str, Any]:
        with self.db.write() as session:
            base, _ = self.access.require_base(session, actor, base_id, "schema")
            now = utcnow()
            rule = Rule(
                base_id=base.id,
                owner_id=actor.user_id or None,
                state={},
                failure_count=0,
                disabled_reason="",
                created_at=now,
            )
            self._apply(session, actor, base, rule, body)
            session.add(rule)
            session.flush()
            return self.rule_dict(rule)

    def list_rules(self, actor: Actor, base_id: int) -> list[dict[str, Any]]:
        with self.db.read() as session:
            self.access.require_base(session, actor, base_id, "schema")
            rules = session.scalars(
                sa.select(Rule).where(Rule.base_id == base_id).order_by(Rule.id)
            )
            return [self.rule_dict(r) for r in rules]

    def get(self, actor: Actor, rule_id: int) -> dict[str, Any]:
        with self.db.read() as session:
            return self.rule_dict(self._rule(session, actor, rule_id, "schema"))

    def update(self, actor: Actor, rule_id: int, changes: dict[str, Any]) -> dict[str, Any]:
        """Change any part; the whole rule is validated again (names resolved anew)."""
        with self.db.write() as session:
            rule = self._rule(session, actor, rule_id, "schema")
            base = session.get(BaseMeta, rule.base_id)
            assert base is not None
            current = self.rule_dict(rule)
            body = {
                "name": current["name"],
                "enabled": current["enabled"],
                "trigger": current["trigger"],
                "condition": current["condition"],
                "actions": current["actions"],
                **changes,
            }
            self._apply(session, actor, base, rule, body)
            return self.rule_dict(rule)

    def delete(self, actor: Actor, rule_id: int) -> None:
        with self.db.write() as session:
            session.delete(self._rule(session, actor, rule_id, "schema"))

    # --- runs ----------------------------------------------------------------------------

    def runs(
        self, actor: Actor, rule_id: int, limit: int = 50, before: int | None = None
    ) -> dict[str, Any]:
        """The run log, newest first; page with ``before`` = the last id seen."""
        limit = min(max(limit, 1), 500)
        with self.db.read() as session:
            self._rule(session, actor, rule_id, "schema")
            query = sa.select(RuleRun).where(RuleRun.rule_id == rule_id)
            if before is not None:
                query = query.where(RuleRun.id < before)
            runs = list(session.scalars(query.order_by(RuleRun.id.desc()).limit(limit + 1)))
            more = len(runs) > limit
            runs = runs[:limit]
            return {
                "items": [run_dict(r) for r in runs],
                "next_cursor": str(runs[-1].id) if more and runs else None,
            }

    def _trigger_for(
        self, session: Session, rule: Rule, row_id: int | None
    ) -> list[dict[str, Any]]:
        """Manual triggers: one for the given row, or one per matching row / the schedule."""
        trigger: Trigger = self.triggers.get(rule.trigger_type)
        base: dict[str, Any] = {
            "type": rule.trigger_type,
            "manual": True,
            "at": utcnow().isoformat(),
        }
        if not trigger.has_row:
            return [base]
        base["table_id"] = rule.table_id
        if row_id is not None:
            return [{**base, "row_id": row_id}]
        if rule.trigger_type == "schedule_matching_rows":
            table = self.scheduler._op(session, rule)
            ids = self.scheduler.matching(table, rule, None) if table is not None else []
            return [{**base, "row_id": rid} for rid in ids]
        raise ValidationFailed("this rule runs for a row: give row_id", code="ROW_REQUIRED")

    def run(
        self, actor: Actor, rule_id: int, row_id: int | None = None, wait: float = 0.0
    ) -> dict[str, Any]:
        """Queue a manual run (even of a disabled rule); the worker executes it. With
        ``wait`` (seconds, at most 30) answer when the runs have finished."""
        with self.db.write() as session:
            rule = self._rule(session, actor, rule_id, "schema")
            token = secrets.token_hex(8)
            for i, trigger in enumerate(self._trigger_for(session, rule, row_id)):
                create_run(
                    session, rule, {**trigger, "actor_id": actor.user_id}, f"manual:{token}:{i}"
                )
            ids = list(
                session.scalars(
                    sa.select(RuleRun.id).where(
                        RuleRun.rule_id == rule.id, RuleRun.dedupe_key.like(f"manual:{token}:%")
                    )
                )
            )
        return {"runs": self._wait(ids, wait)}

    def _wait(self, ids: list[int], wait: float) -> list[dict[str, Any]]:
        deadline = time.monotonic() + min(max(wait, 0.0), MAX_WAIT)
        while True:
            with self.db.read() as session:
                runs = session.scalars(
                    sa.select(RuleRun).where(RuleRun.id.in_(ids)).order_by(RuleRun.id)
                ).all()
                result = [run_dict(r) for r in runs]
            if all(r["status"] in FINISHED for r in result) or time.monotonic() >= deadline:
                return result
            time.sleep(0.05)

    def test(self, actor: Actor, rule_id: int, row_id: int | None = None) -> dict[str, Any]:
        """Dry run: what each action would do, in a transaction that is rolled back."""
        try:
            with self.db.write() as session:
                rule = self._rule(session, actor, rule_id, "schema")
                trigger = self.triggers.get(rule.trigger_type)
                info: dict[str, Any] = {"type": rule.trigger_type, "dry_run": True, "manual": True}
                if trigger.has_row:
                    info.update(
                        table_id=rule.table_id, row_id=row_id or self._some_row(session, rule)
                    )
                now = utcnow()
                run = RuleRun(
                    id=0, rule_id=rule.id, base_id=rule.base_id, status="running", trigger=info,
                    depth=0, dedupe_key="test", steps=[], next_step=0, attempts=1, error="",
                    created_at=now, started_at=now,
                )  # fmt: skip
                context = self.runner.context(session, rule, run, dry_run=True)
                condition = self._condition_report(rule, context)
                self.runner.steps(session, rule, run, context)
                raise _DryRun(
                    {
                        "dry_run": True,
                        "row_id": info.get("row_id"),
                        "condition": condition,
                        "status": run.status,
                        "error": run.error,
                        "steps": sorted(run.steps, key=lambda s: s["index"]),
                    }
                )
        except _DryRun as done:
            return done.report

    def _some_row(self, session: Session, rule: Rule) -> int:
        table = self.scheduler._op(session, rule)
        if table is None:
            raise ValidationFailed("the rule's table no longer exists", code="UNKNOWN_TABLE")
        row = session.scalar(sa.select(table.table.c.id).order_by(table.table.c.id.desc()).limit(1))
        if row is None:
            raise ValidationFailed("the table has no row to test with", code="ROW_REQUIRED")
        return int(row)

    def _condition_report(self, rule: Rule, context: RunContext) -> dict[str, Any] | None:
        condition = rule.condition or {}
        if not condition:
            return None
        report: dict[str, Any] = {}
        op = context.trigger_op
        if condition.get("filter") and op is not None and context.row_id is not None:
            report["filter"] = bool(matching_ids(op, condition["filter"], [context.row_id]))
        if condition.get("formula"):
            values = context.variables()
            report["formula"] = formula_holds(self.formulas, condition["formula"], [values])[0]
            error = formula_errors(self.formulas, condition["formula"], values)
            if error:
                report["formula_error"] = error
        report["holds"] = all(v for k, v in report.items() if k in ("filter", "formula"))
        return report
