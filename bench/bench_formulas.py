"""Computed fields: bulk recalculation of a formula column, and one edit rippling through
lookups and rollups (order line → order total → customer balance).

Targets (issue 4): recompute a 100k-row formula column including writing the results in
≤ 2 s (≥ 50k cells/s); edit one order line → order total and customer balance updated in
≤ 50 ms server-side. Baselines, measured in the same run: the same arithmetic in a plain
Python loop plus an executemany UPDATE of the results; an edit of a table without
computed fields.

    python bench/bench_formulas.py [--rows 100000] [--orders 10000] [--quick]
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (
    Latency,
    machine_line,
    make_services,
    owner_and_base,
    temp_dir,
    time_calls,
    verdict,
)


def bulk_formula(services, actor, base_id: int, rows: int, db_path: Path) -> None:
    table = services.schema.create_table(
        actor,
        base_id,
        "Lines",
        [
            {"name": "Name", "type": "text"},
            {"name": "Quantity", "type": "number"},
            {"name": "Unit price", "type": "currency"},
        ],
    )
    q_col, p_col = (f"f_{f['id']}" for f in table["fields"][1:3])
    rng = random.Random(1)
    data = [
        (f"line {i}", rng.randint(1, 20), float(Decimal(rng.randint(100, 99999)) / 100))
        for i in range(rows)
    ]
    conn = sqlite3.connect(db_path)
    conn.executemany(
        f"INSERT INTO t_{table['id']} (version, created_at, updated_at, "
        f"f_{table['fields'][0]['id']}, {q_col}, {p_col}) "
        "VALUES (1, '2026-01-01 00:00:00', '2026-01-01 00:00:00', ?, ?, ?)",
        data,
    )
    conn.commit()
    # Baseline: the same products computed in Python and written with executemany.
    conn.execute(f"ALTER TABLE t_{table['id']} ADD COLUMN baseline REAL")
    start = time.perf_counter()
    ids = conn.execute(f"SELECT id, {q_col}, {p_col} FROM t_{table['id']}").fetchall()
    conn.executemany(
        f"UPDATE t_{table['id']} SET baseline = ? WHERE id = ?", [(q * p, i) for i, q, p in ids]
    )
    conn.commit()
    baseline = time.perf_counter() - start
    conn.close()
    start = time.perf_counter()
    services.schema.create_field(
        actor,
        table["id"],
        {
            "name": "Line total",
            "type": "formula",
            "options": {"formula": "{Quantity} * {Unit price}"},
        },
    )
    ours = time.perf_counter() - start
    rate = rows / ours
    print(
        f"recompute {rows:,}-row formula column: {ours:.2f} s ({rate:,.0f} cells/s); "
        f"baseline python+executemany {baseline:.2f} s; ratio {ours / baseline:.1f}x  "
        f"[target ≤ 2 s at 100k: {verdict(ours <= 2.0 * rows / 100_000)}]"
    )


def ripple(services, actor, base_id: int, orders: int) -> None:
    schema, rows = services.schema, services.rows
    customers = schema.create_table(actor, base_id, "Customers", [{"name": "Name", "type": "text"}])
    products = schema.create_table(
        actor,
        base_id,
        "Products",
        [{"name": "Name", "type": "text"}, {"name": "Price", "type": "currency"}],
    )
    order_t = schema.create_table(
        actor,
        base_id,
        "Orders",
        [
            {"name": "Ref", "type": "text"},
            {
                "name": "Customer",
                "type": "link",
                "options": {"table_id": customers["id"], "multiple": False},
            },
        ],
    )
    lines = schema.create_table(
        actor,
        base_id,
        "Order lines",
        [
            {"name": "Line", "type": "text"},
            {
                "name": "Order",
                "type": "link",
                "options": {"table_id": order_t["id"], "multiple": False},
            },
            {
                "name": "Product",
                "type": "link",
                "options": {"table_id": products["id"], "multiple": False},
            },
            {"name": "Quantity", "type": "number"},
        ],
    )
    plain = schema.create_table(
        actor,
        base_id,
        "Plain",
        [{"name": "Name", "type": "text"}, {"name": "Quantity", "type": "number"}],
    )
    rng = random.Random(2)
    cust = [
        r["id"]
        for r in rows.create(
            actor, customers["id"], [{"Name": f"c{i}"} for i in range(max(orders // 10, 1))]
        )
    ]
    prods = [
        r["id"]
        for r in rows.create(
            actor, products["id"], [{"Name": f"p{i}", "Price": "9.99"} for i in range(100)]
        )
    ]
    order_ids: list[int] = []
    for start in range(0, orders, 1000):
        batch = [
            {"Ref": f"o{i}", "Customer": [rng.choice(cust)]}
            for i in range(start, min(orders, start + 1000))
        ]
        order_ids += [r["id"] for r in rows.create(actor, order_t["id"], batch)]
    line_ids: list[int] = []
    for start in range(0, len(order_ids), 200):
        batch = [
            {"Order": [o], "Product": [rng.choice(prods)], "Quantity": rng.randint(1, 5)}
            for o in order_ids[start : start + 200]
            for _ in range(3)
        ]
        line_ids += [r["id"] for r in rows.create(actor, lines["id"], batch)]
    plain_ids = [
        r["id"] for r in rows.create(actor, plain["id"], [{"Name": "x", "Quantity": 1}] * 1000)
    ]
    schema.create_field(
        actor,
        lines["id"],
        {
            "name": "Unit price",
            "type": "lookup",
            "options": {"link_field": "Product", "target_field": "Price"},
        },
    )
    schema.create_field(
        actor,
        lines["id"],
        {
            "name": "Line total",
            "type": "formula",
            "options": {"formula": "{Quantity} * SUM({Unit price})"},
        },
    )
    schema.create_field(
        actor,
        order_t["id"],
        {
            "name": "Total",
            "type": "rollup",
            "options": {
                "link_field": "Order lines",
                "target_field": "Line total",
                "aggregate": "sum",
            },
        },
    )
    schema.create_field(
        actor,
        customers["id"],
        {
            "name": "Balance",
            "type": "rollup",
            "options": {"link_field": "Orders", "target_field": "Total", "aggregate": "sum"},
        },
    )
    edits = 200
    ours = Latency(
        "edit order line",
        time_calls(
            lambda i: rows.update(
                actor, lines["id"], [(line_ids[i * 7 % len(line_ids)], {"Quantity": i % 9 + 1})]
            ),
            edits,
        ),
    )
    base = Latency(
        "edit plain row",
        time_calls(
            lambda i: rows.update(
                actor, plain["id"], [(plain_ids[i % len(plain_ids)], {"Quantity": i % 9 + 1})]
            ),
            edits,
        ),
    )
    print(
        f"edit one order line → line total, order total, customer balance "
        f"({len(line_ids):,} lines, {len(order_ids):,} orders): p50 {ours.p50:.1f} ms, "
        f"p95 {ours.p95:.1f} ms; baseline plain edit p50 {base.p50:.1f} ms, "
        f"p95 {base.p95:.1f} ms; ratio p95 {ours.p95 / base.p95:.1f}x  "
        f"[target p95 ≤ 50 ms: {verdict(ours.p95 <= 50)}]"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--quick", action="store_true", help="10k rows, 1k orders")
    args = parser.parse_args()
    if args.quick:
        args.rows, args.orders = 10_000, 1_000
    print(machine_line())
    with temp_dir("tk-bench-formulas-") as tmp:
        services = make_services(tmp)
        try:
            actor, _, base_id = owner_and_base(services)
            bulk_formula(services, actor, base_id, args.rows, tmp / "tablekit.db")
            _, _, base2 = owner_and_base(services, "ripple@example.com")
            ripple(services, actor_for(services, "ripple@example.com"), base2, args.orders)
        finally:
            services.close()
    return 0


def actor_for(services, email: str):
    from sqlalchemy import select

    from tablekit.db.models import User
    from tablekit.services.actor import Actor

    with services.db.read() as session:
        user = session.scalar(select(User).where(User.email == email))
        return Actor(user_id=user.id, email=email)


if __name__ == "__main__":
    raise SystemExit(main())
