"""One story per trigger type: what starts a rule, and what does not."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from tablekit.automations.scheduler import Scheduler
from tests.automations.conftest import Shop


def note_rule(shop: Shop, trigger: dict, **extra):
    """A rule that writes what it saw into the trigger row's Note."""
    return shop.rule(
        trigger,
        [{"type": "update_rows", "params": {"fields": {"Note": '="seen " & {Status}'}}}],
        **extra,
    )


def test_row_created_and_deleted(shop: Shop, worker):
    created = shop.rule(
        {"type": "row_created", "table_id": "Orders"},
        [{"type": "add_row", "params": {"table_id": "Customers", "fields": {"Name": "={Name}"}}}],
    )
    deleted = shop.rule(
        {"type": "row_deleted", "table_id": "Orders"},
        [
            {
                "type": "add_row",
                "params": {"table_id": "Customers", "fields": {"Name": '="gone " & {Name}'}},
            }
        ],
        condition={"formula": '{Name} <> "keep quiet"'},
    )
    first = shop.add("Orders", Name="A-1")
    quiet = shop.add("Orders", Name="keep quiet")
    worker.drain()
    shop.services.rows.delete(shop.actor, shop.tid("Orders"), [first, quiet])
    worker.drain()
    names = sorted(r["fields"]["Name"] for r in shop.rows("Customers"))
    assert names == ["A-1", "gone A-1", "keep quiet"]
    assert [r["status"] for r in shop.runs(created)] == ["ok", "ok"]
    run = shop.runs(deleted)[0]
    assert run["trigger"]["event"] == "row_deleted" and run["trigger"]["row_id"] == first


def test_row_updated_only_when_given_fields_change_with_old_values(shop: Shop, worker):
    rule = shop.rule(
        {"type": "row_updated", "table_id": "Orders", "params": {"fields": ["Status"]}},
        [
            {
                "type": "add_row",
                "params": {
                    "table_id": "Customers",
                    "fields": {"Name": '=OLD({Status}) & " -> " & {Status}'},
                },
            }
        ],
        condition={"formula": 'AND(CHANGED({Status}), {Status} <> "Paid")'},
    )
    order = shop.add("Orders", Name="A-1", Status="New")
    shop.set("Orders", order, Quantity=3)  # not a watched field
    shop.set("Orders", order, Status="Confirmed")
    worker.drain()
    shop.set("Orders", order, Status="Paid")  # the condition says no
    worker.drain()
    assert [r["fields"]["Name"] for r in shop.rows("Customers")] == ["New -> Confirmed"]
    runs = shop.runs(rule)
    assert len(runs) == 1 and runs[0]["trigger"]["changes"]
    assert runs[0]["steps"][0]["line"].startswith("added row")


def test_row_matches_fires_once_per_transition(shop: Shop, worker):
    rule = shop.rule(
        {"type": "row_matches", "table_id": "Products"},
        [{"type": "add_row", "params": {"table_id": "Customers", "fields": {"Name": "={Name}"}}}],
        condition={"formula": "{Stock} < {Minimum stock}"},
    )
    product = shop.add("Products", Name="Bolt", Stock=20, **{"Minimum stock": 5})
    worker.drain()
    for stock in (4, 3, 2):  # crosses once, then keeps matching
        shop.set("Products", product, Stock=stock)
        worker.drain()
    assert len(shop.runs(rule)) == 1
    shop.set("Products", product, Stock=10)  # recovers
    shop.set("Products", product, Stock=1)  # and falls again, before the worker looks
    shop.set("Products", product, Stock=0)
    worker.drain()
    assert len(shop.runs(rule)) == 2  # each event is replayed on the row as it was then
    shop.set("Products", product, Stock=10)
    worker.drain()
    shop.set("Products", product, Stock=1)
    worker.drain()
    assert len(shop.runs(rule)) == 3
    assert len(shop.rows("Customers")) == 3
    # A filter condition means the same as in a view.
    low = shop.rule(
        {"type": "row_matches", "table_id": "Products"},
        [{"type": "lock_row", "params": {}}],
        condition={"filter": {"and": [{"field": "Stock", "op": "lte", "value": 0}]}},
    )
    shop.set("Products", product, Stock=0)
    shop.set("Products", product, Stock=-1)
    worker.drain()
    assert [r["status"] for r in shop.runs(low)] == ["ok"]


def test_schedule_runs_each_slot_once_without_catch_up_storm(shop: Shop, worker):
    rule = shop.rule(
        {"type": "schedule", "params": {"preset": "daily", "at": "08:00"}},
        [{"type": "add_row", "params": {"table_id": "Customers", "fields": {"Name": "daily"}}}],
    )
    first = datetime.fromisoformat(
        shop.services.automations.get(shop.actor, rule["id"])["next_run_at"]
    )
    assert first.astimezone(UTC).hour in (6, 7)  # 08:00 in Berlin
    scheduler = Scheduler(shop.services.db, worker.engine)
    assert scheduler.tick(first - timedelta(seconds=1)) == 0
    assert scheduler.tick(first + timedelta(seconds=1)) == 1
    assert scheduler.tick(first + timedelta(seconds=2)) == 0  # the slot is taken
    # Ten days of downtime: one run for the latest missed slot, not ten.
    assert scheduler.tick(first + timedelta(days=10, hours=1)) == 1
    worker.drain()
    runs = shop.runs(rule)
    assert [r["status"] for r in runs] == ["ok", "ok"]
    assert runs[1]["trigger"]["scheduled_for"].startswith(
        (first + timedelta(days=10)).date().isoformat()
    )


def test_schedule_matching_rows_runs_for_each_matching_row(shop: Shop, worker):
    rule = shop.rule(
        {
            "type": "schedule_matching_rows",
            "table_id": "Products",
            "params": {"cron": "0 7 * * 1-5", "catch_up": "none"},
        },
        [{"type": "adjust_number", "params": {"field": "Stock", "by": 10}}],
        condition={"filter": {"field": "Stock", "op": "lt", "value": 5}},
    )
    low = shop.add("Products", Name="Low", Stock=1)
    shop.add("Products", Name="Fine", Stock=50)
    due = datetime.fromisoformat(
        shop.services.automations.get(shop.actor, rule["id"])["next_run_at"]
    )
    assert due.astimezone(UTC).weekday() < 5
    scheduler = Scheduler(shop.services.db, worker.engine)
    assert scheduler.tick(due + timedelta(minutes=1)) == 1
    worker.drain()
    assert shop.row("Products", low)["Stock"] == 11
    # catch_up "none": a slot missed by more than the grace period is skipped.
    later = datetime.fromisoformat(
        shop.services.automations.get(shop.actor, rule["id"])["next_run_at"]
    )
    shop.set("Products", low, Stock=0)
    assert scheduler.tick(later + timedelta(days=3, hours=1)) == 0


def test_date_relative_fires_once_per_row_and_date(shop: Shop, worker):
    rule = shop.rule(
        {
            "type": "date_relative",
            "table_id": "Orders",
            "params": {"field": "Due", "offset": "+7d", "at": "09:00"},
        },
        [{"type": "update_rows", "params": {"fields": {"Status": "On hold"}}}],
    )
    berlin = ZoneInfo("Europe/Berlin")
    today = datetime.now(UTC).astimezone(berlin).date()
    due = today + timedelta(days=1)
    shop.add("Orders", Name="soon", Due=due.isoformat())
    shop.add("Orders", Name="later", Due=(today + timedelta(days=20)).isoformat())
    shop.add("Orders", Name="ancient", Due=date(2020, 1, 1).isoformat())  # no storm
    moment = datetime.combine(due + timedelta(days=7), time(9, 0), berlin).astimezone(UTC)
    scheduler = Scheduler(shop.services.db, worker.engine)
    assert scheduler.tick(moment - timedelta(minutes=1)) == 0
    assert scheduler.tick(moment + timedelta(minutes=1)) == 1
    assert scheduler.tick(moment + timedelta(minutes=3)) == 0
    worker.drain()
    statuses = {r["fields"]["Name"]: r["fields"]["Status"] for r in shop.rows("Orders")}
    assert statuses == {"soon": "On hold", "later": None, "ancient": None}
    assert shop.runs(rule)[0]["trigger"]["scheduled_for"] == moment.isoformat()
