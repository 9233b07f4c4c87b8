"""Two workers and two schedulers on one database (each with its own engine and connection
pool, as separate processes would have) never run the same event or slot twice."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import sqlalchemy as sa

from tablekit.automations.models import RuleRun, ScheduleSlot
from tablekit.automations.scheduler import Scheduler
from tablekit.automations.worker import Worker
from tablekit.db.models import OutboxEvent
from tablekit.services.container import build_services
from tests.automations.conftest import Shop, wait_for

ORDERS = 120
SLOTS = 5


def test_two_workers_and_two_schedulers_share_the_work_exactly_once(shop: Shop, settings, formulas):
    orders = shop.rule(
        {"type": "row_created", "table_id": "Orders"},
        [{"type": "add_row", "params": {"table_id": "Customers", "fields": {"Name": "={Name}"}}}],
    )
    ticks = shop.rule(
        {"type": "schedule", "params": {"cron": "* * * * *"}},
        [{"type": "add_row", "params": {"table_id": "Customers", "fields": {"Name": "tick"}}}],
    )
    due = datetime.fromisoformat(
        shop.services.automations.get(shop.actor, ticks["id"])["next_run_at"]
    )
    processes = [build_services(settings) for _ in range(2)]
    workers = [Worker(p, formulas=formulas, scheduler=False, poll_seconds=0.02) for p in processes]
    try:
        for worker in workers:
            worker.start()

        def place(batch: int) -> None:
            rows = [{"Name": f"O{batch}-{n}"} for n in range(10)]
            shop.services.rows.create(shop.actor, shop.tid("Orders"), rows)

        with ThreadPoolExecutor(4) as pool:
            list(pool.map(place, range(ORDERS // 10)))
        for slot in range(SLOTS):
            now = due + timedelta(minutes=slot, seconds=1)
            start = threading.Barrier(2)

            def tick(worker: Worker, now: datetime = now, start: threading.Barrier = start) -> int:
                start.wait()
                return Scheduler(worker.services.db, worker.engine).tick(now)

            with ThreadPoolExecutor(2) as pool:
                created = list(pool.map(tick, workers))
            assert sorted(created) == [0, 1], created

        def settled() -> bool:
            with shop.services.db.read() as session:
                open_runs = session.scalar(
                    sa.select(sa.func.count())
                    .select_from(RuleRun)
                    .where(RuleRun.status.in_(("pending", "running")))
                )
                open_events = session.scalar(
                    sa.select(sa.func.count())
                    .select_from(OutboxEvent)
                    .where(OutboxEvent.processed_at.is_(None))
                )
                total = session.scalar(sa.select(sa.func.count()).select_from(RuleRun))
            return open_runs == 0 and open_events == 0 and total == ORDERS + SLOTS

        assert wait_for(settled, 90)
    finally:
        for worker in workers:
            worker.stop()
        for p in processes:
            p.close()
    order_runs = shop.runs(orders)
    assert len(order_runs) == ORDERS and {r["status"] for r in order_runs} == {"ok"}
    assert len({r["trigger"]["event_id"] for r in order_runs}) == ORDERS
    names = Counter(r["fields"]["Name"] for r in shop.rows("Customers"))
    assert names.pop("tick") == SLOTS
    assert len(names) == ORDERS and set(names.values()) == {1}
    with shop.services.db.read() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(ScheduleSlot)) == SLOTS
