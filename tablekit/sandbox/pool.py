"""``SandboxPool``: formula evaluation in worker processes that can be killed.

In-process evaluation has no timeout, and a batch of many rows may take long; so bulk
recalculation and automation conditions go through here. Each batch of up to
``BATCH_ROWS`` rows gets ``timeout`` seconds of wall-clock time; a worker that overruns
is killed and replaced, and that batch (and the rest of the call) evaluates to
``#TIMEOUT!``. A worker that dies (memory limit, CPU limit, killed from outside) turns its
batch into ``#LIMIT!``. Either way the pool keeps answering.
"""

from __future__ import annotations

import contextlib
import math
import multiprocessing
import queue
import threading
from collections.abc import Mapping, Sequence
from multiprocessing.connection import Connection
from multiprocessing.context import BaseContext
from types import TracebackType

from tablekit.formulas import OLD_PREFIX, FormulaError, parse_formula, resolve_id
from tablekit.formulas.values import SCALAR_TYPES, ErrorValue
from tablekit.sandbox.worker import serve

#: Rows sent to a worker at once: big enough to amortise IPC, small enough to time out
#: precisely and keep memory low.
BATCH_ROWS = 1_000
_STOP_GRACE = 1.0  # seconds a stopping worker gets before it is killed
_STOPPED = "the sandbox process stopped (memory or CPU limit)"


def _context() -> BaseContext:
    # forkserver: workers fork from a clean, single-threaded server that has already
    # imported the sandbox, so respawning costs milliseconds and no server thread or lock
    # is inherited. spawn where forkserver does not exist.
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["tablekit.sandbox.worker"])
        return context
    return multiprocessing.get_context("spawn")


def _portable(value: object, depth: int = 0) -> object:
    # Values crossing to a worker: plain ones as they are, anything else as the #VALUE!
    # it would evaluate to, so that one odd cell cannot break the pickling of a batch.
    if value is None or type(value) in SCALAR_TYPES or type(value) is ErrorValue:
        return value
    if isinstance(value, tuple | list) and depth < 2:
        return tuple(_portable(item, depth + 1) for item in value)
    return ErrorValue("#VALUE!", f"unsupported value of type {type(value).__name__}")


_STARTUP_TIMEOUT = 30.0


class _Worker:
    """One worker process and the parent's end of its pipe."""

    def __init__(self, context: BaseContext, memory_mb: int, cpu_seconds: int) -> None:
        parent_end, child_end = context.Pipe(duplex=True)
        self.process = context.Process(  # type: ignore[attr-defined]
            target=serve,
            args=(child_end, memory_mb, cpu_seconds),
            name="tablekit-sandbox",
            daemon=True,
        )
        self.process.start()
        child_end.close()
        self.conn: Connection = parent_end
        # Wait for the worker to finish starting (imports, rlimits) so that start-up time,
        # which can be long on a loaded machine, never counts against a batch's timeout.
        # A worker that died while starting is reported by the first send or recv.
        if parent_end.poll(_STARTUP_TIMEOUT):
            with contextlib.suppress(EOFError, OSError):
                parent_end.recv()

    @property
    def pid(self) -> int:
        return int(self.process.pid)

    def stop(self, *, kill: bool = False) -> None:
        """Ask the worker to exit (or kill it) and reap it."""
        if not kill:
            try:
                self.conn.send(None)
            except OSError:
                kill = True
        if kill:
            self.process.kill()
        self.process.join(_STOP_GRACE)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()


class SandboxPool:
    """A pool of worker processes evaluating formulas under a timeout and rlimits.

    Thread-safe: each call borrows one worker for its batches; callers beyond
    ``processes`` wait for a free worker (waiting does not count toward the timeout).
    Create it in the process that uses it (e.g. in the app's lifespan), not before a
    server forks its workers: pipes to the workers cannot be shared between processes.
    """

    def __init__(self, processes: int = 2, timeout: float = 1.0, memory_mb: int = 512) -> None:
        if processes < 1 or timeout <= 0 or memory_mb < 64:
            raise ValueError("need processes >= 1, timeout > 0 and memory_mb >= 64")
        self._context = _context()
        self._timeout = timeout
        self._memory_mb = memory_mb
        self._cpu_seconds = math.ceil(timeout) + 1
        self._lock = threading.Lock()
        self._closed = False
        self._idle: queue.SimpleQueue[_Worker] = queue.SimpleQueue()
        self._workers: set[_Worker] = set()
        for _ in range(processes):
            self._idle.put(self._spawn())

    def __enter__(self) -> SandboxPool:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def worker_pids(self) -> list[int]:
        """Process ids of the current workers (for monitoring; they change on respawn)."""
        with self._lock:
            return sorted(worker.pid for worker in self._workers)

    def evaluate_many(
        self, source: str, rows: Sequence[Mapping[str, object]], *, allow_old: bool = False
    ) -> list[object]:
        """The value (or ``ErrorValue``) of ``source`` for each row, in order.

        ``source`` is the canonical stored form (``ParsedFormula.source``). An invalid
        source gives ``#ERROR!`` for every row. Only the referenced fields of each row
        are sent to the worker.
        """
        if not rows:
            return []
        try:
            parsed = parse_formula(source, resolve_id, allow_old=allow_old)
        except FormulaError as exc:
            return [ErrorValue("#ERROR!", f"invalid formula: {exc.message}")] * len(rows)
        keys = sorted(parsed.field_ids)
        if parsed.uses_old:
            keys += [OLD_PREFIX + key for key in keys]
        worker = self._acquire()
        results: list[object] = []
        failure: ErrorValue | None = None
        try:
            for start in range(0, len(rows), BATCH_ROWS):
                chunk = rows[start : start + BATCH_ROWS]
                if failure is not None:  # the formula already overran: do not retry it
                    results.extend([failure] * len(chunk))
                    continue
                batch = [{k: _portable(row[k]) for k in keys if k in row} for row in chunk]
                worker, answer = self._run(worker, (parsed.source, allow_old, batch))
                if isinstance(answer, ErrorValue):
                    failure = answer
                    results.extend([answer] * len(chunk))
                else:
                    results.extend(answer)
        finally:
            self._release(worker)
        return results

    def close(self) -> None:
        """Stop all workers; idle ones now, busy ones when their call returns."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        while True:
            try:
                worker = self._idle.get_nowait()
            except queue.Empty:
                break
            self._retire(worker)

    # -- internals ------------------------------------------------------------------------

    def _spawn(self) -> _Worker:
        worker = _Worker(self._context, self._memory_mb, self._cpu_seconds)
        with self._lock:
            self._workers.add(worker)
        return worker

    def _retire(self, worker: _Worker, *, kill: bool = False) -> None:
        with self._lock:
            self._workers.discard(worker)
        worker.stop(kill=kill)

    def _replace(self, worker: _Worker) -> _Worker:
        self._retire(worker, kill=True)
        return self._spawn()

    def _acquire(self) -> _Worker:
        while True:
            with self._lock:
                if self._closed:
                    raise RuntimeError("SandboxPool is closed")
            try:
                return self._idle.get(timeout=0.1)
            except queue.Empty:
                continue

    def _release(self, worker: _Worker) -> None:
        with self._lock:
            closed = self._closed
        if closed:
            self._retire(worker)
        else:
            self._idle.put(worker)

    def _run(
        self, worker: _Worker, request: tuple[str, bool, list[dict[str, object]]]
    ) -> tuple[_Worker, list[object] | ErrorValue]:
        # One batch on one worker; returns the worker to keep using (maybe a new one).
        for attempt in (1, 2):
            try:
                worker.conn.send(request)
                break
            except OSError:
                # First failure: the worker died while idle (killed from outside), so retry
                # on a fresh one. Second: the batch itself kills workers (too big to load).
                worker = self._replace(worker)
                if attempt == 2:
                    return worker, ErrorValue("#LIMIT!", _STOPPED)
        if not worker.conn.poll(self._timeout):
            worker = self._replace(worker)
            rows = len(request[2])
            message = f"formula took longer than {self._timeout:g} s for {rows} rows"
            return worker, ErrorValue("#TIMEOUT!", message)
        try:
            answer: list[object] = worker.conn.recv()
        except (EOFError, OSError):
            worker = self._replace(worker)
            return worker, ErrorValue("#LIMIT!", _STOPPED)
        return worker, answer
