"""Export benchmark: 1M rows to CSV, streamed, in constant memory (and XLSX for a smaller
table: a sheet holds at most 1,048,575 rows, and openpyxl without lxml writes a few
thousand rows a second).

The export runs in a child process that samples its RSS as the chunks go out: the figure
to look at is the growth over the second half of the rows, which stays flat when the
export streams (the first half includes SQLite's page cache, up to 64 MiB, filling).
The baseline, in the same run on the same table, is a raw ``SELECT *`` written with
``csv.writer`` (no decoding, no view logic, no injection guard).

    .venv/bin/python bench/bench_export.py                 # 1M rows CSV, 100k rows XLSX
    .venv/bin/python bench/bench_export.py --rows 200000 --xlsx-rows 50000

A missed target prints MISS; the exit code is non-zero only on errors.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import machine_line, make_services, owner_and_base, temp_dir, verdict
from bench.bench_import import write_csv

PAGE_SAMPLES = (0.25, 0.5, 0.75, 1.0)
GROWTH_LIMIT_MB = 20


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * 4096 / (1 << 20)


def prepare(work: Path, rows: int) -> dict[str, Any]:
    """A table of ``rows`` products, loaded through the bulk import."""
    from tablekit.interchange.imports import ImportOptions, ImportService
    from tablekit.interchange.jobs import JobRunner

    services = make_services(work / "data")
    actor, _, base_id = owner_and_base(services)
    jobs = JobRunner(services.db, services.access, 1)
    upload = work / "products.csv"
    write_csv(upload, rows)
    job_id = ImportService(services, jobs).start(
        actor, upload, "products.csv", ImportOptions(), base_id=base_id
    )["job_id"]
    while (job := jobs.get(actor, job_id))["status"] not in ("succeeded", "failed"):
        time.sleep(0.05)
    assert job["status"] == "succeeded", job["error"]
    jobs.shutdown()
    services.close()
    return {"table_id": job["result"]["table_id"], "user_id": actor.user_id}


def child(work: Path, table_id: int, user_id: int, rows: int, kind: str) -> dict[str, Any]:
    from tablekit.interchange.exporter import ExportService
    from tablekit.services.actor import Actor

    services = make_services(work / "data")
    actor = Actor(user_id=user_id, email="bench@example.com")
    start_rss = rss_mb()
    started = time.perf_counter()
    samples: dict[float, float] = {}
    size = 0
    if kind == "baseline":
        out = io.StringIO()
        writer = csv.writer(out)
        with services.db.engine.connect() as conn:
            result = conn.execution_options(stream_results=True).exec_driver_sql(
                f"SELECT * FROM t_{table_id} ORDER BY id"
            )
            for part in result.partitions(1000):
                writer.writerows(part)
                size += len(out.getvalue().encode())
                out.seek(0)
                out.truncate()
    elif kind == "csv":
        exports = ExportService(services)
        export = exports.prepare(actor, table_id, None)
        done = 0
        for chunk in exports.csv_chunks(export):
            size += len(chunk)
            done += 1000
            for point in PAGE_SAMPLES:
                if point not in samples and done >= point * rows:
                    samples[point] = rss_mb()
    else:
        exports = ExportService(services)
        path = work / "out.xlsx"
        exports.write_xlsx(exports.prepare(actor, table_id, None), path)
        size = path.stat().st_size
    wall = time.perf_counter() - started
    services.close()
    return {
        "wall": wall,
        "bytes": size,
        "start_rss": start_rss,
        "samples": samples,
        "end_rss": rss_mb(),
    }


def run_child(work: Path, setup: dict[str, Any], rows: int, kind: str) -> dict[str, Any]:
    out = subprocess.run(
        [
            sys.executable,
            __file__,
            "--child",
            kind,
            "--work",
            str(work),
            "--table",
            str(setup["table_id"]),
            "--user",
            str(setup["user_id"]),
            "--rows",
            str(rows),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--xlsx-rows", type=int, default=100_000)
    parser.add_argument("--child", choices=("baseline", "csv", "xlsx"), help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--table", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--user", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.work, args.table, args.user, args.rows, args.child)))
        return 0
    print(machine_line())
    with temp_dir("tk-bench-export-") as work:
        setup = prepare(work, args.rows)
        baseline = run_child(work, setup, args.rows, "baseline")
        result = run_child(work, setup, args.rows, "csv")
        samples = {float(k): v for k, v in result["samples"].items()}
        # SQLite's page cache (64 MiB per connection) fills in the first half; what must
        # not grow is the second half.
        growth = samples[1.0] - samples[0.5]
        ok = growth <= GROWTH_LIMIT_MB
        print(
            f"CSV  {args.rows:>9,} rows: {result['wall']:.1f} s, {args.rows / result['wall']:,.0f} "
            f"rows/s, {result['bytes'] / (1 << 20):.0f} MB | RSS at 25/50/75/100 %: "
            + "/".join(f"{samples[p]:.0f}" for p in PAGE_SAMPLES)
            + f" MB (second half {growth:+.0f} MB: {verdict(ok)} constant memory) | baseline "
            f"SELECT+csv.writer {baseline['wall']:.1f} s, "
            f"ratio {result['wall'] / baseline['wall']:.1f}x"
        )
    with temp_dir("tk-bench-export-xlsx-") as work:
        setup = prepare(work, args.xlsx_rows)
        result = run_child(work, setup, args.xlsx_rows, "xlsx")
        print(
            f"XLSX {args.xlsx_rows:>9,} rows: {result['wall']:.1f} s, "
            f"{args.xlsx_rows / result['wall']:,.0f} rows/s, {result['bytes'] / (1 << 20):.0f} MB, "
            f"RSS {result['start_rss']:.0f} → {result['end_rss']:.0f} MB"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
