"""Server-side query latency on a large table: services.rows.query / count vs hand-written SQL.

The table (default 1M rows x 20 fields) is created through the schema service, then filled
with raw ``executemany`` straight into ``t_<id>`` (loading speed is not measured), a view
sorted by Amount creates its sort index, and ``ANALYZE`` runs. Then each scenario runs
``services.rows.query(...)`` (or ``count``) in-process -- access check, schema load, filter
compilation, SQL, decoding to API rows -- and the same page through a hand-written SQL query
on a plain ``sqlite3`` connection to the same file, in the same run, as the baseline.

Targets (issue 3): indexed filter + sort page p95 <= 50 ms; unindexed filter <= 250 ms.
Missing a target prints MISS; the exit code is non-zero only on errors.
"""

from __future__ import annotations

import argparse
import base64
import json
import random
import sqlite3
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import _common as c

INDEXED_TARGET_MS = 50.0
UNINDEXED_TARGET_MS = 250.0
CATEGORIES = [f"Category {i}" for i in range(1, 9)]
STATUSES = ["New", "Open", "Paid", "Late", "Closed"]
WORDS = ["alpha", "beta", "gamma", "delta", "order", "invoice", "shipment", "pallet", "crate"]
WORDS += ["customer", "net", "gross", "express", "return", "damaged", "priority", "backorder"]
FIELDS: list[dict[str, Any]] = [
    {"name": "Name", "type": "text"},
    {"name": "Customer", "type": "text"},
    {"name": "Category", "type": "single_select", "options": {"choices": CATEGORIES}},
    {"name": "Status", "type": "single_select", "options": {"choices": STATUSES}},
    {"name": "Amount", "type": "currency", "options": {"currency": "EUR"}},
    {"name": "Quantity", "type": "number"},
    {"name": "Weight", "type": "number", "options": {"precision": 2}},
    {"name": "Discount", "type": "percent"},
    {"name": "Stars", "type": "rating"},
    {"name": "Handling", "type": "duration"},
    {"name": "Order date", "type": "date"},
    {"name": "Ship date", "type": "date"},
    {"name": "Confirmed at", "type": "datetime"},
    {"name": "Paid", "type": "checkbox"},
    {"name": "E-mail", "type": "email"},
    {"name": "Website", "type": "url"},
    {"name": "Phone", "type": "phone"},
    {"name": "Notes", "type": "long_text"},
    {"name": "Region", "type": "text"},
    {"name": "SKU", "type": "text"},
]


# --- building the data -----------------------------------------------------------------


@dataclass
class Table:
    id: int
    columns: dict[str, str]  # field name -> physical column
    choices: dict[str, dict[str, str]]  # select field name -> {choice name: choice id}
    view: str
    db_path: Path
    rows: int


def dt_text(moment: datetime) -> str:
    """How SQLAlchemy stores a (UTC, naive) DATETIME on SQLite."""
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


def build(services: Any, actor: Any, base_id: int, rows: int, user_id: int) -> Table:
    schema = services.schema.create_table(actor, base_id, "Orders", FIELDS)
    table_id = int(schema["id"])
    columns = {f["name"]: f"f_{f['id']}" for f in schema["fields"]}
    choices = {
        f["name"]: {ch["name"]: ch["id"] for ch in f["options"]["choices"]}
        for f in schema["fields"]
        if f["type"] == "single_select"
    }
    db_path = Path(services.db.engine.url.database)
    names = [f["name"] for f in FIELDS]
    insert_cols = ["version", "created_at", "updated_at", "created_by", "updated_by"] + [
        columns[n] for n in names
    ]
    sql = (
        f"INSERT INTO t_{table_id} ({', '.join(insert_cols)}) "
        f"VALUES ({', '.join('?' for _ in insert_cols)})"
    )
    rnd = random.Random(42)
    now = dt_text(datetime.now(UTC).replace(tzinfo=None))
    cat_ids = list(choices["Category"].values())
    status_ids = list(choices["Status"].values())
    day0 = datetime(2023, 1, 1).toordinal()
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.execute("PRAGMA synchronous=OFF")  # this loading connection only
    conn.execute("PRAGMA busy_timeout=60000")
    started = time.perf_counter()
    chunk = 20_000
    for start in range(0, rows, chunk):
        data = []
        for i in range(start, min(rows, start + chunk)):
            ordinal = day0 + rnd.randrange(1000)
            ship = datetime.fromordinal(ordinal + rnd.randrange(30))
            amount = round(rnd.uniform(0, 10_000), 2) if rnd.random() > 0.02 else None
            data.append(
                (
                    1,
                    now,
                    now,
                    user_id,
                    user_id,
                    f"Order {i:07d}",
                    f"Customer {rnd.randrange(50_000):05d}",
                    rnd.choice(cat_ids),
                    rnd.choice(status_ids),
                    amount,
                    float(rnd.randrange(1, 1000)),
                    round(rnd.uniform(0, 100), 2),
                    round(rnd.random() * 0.3, 4),
                    rnd.randrange(1, 6),
                    rnd.randrange(60, 7200),
                    datetime.fromordinal(ordinal).date().isoformat(),
                    ship.date().isoformat(),
                    dt_text(ship.replace(hour=rnd.randrange(24), minute=rnd.randrange(60))),
                    int(rnd.random() < 0.6),
                    f"buyer{rnd.randrange(100_000)}@example.com",
                    f"https://shop{rnd.randrange(1000)}.example.com/",
                    f"+49 30 {rnd.randrange(1_000_000, 9_999_999)}",
                    " ".join(rnd.choice(WORDS) for _ in range(rnd.randrange(3, 12))),
                    rnd.choice(["North", "South", "East", "West", "Central"]),
                    f"SKU-{i:07d}",
                )
            )
        conn.execute("BEGIN")
        conn.executemany(sql, data)
        conn.execute("COMMIT")
    conn.close()
    load_s = time.perf_counter() - started
    view_started = time.perf_counter()
    view = services.schema.create_view(
        actor,
        table_id,
        "By amount",
        "grid",
        {"sort": [{"field": "Amount", "direction": "asc"}]},
    )
    index_s = time.perf_counter() - view_started
    analyze_started = time.perf_counter()
    with services.db.engine.begin() as conn2:
        conn2.exec_driver_sql("ANALYZE")
    plain = sqlite3.connect(db_path, isolation_level=None)
    plain.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    plain.close()
    analyze_s = time.perf_counter() - analyze_started
    size_mb = db_path.stat().st_size / 1e6
    print(
        f"built {rows:,} rows x {len(FIELDS)} fields: load {load_s:.1f} s "
        f"({rows / load_s:,.0f} rows/s raw), view + sort index {index_s:.1f} s, "
        f"ANALYZE {analyze_s:.1f} s, file {size_mb:,.0f} MB"
    )
    return Table(table_id, columns, choices, str(view["id"]), db_path, rows)


def check_loaded(services: Any, actor: Any, table: Table) -> None:
    """The raw-loaded rows must read back through the service as valid API rows."""
    row = services.rows.get(actor, table.id, 1)
    cells = row["fields"]
    problems = []
    if cells["Name"] != "Order 0000000":
        problems.append(f"Name {cells['Name']!r}")
    if cells["Category"] not in CATEGORIES or cells["Status"] not in STATUSES:
        problems.append(f"selects {cells['Category']!r}/{cells['Status']!r}")
    if cells["Amount"] is not None and "." not in cells["Amount"]:
        problems.append(f"Amount {cells['Amount']!r}")
    if not str(cells["Order date"]).startswith("202"):
        problems.append(f"Order date {cells['Order date']!r}")
    if not str(cells["Confirmed at"]).startswith("202"):
        problems.append(f"Confirmed at {cells['Confirmed at']!r}")
    if problems:
        raise RuntimeError(f"raw-loaded rows do not read back correctly: {problems}")


# --- scenarios -------------------------------------------------------------------------


@dataclass
class Scenario:
    name: str
    group: str  # "indexed", "unindexed" or "" (no target in the issue)
    service: Callable[[int], Any]
    sql: str
    params: Callable[[int], Sequence[Any]]
    iterations: int
    note: str = "(no target)"
    service_ms: list[float] = field(default_factory=list)
    baseline_ms: list[float] = field(default_factory=list)
    captured: list[tuple[str, Any]] = field(default_factory=list)

    @property
    def target(self) -> float | None:
        return {"indexed": INDEXED_TARGET_MS, "unindexed": UNINDEXED_TARGET_MS}.get(self.group)


def scenarios(services: Any, actor: Any, table: Table, iterations: int) -> list[Scenario]:
    col = table.columns
    t = f"t_{table.id}"
    rows = services.rows
    rnd = random.Random(7)
    slow = max(5, iterations // 4)
    baseline = sqlite3.connect(table.db_path)
    amounts = [round(rnd.uniform(1000, 9000), 2) for _ in range(iterations + 5)]

    # Cursor positions spread over the Amount order (5 % .. 95 %), from the data itself.
    first = rows.query(actor, table.id, view=table.view, limit=100)
    sig = json.loads(base64.urlsafe_b64decode(first["next_cursor"] + "==="))["s"]
    non_null = baseline.execute(f"SELECT count(*) FROM {t} WHERE {col['Amount']} IS NOT NULL")
    n_non_null = non_null.fetchone()[0]
    positions = []
    for i in range(iterations + 5):
        offset = int(n_non_null * (0.05 + 0.9 * i / (iterations + 4)))
        value, last_id = baseline.execute(
            f"SELECT {col['Amount']}, id FROM {t} WHERE {col['Amount']} IS NOT NULL "
            f"ORDER BY {col['Amount']}, id LIMIT 1 OFFSET ?",
            (offset,),
        ).fetchone()
        positions.append((value, last_id))
    rnd.shuffle(positions)
    from tablekit.storage.query import encode_cursor

    cursors = [encode_cursor(sig, [Decimal(str(v))], last) for v, last in positions]
    baseline.close()
    weights = [round(rnd.uniform(0, 99), 2) for _ in range(iterations + 5)]
    cats = [rnd.choice(CATEGORIES) for _ in range(iterations + 5)]
    text_cols = [
        col[f["name"]]
        for f in FIELDS
        if f["type"] in ("text", "long_text", "email", "url", "phone")
    ]
    search_sql = " OR ".join(f"{c_} LIKE ?" for c_ in text_cols)
    sku = [f"SKU-{rnd.randrange(table.rows):07d}" for _ in range(iterations + 5)]
    amount, weight, cat, status, qty = (
        col["Amount"],
        col["Weight"],
        col["Category"],
        col["Status"],
        col["Quantity"],
    )
    open_id = table.choices["Status"]["Open"]

    def amount_filter(i: int) -> dict[str, Any]:
        return {"and": [{"field": "Amount", "op": "gte", "value": amounts[i % len(amounts)]}]}

    def weight_filter(i: int) -> dict[str, Any]:
        w = weights[i % len(weights)]
        return {
            "and": [
                {"field": "Weight", "op": "gte", "value": w},
                {"field": "Weight", "op": "lt", "value": w + 1},
            ]
        }

    return [
        Scenario(
            "page 1, indexed filter (Amount >= x) + view sort by Amount",
            "indexed",
            lambda i: rows.query(
                actor, table.id, view=table.view, filter=amount_filter(i), limit=100
            ),
            f"SELECT * FROM {t} WHERE {amount} >= ? ORDER BY {amount}, id LIMIT 101",
            lambda i: (amounts[i % len(amounts)],),
            iterations,
        ),
        Scenario(
            "page 1, view sort by Amount, no filter",
            "indexed",
            lambda i: rows.query(actor, table.id, view=table.view, limit=100),
            f"SELECT * FROM {t} ORDER BY {amount} NULLS LAST, id LIMIT 101",
            lambda i: (),
            iterations,
        ),
        Scenario(
            "deep page via cursor (5..95 % into the Amount order)",
            "indexed",
            lambda i: rows.query(
                actor, table.id, view=table.view, cursor=cursors[i % len(cursors)], limit=100
            ),
            f"SELECT * FROM {t} WHERE ({amount}, id) > (?, ?) ORDER BY {amount}, id LIMIT 101",
            lambda i: positions[i % len(positions)],
            iterations,
        ),
        Scenario(
            "unindexed filter (Category = x, ~12 %), id order",
            "unindexed",
            lambda i: rows.query(
                actor,
                table.id,
                filter={"and": [{"field": "Category", "op": "eq", "value": cats[i % len(cats)]}]},
                limit=100,
            ),
            f"SELECT * FROM {t} WHERE {cat} = ? ORDER BY id LIMIT 101",
            lambda i: (table.choices["Category"][cats[i % len(cats)]],),
            iterations,
        ),
        Scenario(
            "unindexed filter (Weight in 1 % band) + view sort by Amount",
            "unindexed",
            lambda i: rows.query(
                actor, table.id, view=table.view, filter=weight_filter(i), limit=100
            ),
            f"SELECT * FROM {t} WHERE {weight} >= ? AND {weight} < ? "
            f"ORDER BY {amount} NULLS LAST, id LIMIT 101",
            lambda i: (weights[i % len(weights)], weights[i % len(weights)] + 1),
            slow,
        ),
        Scenario(
            "unindexed filter (Status = Open, ~20 %) + unindexed sort (-Quantity)",
            "",
            lambda i: rows.query(
                actor,
                table.id,
                filter={"and": [{"field": "Status", "op": "eq", "value": "Open"}]},
                sort="-Quantity",
                limit=100,
            ),
            f"SELECT * FROM {t} WHERE {status} = ? ORDER BY {qty} DESC NULLS FIRST, id LIMIT 101",
            lambda i: (open_id,),
            slow,
            note="(no target: the sort is unindexed too)",
        ),
        Scenario(
            "search, common word ('gamma'), id order",
            "",
            lambda i: rows.query(actor, table.id, search="gamma", limit=100),
            f"SELECT * FROM {t} WHERE {search_sql} ORDER BY id LIMIT 101",
            lambda i: ["%gamma%"] * len(text_cols),
            iterations,
        ),
        Scenario(
            "search, one match (a SKU): full scan",
            "",
            lambda i: rows.query(actor, table.id, search=sku[i % len(sku)], limit=100),
            f"SELECT * FROM {t} WHERE {search_sql} ORDER BY id LIMIT 101",
            lambda i: [f"%{sku[i % len(sku)]}%"] * len(text_cols),
            slow,
        ),
        Scenario(
            "count, no filter",
            "",
            lambda i: rows.count(actor, table.id),
            f"SELECT count(*) FROM {t}",
            lambda i: (),
            slow,
        ),
        Scenario(
            "count, indexed filter (Amount >= x)",
            "",
            lambda i: rows.count(actor, table.id, filter=amount_filter(i)),
            f"SELECT count(*) FROM {t} WHERE {amount} >= ?",
            lambda i: (amounts[i % len(amounts)],),
            slow,
        ),
        Scenario(
            "count, unindexed filter (Status = Open)",
            "",
            lambda i: rows.count(
                actor,
                table.id,
                filter={"and": [{"field": "Status", "op": "eq", "value": "Open"}]},
            ),
            f"SELECT count(*) FROM {t} WHERE {status} = ?",
            lambda i: (open_id,),
            slow,
        ),
    ]


def run(services: Any, table: Table, items: list[Scenario], explain: bool) -> None:
    from sqlalchemy import event

    capture: list[tuple[str, Any]] = []
    marker = f"t_{table.id}"

    def before(_conn: Any, _cur: Any, statement: str, params: Any, *_: Any) -> None:
        if marker in statement and statement.lstrip().upper().startswith("SELECT"):
            capture.append((statement, params))

    event.listen(services.db.engine, "before_cursor_execute", before)
    baseline = sqlite3.connect(table.db_path, check_same_thread=False)
    baseline.execute("PRAGMA cache_size=-65536")
    baseline.execute("PRAGMA temp_store=MEMORY")
    try:
        for sc in items:
            capture.clear()
            sc.service_ms = c.time_calls(sc.service, sc.iterations)
            sc.captured = list(capture[-1:])

            def base_call(i: int, sc: Scenario = sc) -> None:
                baseline.execute(sc.sql, tuple(sc.params(i))).fetchall()

            sc.baseline_ms = c.time_calls(base_call, sc.iterations)
            if explain and sc.captured:
                statement, params = sc.captured[0]
                plan = baseline.execute("EXPLAIN QUERY PLAN " + statement, params).fetchall()
                base_plan = baseline.execute("EXPLAIN QUERY PLAN " + sc.sql, sc.params(0))
                print(f"\n[{sc.name}]\n  service SQL: {' '.join(statement.split())[:600]}")
                print("  service plan:  " + " | ".join(r[3] for r in plan))
                print("  baseline plan: " + " | ".join(r[3] for r in base_plan.fetchall()))
    finally:
        event.remove(services.db.engine, "before_cursor_execute", before)
        baseline.close()


def report(items: list[Scenario], rows: int) -> None:
    print(
        f"\nserver-side latency, {rows:,} rows (ms; service = services.rows.query/count "
        "in-process; baseline = hand-written SQL via sqlite3, same file, same run)"
    )
    header = (
        f"  {'scenario':<70} {'n':>3} {'p50':>8} {'p95':>8} {'base p50':>9} {'ratio':>7}  target"
    )
    print(header)
    for sc in items:
        svc, base = c.Latency(sc.name, sc.service_ms), c.Latency(sc.name, sc.baseline_ms)
        ratio = svc.p50 / base.p50 if base.p50 > 0 else float("inf")
        target = sc.target
        verdict = f"p95 <= {target:.0f}  {c.verdict(svc.p95 <= target)}" if target else sc.note
        print(
            f"  {sc.name:<70} {len(sc.service_ms):>3} {svc.p50:8.1f} {svc.p95:8.1f} "
            f"{base.p50:9.2f} {ratio:6.1f}x  {verdict}"
        )
    print("  ratio = service p50 / baseline p50")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--iterations", type=int, default=40, help="samples per fast scenario")
    parser.add_argument("--explain", action="store_true", help="print SQL and query plans")
    parser.add_argument("--profile", action="store_true", help="cProfile the indexed page")
    parser.add_argument("--quick", action="store_true", help="50k rows, 10 samples (< 30 s)")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir")
    args = parser.parse_args()
    if args.quick:
        args.rows, args.iterations = min(args.rows, 50_000), min(args.iterations, 10)
    args.rows = max(args.rows, 1000)
    args.iterations = max(args.iterations, 4)

    print("bench_query: services.rows.query/count vs hand-written SQL on SQLite")
    print(c.machine_line())
    with c.temp_dir("tk-bench-query-", keep=args.keep) as tmp:
        services = c.make_services(tmp / "data")
        try:
            actor, _ws, base_id = c.owner_and_base(services)
            table = build(services, actor, base_id, args.rows, actor.user_id)
            check_loaded(services, actor, table)
            items = scenarios(services, actor, table, args.iterations)
            run(services, table, items, args.explain)
            report(items, args.rows)
            if args.profile:
                with c.maybe_profile(True, "indexed filter + sort page x 200"):
                    for i in range(200):
                        items[0].service(i)
        finally:
            services.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
