"""No oversell: 100 orders of one unit placed at once (100 threads) against a stock of 10,
each reserving its unit with ``adjust_number`` in workers running side by side: exactly 10
runs succeed, the stock ends at 0, the 90 others are refused with the reason. Repeated, on
both databases (fewer repetitions on PostgreSQL, which has more workers racing)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from tablekit.automations.worker import Worker
from tests.automations.conftest import Shop

ORDERS = 100
STOCK = 10
WORKERS = 4


def test_concurrent_orders_never_oversell(shop: Shop, services, formulas, db_url):
    # Lean tables: the race is in the reservation, not in decoding many fields.
    shop.table("Items", [{"name": "Name", "type": "text"}, {"name": "Stock", "type": "number"}])
    shop.table(
        "Reservations",
        [
            {"name": "Name", "type": "text"},
            {"name": "Quantity", "type": "number"},
            {
                "name": "Item",
                "type": "link",
                "options": {"table_id": shop.tid("Items"), "multiple": False},
            },
        ],
    )
    rule = shop.rule(
        {"type": "row_created", "table_id": "Reservations"},
        [
            {
                "type": "adjust_number",
                "params": {"field": "Stock", "by": "-{Quantity}", "min": 0, "via_link": "Item"},
            },
        ],
    )
    sqlite = db_url.startswith("sqlite")
    # SQLite has one writer at a time: more workers only wait for each other.
    count = 2 if sqlite else WORKERS
    workers = [Worker(services, formulas=formulas, scheduler=False) for _ in range(count)]
    repetitions = 10 if sqlite else 5
    try:
        for repetition in range(repetitions):
            item = shop.add("Items", Name=f"Last units {repetition}", Stock=STOCK)
            start = threading.Barrier(ORDERS)

            def order(n: int, item: int = item, start: threading.Barrier = start) -> int:
                start.wait()
                return shop.add("Reservations", Name=f"O{n}", Quantity=1, Item=[item])

            with ThreadPoolExecutor(ORDERS) as pool:
                order_ids = set(pool.map(order, range(ORDERS)))
            with ThreadPoolExecutor(WORKERS) as pool:
                for future in [pool.submit(w.drain, 120.0) for w in workers]:
                    future.result()
            runs = [r for r in shop.runs(rule) if r["trigger"]["row_id"] in order_ids]
            assert len(runs) == ORDERS  # one run per order, none twice
            statuses = sorted(r["status"] for r in runs)
            assert statuses == ["ok"] * STOCK + ["refused"] * (ORDERS - STOCK), repetition
            assert shop.row("Items", item)["Stock"] == 0
            refused = next(r for r in runs if r["status"] == "refused")
            assert "would cross the min of 0" in refused["error"]
    finally:
        for w in workers:
            w.stop()
