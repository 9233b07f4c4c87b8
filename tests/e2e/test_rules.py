"""Automation rules built by clicking in the rule builder: SCENARIOS.md S3 (minimum-stock
alert) and S4 (order confirmation PDF e-mailed to the customer). The tables are arranged
through the API; the rules are made only in the browser; their effects are checked through
the API and the notifications bell."""

from __future__ import annotations

import re
from typing import Any

import pytest

from .conftest import ADMIN, Api, Page, eventually

pytestmark = pytest.mark.e2e

# The in-process worker runs rules within milliseconds; rendering a PDF takes longer.
RULE_TIMEOUT = 30.0


@pytest.fixture
def shop(api: Api, workspace_id: int) -> dict[str, Any]:
    base = api.call("POST", f"/api/v1/workspaces/{workspace_id}/bases", {"name": "Rules e2e S3"})
    table = api.call(
        "POST",
        f"/api/v1/bases/{base['id']}/tables",
        {
            "name": "Products",
            "fields": [
                {"name": "Name", "type": "text"},
                {"name": "Stock", "type": "number"},
                {"name": "Minimum stock", "type": "number"},
            ],
        },
    )
    rows = api.call(
        "POST",
        f"/api/v1/tables/{table['id']}/rows",
        {"rows": [{"fields": {"Name": "Stapler", "Stock": 20, "Minimum stock": 5}}]},
    )["rows"]
    return {"base": base, "table": table, "row_id": rows[0]["id"]}


def mails(api: Api, base_id: int, subject: str) -> list[dict[str, Any]]:
    items = api.call("GET", f"/api/v1/outbox?base_id={base_id}")["items"]
    return [m for m in items if m["subject"] == subject]


def open_new_rule(page: Page, base_id: int, name: str) -> Any:
    p = page.page
    page.goto(f"/bases/{base_id}")
    p.get_by_role("link", name="Automations").click()
    p.get_by_role("button", name="New automation").first.click()
    p.get_by_label("Automation name").fill(name)
    return p


def add_action(p: Any, label: str, number: int) -> Any:
    p.get_by_role("button", name="Add action").click()
    p.get_by_role("menuitem", name=label).click()
    return p.get_by_role("region", name=f"Step {number}: {label}")


def insert_field(p: Any, step: Any, control: str, field: str) -> None:
    step.get_by_role("button", name=f"Insert field into {control}").click()
    p.get_by_role("menu", name="Fields").get_by_role("menuitem", name=field, exact=True).click()


def create_rule(p: Any) -> int:
    p.get_by_role("button", name="Create automation").click()
    p.wait_for_url(re.compile(r"/automations/\d+$"))
    return int(p.url.rsplit("/", 1)[1])


def test_s3_minimum_stock_alert_built_by_clicking(
    page: Page, api: Api, shop: dict[str, Any]
) -> None:
    base_id, table_id, row_id = shop["base"]["id"], shop["table"]["id"], shop["row_id"]
    p = open_new_rule(page, base_id, "Low stock alert")
    p.get_by_role("radio", name="When a row starts matching the condition").click()
    p.get_by_label("Table", exact=True).select_option(label="Products")
    p.get_by_role("radio", name="When a formula is true").click()
    p.get_by_role("textbox", name="Formula").fill("{Stock} < {Minimum stock}")

    notify = add_action(p, "Notify users in the app", 1)
    notify.get_by_label(re.compile(r"^Notify these members")).select_option(ADMIN[0])
    notify.get_by_label(re.compile(r"^Message")).fill("Low stock: ")
    insert_field(p, notify, "Message", "Name")
    assert notify.get_by_label(re.compile(r"^Message")).input_value() == (
        "Low stock: {{ row['Name'] }}"
    )

    email = add_action(p, "Send an e-mail", 2)
    to = email.get_by_label(re.compile(r"^To\b"))
    to.fill("purchasing@example.com")
    to.press("Enter")
    email.get_by_role("button", name="Remove purchasing@example.com").wait_for()
    email.get_by_label(re.compile(r"^Subject")).fill("Reorder ")
    insert_field(p, email, "Subject", "Name")
    email.get_by_label(re.compile(r"^Body")).fill("Stock is below the minimum.")
    page.shot("rule-builder")
    rule_id = create_rule(p)

    rule = api.call("GET", f"/api/v1/rules/{rule_id}")
    assert rule["enabled"] is True
    assert rule["trigger"]["type"] == "row_matches"
    assert rule["trigger"]["table_id"] == table_id
    assert [a["type"] for a in rule["actions"]] == ["notify", "send_email"]
    assert rule["actions"][1]["params"]["to"] == ["purchasing@example.com"]

    # Dry run on the product: stock is fine, so the condition does not hold; nothing is sent.
    p.get_by_role("tab", name="Test").click()
    p.get_by_role("radio", name="Stapler").check()
    p.get_by_role("button", name="Test", exact=True).click()
    report = p.locator(".test-report")
    report.get_by_text("The condition does not hold").wait_for()
    assert report.locator(".step.step-ok").count() == 2
    assert mails(api, base_id, "Reorder Stapler") == []

    rows_url = f"/api/v1/tables/{table_id}/rows/{row_id}"
    api.call("PATCH", rows_url, {"fields": {"Stock": 3}})
    sent = eventually(lambda: mails(api, base_id, "Reorder Stapler"), RULE_TIMEOUT)
    assert sent, "the rule did not e-mail purchasing"
    assert sent[0]["to"] == ["purchasing@example.com"]
    assert sent[0]["status"] == "held"  # no SMTP in e2e: the mail waits in the outbox

    page.goto(f"/bases/{base_id}/automations/{rule_id}")
    bell = p.get_by_role("button", name=re.compile(r"^Notifications, \d+ unread"))
    bell.click()
    p.get_by_text("Low stock: Stapler").first.wait_for()
    p.keyboard.press("Escape")

    # It fires once per crossing: a further drop does not repeat it, a recovery re-arms it.
    api.call("PATCH", rows_url, {"fields": {"Stock": 2}})
    api.call("PATCH", rows_url, {"fields": {"Stock": 10}})
    api.call("PATCH", rows_url, {"fields": {"Stock": 1}})
    assert eventually(lambda: len(mails(api, base_id, "Reorder Stapler")) >= 2, RULE_TIMEOUT)
    assert len(mails(api, base_id, "Reorder Stapler")) == 2

    p.get_by_role("tab", name="Run log").click()
    runs = p.locator(".run-item")
    runs.first.wait_for()
    assert runs.count() == 2
    runs.first.locator(":scope > summary").click()
    first = runs.first
    first.get_by_text("Succeeded").wait_for()
    first.get_by_text("Step 1: Notify users in the app").wait_for()
    first.get_by_text("Step 2: Send an e-mail").wait_for()
    page.shot("rule-run-log")


@pytest.fixture
def orders_base(api: Api, workspace_id: int) -> dict[str, Any]:
    base = api.call(
        "POST",
        f"/api/v1/workspaces/{workspace_id}/bases",
        {"name": "Rules e2e S4", "template": "order_management"},
    )
    schema = api.call("GET", f"/api/v1/bases/{base['id']}/schema")
    orders = next(t for t in schema["tables"] if t["name"] == "Orders")
    return {"base": base, "orders": orders}


def test_s4_order_confirmation_built_by_clicking(
    page: Page, api: Api, orders_base: dict[str, Any]
) -> None:
    base_id, orders = orders_base["base"]["id"], orders_base["orders"]
    bundled = next(
        r
        for r in api.call("GET", f"/api/v1/bases/{base_id}/rules")["items"]
        if r["name"] == "Send the order confirmation"
    )

    # Switch the template's own confirmation rule off in the list, so ours does the work.
    p = page.page
    page.goto(f"/bases/{base_id}/automations")
    p.get_by_role("switch", name="Send the order confirmation is on").click()
    assert eventually(lambda: api.call("GET", f"/api/v1/rules/{bundled['id']}")["enabled"] is False)

    p = open_new_rule(page, base_id, "Confirmation by e2e")
    p.get_by_role("radio", name="When a row is updated").click()
    p.get_by_label("Table", exact=True).select_option(label="Orders")
    p.get_by_label(re.compile(r"^Only when these fields change")).select_option(label="Status")
    p.get_by_role("radio", name="When these conditions match").click()
    condition = p.get_by_role("region", name="Condition")
    condition.get_by_role("button", name="Add condition").click()
    condition.get_by_label("Field", exact=True).select_option(label="Status")
    condition.get_by_label("Operator", exact=True).select_option(label="is")
    condition.get_by_label("Value", exact=True).select_option(label="Confirmed")

    document = add_action(p, "Generate a document (PDF)", 1)
    document.get_by_label(re.compile(r"^Document template")).select_option(
        label="Order confirmation"
    )
    document.get_by_label(re.compile(r"^Attach to field")).select_option(label="Confirmation")
    document.get_by_label(re.compile(r"^File name")).fill("E2E confirmation ")
    insert_field(p, document, "File name", "No.")

    email = add_action(p, "Send an e-mail", 2)
    email.get_by_label(re.compile(r"the addresses in this field")).select_option(
        label="Customer e-mail"
    )
    email.get_by_label(re.compile(r"^Subject")).fill("Your order ")
    insert_field(p, email, "Subject", "No.")
    email.get_by_label(re.compile(r"^Body")).fill("Attached: your confirmation.")
    email.get_by_label("Step 1: Generate a document (PDF)").check()
    rule_id = create_rule(p)

    rule = api.call("GET", f"/api/v1/rules/{rule_id}")
    assert rule["actions"][1]["params"]["attach_steps"] == [0]
    assert rule["condition"]["filter"]

    rows = api.call("GET", f"/api/v1/tables/{orders['id']}/rows?limit=200")["rows"]
    order = next(
        r for r in rows if r["fields"]["Status"] == "New" and r["fields"]["Customer e-mail"]
    )
    number, customer = order["fields"]["No."], order["fields"]["Customer e-mail"]
    api.call(
        "PATCH",
        f"/api/v1/tables/{orders['id']}/rows/{order['id']}",
        {"fields": {"Status": "Confirmed"}},
    )

    def attached() -> list[dict[str, Any]]:
        row = api.call("GET", f"/api/v1/tables/{orders['id']}/rows/{order['id']}")
        return [a for a in row["fields"]["Confirmation"] or [] if a["name"].startswith("E2E")]

    files = eventually(attached, RULE_TIMEOUT)
    assert files, "no confirmation PDF was attached to the order"
    assert files[0]["name"] == f"E2E confirmation {number}.pdf"
    assert files[0]["mime_type"] == "application/pdf"
    with api.opener.open(api.base_url + files[0]["url"], timeout=30) as res:
        assert res.read(5) == b"%PDF-"

    sent = eventually(lambda: mails(api, base_id, f"Your order {number}"), RULE_TIMEOUT)
    assert sent, "the confirmation was not e-mailed"
    assert sent[0]["to"] == customer
    assert [a["name"] for a in sent[0]["attachments"]] == [f"E2E confirmation {number}.pdf"]
    assert sent[0]["attachments"][0]["file_id"] == files[0]["id"]
    # The switched-off template rule sent nothing.
    assert mails(api, base_id, f"Order confirmation {number}") == []
