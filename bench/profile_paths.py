"""Profiles of the hot paths, to find what to fix (not a benchmark; prints no targets).

    python bench/profile_paths.py write   # services.rows.create, 1000-row batches
    python bench/profile_paths.py list    # services.rows.query, 100-row pages
    python bench/profile_paths.py http-list    # whole GET rows?limit=100 requests in uvicorn
    python bench/profile_paths.py http-create  # whole POST rows (1000-row batches) in uvicorn

Everything runs under pyinstrument when it is installed (``.venv/bin/pip install
pyinstrument``), else cProfile. ``write`` and ``list`` call the service in-process and also
print a CPU-time breakdown of the main phases. The ``http-*`` modes serve the app with
uvicorn in this process on a loopback port and drive it from a client subprocess; for the
profile only, the sync handlers run in the event-loop thread (see ``inline_handlers``).
"""

from __future__ import annotations

import argparse
import collections
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import _common as c
from bench_rows_write import FIELDS, batches, make_rows

BENCH_DIR = Path(__file__).resolve().parent


@contextmanager
def profiled(title: str, interval: float = 0.001) -> Iterator[None]:
    try:
        from pyinstrument import Profiler
    except ImportError:
        with c.maybe_profile(True, title, top=35):
            yield
        return
    profiler = Profiler(interval=interval)
    profiler.start()
    try:
        yield
    finally:
        profiler.stop()
        print(f"\n--- pyinstrument: {title} ---")
        print(profiler.output_text(unicode=False, color=False, show_all=False))


class PhaseClock:
    """CPU time spent inside wrapped functions (nested calls count in each wrapper)."""

    def __init__(self) -> None:
        self.spent: collections.Counter[str] = collections.Counter()
        self._undo: list[Callable[[], None]] = []

    def wrap(self, owner: Any, name: str, label: str | None = None) -> None:
        original = getattr(owner, name)
        spent = self.spent
        key = label or name

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            start = time.process_time()
            try:
                return original(*args, **kwargs)
            finally:
                spent[key] += time.process_time() - start

        setattr(owner, name, wrapper)
        self._undo.append(lambda: setattr(owner, name, original))

    def restore(self) -> None:
        for undo in reversed(self._undo):
            undo()
        self._undo.clear()

    def report(self, total: float, units: int, unit: str) -> None:
        print(f"  total {total / units * 1e6:9.1f} us CPU per {unit}")
        for key, value in self.spent.most_common():
            print(f"    {key:<34} {value / units * 1e6:9.1f} us  {100 * value / total:5.1f} %")


def setup(tmp: Path, rows: int) -> tuple[Any, Any, int, int]:
    services = c.make_services(tmp / "data")
    actor, workspace_id, base_id = c.owner_and_base(services)
    table_id = int(services.schema.create_table(actor, base_id, "Orders", FIELDS)["id"])
    for chunk in batches(make_rows(rows, seed=5), 1000):
        services.rows.create(actor, table_id, chunk)
    return services, actor, workspace_id, table_id


# --- write -----------------------------------------------------------------------------


def profile_write(args: argparse.Namespace) -> None:
    from tablekit.services import rowcodec, rows, rowwrite

    with c.temp_dir("tk-prof-write-") as tmp:
        services, actor, _ws, table_id = setup(tmp, 1000)
        try:
            data = batches(make_rows(args.rows, seed=9), 1000)
            clock = PhaseClock()
            clock.wrap(rows, "encode_rows", "encode_rows (validate + convert)")
            clock.wrap(rowwrite, "insert_rows", "insert_rows (INSERT ... RETURNING)")
            clock.wrap(rowwrite, "emit", "  emit (outbox; inside record_created)")
            clock.wrap(rowwrite, "record_created", "record_created (history + outbox)")
            clock.wrap(rowwrite.Op, "fetch", "Op.fetch (read created rows back)")
            clock.wrap(rowcodec.RowDecoder, "decode", "RowDecoder.decode")
            clock.wrap(rows.RowService, "_op", "RowService._op (access + schema)")
            start = time.process_time()
            for chunk in data:
                services.rows.create(actor, table_id, chunk)
            total = time.process_time() - start
            clock.restore()
            print(f"\nservices.rows.create, {args.rows} rows in 1000-row batches (CPU time):")
            clock.report(total, args.rows, "row")
            again = batches(make_rows(args.rows, seed=11), 1000)
            with profiled(f"services.rows.create x {args.rows} rows"):
                for chunk in again:
                    services.rows.create(actor, table_id, chunk)
        finally:
            services.close()


# --- list ------------------------------------------------------------------------------


def profile_list(args: argparse.Namespace) -> None:
    from sqlalchemy.orm import Session

    from tablekit.services import rowcodec, rows

    with c.temp_dir("tk-prof-list-") as tmp:
        services, actor, workspace_id, table_id = setup(tmp, args.table_rows)
        try:
            token = services.tokens.create(
                actor, name="p", scopes=["read"], workspace_id=workspace_id
            )["token"]
            for _ in range(20):
                services.rows.query(actor, table_id, limit=100)
            clock = PhaseClock()
            clock.wrap(rows.RowService, "_op", "RowService._op (access + schema)")
            clock.wrap(rows, "schema_of", "  schema_of (fields query; inside _op)")
            clock.wrap(Session, "execute", "Session.execute (page SQL)")
            clock.wrap(rowcodec.RowDecoder, "decode", "RowDecoder.decode (100 rows)")
            calls = args.calls
            start = time.process_time()
            for _ in range(calls):
                services.rows.query(actor, table_id, limit=100)
            total = time.process_time() - start
            clock.restore()
            print(f"\nservices.rows.query(limit=100) on {args.table_rows} rows, CPU time:")
            clock.report(total, calls, "call")
            start = time.process_time()
            for _ in range(calls):
                services.tokens.actor_for_token(token)
            spent = (time.process_time() - start) / calls
            print(
                f"  tokens.actor_for_token (each request, before the handler): {spent * 1e6:.0f} us"
            )
            with profiled(f"services.rows.query(limit=100) x {calls}", interval=0.0005):
                for _ in range(calls):
                    services.rows.query(actor, table_id, limit=100)
        finally:
            services.close()


# --- http: the whole request in uvicorn, profiled in one thread ---------------------------

CLIENTS = {
    "list": (
        "import sys; sys.path.insert(0, {bench!r}); from bench_api_list import load_raw; "
        "r = load_raw({port}, {path!r}, {token!r}, {secs}, 10**6, {conns}, 'x'); "
        "print(f'{{len(r.latencies_ms)}} requests, {{r.rps:.0f}} req/s under the profiler, "
        "{{len(r.errors)}} errors, statuses {{r.statuses}}')"
    ),
    "create": (
        "import sys, json, time, httpx; sys.path.insert(0, {bench!r}); "
        "from bench_rows_write import make_rows, batches; "
        "bodies = [json.dumps({{'rows': [{{'fields': r}} for r in b]}}) "
        "for b in batches(make_rows({rows}, 21), 1000)]; "
        "c = httpx.Client(base_url='http://127.0.0.1:{port}', timeout=120, "
        "headers={{'Authorization': 'Bearer {token}', 'Content-Type': 'application/json'}}); "
        "t = time.perf_counter(); "
        "codes = [c.post({path!r}, content=b).status_code for b in bodies]; "
        "e = time.perf_counter() - t; "
        "print(f'{{len(bodies)}} batches, {{{rows} / e:.0f}} rows/s under the profiler, "
        "statuses {{set(codes)}}')"
    ),
}


def inline_handlers() -> None:
    """Profiling only: run the sync handlers and dependencies in the event-loop thread, so
    a per-thread profiler sees the whole request (the app normally hops to a thread pool;
    measured without the profiler, that hop changes little)."""
    import litestar.di

    import tablekit.api.rows as api_rows

    original = litestar.di.Provide.__init__

    def init(self: Any, dependency: Any, use_cache: bool = False, **_: Any) -> None:
        original(self, dependency, use_cache=use_cache, sync_to_thread=False)

    litestar.di.Provide.__init__ = init  # type: ignore[method-assign]
    for handler in api_rows.ROUTES:
        handler.sync_to_thread = False


def profile_http(args: argparse.Namespace, kind: str) -> None:
    import logging

    inline_handlers()
    import uvicorn

    from tablekit.app import create_app

    with c.temp_dir("tk-prof-http-") as tmp:
        services, actor, workspace_id, table_id = setup(
            tmp, args.table_rows if kind == "list" else 1000
        )
        try:
            token = services.tokens.create(
                actor, name="p", scopes=["read", "write"], workspace_id=workspace_id
            )["token"]
            port = c.free_port()
            app = create_app(services=services)
            # Like `tablekit serve` (log_level info, access log on), but into a null handler.
            config = uvicorn.Config(app, host=c.LOOPBACK, port=port, log_level="info")
            server = uvicorn.Server(config)
            path = f"/api/v1/tables/{table_id}/rows" + ("?limit=100" if kind == "list" else "")
            client = CLIENTS[kind].format(
                bench=str(BENCH_DIR),
                port=port,
                path=path,
                token=token,
                secs=args.seconds,
                conns=args.connections,
                rows=args.rows,
            )
            report: list[str] = []

            def drive() -> None:
                deadline = time.monotonic() + 30
                while not server.started and time.monotonic() < deadline:
                    time.sleep(0.05)
                out = subprocess.run(
                    [sys.executable, "-c", client], capture_output=True, text=True, timeout=300
                )
                report.append(out.stdout.strip() or out.stderr.strip()[-500:])
                server.should_exit = True

            threading.Thread(target=drive, daemon=True).start()
            with profiled(f"uvicorn serving {kind} requests on {path}", interval=0.0005):
                logging.getLogger("uvicorn.access").handlers = [logging.NullHandler()]
                logging.getLogger("uvicorn.access").propagate = False
                server.run()
            print(f"client: {report[0] if report else '(no report)'}")
        finally:
            services.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mode", choices=("write", "list", "http-list", "http-create"))
    parser.add_argument("--rows", type=int, default=20_000, help="write/http-create: rows")
    parser.add_argument("--table-rows", type=int, default=10_000, help="list/http-list: table size")
    parser.add_argument("--calls", type=int, default=300, help="list: query calls")
    parser.add_argument("--seconds", type=float, default=8.0, help="http-list: load duration")
    parser.add_argument("--connections", type=int, default=8, help="http-list: connections")
    args = parser.parse_args()
    args.seconds = min(max(args.seconds, 1.0), 60.0)
    print(c.machine_line())
    if args.mode == "write":
        profile_write(args)
    elif args.mode == "list":
        profile_list(args)
    else:
        profile_http(args, args.mode.removeprefix("http-"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
