"""Runs started from outside the outbox: a button click on a row, an incoming webhook."""

from __future__ import annotations

import json
import secrets
from typing import Any

import sqlalchemy as sa

from tablekit.automations.conditions import formula_holds
from tablekit.automations.dispatch import create_run
from tablekit.automations.expressions import FormulaRunner, variables
from tablekit.automations.models import Rule, RuleRun
from tablekit.automations.service import RuleService
from tablekit.db.models import utcnow
from tablekit.errors import NotFound, TooLarge, ValidationFailed
from tablekit.services.actor import Actor

MAX_HOOK_BYTES = 256 * 1024


class InboundService:
    def __init__(self, rules: RuleService) -> None:
        self.rules = rules
        self.db = rules.db

    def click(
        self, actor: Actor, table_ref: str | int, row_id: int, field_ref: str, wait: float = 0.0
    ) -> dict[str, Any]:
        """A click on a row's button field: runs every enabled rule of that button."""
        with self.db.write() as session:
            table, _ = self.rules.access.require_table(session, actor, table_ref, "write")
            op = self.rules.rows.op_for(session, table, actor.user_id)
            fdef = op.schema.find(field_ref)
            if fdef is None or fdef.type != "button":
                raise NotFound("Button field not found", code="FIELD_NOT_FOUND")
            if not op.fetch([row_id]):
                raise NotFound(f"Row {row_id} not found", code="ROW_NOT_FOUND")
            rules = [
                rule
                for rule in session.scalars(
                    sa.select(Rule).where(
                        Rule.table_id == table.id,
                        Rule.trigger_type == "button",
                        Rule.enabled.is_(True),
                    )
                )
                if (rule.trigger.get("params") or {}).get("field") == fdef.key
            ]
            if not rules:
                raise ValidationFailed(
                    f"No enabled rule runs when {fdef.name!r} is clicked", code="NO_RULE"
                )
            token = secrets.token_hex(8)
            trigger = {
                "type": "button",
                "table_id": table.id,
                "row_id": row_id,
                "field": fdef.key,
                "actor_id": actor.user_id,
                "at": utcnow().isoformat(),
            }
            for rule in rules:
                create_run(session, rule, trigger, f"click:{token}")
            ids = list(
                session.scalars(sa.select(RuleRun.id).where(RuleRun.dedupe_key == f"click:{token}"))
            )
        return {"runs": self.rules._wait(ids, wait)}

    def hook(self, secret: str, body: bytes, content_type: str = "") -> dict[str, Any]:
        """An incoming webhook: the JSON payload starts the rule whose secret it names."""
        if len(body) > MAX_HOOK_BYTES:
            raise TooLarge(f"A webhook payload may be at most {MAX_HOOK_BYTES // 1024} KiB")
        try:
            data = json.loads(body) if body.strip() else {}
        except ValueError:
            raise ValidationFailed("The payload is not JSON", code="INVALID_PAYLOAD") from None
        payload = data if isinstance(data, dict) else {"items": data}
        with self.db.write() as session:
            rule = session.scalar(
                sa.select(Rule).where(Rule.hook_secret == secret, Rule.trigger_type == "webhook")
            )
            if (
                rule is None
                or not rule.enabled
                or not secrets.compare_digest(rule.hook_secret or "", secret)
            ):
                raise NotFound("No such webhook", code="HOOK_NOT_FOUND")
            formula = (rule.condition or {}).get("formula")
            if formula and not self._holds(self.rules.formulas, formula, payload):
                return {"run_id": None, "status": "skipped", "reason": "condition not met"}
            token = secrets.token_hex(8)
            trigger = {"type": "webhook", "payload": payload, "at": utcnow().isoformat()}
            create_run(session, rule, trigger, f"hook:{token}")
            run_id = session.scalar(
                sa.select(RuleRun.id).where(
                    RuleRun.rule_id == rule.id, RuleRun.dedupe_key == f"hook:{token}"
                )
            )
        return {"run_id": run_id, "status": "pending"}

    @staticmethod
    def _holds(runner: FormulaRunner, formula: str, payload: dict[str, Any]) -> bool:
        return formula_holds(runner, formula, [variables({}, payload=payload)])[0]
