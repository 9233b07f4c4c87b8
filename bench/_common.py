"""Helpers shared by the benchmark scripts: temp dirs, in-process services, a `tablekit serve`
subprocess on a loopback port, CLI bootstrap, statistics and a tiny profiler wrapper.

Everything here talks to 127.0.0.1 only and writes only under a ``tempfile.mkdtemp()``
directory that is removed afterwards.
"""

from __future__ import annotations

import contextlib
import cProfile
import io
import os
import pstats
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

LOOPBACK = "127.0.0.1"
PASSWORD = "bench password 123"
EMAIL = "bench@example.com"


# --- temp dirs and output --------------------------------------------------------------


@contextlib.contextmanager
def temp_dir(prefix: str, keep: bool = False) -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield path
    finally:
        if keep:
            print(f"(kept {path})")
        else:
            shutil.rmtree(path, ignore_errors=True)


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def machine_line() -> str:
    import platform
    import sqlite3

    return (
        f"machine: {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}, {platform.system()} {platform.machine()}; "
        f"{load_line()}"
    )


def load_line() -> str:
    """The 1-minute load average: figures taken while other work runs are slower."""
    try:
        one, five, _ = os.getloadavg()
    except OSError:
        return "load average unknown"
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min)"


# --- statistics ------------------------------------------------------------------------


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of a non-empty sequence."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


@dataclass
class Latency:
    name: str
    samples_ms: list[float]

    @property
    def p50(self) -> float:
        return statistics.median(self.samples_ms)

    @property
    def p95(self) -> float:
        return percentile(self.samples_ms, 95)

    @property
    def p99(self) -> float:
        return percentile(self.samples_ms, 99)

    @property
    def mean(self) -> float:
        return statistics.fmean(self.samples_ms)


def time_calls(fn: Callable[[int], Any], count: int, warmup: int = 2) -> list[float]:
    """Milliseconds per call of ``fn(i)`` for i in range(count), after ``warmup`` calls."""
    for i in range(warmup):
        fn(i)
    samples = []
    for i in range(count):
        start = time.perf_counter()
        fn(i)
        samples.append((time.perf_counter() - start) * 1000)
    return samples


# --- profiling -------------------------------------------------------------------------


@contextlib.contextmanager
def maybe_profile(enabled: bool, title: str, top: int = 30) -> Iterator[None]:
    """cProfile the block and print the top functions by own time and by cumulative time."""
    if not enabled:
        yield
        return
    profiler = cProfile.Profile()
    profiler.enable()
    try:
        yield
    finally:
        profiler.disable()
        for order in ("tottime", "cumulative"):
            out = io.StringIO()
            stats = pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(order)
            stats.print_stats(top)
            print(f"\n--- profile: {title} (sorted by {order}) ---")
            print(out.getvalue().split("\n", 4)[-1])


# --- in-process services ---------------------------------------------------------------


def make_services(data_dir: Path, database_url: str = "") -> Any:
    """Migrated services on SQLite in ``data_dir`` (or on ``database_url``)."""
    from tablekit.db.engine import Database
    from tablekit.db.migrate import upgrade
    from tablekit.services.container import build_services
    from tablekit.settings import Settings

    data_dir.mkdir(parents=True, exist_ok=True)
    settings = Settings(data_dir=data_dir, database_url=database_url, secret_key="bench")
    db = Database(settings.effective_database_url)
    upgrade(db)
    return build_services(settings, db)


def owner_and_base(services: Any, email: str = EMAIL) -> tuple[Any, int, int]:
    """A user who owns a workspace with one base: (actor, workspace id, base id)."""
    from tablekit.services.actor import Actor

    user = services.users.create_user(email, PASSWORD, workspace_name="Bench")
    actor = Actor(user_id=int(user["id"]), email=email)
    workspace_id = services.workspaces.mine(actor)[0]["id"]
    base = services.workspaces.create_base(actor, workspace_id, "Bench base")
    return actor, workspace_id, int(base["id"])


@contextlib.contextmanager
def postgres_database(admin_url: str) -> Iterator[str]:
    """A temporary PostgreSQL database on the server of ``admin_url`` (dropped afterwards)."""
    import sqlalchemy as sa

    url = sa.make_url(admin_url)
    if url.host not in (LOOPBACK, "localhost", None):
        raise SystemExit(f"error: benchmarks only use loopback; {url.host!r} is not")
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    name = f"tk_bench_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


# --- a `tablekit serve` subprocess -----------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TABLEKIT_")}
    env.update(
        {
            "TABLEKIT_DATA_DIR": str(data_dir),
            "TABLEKIT_SECRET_KEY": "bench-secret",
            "TABLEKIT_HOST": LOOPBACK,
        }
    )
    return env


def cli(data_dir: Path, *args: str) -> str:
    """Run ``tablekit <args>`` (this interpreter's install) and return its stdout."""
    proc = subprocess.run(
        [sys.executable, "-m", "tablekit.cli", *args],
        env=_env(data_dir),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"tablekit {args[0]} failed ({proc.returncode}): {proc.stderr.strip()}")
    return proc.stdout


class Server:
    """``tablekit serve --workers N`` on a free loopback port with its own data dir."""

    def __init__(
        self, data_dir: Path, workers: int = 1, extra_env: dict[str, str] | None = None
    ) -> None:
        self.data_dir = data_dir
        self.workers = workers
        self.extra_env = extra_env or {}
        self.port = free_port()
        self.url = f"http://{LOOPBACK}:{self.port}"
        self.log_path = data_dir.parent / f"serve-{self.port}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60.0) -> None:
        import httpx

        log = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tablekit.cli",
                "serve",
                "--host",
                LOOPBACK,
                "--port",
                str(self.port),
                "--workers",
                str(self.workers),
            ],
            env={**_env(self.data_dir), **self.extra_env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so stop() ends all its workers
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"tablekit serve exited early:\n{self.log_tail()}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.url}/healthz", timeout=1.0).status_code == 200:
                    if self.workers > 1:
                        time.sleep(1.5)  # let every worker finish booting
                    return
            time.sleep(0.2)
        raise RuntimeError(f"tablekit serve did not answer /healthz in {timeout}s")

    def cpu_seconds(self) -> float | None:
        """CPU time (user + system) used so far by every process of the server (Linux)."""
        if self.proc is None:
            return None
        total = 0
        try:
            ticks = os.sysconf("SC_CLK_TCK")
            for entry in Path("/proc").iterdir():
                if not entry.name.isdigit():
                    continue
                try:
                    stat = (entry / "stat").read_text()
                except OSError:
                    continue
                fields = stat.rsplit(")", 1)[1].split()
                if int(fields[2]) == self.proc.pid:  # process group of `tablekit serve`
                    total += int(fields[11]) + int(fields[12])
        except (OSError, ValueError):
            return None
        return total / ticks

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGINT)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=5)

    def __enter__(self) -> Server:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def create_user(data_dir: Path) -> None:
    """``tablekit create-user`` (it also migrates). Run it before the server's first start,
    so that ``serve`` finds a user and skips creating its admin account and demo data."""
    cli(data_dir, "create-user", "--email", EMAIL, "--password", PASSWORD)


def bootstrap_token(
    server: Server, scopes: str = "read,write,admin", *, user_exists: bool = False
) -> tuple[str, int]:
    """Create a user with the CLI (unless ``user_exists``), find their workspace through
    the API, create a token with the CLI. Returns (token, workspace id)."""
    import httpx

    if not user_exists:
        create_user(server.data_dir)
    with httpx.Client(base_url=server.url, timeout=30) as client:
        login = client.post("/api/v1/auth/login", json={"email": EMAIL, "password": PASSWORD})
        login.raise_for_status()
        me = client.get("/api/v1/me").json()
    workspace_id = _first_workspace(me)
    token = cli(
        server.data_dir,
        "create-token",
        "--email",
        EMAIL,
        "--workspace",
        str(workspace_id),
        "--scopes",
        scopes,
        "--name",
        "bench",
    ).strip()
    return token, workspace_id


def _first_workspace(me: dict[str, Any]) -> int:
    for key in ("memberships", "workspaces"):
        items = me.get(key) or []
        if items:
            item = items[0]
            return int(item.get("workspace_id") or item.get("id"))
    raise RuntimeError(f"/api/v1/me lists no workspace: {me}")


def api_check(response: Any) -> Any:
    if response.status_code >= 400:
        raise RuntimeError(
            f"{response.request.method} {response.request.url.path} -> "
            f"{response.status_code}: {response.text[:500]}"
        )
    return response.json() if response.content else None
