"""The worker loop: dispatch events, execute runs, send mails and webhooks, tick the
scheduler. ``tablekit serve`` runs one in a background thread; ``tablekit worker`` runs one
in the foreground; any number may share a PostgreSQL database.

An idle worker polls with a few read-only queries; a write transaction committed in the same
process wakes it at once (a session ``after_commit`` listener), so a change made through
the app reaches its rules within milliseconds.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from tablekit.automations.context import Engine
from tablekit.automations.dispatch import Dispatcher
from tablekit.automations.expressions import FormulaRunner
from tablekit.automations.registry import build_action_registry, build_trigger_registry
from tablekit.automations.runner import Runner
from tablekit.automations.scheduler import Scheduler
from tablekit.automations.webhooks import WebhookSender
from tablekit.notify.outbox import MailSender
from tablekit.notify.ssrf import Resolver
from tablekit.services.container import Services

log = logging.getLogger("tablekit.worker")


class Worker:
    """One worker: ``step()`` does one round of every job; ``start()`` loops in a thread."""

    def __init__(
        self,
        services: Services,
        *,
        scheduler: bool = True,
        poll_seconds: float = 0.25,
        formulas: FormulaRunner | None = None,
        resolver: Resolver | None = None,
        lease_seconds: float = 60.0,
        http_timeout: float = 5.0,
        retry_delay: float = 2.0,
    ) -> None:
        self.services = services
        self.poll = poll_seconds
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._owns_formulas = formulas is None
        self.formulas = formulas or FormulaRunner()
        self.engine = Engine(
            rows=services.rows,
            settings=services.settings,
            formulas=self.formulas,
            documents=services.automations.documents,
            resolver=resolver,
            http_timeout=http_timeout,
            wake=self._wake.set,
        )
        db = services.db
        self.dispatcher = Dispatcher(db, self.engine, build_trigger_registry())
        self.runner = Runner(
            db,
            self.engine,
            build_action_registry(),
            lease_seconds=lease_seconds,
            retry_delay=retry_delay,
        )
        self.scheduler = Scheduler(db, self.engine) if scheduler else None
        self.mails = MailSender(db, services.settings, lease_seconds=lease_seconds)
        self.webhooks = WebhookSender(
            db, services.settings, resolver=resolver, lease_seconds=lease_seconds
        )
        self._last_tick = 0.0

    def _on_commit(self, session: Session) -> None:
        # After the commit (an engine "commit" event fires before it, and a worker woken
        # then could look before the change is visible); only this database's writes.
        bind = session.bind
        if (
            isinstance(bind, sa.Engine)
            and bind.pool is self.services.db.engine.pool
            and bind.get_execution_options().get("tk_write")
        ):
            self._wake.set()

    def wake(self) -> None:
        self._wake.set()

    def step(self) -> int:
        """One round; returns how much work was done (0: idle)."""
        done = 0
        if self.dispatcher.pending():
            done += self.dispatcher.dispatch()
        done += self.runner.run_due()
        done += self.mails.deliver_due()
        done += self.webhooks.deliver_due()
        if self.scheduler is not None and time.monotonic() - self._last_tick >= 1.0:
            self._last_tick = time.monotonic()
            done += self.scheduler.tick()
        return done

    def drain(self, timeout: float = 60.0) -> None:
        """Work until idle (tests, the CLI's --once); raises TimeoutError after ``timeout``."""
        deadline = time.monotonic() + timeout
        while self.step():
            if time.monotonic() > deadline:
                raise TimeoutError("the worker did not become idle")

    def run_forever(self) -> None:
        """Loop until ``stop()``; errors are logged and the loop goes on after a pause."""
        while not self._stop.is_set():
            self._wake.clear()
            try:
                busy = self.step()
            except Exception:
                log.exception("worker round failed")
                busy = 0
                self._stop.wait(1.0)
            if not busy:
                self._wake.wait(self.poll)

    def start(self) -> None:
        """Run the loop in a daemon thread, woken by this process's write commits."""
        event.listen(Session, "after_commit", self._on_commit)
        self._thread = threading.Thread(
            target=self.run_forever, name="tablekit-worker", daemon=True
        )
        self._thread.start()

    def request_stop(self) -> None:
        """Ask the loop to end after its current round (safe from a signal handler)."""
        self._stop.set()
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the loop, wait for the current round to finish, release the sandbox."""
        self.request_stop()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
            if event.contains(Session, "after_commit", self._on_commit):
                event.remove(Session, "after_commit", self._on_commit)
        if self._owns_formulas:
            self.formulas.close()

    def __enter__(self) -> Worker:
        return self

    def __exit__(self, *_: Any) -> None:
        self.stop()


def start_in_app(app: Any) -> None:
    """Litestar start-up hook: run a worker (with scheduler) in this server process when
    ``TABLEKIT_RUN_WORKER`` is true."""
    services: Services = app.state.services
    if services.settings.run_worker:
        # One sandbox pool for the process: the rules API (tests, webhooks) shares it.
        worker = Worker(services, formulas=services.automations.formulas)
        worker.start()
        app.state.automation_worker = worker


def stop_in_app(app: Any) -> None:
    """Litestar shut-down hook: stop the worker before the services close."""
    worker: Worker | None = getattr(app.state, "automation_worker", None)
    if worker is not None:
        worker.stop()
        app.state.automation_worker = None
