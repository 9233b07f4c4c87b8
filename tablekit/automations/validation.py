"""Rule bodies checked when saved: every part typed by its registered class, every name
resolved to an id, every formula parsed and every template compiled, with messages that
say where the problem is (``actions[1].params.fields.Qty: ...``)."""

from __future__ import annotations

from typing import Any

import msgspec

from tablekit.automations.actions import Action
from tablekit.automations.conditions import validate_condition
from tablekit.automations.context import SaveContext
from tablekit.automations.registry import Trigger
from tablekit.errors import ValidationFailed
from tablekit.registry import Registry

MAX_ACTIONS = 20
RULE_KEYS = frozenset({"name", "enabled", "trigger", "condition", "actions"})


def invalid(message: str, where: str) -> ValidationFailed:
    return ValidationFailed(message, code="INVALID_RULE", details={"where": where})


def convert(params: Any, schema: type[msgspec.Struct], where: str) -> Any:
    """``params`` as an instance of ``schema``; msgspec's message names the bad key."""
    if not isinstance(params, dict):
        raise invalid(f"{where} must be an object", where)
    try:
        return msgspec.convert(params, schema)
    except msgspec.ValidationError as exc:
        message = str(exc).replace("$.", f"{where}.").replace("`$`", f"`{where}`")
        raise invalid(f"{where}: {message}", where) from None


def validate_rule(
    ctx: SaveContext,
    triggers: Registry[Trigger],
    actions: Registry[Action],
    body: dict[str, Any],
) -> dict[str, Any]:
    """The stored columns of a rule (``name, enabled, trigger_type, table_id, trigger,
    condition, actions``); raises ValidationFailed for the first problem."""
    unknown = set(body) - RULE_KEYS
    if unknown:
        raise invalid(f"unknown rule keys: {', '.join(sorted(unknown))}", "rule")
    name = body.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > 200:
        raise invalid("name must be text of 1 to 200 characters", "name")
    enabled = body.get("enabled", True)
    if not isinstance(enabled, bool):
        raise invalid("enabled must be true or false", "enabled")
    raw_trigger = body.get("trigger")
    if not isinstance(raw_trigger, dict) or not isinstance(raw_trigger.get("type"), str):
        raise invalid("trigger must be {type, table_id?, params}", "trigger")
    if set(raw_trigger) - {"type", "table_id", "params"}:
        raise invalid("trigger must be {type, table_id?, params}", "trigger")
    trigger = triggers.get(raw_trigger["type"])
    params = dict(raw_trigger.get("params") or {})
    # ``table_id`` may sit next to ``type`` (as rules are read back) or in the params.
    if raw_trigger.get("table_id") is not None:
        if "table_id" in trigger.params_schema.__struct_fields__:
            params.setdefault("table_id", raw_trigger["table_id"])
        elif trigger.type != "form_submitted":
            raise invalid(f"a {trigger.type} trigger has no table", "trigger.table_id")
    stored_params, op = trigger.validate(
        convert(params, trigger.params_schema, "trigger.params"), ctx
    )
    ctx.trigger_op = op
    ctx.payload = trigger.payload
    condition = validate_condition(body.get("condition"), op, payload=trigger.payload)
    if trigger.needs_condition and not condition:
        raise invalid(f"a {trigger.type} rule needs a condition (filter or formula)", "condition")
    if trigger.type == "row_deleted" and condition and condition.get("filter"):
        raise invalid(
            "condition.filter: a deleted row can no longer be filtered; use a formula", "condition"
        )
    raw_actions = body.get("actions")
    if not isinstance(raw_actions, list) or not 1 <= len(raw_actions) <= MAX_ACTIONS:
        raise invalid(f"actions must be a list of 1 to {MAX_ACTIONS} actions", "actions")
    stored_actions = []
    for index, item in enumerate(raw_actions):
        where = f"actions[{index}]"
        if not isinstance(item, dict) or set(item) - {"type", "params"} or "type" not in item:
            raise invalid(f"{where} must be {{type, params}}", where)
        try:
            action = actions.get(item["type"])
        except ValidationFailed as exc:
            raise invalid(f"{where}: {exc.message}", where) from None
        struct = convert(item.get("params") or {}, action.params_schema, f"{where}.params")
        stored = action.validate(struct, ctx, f"{where}.params", index)
        stored_actions.append({"type": action.type, "params": stored})
    return {
        "name": name.strip(),
        "enabled": enabled,
        "trigger_type": trigger.type,
        "table_id": op.schema.id if op is not None else None,
        "trigger": {"type": trigger.type, "params": stored_params},
        "condition": condition,
        "actions": stored_actions,
    }
