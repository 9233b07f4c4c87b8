"""Backup benchmark: back up a large database while a reader keeps paging through rows,
then restore the archive elsewhere and verify it.

The backup runs as ``tablekit backup`` in its own process, as an admin would run it next
to the server. Reports its time and throughput, the archive size, the reads served during
the backup with their latency against the same reads just before it (the same-run
baseline), and the time of restore + verification. Default size is modest; ``--size-mb
1024`` gives the issue's 1 GB case (building it takes a few minutes).

    .venv/bin/python bench/bench_backup.py                  # ~100 MB SQLite database
    .venv/bin/python bench/bench_backup.py --size-mb 1024
    .venv/bin/python bench/bench_backup.py --postgres postgresql+psycopg://postgres@127.0.0.1/postgres
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import (
    Latency,
    machine_line,
    make_services,
    owner_and_base,
    postgres_database,
    temp_dir,
)
from bench.bench_import import write_csv

ROWS_PER_MB = 6500  # products rows per MB of SQLite database, measured
CHUNK_ROWS = 1_000_000


def database_mb(services: Any) -> float:
    with services.db.engine.connect() as conn:
        if services.db.is_sqlite:
            pages = conn.exec_driver_sql("PRAGMA page_count").scalar_one()
            size = conn.exec_driver_sql("PRAGMA page_size").scalar_one()
            return float(pages * size) / (1 << 20)
        return float(
            conn.exec_driver_sql("SELECT pg_database_size(current_database())").scalar_one()
        ) / (1 << 20)


def fill(services: Any, work: Path, size_mb: int) -> tuple[Any, int]:
    """Import products until the database reaches ``size_mb``; (actor, table id)."""
    from tablekit.interchange.imports import ImportOptions, ImportService
    from tablekit.interchange.jobs import JobRunner

    actor, _, base_id = owner_and_base(services)
    jobs = JobRunner(services.db, services.access, 1)
    importer = ImportService(services, jobs)
    remaining = size_mb * ROWS_PER_MB
    table_id: int | None = None
    while remaining > 0:
        rows = min(remaining, CHUNK_ROWS)
        upload = work / f"chunk-{remaining}.csv"  # the job deletes its file when done
        write_csv(upload, rows, seed=remaining)
        target: dict[str, Any] = {"table_ref": table_id} if table_id else {"base_id": base_id}
        job_id = importer.start(actor, upload, "p.csv", ImportOptions(), **target)["job_id"]
        while (job := jobs.get(actor, job_id))["status"] not in ("succeeded", "failed"):
            time.sleep(0.1)
        assert job["status"] == "succeeded", job["error"]
        table_id = job["result"]["table_id"]
        remaining -= rows
    jobs.shutdown()
    assert table_id is not None
    return actor, table_id


class Reader(threading.Thread):
    """Pages through the table (100 rows a page) and records each page's latency."""

    def __init__(self, services: Any, actor: Any, table_id: int) -> None:
        super().__init__(daemon=True)
        self.services, self.actor, self.table_id = services, actor, table_id
        self.samples: list[tuple[float, float]] = []
        self.stop = threading.Event()

    def run(self) -> None:
        cursor = None
        while not self.stop.is_set():
            started = time.perf_counter()
            page = self.services.rows.query(self.actor, self.table_id, limit=100, cursor=cursor)
            self.samples.append((started, (time.perf_counter() - started) * 1000))
            cursor = page["next_cursor"]

    def between(self, start: float, end: float) -> Latency:
        return Latency("reads", [ms for at, ms in self.samples if start <= at < end])


def measure(work: Path, size_mb: int, database_url: str, label: str) -> None:
    from tablekit.backup import read_manifest, restore

    services = make_services(work / "data", database_url)
    actor, table_id = fill(services, work, size_mb)
    size = database_mb(services)
    reader = Reader(services, actor, table_id)
    reader.start()
    time.sleep(3)
    before_start = time.perf_counter() - 3
    started = time.perf_counter()
    # `tablekit backup` in its own process, as an admin runs it next to the server.
    env = {
        **os.environ,
        "TABLEKIT_DATA_DIR": str(services.settings.data_dir),
        "TABLEKIT_DATABASE_URL": database_url,
    }
    subprocess.run(
        [sys.executable, "-m", "tablekit.cli", "backup", str(work / "backup.tar.gz")],
        env=env,
        check=True,
        capture_output=True,
    )
    backup_s = time.perf_counter() - started
    manifest = read_manifest(work / "backup.tar.gz")
    reader.stop.set()
    reader.join()
    before, during = (
        reader.between(before_start, started),
        reader.between(started, started + backup_s),
    )
    archive_mb = (work / "backup.tar.gz").stat().st_size / (1 << 20)
    rows = sum(t["rows"] for t in manifest["tables"].values())
    services.close()
    restore_url = _make_pg_target(database_url) if database_url else ""
    target = replace(services.settings, data_dir=work / "restored", database_url=restore_url)
    started = time.perf_counter()
    restore(target, work / "backup.tar.gz")
    restore_s = time.perf_counter() - started
    if restore_url:
        _drop_pg_target(restore_url)
    print(
        f"{label} database {size:,.0f} MB ({rows:,} rows): backup {backup_s:.1f} s "
        f"({size / backup_s:.0f} MB/s), archive {archive_mb:,.0f} MB | reads during backup: "
        f"{len(during.samples_ms)} pages, p50 {during.p50:.1f} ms, p99 {during.p99:.1f} ms "
        f"(before: p50 {before.p50:.1f} ms, p99 {before.p99:.1f} ms) | restore + verify "
        f"{restore_s:.1f} s"
    )


def _make_pg_target(url: str) -> str:
    import sqlalchemy as sa

    parsed = sa.make_url(url)
    name = f"{parsed.database}_r"
    admin = sa.create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)


def _drop_pg_target(url: str) -> None:
    import sqlalchemy as sa

    parsed = sa.make_url(url)
    admin = sa.create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')
    admin.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=int, default=100, help="database size to build")
    parser.add_argument("--postgres", default="", help="also run on this PostgreSQL server")
    args = parser.parse_args()
    print(machine_line())
    with temp_dir("tk-bench-backup-") as work:
        measure(work, args.size_mb, "", "SQLite    ")
    if args.postgres:
        with temp_dir("tk-bench-backup-pg-") as work, postgres_database(args.postgres) as url:
            measure(work, args.size_mb, url, "PostgreSQL")
    return 0


if __name__ == "__main__":
    sys.exit(main())
