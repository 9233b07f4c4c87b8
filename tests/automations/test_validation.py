"""Bad rules are refused when saved, with messages that say what and where; good ones
survive renames because they store ids."""

from __future__ import annotations

from typing import Any

import pytest

from tablekit.errors import ValidationFailed
from tests.automations.conftest import Shop

ON_CREATE = {"type": "row_created", "table_id": "Orders"}
LOCK = [{"type": "lock_row", "params": {}}]


def refused(
    shop: Shop, trigger: dict[str, Any], actions: list[dict[str, Any]], **extra: Any
) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as caught:
        shop.rule(trigger, actions, **extra)
    return caught.value


def test_bad_rules_are_refused_precisely(shop: Shop):
    cases = [
        (
            {"type": "row_updated", "table_id": "Orders", "params": {"fields": ["Qty"]}},
            LOCK,
            {},
            "UNKNOWN_FIELD",
            "trigger.params.fields[0]: unknown field 'Qty' in table 'Orders'",
        ),
        (
            {"type": "row_created", "table_id": "Ordrs"},
            LOCK,
            {},
            "UNKNOWN_TABLE",
            "no table 'Ordrs' in this base",
        ),
        (
            {"type": "schedule", "params": {"cron": "61 * * * *"}},
            [{"type": "notify", "params": {"to": ["x@y.z"], "message": "m"}}],
            {},
            "INVALID_CRON",
            "61 is out of range for the minute field (0-59)",
        ),
        (
            {"type": "schedule", "params": {}},
            LOCK,
            {},
            "INVALID_RULE",
            "give either cron or preset",
        ),
        ({"type": "explode"}, LOCK, {}, "UNKNOWN_TRIGGER_TYPE", "Unknown trigger type 'explode'"),
        (
            ON_CREATE,
            LOCK,
            {"condition": {"formula": "{Qty} > 1"}},
            "FORMULA_INVALID",
            "condition.formula: unknown field {Qty} at 1:1",
        ),
        (
            ON_CREATE,
            LOCK,
            {"condition": {"formula": "IF({Quantity} > 1"}},
            "FORMULA_INVALID",
            "condition.formula:",
        ),
        (
            ON_CREATE,
            LOCK,
            {"condition": {"filter": {"field": "Quantity", "op": "contains", "value": 1}}},
            "INVALID_FILTER",
            "condition.filter: Operator 'contains' does not apply to 'Quantity'",
        ),
        (
            {"type": "row_matches", "table_id": "Orders"},
            LOCK,
            {},
            "INVALID_RULE",
            "a row_matches rule needs a condition",
        ),
        (
            {"type": "row_deleted", "table_id": "Orders"},
            LOCK,
            {"condition": {"filter": {"field": "Name", "op": "is_empty"}}},
            "INVALID_RULE",
            "a deleted row can no longer be filtered",
        ),
        (ON_CREATE, [], {}, "INVALID_RULE", "actions must be a list of 1 to 20 actions"),
        (
            ON_CREATE,
            [{"type": "add_row", "params": {"table_id": "Customers", "fields": {"Nmae": "x"}}}],
            {},
            "UNKNOWN_FIELD",
            "actions[0].params.fields.Nmae: unknown field 'Nmae'",
        ),
        (
            ON_CREATE,
            [
                {
                    "type": "add_row",
                    "params": {"table_id": "Customers", "fields": {"Credit limit": "lots"}},
                }
            ],
            {},
            "INVALID_CELL",
            "actions[0].params.fields: Row 0, field 'Credit limit'",
        ),
        (
            ON_CREATE,
            [
                {
                    "type": "add_row",
                    "params": {"table_id": "Customers", "fields": {"Name": "=UPPER({Nam})"}},
                }
            ],
            {},
            "FORMULA_INVALID",
            "actions[0].params.fields.Name: unknown field {Nam} at 1:7",
        ),
        (
            ON_CREATE,
            [{"type": "add_row", "params": {"table_id": 7, "fields": []}}],
            {},
            "INVALID_RULE",
            "actions[0].params: Expected `object`, got `array` - at `actions[0].params.fields`",
        ),
        (
            ON_CREATE,
            [
                {
                    "type": "send_email",
                    "params": {"to": ["a@b.c"], "subject": "{{ row.Name ", "body": ""},
                }
            ],
            {},
            "TEMPLATE_INVALID",
            "actions[0].params.subject: template syntax error",
        ),
        (
            ON_CREATE,
            [
                {
                    "type": "send_email",
                    "params": {"to": ["not an address"], "subject": "s", "body": ""},
                }
            ],
            {},
            "EMAIL_INVALID",
            "is not a single e-mail address",
        ),
        (
            ON_CREATE,
            [{"type": "notify", "params": {"to": ["stranger@example.com"], "message": "hi"}}],
            {},
            "INVALID_RULE",
            "'stranger@example.com' is not a member of this workspace",
        ),
        (
            ON_CREATE,
            [{"type": "update_rows", "params": {"table_id": "Customers", "fields": {"Name": "x"}}}],
            {},
            "INVALID_RULE",
            "without a filter update_rows changes the trigger row",
        ),
        (
            ON_CREATE,
            [{"type": "adjust_number", "params": {"field": "Name", "by": 1}}],
            {},
            "INVALID_RULE",
            "'Name' is a text field, not a number",
        ),
        (
            ON_CREATE,
            [{"type": "adjust_number", "params": {"field": "Stock", "by": 1}}],
            {},
            "UNKNOWN_FIELD",
            "unknown field 'Stock' in table 'Orders'",
        ),
        (
            ON_CREATE,
            [{"type": "adjust_number", "params": {"field": "Quantity", "by": "-{Qty}"}}],
            {},
            "FORMULA_INVALID",
            "actions[0].params.by: unknown field {Qty}",
        ),
        (
            ON_CREATE,
            [{"type": "update_rows", "params": {"fields": {"Note": "={steps.0.row_id}"}}}],
            {},
            "FORMULA_INVALID",
            "unknown field {steps.0.row_id}",
        ),  # no earlier step
        (
            ON_CREATE,
            [
                {
                    "type": "link_rows",
                    "params": {
                        "field": "Quantity",
                        "filter": {"field": "Name", "op": "eq", "value": 1},
                    },
                }
            ],
            {},
            "INVALID_RULE",
            "'Quantity' is not a link field",
        ),
        (
            ON_CREATE,
            [{"type": "call_webhook", "params": {"url": "ftp://example.com/x"}}],
            {},
            "URL_NOT_ALLOWED",
            "only http and https URLs are allowed",
        ),
        (
            {"type": "webhook", "params": {}},
            [{"type": "update_rows", "params": {"fields": {"Name": "x"}}}],
            {},
            "INVALID_RULE",
            "this action needs a trigger with a row",
        ),
        (
            {
                "type": "date_relative",
                "table_id": "Orders",
                "params": {"field": "Name", "offset": "+7d"},
            },
            LOCK,
            {},
            "INVALID_RULE",
            "'Name' is a text field, not a date",
        ),
        (
            {
                "type": "date_relative",
                "table_id": "Orders",
                "params": {"field": "Due", "offset": "in a week"},
            },
            LOCK,
            {},
            "INVALID_RULE",
            "write an offset like '+7d'",
        ),
    ]
    for trigger, actions, extra, code, message in cases:
        error = refused(shop, trigger, actions, **extra)
        assert (error.code, message in error.message) == (code, True), (error.code, error.message)
    assert shop.services.automations.list_rules(shop.actor, shop.base_id) == []


def test_rules_store_ids_and_survive_renames(shop: Shop, worker):
    rule = shop.rule(
        {"type": "row_updated", "table_id": "Orders", "params": {"fields": ["Quantity"]}},
        [{"type": "update_rows", "params": {"fields": {"Note": '="qty " & {Quantity}'}}}],
        condition={
            "filter": {"field": "Quantity", "op": "gt", "value": 1},
            "formula": "{Quantity} < 100",
        },
    )
    orders = shop.services.schema.get_table(shop.actor, shop.tid("Orders"))
    quantity = next(f for f in orders["fields"] if f["name"] == "Quantity")
    assert rule["actions"][0]["params"]["fields"] == {
        next(
            f"f_{f['id']}" for f in orders["fields"] if f["name"] == "Note"
        ): f'="qty " & {{f_{quantity["id"]}}}'
    }
    shop.services.schema.update_field(shop.actor, quantity["id"], {"name": "Qty"})
    shop.services.schema.update_table(shop.actor, shop.tid("Orders"), {"name": "Purchase orders"})
    order = shop.add("Orders", Name="A-1", Qty=1)
    shop.services.rows.update(shop.actor, shop.tid("Orders"), [(order, {"Qty": 5})])
    worker.drain()
    assert shop.row("Orders", order)["Note"] == "qty 5"
