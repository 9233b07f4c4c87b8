"""Housekeeping in one daemon thread: purge the trash, forget old idempotency keys and
jobs, take scheduled snapshots. Each task runs on its own interval; a failing task is
logged and retried at its next turn, never taking the thread down."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger("tablekit.maintenance")

TICK = 30.0


@dataclass
class Task:
    name: str
    every: float  # seconds
    run: Callable[[], object]
    next_at: float = 0.0


class Maintenance:
    def __init__(self, tasks: list[Task], first_delay: float = 60.0) -> None:
        self.tasks = tasks
        self.first_delay = first_delay
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is not None or not self.tasks:
            return
        start = time.monotonic() + self.first_delay
        for task in self.tasks:
            task.next_at = start
        self._thread = threading.Thread(target=self._loop, name="tk-maintenance", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def run_due(self, now: float) -> None:
        for task in self.tasks:
            if now < task.next_at or self._stop.is_set():
                continue
            task.next_at = now + task.every
            try:
                task.run()
            except Exception:
                log.exception("maintenance task %s failed", task.name)

    def _loop(self) -> None:
        while not self._stop.wait(TICK if self.first_delay >= TICK else self.first_delay):
            self.run_due(time.monotonic())
