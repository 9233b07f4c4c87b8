"""Automations: how fast a change reaches its rule, how many runs a worker does per second,
and what rules cost tables that have none.

What it measures (one run, same machine, loopback only, SQLite unless --postgres):

1. Latency: a row update → the rule's first action done, with the worker running in a
   background thread of the same process (as in ``tablekit serve``), woken by the commit.
   Baseline: the row update itself (the service call, one write transaction).
2. Throughput: 1,000 rows created in one batch, each starting a rule with a filter *and*
   a formula condition and one ``update_rows`` action; the worker drains them. Baseline:
   the same 1,000 single-row updates made directly through the row service.
3. Zero extra queries: SQL statements of a row write on a table without rules while other
   tables have rules, against the same write with no rule anywhere; and the dispatcher's
   statements per event for a batch of events of that table.

Targets (issue 5): p95 ≤ 1 s (aim ≤ 200 ms); ≥ 100 rule runs/s with conditions; zero extra
queries per write on tables without rules.

    python bench/bench_automations.py [--postgres URL] [--quick] [--profile]
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (
    Latency,
    machine_line,
    make_services,
    maybe_profile,
    owner_and_base,
    postgres_database,
    temp_dir,
    verdict,
)
from sqlalchemy import event

LATENCY_TARGET_MS = 1000.0
LATENCY_AIM_MS = 200.0
RUNS_TARGET = 100.0
FIELDS: list[dict[str, Any]] = [
    {"name": "Name", "type": "text"},
    {"name": "Quantity", "type": "number"},
    {"name": "Price", "type": "currency"},
    {"name": "Status", "type": "single_select", "options": {"choices": ["New", "Open", "Done"]}},
    {"name": "Note", "type": "text"},
]


class StatementCounter:
    """Counts the SQL statements an engine executes while active."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.statements: list[str] = []

    def _count(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        self.statements.append(statement)

    def __enter__(self) -> StatementCounter:
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *_: Any) -> None:
        event.remove(self.engine, "before_cursor_execute", self._count)


def rule(services: Any, actor: Any, base_id: int, table_id: int, trigger: str) -> dict[str, Any]:
    params = {"fields": ["Quantity"]} if trigger == "row_updated" else {}
    return services.automations.create(
        actor,
        base_id,
        {
            "name": f"bench {trigger}",
            "trigger": {"type": trigger, "table_id": table_id, "params": params},
            "condition": {
                "filter": {"field": "Status", "op": "eq", "value": "Open"},
                "formula": "{Quantity} * {Price} >= 0",
            },
            "actions": [{"type": "update_rows", "params": {"fields": {"Note": "={Name}"}}}],
        },
    )


def latency(services: Any, actor: Any, base_id: int, samples: int) -> tuple[Latency, Latency]:
    from tablekit.automations.worker import Worker

    table = services.schema.create_table(actor, base_id, "Latency", FIELDS)
    bench_rule = rule(services, actor, base_id, table["id"], "row_updated")
    row = services.rows.create(actor, table["id"], [{"Name": "r", "Status": "Open"}])[0]["id"]
    worker = Worker(services)
    worker.start()
    writes, reached = [], []
    try:
        for i in range(samples + 5):
            before = datetime.now(UTC)
            start = time.perf_counter()
            services.rows.update(actor, table["id"], [(row, {"Quantity": i})])
            write_ms = (time.perf_counter() - start) * 1000
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                runs = services.automations.runs(actor, bench_rule["id"], 1)["items"]
                if runs and runs[0]["status"] == "ok" and runs[0]["trigger"]["changes"]:
                    changes = runs[0]["trigger"]["changes"]
                    if any(pair[1] == i for pair in changes.values()):
                        break
                time.sleep(0.002)
            else:
                raise SystemExit("the worker did not run the rule within 10 s")
            done = datetime.fromisoformat(runs[0]["steps"][0]["at"])
            if i >= 5:  # warm-up
                writes.append(write_ms)
                reached.append((done - before).total_seconds() * 1000)
    finally:
        worker.stop()
    return Latency("row update (baseline)", writes), Latency("change → first action", reached)


def throughput(services: Any, actor: Any, base_id: int, count: int, profile: bool) -> None:
    from tablekit.automations.worker import Worker

    table = services.schema.create_table(actor, base_id, "Throughput", FIELDS)
    rows = [
        {"Name": f"r{i}", "Quantity": i, "Price": "2.50", "Status": "Open"} for i in range(count)
    ]
    ids = [r["id"] for r in services.rows.create(actor, table["id"], rows)]
    start = time.perf_counter()
    for row_id in ids:
        services.rows.update(actor, table["id"], [(row_id, {"Note": "direct"})])
    baseline = time.perf_counter() - start
    rule(services, actor, base_id, table["id"], "row_created")
    with Worker(services, scheduler=False) as worker:
        worker.drain()  # the setup's events; starts the sandbox process
        services.rows.create(actor, table["id"], rows)
        start = time.perf_counter()
        with maybe_profile(profile, "worker.drain"):
            worker.drain(timeout=600)
        elapsed = time.perf_counter() - start
    direct = count / baseline
    runs = count / elapsed
    print(f"  {count} single-row updates through the row service (baseline): {direct:,.0f}/s")
    print(
        f"  {count} rule runs (filter + formula condition, update_rows): {runs:,.0f} runs/s "
        f"= {runs / direct:.2f}x baseline  [target >= {RUNS_TARGET:.0f}/s: "
        f"{verdict(runs >= RUNS_TARGET)}]"
    )


def extra_queries(services: Any, actor: Any, base_id: int) -> None:
    from tablekit.automations.worker import Worker

    plain = services.schema.create_table(actor, base_id, "No rules", FIELDS)
    other = services.schema.create_table(actor, base_id, "With rules", FIELDS)
    row = services.rows.create(actor, plain["id"], [{"Name": "x"}])[0]["id"]
    engine = services.db.engine

    def write(i: int) -> int:
        with StatementCounter(engine) as counter:
            services.rows.update(actor, plain["id"], [(row, {"Quantity": i})])
        return len(counter.statements)

    write(0)
    without = write(1)
    rule(services, actor, base_id, other["id"], "row_updated")
    rule(services, actor, base_id, other["id"], "row_created")
    with_rules = write(2)
    print(
        f"  a row update on a table without rules: {without} statements with no rule anywhere, "
        f"{with_rules} while other tables have rules → {with_rules - without} extra "
        f"[target 0: {verdict(with_rules == without)}]"
    )
    with Worker(services, scheduler=False) as worker:
        worker.drain()
        for i in range(200):
            services.rows.update(actor, plain["id"], [(row, {"Quantity": 100 + i})])
        with StatementCounter(engine) as counter:
            worker.dispatcher.dispatch()
        print(
            f"  dispatching 200 events of that table: {len(counter.statements)} statements "
            f"in all ({len(counter.statements) / 200:.3f} per event), no run created"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--postgres", help="admin URL of a loopback PostgreSQL server")
    parser.add_argument("--quick", action="store_true", help="fewer samples")
    parser.add_argument("--profile", action="store_true", help="profile the worker's drain")
    args = parser.parse_args()
    samples, count = (50, 300) if args.quick else (200, 1000)
    print(machine_line())
    with temp_dir("tk-bench-auto-") as tmp:
        if args.postgres:
            with postgres_database(args.postgres) as url:
                run(make_services(tmp, url), "PostgreSQL", samples, count, args.profile)
        else:
            run(make_services(tmp), "SQLite", samples, count, args.profile)


def run(services: Any, label: str, samples: int, count: int, profile: bool) -> None:
    try:
        actor, _, base_id = owner_and_base(services)
        print(f"\n== {label}: row change → first action, in-process worker ({samples} samples)")
        write, reach = latency(services, actor, base_id, samples)
        for item in (write, reach):
            figures = f"p50 {item.p50:.1f} ms, p95 {item.p95:.1f} ms, p99 {item.p99:.1f} ms"
            print(f"  {item.name}: {figures}")
        target = verdict(reach.p95 <= LATENCY_TARGET_MS)
        aim = verdict(reach.p95 <= LATENCY_AIM_MS)
        print(
            f"  p95 {reach.p95:.0f} ms = {reach.p95 / write.p95:.1f}x the write itself  "
            f"[target <= {LATENCY_TARGET_MS:.0f} ms: {target}; aim <= {LATENCY_AIM_MS:.0f} ms: "
            f"{aim}]"
        )
        print(f"\n== {label}: rule runs per second")
        throughput(services, actor, base_id, count, profile)
        print(f"\n== {label}: cost for tables without rules")
        extra_queries(services, actor, base_id)
    finally:
        services.close()


if __name__ == "__main__":
    main()
