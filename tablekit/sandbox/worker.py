"""The child side of ``SandboxPool``: evaluate batches of rows under resource limits.

Limits are set once at start (address space, core dumps and file writes) and before each
batch (CPU seconds), so a runaway batch is stopped by the kernel even if the parent
cannot stop it. The parent's wall-clock timeout normally acts first.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Mapping, Sequence
from multiprocessing.connection import Connection

from tablekit.formulas import FormulaError, parse_formula, resolve_id
from tablekit.sandbox.evaluator import ErrorValue, evaluate

try:
    import resource
except ImportError:  # pragma: no cover - Windows has no rlimits; the timeout still applies
    resource = None  # type: ignore[assignment]

_MIB = 1024 * 1024
#: Exit status of a worker whose batch did not fit in its memory limit.
EXIT_MEMORY = 70


#: Niceness added to workers so that request threads of the server win the CPU.
NICENESS = 10


def limit_resources(memory_mb: int) -> None:
    """Cap address space at ``memory_mb``; forbid core dumps and writing files; run at a
    lower CPU priority than the server."""
    if hasattr(os, "nice"):
        os.nice(NICENESS)
    if resource is None:
        return
    for limit, value in (
        (resource.RLIMIT_AS, memory_mb * _MIB),
        (resource.RLIMIT_CORE, 0),
        (resource.RLIMIT_FSIZE, 0),
    ):
        _, hard = resource.getrlimit(limit)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        resource.setrlimit(limit, (value, value))


def limit_cpu(seconds: int) -> None:
    """Allow ``seconds`` more CPU seconds from now; beyond that the kernel kills us."""
    if resource is None:
        return
    usage = resource.getrusage(resource.RUSAGE_SELF)
    soft = int(usage.ru_utime + usage.ru_stime) + seconds
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def evaluate_batch(
    source: str, allow_old: bool, rows: Sequence[Mapping[str, object]]
) -> list[object]:
    """Values (or ``ErrorValue``) of the canonical formula ``source`` for each row."""
    try:
        parsed = parse_formula(source, resolve_id, allow_old=allow_old)
    except FormulaError as exc:
        return [ErrorValue("#ERROR!", f"invalid formula: {exc.message}")] * len(rows)
    return [evaluate(parsed, row) for row in rows]


READY = "ready"


def serve(conn: Connection, memory_mb: int, cpu_seconds: int) -> None:
    """Answer ``(source, allow_old, rows)`` requests on ``conn`` until None or EOF."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when we stop
    limit_resources(memory_mb)
    limit_cpu(cpu_seconds)
    conn.send(READY)  # the parent's timeouts start only once we can answer
    while True:
        try:
            request = conn.recv()
        except EOFError:
            return
        except MemoryError:
            # The batch itself does not fit: the stream is now unusable, so leave and let
            # the parent report #LIMIT! and start a fresh worker.
            os.write(2, b"tablekit sandbox worker: batch exceeds the memory limit\n")
            os._exit(EXIT_MEMORY)
        if request is None:
            return
        source, allow_old, rows = request
        limit_cpu(cpu_seconds)
        conn.send(evaluate_batch(source, allow_old, rows))
