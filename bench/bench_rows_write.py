"""Batch row creation: through the row service, through the HTTP API, and raw executemany.

What it measures (all in one run, same machine, loopback only):

1. ``services.rows.create(actor, table, rows)`` in 1000-row batches into a 10-field table
   (text, number, currency, date, single_select, checkbox, email, long_text, rating,
   percent) on SQLite; every batch is one write transaction (validation, INSERT ...
   RETURNING, row history, outbox events, decoding the created rows for the answer).
2. The baseline: the very same stored values inserted with ``executemany`` into an
   identical plain table in the same SQLite file, one transaction per 1000 rows.
3. ``POST /api/v1/tables/{t}/rows`` in 1000-row batches against ``tablekit serve`` started
   as a subprocess on a free loopback port, with a user and token made by the CLI.

Optionally ``--postgres URL`` repeats parts 1 and 2 on PostgreSQL (a temp database).

Targets (issue 3): >= 50k rows/s through the service on SQLite, >= 20k rows/s through the
HTTP API. Missing a target prints MISS; the exit code is non-zero only on errors.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import _common as c

SERVICE_TARGET = 50_000
HTTP_TARGET = 20_000
STATUSES = ["New", "Open", "Paid", "Late", "Closed"]
FIELDS: list[dict[str, Any]] = [
    {"name": "Name", "type": "text"},
    {"name": "Quantity", "type": "number"},
    {"name": "Price", "type": "currency", "options": {"currency": "EUR"}},
    {"name": "Due", "type": "date"},
    {"name": "Status", "type": "single_select", "options": {"choices": STATUSES}},
    {"name": "Done", "type": "checkbox"},
    {"name": "E-mail", "type": "email"},
    {"name": "Notes", "type": "long_text"},
    {"name": "Stars", "type": "rating"},
    {"name": "Discount", "type": "percent"},
]
CPU_SECONDS: dict[str, float] = {}  # CPU time of this process per timed part
WORDS = ["alpha", "beta", "gamma", "delta", "order", "invoice", "shipment", "pallet"]
WORDS += ["crate", "customer", "net", "gross"]


def make_rows(count: int, seed: int) -> list[dict[str, Any]]:
    """API-shaped rows (cells by field name), deterministic for a seed."""
    rnd = random.Random(seed)
    start = date(2024, 1, 1)
    rows = []
    for i in range(count):
        rows.append(
            {
                "Name": f"Item {seed}-{i:07d}",
                "Quantity": rnd.randint(1, 10_000),
                "Price": f"{rnd.randint(0, 999_999) / 100:.2f}",
                "Due": (start + timedelta(days=rnd.randint(0, 900))).isoformat(),
                "Status": rnd.choice(STATUSES),
                "Done": rnd.random() < 0.3,
                "E-mail": f"buyer{rnd.randint(1, 50_000)}@example.com",
                "Notes": " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(4, 16))),
                "Stars": rnd.randint(1, 5),
                "Discount": round(rnd.random() * 0.3, 4),
            }
        )
    return rows


def batches(rows: list[Any], size: int) -> list[list[Any]]:
    return [rows[i : i + size] for i in range(0, len(rows), size)]


def rate_line(label: str, rows: int, seconds: float, per_batch_ms: list[float]) -> str:
    rps = rows / seconds if seconds else float("inf")
    return (
        f"  {label:<34} {rows:>8} rows in {seconds:7.2f} s = {rps:>9,.0f} rows/s"
        f"   (batch p50 {c.Latency('', per_batch_ms).p50:6.1f} ms,"
        f" p95 {c.Latency('', per_batch_ms).p95:6.1f} ms)"
    )


# --- service layer ---------------------------------------------------------------------


def run_service(
    services: Any, actor: Any, table_id: int, rows: list[dict[str, Any]], batch: int
) -> tuple[float, list[float]]:
    """Create ``rows`` in batches (after one untimed warm-up batch); (seconds, per-batch ms)."""
    chunks = batches(rows, batch)
    services.rows.create(actor, table_id, chunks[0])  # warm-up: caches, first statements
    per_batch = []
    cpu = time.process_time()
    start = time.perf_counter()
    for chunk in chunks[1:]:
        t0 = time.perf_counter()
        created = services.rows.create(actor, table_id, chunk)
        per_batch.append((time.perf_counter() - t0) * 1000)
        if len(created) != len(chunk):
            raise RuntimeError("the service created fewer rows than asked")
    elapsed = time.perf_counter() - start
    CPU_SECONDS["service"] = time.process_time() - cpu
    return elapsed, per_batch


def stored_rows(services: Any, table_id: int) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Every stored column value (except id) of t_<id>, in id order, as the driver sees it."""
    with services.db.engine.connect() as conn:
        result = conn.exec_driver_sql(f"SELECT * FROM t_{table_id} ORDER BY id")
        names = list(result.keys())
        columns = [col for col in names if col != "id"]
        index = [names.index(col) for col in columns]
        data = [tuple(row[i] for i in index) for row in result]
    return columns, data


# --- raw executemany baselines ----------------------------------------------------------


def raw_sqlite(
    db_path: Path, table_id: int, columns: list[str], data: list[tuple[Any, ...]], batch: int
) -> tuple[float, list[float]]:
    """executemany into an identical plain table in the same file, one transaction a batch."""
    conn = sqlite3.connect(db_path, isolation_level=None)
    try:
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "busy_timeout=60000"):
            conn.execute(f"PRAGMA {pragma}")
        ddl = conn.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (f"t_{table_id}",)
        ).fetchone()[0]
        conn.execute(ddl.replace(f"t_{table_id}", "bench_raw", 1))
        sql = (
            f"INSERT INTO bench_raw ({', '.join(columns)}) "
            f"VALUES ({', '.join('?' for _ in columns)})"
        )
        chunks = batches(data, batch)
        per_batch = []
        cpu = time.process_time()
        start = time.perf_counter()
        for chunk in chunks:
            t0 = time.perf_counter()
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany(sql, chunk)
            conn.execute("COMMIT")
            per_batch.append((time.perf_counter() - t0) * 1000)
        elapsed = time.perf_counter() - start
        CPU_SECONDS["raw"] = time.process_time() - cpu
        count = conn.execute("SELECT count(*) FROM bench_raw").fetchone()[0]
        if count != len(data):
            raise RuntimeError(f"raw insert wrote {count} rows, expected {len(data)}")
        return elapsed, per_batch
    finally:
        conn.close()


def raw_postgres(
    services: Any, table_id: int, columns: list[str], data: list[tuple[Any, ...]], batch: int
) -> tuple[float, list[float]]:
    engine = services.db.engine
    with engine.connect() as conn:
        conn.exec_driver_sql(f"CREATE TABLE bench_raw (LIKE t_{table_id} INCLUDING ALL)")
        conn.commit()
    raw = engine.raw_connection()
    try:
        sql = (
            f"INSERT INTO bench_raw ({', '.join(columns)}) "
            f"VALUES ({', '.join('%s' for _ in columns)})"
        )
        per_batch = []
        cpu = time.process_time()
        start = time.perf_counter()
        for chunk in batches(data, batch):
            t0 = time.perf_counter()
            cur = raw.cursor()
            cur.executemany(sql, chunk)
            raw.commit()
            per_batch.append((time.perf_counter() - t0) * 1000)
        CPU_SECONDS["raw"] = time.process_time() - cpu
        return time.perf_counter() - start, per_batch
    finally:
        raw.close()


# --- HTTP API --------------------------------------------------------------------------


def run_http(
    tmp: Path, rows: list[dict[str, Any]], batch: int, workers: int, concurrency: int
) -> tuple[float, list[float]]:
    import httpx

    data_dir = tmp / "http-data"
    data_dir.mkdir()
    server = c.Server(data_dir, workers=workers)
    c.create_user(data_dir)
    server.start()
    try:
        token, workspace_id = c.bootstrap_token(server, user_exists=True)
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=server.url, headers=headers, timeout=120) as client:
            base = c.api_check(
                client.post(f"/api/v1/workspaces/{workspace_id}/bases", json={"name": "Bench"})
            )
            table = c.api_check(
                client.post(
                    f"/api/v1/bases/{base['id']}/tables", json={"name": "Orders", "fields": FIELDS}
                )
            )
        path = f"/api/v1/tables/{table['id']}/rows"
        bodies = [
            json.dumps({"rows": [{"fields": r} for r in chunk]}).encode()
            for chunk in batches(rows, batch)
        ]
        send_headers = {**headers, "Content-Type": "application/json"}

        def post(client: httpx.Client, body: bytes) -> float:
            t0 = time.perf_counter()
            response = client.post(path, content=body, headers=send_headers)
            elapsed = (time.perf_counter() - t0) * 1000
            if response.status_code not in (200, 201):
                raise RuntimeError(f"POST rows -> {response.status_code}: {response.text[:300]}")
            return elapsed

        clients = [
            httpx.Client(base_url=server.url, timeout=120) for _ in range(max(1, concurrency))
        ]
        try:
            post(clients[0], bodies[0])  # warm-up
            todo = bodies[1:]
            cpu0 = server.cpu_seconds()
            start = time.perf_counter()
            if concurrency <= 1:
                per_batch = [post(clients[0], body) for body in todo]
            else:
                with ThreadPoolExecutor(concurrency) as pool:
                    per_batch = list(
                        pool.map(
                            lambda item: post(clients[item[0] % concurrency], item[1]),
                            enumerate(todo),
                        )
                    )
            elapsed = time.perf_counter() - start
            cpu1 = server.cpu_seconds()
            if cpu0 is not None and cpu1 is not None:
                CPU_SECONDS["server"] = cpu1 - cpu0
        finally:
            for client in clients:
                client.close()
        return elapsed, per_batch
    except Exception:
        print(server.log_tail(), file=sys.stderr)
        raise
    finally:
        server.stop()


# --- main ------------------------------------------------------------------------------


def service_and_raw(
    label: str, services: Any, rows: list[dict[str, Any]], args: argparse.Namespace
) -> float:
    from tablekit.storage import physical  # noqa: F401  (import cost outside the timing)

    actor, _ws, base_id = c.owner_and_base(services)
    table = services.schema.create_table(actor, base_id, "Orders", FIELDS)
    table_id = int(table["id"])
    seconds, per_batch = run_service(services, actor, table_id, rows, args.batch)
    timed_rows = len(rows) - min(args.batch, len(rows))
    service_rps = timed_rows / seconds
    columns, data = stored_rows(services, table_id)
    data = data[min(args.batch, len(data)) :]  # the same rows that were timed
    if services.db.is_sqlite:
        db_path = Path(services.db.engine.url.database)
        raw_seconds, raw_batches = raw_sqlite(db_path, table_id, columns, data, args.batch)
    else:
        raw_seconds, raw_batches = raw_postgres(services, table_id, columns, data, args.batch)
    raw_rps = len(data) / raw_seconds
    print(f"\n[{label}] {timed_rows} rows in {args.batch}-row batches (after 1 warm-up batch)")
    print(rate_line("service rows.create", timed_rows, seconds, per_batch))
    print(rate_line("baseline raw executemany", len(data), raw_seconds, raw_batches))
    print(
        f"  CPU time of this process: service {CPU_SECONDS['service'] / timed_rows * 1e6:.1f}"
        f" us/row, raw {CPU_SECONDS['raw'] / len(data) * 1e6:.1f} us/row"
        " (less sensitive to other load than the wall-clock rates)"
    )
    print(
        f"  ratio service / raw executemany: {service_rps / raw_rps:.3f}  "
        f"(raw is {raw_rps / service_rps:.1f}x faster)"
    )
    if args.profile:
        prof_rows = make_rows(min(len(rows), 20 * args.batch), seed=7)
        with c.maybe_profile(True, f"{label}: services.rows.create x {len(prof_rows)} rows"):
            for chunk in batches(prof_rows, args.batch):
                services.rows.create(actor, table_id, chunk)
    return service_rps


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000, help="rows through the service")
    parser.add_argument("--http-rows", type=int, default=50_000, help="rows through the API")
    parser.add_argument("--batch", type=int, default=1000, help="rows per batch (max 1000)")
    parser.add_argument("--workers", type=int, default=1, help="`tablekit serve --workers`")
    parser.add_argument("--concurrency", type=int, default=1, help="parallel HTTP clients")
    parser.add_argument("--no-http", action="store_true", help="skip the HTTP API part")
    parser.add_argument("--postgres", metavar="URL", help="also run on PostgreSQL (loopback)")
    parser.add_argument("--profile", action="store_true", help="cProfile the service path")
    parser.add_argument("--quick", action="store_true", help="small sizes (< 30 s)")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir")
    args = parser.parse_args()
    if args.quick:
        args.rows, args.http_rows = min(args.rows, 10_000), min(args.http_rows, 5_000)
    if not 1 <= args.batch <= 1000:
        parser.error("--batch is 1..1000")
    args.rows = max(args.rows, 2 * args.batch)
    args.http_rows = max(args.http_rows, 2 * args.batch)

    print("bench_rows_write: batch create, service layer vs raw executemany vs HTTP API")
    print(c.machine_line())
    rows = make_rows(max(args.rows, args.http_rows), seed=1)
    results: dict[str, float] = {}
    with c.temp_dir("tk-bench-write-", keep=args.keep) as tmp:
        services = c.make_services(tmp / "svc-data")
        try:
            results["sqlite"] = service_and_raw("SQLite", services, rows[: args.rows], args)
        finally:
            services.close()
        if args.postgres:
            with c.postgres_database(args.postgres) as url:
                pg = c.make_services(tmp / "pg-data", url)
                try:
                    results["pg"] = service_and_raw("PostgreSQL", pg, rows[: args.rows], args)
                finally:
                    pg.close()
        if not args.no_http:
            seconds, per_batch = run_http(
                tmp, rows[: args.http_rows], args.batch, args.workers, args.concurrency
            )
            timed = args.http_rows - args.batch
            results["http"] = timed / seconds
            print(
                f"\n[HTTP API] POST /api/v1/tables/{{t}}/rows, {args.batch}-row batches, "
                f"tablekit serve --workers {args.workers}, {args.concurrency} client(s); "
                "load client on the same machine (loopback)"
            )
            print(rate_line("HTTP POST rows", timed, seconds, per_batch))
            if "server" in CPU_SECONDS:
                print(
                    f"  CPU time of the server processes: "
                    f"{CPU_SECONDS['server'] / timed * 1e6:.1f} us/row"
                )
            print(f"  ratio HTTP / service (same run): {results['http'] / results['sqlite']:.3f}")

    print("\nsummary")
    print(
        f"  service on SQLite: {results['sqlite']:>9,.0f} rows/s  target >= {SERVICE_TARGET:,}"
        f"  {c.verdict(results['sqlite'] >= SERVICE_TARGET)}"
    )
    if "pg" in results:
        print(f"  service on PostgreSQL: {results['pg']:>9,.0f} rows/s  (no target)")
    if "http" in results:
        print(
            f"  HTTP API:          {results['http']:>9,.0f} rows/s  target >= {HTTP_TARGET:,}"
            f"  {c.verdict(results['http'] >= HTTP_TARGET)}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
