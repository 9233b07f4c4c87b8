"""The automation API over HTTP, with the worker the app runs in-process: rules CRUD and
run log, button clicks, public forms, incoming webhooks, notifications and the outbox."""

from __future__ import annotations

from tests.automations.conftest import Shop, wait_for
from tests.factories import make_api


def finished(runs: list[dict]) -> list[dict]:
    return runs if runs and all(r["status"] not in ("pending", "running") for r in runs) else []


def test_rules_crud_and_run_log(shop: Shop, client):
    api = shop.api(client)
    base = f"/api/v1/bases/{shop.base_id}/rules"
    body = {
        "name": "Confirm",
        "trigger": {"type": "row_updated", "table_id": "Orders", "params": {"fields": ["Status"]}},
        "condition": {"filter": {"field": "Status", "op": "eq", "value": "New"}},
        "actions": [{"type": "update_rows", "params": {"fields": {"Note": "checked"}}}],
    }
    created = api.post(base, body)
    assert created.status_code == 201, created.text
    rule = created.json()
    status_id = next(f["id"] for f in shop.tables["Orders"]["fields"] if f["name"] == "Status")
    # Names are stored as ids: renames cannot break the rule.
    assert rule["trigger"]["params"]["fields"] == [f"f_{status_id}"]
    assert rule["condition"]["filter"]["field"] == f"f_{status_id}"
    assert [r["id"] for r in api.ok("get", base)["items"]] == [rule["id"]]
    assert api.ok("get", f"/api/v1/rules/{rule['id']}")["name"] == "Confirm"
    disabled = api.patch(f"/api/v1/rules/{rule['id']}", {"enabled": False})
    assert disabled.status_code == 200 and disabled.json()["enabled"] is False
    assert api.patch(f"/api/v1/rules/{rule['id']}", {"surprise": 1}).status_code == 400
    bad = api.post(base, {**body, "actions": [{"type": "explode", "params": {}}]})
    assert bad.status_code == 422 and "explode" in bad.json()["message"]
    # Enabled again, it reacts; the run log shows trigger, steps and lines.
    api.ok("patch", f"/api/v1/rules/{rule['id']}", {"enabled": True})
    order = shop.add("Orders", Name="A-1", Status="Confirmed")
    shop.set("Orders", order, Status="New")
    runs = wait_for(lambda: finished(api.ok("get", f"/api/v1/rules/{rule['id']}/runs")["items"]))
    assert runs[0]["status"] == "ok" and runs[0]["trigger"]["row_id"] == order
    assert runs[0]["steps"][0]["line"].startswith("updated 1 of 1 row")
    assert wait_for(lambda: shop.row("Orders", order)["Note"] == "checked")
    # Another workspace sees nothing.
    stranger = make_api(shop.services, client)
    assert stranger.get(f"/api/v1/rules/{rule['id']}").status_code == 404
    assert stranger.get(f"/api/v1/rules/{rule['id']}/runs").status_code == 404
    assert stranger.post(base, body).status_code == 404
    assert api.delete(f"/api/v1/rules/{rule['id']}").status_code == 204
    assert api.get(f"/api/v1/rules/{rule['id']}").status_code == 404


def test_test_endpoint_writes_nothing_and_run_now(shop: Shop, client):
    api = shop.api(client)
    product = shop.add("Products", Name="Bolt", Stock=3)
    rule = shop.rule(
        {"type": "row_created", "table_id": "Products"},
        [
            {"type": "adjust_number", "params": {"field": "Stock", "by": -2, "min": 0}},
            {"type": "add_row", "params": {"table_id": "Customers", "fields": {"Name": "={Name}"}}},
            {"type": "adjust_number", "params": {"field": "Stock", "by": -2, "min": 0}},
        ],
    )
    report = api.ok("post", f"/api/v1/rules/{rule['id']}/test", {"row_id": product})
    assert report["dry_run"] is True and report["status"] == "refused"
    assert [s["status"] for s in report["steps"]] == ["ok", "ok", "refused"]
    assert "would cross the min of 0" in report["steps"][2]["error"]
    assert shop.row("Products", product)["Stock"] == 3 and shop.rows("Customers") == []
    assert api.ok("get", f"/api/v1/rules/{rule['id']}/runs")["items"] == []
    ran = api.post(f"/api/v1/rules/{rule['id']}/run?wait=15", {"row_id": product})
    assert ran.status_code == 202
    assert ran.json()["runs"][0]["status"] == "refused"
    assert shop.row("Products", product)["Stock"] == 1  # the first step stayed
    assert len(shop.rows("Customers")) == 1


def test_button_click_runs_its_rule(shop: Shop, client):
    api = shop.api(client)
    api.ok(
        "post",
        f"/api/v1/tables/{shop.tid('Orders')}/fields",
        {"name": "Ship", "type": "button", "options": {"label": "Ship it"}},
    )
    rule = shop.rule(
        {"type": "button", "table_id": "Orders", "params": {"field": "Ship"}},
        [{"type": "update_rows", "params": {"fields": {"Status": "Shipped"}}}],
    )
    order = shop.add("Orders", Name="A-1", Status="Confirmed")
    clicked = api.post(f"/api/v1/tables/{shop.tid('Orders')}/rows/{order}/buttons/Ship?wait=15")
    assert clicked.status_code == 202, clicked.text
    assert [r["status"] for r in clicked.json()["runs"]] == ["ok"]
    assert shop.row("Orders", order)["Status"] == "Shipped"
    assert shop.runs(rule)[0]["trigger"]["actor_id"] == shop.user_id
    missing = api.post(f"/api/v1/tables/{shop.tid('Orders')}/rows/{order}/buttons/Name")
    assert missing.status_code == 404
    viewer = make_api(shop.services, client, scopes=("read",))
    assert (
        viewer.post(f"/api/v1/tables/{shop.tid('Orders')}/rows/{order}/buttons/Ship").status_code
        == 404
    )


def test_form_submission_starts_its_rule(shop: Shop, client):
    api = shop.api(client)
    view = api.ok(
        "post", f"/api/v1/tables/{shop.tid('Orders')}/views", {"name": "Order form", "type": "form"}
    )
    link = api.ok("post", f"/api/v1/views/{view['id']}/share", {"kind": "form"})
    rule = shop.rule(
        {"type": "form_submitted", "params": {"view_id": view["id"]}},
        [{"type": "update_rows", "params": {"fields": {"Status": "New"}}}],
    )
    shop.add("Orders", Name="typed in the grid")  # not a form submission
    sent = client.post(
        f"/api/v1/public/forms/{link['token']}", json={"fields": {"Name": "web order"}}
    )
    assert sent.status_code == 201, sent.text
    assert wait_for(lambda: shop.row("Orders", sent.json()["id"])["Status"] == "New")
    runs = shop.runs(rule)
    assert len(runs) == 1 and runs[0]["trigger"]["form_view_id"] == view["id"]


def test_incoming_webhook_starts_a_rule_with_its_payload(shop: Shop, client):
    rule = shop.rule(
        {"type": "webhook", "params": {}},
        [
            {
                "type": "add_row",
                "params": {
                    "table_id": "Customers",
                    "fields": {"Name": "={payload.customer}", "E-mail": "={payload.email}"},
                },
            },
            {
                "type": "update_rows",
                "params": {
                    "table_id": "Customers",
                    "fields": {"Credit limit": "=100 * {steps.0.row_id}"},
                    "filter": {"field": "Name", "op": "eq", "value": "={payload.customer}"},
                },
            },
        ],
        condition={"formula": '{payload.customer} <> ""'},
    )
    hook_url = rule["hook_url"]
    path = hook_url.removeprefix("http://127.0.0.1")
    assert path.startswith("/hooks/") and len(path) > 30
    answer = client.post(path, json={"customer": "Ada", "email": "ada@example.com", "{{7*7}}": 1})
    assert answer.status_code == 202, answer.text
    row = wait_for(lambda: shop.rows("Customers"))
    assert (
        row
        and row[0]["fields"]["Name"] == "Ada"
        and row[0]["fields"]["E-mail"] == "ada@example.com"
    )
    assert wait_for(lambda: shop.rows("Customers")[0]["fields"]["Credit limit"] is not None)
    skipped = client.post(path, json={"customer": ""})
    assert skipped.status_code == 202 and skipped.json()["status"] == "skipped"
    assert client.post("/hooks/not-a-secret", json={}).status_code == 404
    assert client.post(path, content=b"{not json").status_code == 422
    assert shop.runs(rule)[0]["trigger"]["payload"]["customer"] == "Ada"


def test_notifications_and_outbox(shop: Shop, client):
    api = shop.api(client)
    shop.rule(
        {"type": "row_created", "table_id": "Orders"},
        [
            {
                "type": "notify",
                "params": {"to": [shop.actor.email], "message": "New order {{ row.Name }}"},
            },
            {
                "type": "send_email",
                "params": {
                    "to": ["sales@example.com"],
                    "subject": "Order {{ row.Name }}",
                    "body": "{{ row.Note }}",
                },
            },
        ],
    )
    shop.add("Orders", Name="A-1", Note="{{ 7*7 }} stays literal")
    items = wait_for(lambda: api.ok("get", "/api/v1/notifications")["items"])
    assert items[0]["message"] == "New order A-1" and items[0]["read"] is False
    assert api.ok("get", "/api/v1/notifications")["unread"] == 1
    assert api.ok("post", "/api/v1/notifications/read", {})["marked"] == 1
    assert api.ok("get", "/api/v1/notifications?unread=true")["items"] == []
    mails = wait_for(lambda: api.ok("get", "/api/v1/outbox")["items"])
    assert mails[0]["status"] == "held"  # no SMTP configured: kept in the outbox
    assert mails[0]["to"] == ["sales@example.com"] and mails[0]["subject"] == "Order A-1"
    assert mails[0]["body"] == "{{ 7*7 }} stays literal"
    editor = make_api(shop.services, client, scopes=("read", "write"))
    assert editor.get("/api/v1/outbox").status_code == 403
    assert editor.ok("get", "/api/v1/notifications")["items"] == []


def test_rule_builder_types(shop: Shop, client):
    api = shop.api(client)
    types = api.ok("get", "/api/v1/automations/types")
    assert {t["type"] for t in types["triggers"]} >= {"row_created", "schedule", "webhook"}
    send = next(a for a in types["actions"] if a["type"] == "send_email")
    assert "subject" in str(send["params"])
