"""The delivery engine: chains, failures, savepoints, retries and idempotent e-mail, and
what rules cost tables that have none."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import event

from tablekit.automations.models import Rule, RuleRun
from tablekit.automations.runner import DISABLE_AFTER
from tablekit.notify.outbox import OutboxMail
from tests.automations.conftest import Shop
from tests.support.loopback import http_receiver


class Statements:
    """Records the SQL an engine executes while active."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self.items: list[str] = []

    def _record(self, conn, cursor, statement, *args) -> None:  # type: ignore[no-untyped-def]
        self.items.append(statement)

    def __enter__(self) -> Statements:
        event.listen(self.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *_: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._record)


def test_chains_stop_at_depth_five_with_a_notice(shop: Shop, worker):
    rule = shop.rule(
        {"type": "row_updated", "table_id": "Orders", "params": {"fields": ["Quantity"]}},
        [{"type": "update_rows", "params": {"fields": {"Quantity": "={Quantity} + 1"}}}],
    )
    order = shop.add("Orders", Name="loop", Quantity=0)
    shop.set("Orders", order, Quantity=1)
    worker.drain()
    runs = shop.runs(rule)
    assert [r["status"] for r in runs] == ["ok"] * 5 + ["stopped"]
    assert [r["depth"] for r in runs] == [0, 1, 2, 3, 4, 5]
    assert "chains stop at depth 5" in runs[-1]["error"]
    assert shop.row("Orders", order)["Quantity"] == 6


def test_ten_failures_in_a_row_disable_the_rule_and_tell_its_owner(shop: Shop, worker):
    rule = shop.rule(
        {"type": "row_created", "table_id": "Orders"},
        [{"type": "update_rows", "params": {"fields": {"Quantity": "={Name} * 2"}}}],
        name="Doubler",
    )
    for n in range(DISABLE_AFTER):
        shop.add("Orders", Name=f"not a number {n}")
    worker.drain()
    runs = shop.runs(rule)
    assert [r["status"] for r in runs] == ["failed"] * DISABLE_AFTER
    assert "#VALUE!" in runs[0]["error"] and runs[0]["steps"][0]["status"] == "failed"
    saved = shop.services.automations.get(shop.actor, rule["id"])
    assert saved["enabled"] is False and "10 failed runs in a row" in saved["disabled_reason"]
    notes = shop.services.inbox.notifications(shop.actor)["items"]
    assert "'Doubler' failed 10 times in a row and was disabled" in notes[0]["message"]
    shop.add("Orders", Name="after")
    worker.drain()
    assert len(shop.runs(rule)) == DISABLE_AFTER
    # Enabling it again starts a new count.
    enabled = shop.services.automations.update(shop.actor, rule["id"], {"enabled": True})
    assert enabled["failure_count"] == 0 and enabled["disabled_reason"] == ""


def test_a_failed_step_rolls_back_its_own_writes_only(shop: Shop, worker):
    shop.table("Invoices", [{"name": "Name", "type": "text"}])
    shop.table(
        "Invoice lines",
        [
            {"name": "Name", "type": "text"},
            {"name": "Invoice", "type": "link", "options": {"table_id": shop.tid("Invoices")}},
            {"name": "Quantity", "type": "number"},
        ],
    )
    rule = shop.rule(
        {"type": "row_updated", "table_id": "Orders", "params": {"fields": ["Status"]}},
        [
            {"type": "add_row", "params": {"table_id": "Customers", "fields": {"Name": "step 1"}}},
            {
                "type": "copy_row",
                "params": {
                    "table_id": "Invoices",
                    "fields": {"Name": "={Name}"},
                    "copy_links": [
                        {
                            "from": "Order lines",
                            "to": "Invoice lines",
                            "fields": {"Quantity": "={Name} * 1"},
                        }
                    ],
                },
            },
            {"type": "add_row", "params": {"table_id": "Customers", "fields": {"Name": "never"}}},
        ],
    )
    order = shop.add("Orders", Name="A-1")
    shop.services.rows.create(
        shop.actor, shop.tid("Order lines"), [{"Name": "L1", "Order": [order]}]
    )
    shop.set("Orders", order, Status="Shipped")
    worker.drain()
    run = shop.runs(rule)[0]
    assert run["status"] == "failed" and run["error"].startswith("step 2 (copy_row)")
    assert [s["status"] for s in run["steps"]] == ["ok", "failed"]
    assert [r["fields"]["Name"] for r in shop.rows("Customers")] == ["step 1"]
    assert shop.rows("Invoices") == [] and shop.rows("Invoice lines") == []


def test_a_retried_run_resumes_and_never_sends_a_mail_twice(shop: Shop, worker):
    answers = iter([503, 200])
    with http_receiver(lambda request: (next(answers), {}, b"")) as receiver:
        rule = shop.rule(
            {"type": "row_created", "table_id": "Orders"},
            [
                {
                    "type": "send_email",
                    "params": {
                        "to": ["ops@example.com"],
                        "subject": "New {{ row.Name }}",
                        "body": "-",
                    },
                },
                {"type": "call_webhook", "params": {"url": receiver.url + "/in"}},
            ],
        )
        shop.add("Orders", Name="A-1")
        worker.drain()
        import time

        time.sleep(0.2)
        worker.drain()
    run = shop.runs(rule)[0]
    assert run["status"] == "ok" and run["attempts"] == 2
    assert len(receiver.requests) == 2
    with shop.services.db.read() as session:
        mails = session.scalars(sa.select(OutboxMail)).all()
        assert len(mails) == 1 and mails[0].idempotency_key == f"run:{run['id']}:step:0"
    # Even replaying the whole run from its first step queues nothing new.
    with shop.services.db.write() as session:
        session.execute(
            sa.update(RuleRun)
            .where(RuleRun.id == run["id"])
            .values(status="pending", next_step=0, steps=[])
        )
    with http_receiver() as again:
        with shop.services.db.write() as session:
            rule_row = session.get(Rule, rule["id"])
            assert rule_row is not None
            rule_row.actions = [rule_row.actions[0]]
        worker.drain()
    with shop.services.db.read() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(OutboxMail)) == 1
    assert again.requests == []


def test_tables_without_rules_cost_zero_extra_queries(shop: Shop, worker):
    plain = shop.tid("Customers")
    row = shop.add("Customers", Name="x")
    engine = shop.services.db.engine

    def write(value: str) -> list[str]:
        with Statements(engine) as statements:
            shop.services.rows.update(shop.actor, plain, [(row, {"Name": value})])
        return statements.items

    write("warm")
    before = write("a")
    shop.rule(
        {"type": "row_updated", "table_id": "Orders"},
        [{"type": "update_rows", "params": {"fields": {"Note": "x"}}}],
    )
    shop.rule(
        {"type": "row_matches", "table_id": "Products"},
        [{"type": "lock_row", "params": {}}],
        condition={"formula": "{Stock} < 0"},
    )
    after = write("b")
    assert len(after) == len(before)
    assert not [s for s in after if "tk_rule" in s or "tk_row_locks" in s or "tk_webhook" in s]
    worker.drain()
    for i in range(50):
        shop.services.rows.update(shop.actor, plain, [(row, {"Name": f"v{i}"})])
    with Statements(engine) as dispatch:
        assert worker.dispatcher.dispatch() == 50
    # Claim, match rules, match webhooks, mark processed (plus BEGIN): per batch, not per
    # event, and no row of the table is read.
    assert len(dispatch.items) <= 6
    assert not [s for s in dispatch.items if f"t_{plain}" in s]
