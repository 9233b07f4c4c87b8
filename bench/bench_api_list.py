"""HTTP list throughput: GET /api/v1/tables/{t}/rows?limit=100 with a Bearer token.

``tablekit serve --workers 2`` runs as a subprocess on a free loopback port with a temp data
dir; a user and an API token are made with the CLI; a 10-field table gets 10k rows through
the API. Then a bounded load (a fixed duration and a request cap, N concurrent keep-alive
connections) asks for 100-row pages, and, as the same-run baseline, the same load asks for
``GET /healthz`` (no auth, no database) on the same server.

The load client runs ON THE SAME MACHINE as the server (loopback) and shares its CPUs, so
the figures are a lower bound for a separate client. The default client is a minimal
asyncio HTTP/1.1 keep-alive client (cheap per request); ``--client httpx`` uses httpx in
threads instead.

Targets (issue 3): >= 1000 req/s on 2 workers, p95 <= 25 ms. Missing a target prints MISS;
the exit code is non-zero only on errors.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sys
import threading
import time
from dataclasses import dataclass, field

import _common as c
from bench_rows_write import FIELDS, batches, make_rows

RPS_TARGET = 1000.0
P95_TARGET_MS = 25.0


@dataclass
class LoadResult:
    name: str
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    body_bytes: int = 0
    server_cpu: float | None = None  # CPU seconds of all server processes in this phase

    @property
    def ok(self) -> int:
        return self.statuses.get(200, 0)

    @property
    def rps(self) -> float:
        return len(self.latencies_ms) / self.seconds if self.seconds else 0.0


# --- a minimal asyncio HTTP/1.1 keep-alive client (loopback only) ------------------------


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, int]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            key, _, value = line.partition(":")
            headers[key.strip().lower()] = value.strip()
    if "content-length" in headers:
        body = await reader.readexactly(int(headers["content-length"]))
        return status, len(body)
    if headers.get("transfer-encoding", "").lower() == "chunked":
        total = 0
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await reader.readuntil(b"\r\n")
                return status, total
            total += len(await reader.readexactly(size + 2)) - 2
    raise RuntimeError("response without content-length or chunked encoding")


async def _worker(
    port: int,
    request: bytes,
    deadline: float,
    budget: list[int],
    result: LoadResult,
    record: bool,
) -> None:
    reader, writer = await asyncio.open_connection(c.LOOPBACK, port)
    try:
        while time.perf_counter() < deadline and budget[0] > 0:
            budget[0] -= 1
            t0 = time.perf_counter()
            writer.write(request)
            await writer.drain()
            status, size = await _read_response(reader)
            elapsed = (time.perf_counter() - t0) * 1000
            if record:
                result.latencies_ms.append(elapsed)
                result.statuses[status] = result.statuses.get(status, 0) + 1
                result.body_bytes += size
    except (OSError, asyncio.IncompleteReadError, RuntimeError) as exc:
        result.errors.append(repr(exc))
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()


def load_raw(
    port: int, path: str, token: str | None, seconds: float, cap: int, conns: int, name: str
) -> LoadResult:
    lines = [f"GET {path} HTTP/1.1", f"Host: {c.LOOPBACK}:{port}", "Accept: application/json"]
    if token:
        lines.append(f"Authorization: Bearer {token}")
    request = ("\r\n".join(lines) + "\r\n\r\n").encode()
    result = LoadResult(name)

    async def main() -> None:
        budget = [cap]
        start = time.perf_counter()
        deadline = start + seconds
        await asyncio.gather(
            *[_worker(port, request, deadline, budget, result, True) for _ in range(conns)]
        )
        result.seconds = time.perf_counter() - start

    asyncio.run(main())
    return result


def load_httpx(
    base_url: str, path: str, token: str | None, seconds: float, cap: int, conns: int, name: str
) -> LoadResult:
    import httpx

    headers = {"Authorization": f"Bearer {token}"} if token else {}
    result = LoadResult(name)
    lock = threading.Lock()
    budget = [cap]
    start = time.perf_counter()
    deadline = start + seconds

    def worker() -> None:
        with httpx.Client(base_url=base_url, headers=headers, timeout=30) as client:
            while time.perf_counter() < deadline:
                with lock:
                    if budget[0] <= 0:
                        return
                    budget[0] -= 1
                t0 = time.perf_counter()
                try:
                    response = client.get(path)
                except httpx.HTTPError as exc:
                    with lock:
                        result.errors.append(repr(exc))
                    return
                elapsed = (time.perf_counter() - t0) * 1000
                with lock:
                    result.latencies_ms.append(elapsed)
                    code = response.status_code
                    result.statuses[code] = result.statuses.get(code, 0) + 1
                    result.body_bytes += len(response.content)

    threads = [threading.Thread(target=worker) for _ in range(conns)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.seconds = time.perf_counter() - start
    return result


# --- setup and main --------------------------------------------------------------------


def setup_table(server: c.Server, token: str, workspace_id: int, rows: int) -> int:
    import httpx

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
        for chunk in batches(make_rows(rows, seed=3), 1000):
            body = json.dumps({"rows": [{"fields": r} for r in chunk]})
            c.api_check(
                client.post(
                    f"/api/v1/tables/{table['id']}/rows",
                    content=body,
                    headers={"Content-Type": "application/json"},
                )
            )
        page = c.api_check(client.get(f"/api/v1/tables/{table['id']}/rows?limit=100"))
        if len(page["rows"]) != min(100, rows):
            raise RuntimeError(f"expected 100 rows, got {len(page['rows'])}")
    return int(table["id"])


def describe(result: LoadResult) -> str:
    lat = c.Latency(result.name, result.latencies_ms or [float("nan")])
    others = {k: v for k, v in result.statuses.items() if k != 200}
    return (
        f"  {result.name:<34} {len(result.latencies_ms):>7} req in {result.seconds:5.1f} s = "
        f"{result.rps:8,.0f} req/s   p50 {lat.p50:6.1f}  p95 {lat.p95:6.1f}  "
        f"p99 {lat.p99:6.1f} ms   non-200: {others or 0}"
        + (f"   errors: {len(result.errors)} ({result.errors[0]})" if result.errors else "")
        + (
            f"\n  {'':<34} server CPU {result.server_cpu / len(result.latencies_ms) * 1000:.2f}"
            f" ms per request (all worker processes)"
            if result.server_cpu is not None and result.latencies_ms
            else ""
        )
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000, help="rows in the table")
    parser.add_argument("--workers", type=int, default=2, help="`tablekit serve --workers`")
    parser.add_argument("--connections", type=int, default=16, help="concurrent connections")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per load phase")
    parser.add_argument("--max-requests", type=int, default=100_000, help="cap per phase")
    parser.add_argument("--client", choices=("raw", "httpx"), default="raw")
    parser.add_argument("--limit", type=int, default=100, help="page size (?limit=)")
    parser.add_argument("--quick", action="store_true", help="1k rows, 2 s phases (< 30 s)")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir")
    args = parser.parse_args()
    if args.quick:
        args.rows, args.duration = min(args.rows, 1_000), min(args.duration, 2.0)
    args.duration = min(max(args.duration, 0.5), 120.0)
    args.connections = min(max(args.connections, 1), 256)

    print("bench_api_list: GET rows?limit=100 with a token vs GET /healthz, same server")
    print(c.machine_line())
    print(
        f"NOTE: the load client runs on the same machine as the server (loopback "
        f"{c.LOOPBACK}) and shares its {os.cpu_count()} CPUs."
    )
    with c.temp_dir("tk-bench-list-", keep=args.keep) as tmp:
        data_dir = tmp / "data"
        data_dir.mkdir()
        server = c.Server(data_dir, workers=args.workers)
        c.create_user(data_dir)
        server.start()
        try:
            token, workspace_id = c.bootstrap_token(server, user_exists=True)
            table_id = setup_table(server, token, workspace_id, args.rows)
            list_path = f"/api/v1/tables/{table_id}/rows?limit={args.limit}"

            def load(path: str, auth: str | None, seconds: float, name: str) -> LoadResult:
                if args.client == "httpx":
                    return load_httpx(
                        server.url, path, auth, seconds, args.max_requests, args.connections, name
                    )
                return load_raw(
                    server.port, path, auth, seconds, args.max_requests, args.connections, name
                )

            load(list_path, token, min(2.0, args.duration), "warm-up")
            cpu0 = server.cpu_seconds()
            health = load("/healthz", None, args.duration, "GET /healthz (baseline)")
            cpu1 = server.cpu_seconds()
            listing = load(list_path, token, args.duration, f"GET rows?limit={args.limit}")
            cpu2 = server.cpu_seconds()
            if cpu0 is not None and cpu1 is not None and cpu2 is not None:
                health.server_cpu = cpu1 - cpu0
                listing.server_cpu = cpu2 - cpu1
        except Exception:
            print(server.log_tail(), file=sys.stderr)
            raise
        finally:
            server.stop()

    print(
        f"\nload: {args.connections} keep-alive connections, {args.client} client, "
        f"{args.duration:.0f} s or {args.max_requests:,} requests per phase; "
        f"tablekit serve --workers {args.workers}; {args.rows:,} rows, 10 fields"
    )
    print(describe(health))
    print(describe(listing))
    if listing.latencies_ms:
        print(
            f"  ratio list / healthz req/s: {listing.rps / health.rps:.3f}   "
            f"(page body {listing.body_bytes / max(1, len(listing.latencies_ms)) / 1024:.1f} KiB)"
        )
    if listing.errors or listing.ok != len(listing.latencies_ms):
        print("error: the list load had failures", file=sys.stderr)
        return 1
    if listing.server_cpu and listing.latencies_ms:
        per_request = listing.server_cpu / len(listing.latencies_ms)
        cpus = min(args.workers, os.cpu_count() or 1)
        print(
            f"  server CPU budget: {args.workers} workers could serve at most "
            f"~{cpus / per_request:,.0f} req/s with {cpus} CPU(s) to themselves "
            "(no client, no other load)"
        )
    p95 = c.Latency("", listing.latencies_ms).p95
    print("\nsummary")
    print(
        f"  list req/s {listing.rps:8,.0f}  target >= {RPS_TARGET:,.0f}  "
        f"{c.verdict(listing.rps >= RPS_TARGET)}"
    )
    print(
        f"  list p95   {p95:8.1f} ms  target <= {P95_TARGET_MS:.0f} ms  "
        f"{c.verdict(p95 <= P95_TARGET_MS)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
