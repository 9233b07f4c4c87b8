"""Contract tests over the trigger and action registries: a new type is covered by adding
it to the registry (and an example here, which a test demands)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import msgspec
import pytest

from tablekit.automations.registry import build_action_registry, build_trigger_registry
from tablekit.errors import ValidationFailed
from tests.automations.conftest import Shop

TRIGGERS = list(build_trigger_registry())
ACTIONS = list(build_action_registry())
DOCS = (Path(__file__).resolve().parents[2] / "docs" / "automations.md").read_text()

ORDERS = {"type": "row_created", "table_id": "Orders"}
TRIGGER_EXAMPLES: dict[str, dict[str, Any]] = {
    "row_created": ORDERS,
    "row_updated": {"type": "row_updated", "table_id": "Orders", "params": {"fields": ["Status"]}},
    "row_matches": {"type": "row_matches", "table_id": "Orders"},
    "row_deleted": {"type": "row_deleted", "table_id": "Orders"},
    "schedule": {"type": "schedule", "params": {"cron": "0 8 * * 1-5", "timezone": "UTC"}},
    "schedule_matching_rows": {
        "type": "schedule_matching_rows",
        "table_id": "Orders",
        "params": {"preset": "weekly", "weekday": "fri"},
    },
    "date_relative": {
        "type": "date_relative",
        "table_id": "Orders",
        "params": {"field": "Due", "offset": "-2h"},
    },
    "button": {"type": "button", "table_id": "Orders", "params": {"field": "Go"}},
    "form_submitted": {"type": "form_submitted", "params": {"view_id": "FORM"}},
    "webhook": {"type": "webhook", "params": {}},
}
ACTION_EXAMPLES: dict[str, dict[str, Any]] = {
    "notify": {"to": ["OWNER"], "message": "Order {{ row.Name }}"},
    "send_email": {"to": ["a@example.com"], "subject": "Hi", "body": "{{ row.Note }}"},
    "add_row": {"table_id": "Customers", "fields": {"Name": "={Name}"}},
    "update_rows": {"fields": {"Status": "Confirmed"}},
    "link_rows": {"field": "Customer", "filter": {"field": "Name", "op": "eq", "value": "={Note}"}},
    "lock_row": {},
    "generate_document": {"document_id": "DOC", "field": "Files", "file_name": "x.pdf"},
    "call_webhook": {"url": "https://example.com/hook", "body": '{"id": {{ row_id }}}'},
    "adjust_number": {"field": "Stock", "by": "-{Quantity}", "min": 0, "via_link": "Product"},
    "copy_row": {"table_id": "Customers", "fields": {"Name": "={Name}"}},
}


def test_every_type_has_an_example():
    assert set(TRIGGER_EXAMPLES) == {t.type for t in TRIGGERS}
    assert set(ACTION_EXAMPLES) == {a.type for a in ACTIONS}


@pytest.mark.parametrize("item", TRIGGERS + ACTIONS, ids=lambda i: i.type)
def test_type_contract(item: Any):
    suffix = "Trigger" if item in TRIGGERS else "Action"
    assert re.fullmatch(r"[a-z]+(_[a-z]+)*", item.type)
    camel = "".join(part.title() for part in item.type.split("_"))
    assert type(item).__name__ == f"{camel}{suffix}"
    assert item.label and item.label[0].isupper()
    assert issubclass(item.params_schema, msgspec.Struct)
    assert item.params_schema.__struct_config__.forbid_unknown_fields
    schema = msgspec.json.schema(item.params_schema)
    assert "$defs" in schema
    # Documented: every trigger and action has its own section in the user guide.
    assert f"### `{item.type}`" in DOCS


def _resolve(shop: Shop, value: Any, form: int) -> Any:
    if value == "FORM":
        return form
    if value == "DOC":
        return shop.document
    if value == "OWNER":
        return shop.actor.email
    if isinstance(value, dict):
        return {k: _resolve(shop, v, form) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve(shop, v, form) for v in value]
    return value


def test_examples_save_round_trip_and_refuse_unknown_params(shop: Shop):
    shop.services.schema.create_field(
        shop.actor, shop.tid("Orders"), {"name": "Go", "type": "button"}
    )
    form = shop.services.schema.create_view(shop.actor, shop.tid("Orders"), "Form", "form", {})[
        "id"
    ]
    shop.services.schema.create_field(
        shop.actor, shop.tid("Orders"), {"name": "Files", "type": "attachment"}
    )
    shop.document = shop.services.documents.create(
        shop.actor, shop.base_id, {"name": "Doc", "table_id": shop.tid("Orders"), "template": "x"}
    )["id"]
    for trigger_type, trigger in TRIGGER_EXAMPLES.items():
        condition = {"formula": "{Quantity} > 0"} if trigger_type == "row_matches" else None
        action = ACTION_EXAMPLES[
            "lock_row" if trigger_type not in ("schedule", "webhook") else "notify"
        ]
        kind = "lock_row" if trigger_type not in ("schedule", "webhook") else "notify"
        rule = shop.rule(
            _resolve(shop, trigger, form),
            [{"type": kind, "params": _resolve(shop, action, form)}],
            condition=condition,
        )
        again = shop.services.automations.update(shop.actor, rule["id"], {"name": "again"})
        assert again["trigger"] == rule["trigger"], trigger_type
        bad = _resolve(
            shop, {**trigger, "params": {**trigger.get("params", {}), "surprise": 1}}, form
        )
        with pytest.raises(ValidationFailed) as refused:
            shop.rule(
                bad, [{"type": kind, "params": _resolve(shop, action, form)}], condition=condition
            )
        assert "surprise" in refused.value.message, trigger_type
    for action_type, params in ACTION_EXAMPLES.items():
        body = [{"type": action_type, "params": _resolve(shop, params, form)}]
        rule = shop.rule(ORDERS, body)
        stored = rule["actions"][0]["params"]
        again = shop.services.automations.update(
            shop.actor, rule["id"], {"actions": rule["actions"]}
        )
        assert again["actions"][0]["params"] == stored, action_type
        with pytest.raises(ValidationFailed) as refused:
            shop.rule(
                ORDERS, [{"type": action_type, "params": {**body[0]["params"], "surprise": 1}}]
            )
        assert "surprise" in refused.value.message, action_type
