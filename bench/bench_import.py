"""Import benchmark: a products CSV of 100k and 1M rows x 10 columns into a new table.

Each measurement runs in a fresh child process, so its peak RSS (``ru_maxrss``) is the
server-side memory of that import alone. The baseline, in the same run and on the same
file, is the floor any importer pays: ``csv.reader`` plus the fastest raw bulk write of the
text cells into a table of the same shape (SQLite: one ``executemany``; PostgreSQL:
``COPY``), with no conversion and no checks. The import goes
through the real path: ``ImportService.start`` → background job → typed rows, one write
transaction, ANALYZE.

    .venv/bin/python bench/bench_import.py               # 100k and 1M rows on SQLite
    .venv/bin/python bench/bench_import.py --rows 100000 # one size
    .venv/bin/python bench/bench_import.py --postgres postgresql+psycopg://postgres@127.0.0.1/postgres

Targets (issue 8): 100k rows ≤ 4 s, 1M rows ≤ 30 s, server memory ≤ 500 MB. A missed
target prints MISS; the exit code is non-zero only on errors (as in the other benches).
Wall times depend on other load (see the load average printed first); CPU seconds less so.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import resource
import shutil
import sqlite3
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import (
    machine_line,
    make_services,
    owner_and_base,
    postgres_database,
    temp_dir,
    verdict,
)

CATEGORIES = ["Tools", "Garden", "Kitchen", "Toys", "Books", "Office", "Sport", "Auto"]
HEADER = [
    "Name",
    "SKU",
    "Category",
    "Price",
    "Cost",
    "Stock",
    "Weight",
    "Active",
    "Added",
    "Supplier",
]
TARGETS = {100_000: 4.0, 1_000_000: 30.0}
MEMORY_TARGET_MB = 500


def write_csv(path: Path, rows: int, seed: int = 8) -> None:
    """Realistic cardinalities: unique names and SKUs, ~100k distinct prices, a few
    categories, ~1000 dates, 5000 suppliers."""
    rng = random.Random(seed)
    start = date(2022, 1, 1)
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(HEADER)
        for i in range(rows):
            category = rng.choice(CATEGORIES)
            writer.writerow(
                [
                    f"Product {i} {category}",
                    f"SKU-{i:08d}",
                    category,
                    f"{rng.uniform(1, 1000):.2f}",
                    f"{rng.uniform(1, 500):.2f}",
                    rng.randint(0, 500),
                    f"{rng.uniform(0.1, 50):.3f}",
                    rng.choice(("true", "false")),
                    (start + timedelta(days=rng.randint(0, 1000))).isoformat(),
                    f"supplier{rng.randint(1, 5000)}@example.com",
                ]
            )


def _usage() -> tuple[float, int]:
    """(CPU seconds, peak RSS in MiB) of this process so far."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    return own.ru_utime + own.ru_stime, own.ru_maxrss // 1024


def child_baseline(csv_path: Path, work: Path, database_url: str) -> dict[str, Any]:
    """The floor: csv.reader and the fastest raw bulk write of the text cells (SQLite:
    executemany; PostgreSQL: COPY), no conversion, no checks."""
    columns = ", ".join(f"c{i}" for i in range(len(HEADER)))
    if database_url:
        import psycopg
        import sqlalchemy as sa

        url = sa.make_url(database_url).set(drivername="postgresql")
        conn = psycopg.connect(url.render_as_string(hide_password=False))
        texts = ", ".join(f"c{i} text" for i in range(len(HEADER)))
        conn.execute(f"CREATE TABLE baseline (id bigserial PRIMARY KEY, {texts})")
        conn.commit()
    else:
        db = sqlite3.connect(work / "baseline.db", isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute(f"CREATE TABLE t (id INTEGER PRIMARY KEY, {columns})")
    cpu0 = _usage()[0]
    start = time.perf_counter()
    with csv_path.open(newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        next(reader)
        if database_url:
            with (
                conn.cursor() as cursor,
                cursor.copy(f"COPY baseline ({columns}) FROM STDIN") as copy,
            ):
                for row in reader:
                    copy.write_row(row)
            conn.commit()
            conn.close()
        else:
            db.execute("BEGIN IMMEDIATE")
            marks = ", ".join("?" * len(HEADER))
            db.executemany(f"INSERT INTO t ({columns}) VALUES ({marks})", reader)
            db.execute("COMMIT")
    wall = time.perf_counter() - start
    cpu, rss = _usage()
    return {"wall": wall, "cpu": cpu - cpu0, "rss_mb": rss}


def child_import(csv_path: Path, work: Path, database_url: str) -> dict[str, Any]:
    from tablekit.interchange.imports import ImportOptions, ImportService
    from tablekit.interchange.jobs import JobRunner

    services = make_services(work / "data", database_url)
    actor, _, base_id = owner_and_base(services)
    jobs = JobRunner(services.db, services.access, 1)
    importer = ImportService(services, jobs)
    upload = work / "upload.csv"
    shutil.copy(csv_path, upload)
    cpu0 = _usage()[0]
    start = time.perf_counter()
    job_id = importer.start(actor, upload, "products.csv", ImportOptions(), base_id=base_id)[
        "job_id"
    ]
    # Polled 20 times a second: often enough to time the job, rarely enough not to take
    # the CPU it measures.
    while (job := jobs.get(actor, job_id))["status"] not in ("succeeded", "failed"):
        time.sleep(0.05)
    wall = time.perf_counter() - start
    cpu, rss = _usage()
    jobs.shutdown()
    services.close()
    if job["status"] != "succeeded":
        raise SystemExit(f"import failed: {job['error']}")
    return {"wall": wall, "cpu": cpu - cpu0, "rss_mb": rss, "created": job["result"]["created"]}


def run_child(kind: str, csv_path: Path, work: Path, database_url: str) -> dict[str, Any]:
    out = subprocess.run(
        [
            sys.executable,
            __file__,
            "--child",
            kind,
            "--csv",
            str(csv_path),
            "--work",
            str(work),
            "--database-url",
            database_url,
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def measure(rows: int, database_url: str, label: str) -> bool:
    with temp_dir("tk-bench-import-") as work:
        csv_path = work / "products.csv"
        write_csv(csv_path, rows)
        size_mb = csv_path.stat().st_size / (1 << 20)
        (work / "b").mkdir()
        (work / "i").mkdir()
        baseline = run_child("baseline", csv_path, work / "b", database_url)
        result = run_child("import", csv_path, work / "i", database_url)
    assert result["created"] == rows
    target = TARGETS.get(rows)
    ok_time = target is None or result["wall"] <= target
    ok_mem = result["rss_mb"] <= MEMORY_TARGET_MB
    print(
        f"{label} {rows:>9,} rows ({size_mb:.0f} MB CSV): import {result['wall']:.2f} s wall, "
        f"{result['cpu']:.2f} s CPU, {rows / result['wall']:,.0f} rows/s, peak RSS "
        f"{result['rss_mb']} MB | baseline csv+{'COPY' if database_url else 'executemany'} "
        f"{baseline['wall']:.2f} s wall, "
        f"{baseline['cpu']:.2f} s CPU | ratio {result['wall'] / baseline['wall']:.1f}x wall, "
        f"{result['cpu'] / baseline['cpu']:.1f}x CPU"
    )
    if target is not None:
        print(
            f"  target ≤ {target:.0f} s: {verdict(ok_time)}; memory ≤ {MEMORY_TARGET_MB} MB: "
            f"{verdict(ok_mem)}"
        )
    return ok_time and ok_mem


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, action="append", help="row counts (repeatable)")
    parser.add_argument("--postgres", default="", help="also run on this PostgreSQL server")
    parser.add_argument("--child", choices=("baseline", "import"), help=argparse.SUPPRESS)
    parser.add_argument("--csv", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--database-url", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        if args.child == "baseline":
            result = child_baseline(args.csv, args.work, args.database_url)
        else:
            result = child_import(args.csv, args.work, args.database_url)
        print(json.dumps(result))
        return 0
    print(machine_line())
    sizes = args.rows or [100_000, 1_000_000]
    ok = all(measure(rows, "", "SQLite    ") for rows in sizes)
    if args.postgres:
        for rows in sizes:
            with postgres_database(args.postgres) as url:
                measure(rows, url, "PostgreSQL")
    print("all targets met" if ok else "some targets missed (see MISS above)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
