"""The worker pool: batches, timeouts, limits, killed workers, threads."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from tablekit.formulas import ErrorValue, parse_formula, resolve_id
from tablekit.sandbox import SandboxPool, evaluate
from tablekit.sandbox.pool import BATCH_ROWS

# Legitimate but heavy: about a millisecond per row, so a batch overruns a tiny timeout.
HEAVY = (
    'LEN(SUBSTITUTE(REPT({f_1}, 30000), "a", "bb")) + SEARCH("zz", UPPER(REPT({f_1}, 45000))) '
    "+ LEN(PROPER(REPT({f_1}, 45000)))"
)
linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


@pytest.fixture(scope="module")
def pool() -> Iterator[SandboxPool]:
    with SandboxPool(processes=2, timeout=5.0) as shared:
        yield shared


def test_a_batch_gives_the_same_values_as_in_process_evaluation(pool: SandboxPool) -> None:
    source = parse_formula(
        "{Quantity} * {Unit price}", {"Quantity": "f_1", "Unit price": "f_2"}.get
    ).source
    rows = [{"f_1": i, "f_2": Decimal("2.50"), "f_9": "ignored"} for i in range(2 * BATCH_ROWS + 7)]

    results = pool.evaluate_many(source, rows)

    parsed = parse_formula(source, resolve_id)
    assert results == [evaluate(parsed, row) for row in rows]
    assert results[3] == Decimal("7.50")


def test_errors_come_back_per_row(pool: SandboxPool) -> None:
    rows: list[dict[str, object]] = [{"f_1": 2}, {"f_1": 0}, {"f_1": "x"}, {}]

    results = pool.evaluate_many("10 / {f_1}", rows)

    assert results[0] == 5.0
    assert [r.code for r in results[1:] if isinstance(r, ErrorValue)] == [
        "#DIV/0!",
        "#VALUE!",
        "#REF!",
    ]


def test_an_invalid_stored_source_is_an_error_in_every_row(pool: SandboxPool) -> None:
    results = pool.evaluate_many("SUM(1", [{}, {}])

    assert results == [ErrorValue("#ERROR!", "invalid formula: unclosed '(' at 1:4")] * 2


def test_old_values_for_automation_conditions(pool: SandboxPool) -> None:
    rows = [{"f_3": "Confirmed", "old__f_3": "New"}, {"f_3": "New", "old__f_3": "New"}]

    assert pool.evaluate_many("CHANGED({f_3})", rows, allow_old=True) == [True, False]


def test_odd_values_become_value_errors_instead_of_breaking_the_batch(pool: SandboxPool) -> None:
    rows: list[dict[str, object]] = [{"f_1": threading.Lock()}, {"f_1": [1, 2]}]

    results = pool.evaluate_many("SUM({f_1})", rows)

    assert isinstance(results[0], ErrorValue) and results[0].code == "#VALUE!"
    assert results[1] == 3


def test_no_rows_no_work(pool: SandboxPool) -> None:
    assert pool.evaluate_many("{f_1}", []) == []


def test_many_threads_share_the_pool(pool: SandboxPool) -> None:
    failures: list[str] = []

    def work(n: int) -> None:
        rows = [{"f_1": n, "f_2": i} for i in range(300)]
        if pool.evaluate_many("{f_1} * 1000 + {f_2}", rows) != [n * 1000 + i for i in range(300)]:
            failures.append(str(n))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []


def test_a_batch_over_the_timeout_is_killed_and_the_pool_recovers() -> None:
    with SandboxPool(processes=1, timeout=0.2) as pool:
        before = pool.worker_pids()
        rows = [{"f_1": "ab"}] * (3 * BATCH_ROWS)

        started = time.perf_counter()
        results = pool.evaluate_many(HEAVY, rows)
        elapsed = time.perf_counter() - started

        assert {r.code for r in results if isinstance(r, ErrorValue)} == {"#TIMEOUT!"}
        assert len(results) == len(rows)
        assert pool.evaluate_many(HEAVY, [{"f_1": "ab"}]) == [180_000]  # fine in small batches
        assert elapsed < 2.0  # one batch timed out; the rest were not tried
        assert pool.worker_pids() != before
        assert pool.evaluate_many("{f_1} + 1", [{"f_1": 1}]) == [2]


def test_a_worker_killed_from_outside_is_replaced() -> None:
    with SandboxPool(processes=2, timeout=2.0) as pool:
        victims = pool.worker_pids()
        for pid in victims:
            os.kill(pid, signal.SIGKILL)
        time.sleep(0.05)

        answers = [pool.evaluate_many("{f_1} * 2", [{"f_1": n}]) for n in range(4)]

        assert answers == [[0], [2], [4], [6]]
        assert not set(pool.worker_pids()) & set(victims)


@linux_only
def test_a_batch_over_the_memory_limit_is_a_limit_error_and_the_pool_recovers() -> None:
    with SandboxPool(processes=1, timeout=5.0, memory_mb=64) as pool:
        huge = [{"f_1": "x" * 80_000_000}]

        results = pool.evaluate_many("LEN({f_1})", huge)

        assert results == [
            ErrorValue("#LIMIT!", "the sandbox process stopped (memory or CPU limit)")
        ]
        assert pool.evaluate_many("LEN({f_1})", [{"f_1": "abc"}]) == [3]


@linux_only
def test_workers_run_under_rlimits_and_low_priority(pool: SandboxPool) -> None:
    pool.evaluate_many("1", [{}])  # make sure the CPU limit of a batch was set

    for pid in pool.worker_pids():
        limits = Path(f"/proc/{pid}/limits").read_text()
        address = next(line for line in limits.splitlines() if line.startswith("Max address space"))
        core = next(line for line in limits.splitlines() if line.startswith("Max core file size"))
        files = next(line for line in limits.splitlines() if line.startswith("Max file size"))
        cpu = next(line for line in limits.splitlines() if line.startswith("Max cpu time"))
        assert address.split()[3:5] == [str(512 * 1024 * 1024)] * 2
        assert core.split()[4:6] == ["0", "0"]
        assert files.split()[3:5] == ["0", "0"]
        assert cpu.split()[3] != "unlimited"
        assert os.getpriority(os.PRIO_PROCESS, pid) == os.getpriority(os.PRIO_PROCESS, 0) + 10


def test_a_closed_pool_refuses_work_and_stops_its_workers() -> None:
    pool = SandboxPool(processes=1)
    processes = list(pool.worker_pids())

    pool.close()

    with pytest.raises(RuntimeError, match="closed"):
        pool.evaluate_many("1", [{}])
    time.sleep(0.1)
    for pid in processes:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_pool_arguments_are_checked() -> None:
    with pytest.raises(ValueError, match="processes"):
        SandboxPool(processes=0)
