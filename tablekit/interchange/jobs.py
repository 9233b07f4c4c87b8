"""Background jobs: a thread pool per process, with every job kept as a ``tk_jobs`` record.

Progress lives in memory while a job runs (on SQLite a running import holds the write
lock, so writing progress rows would wait for the import itself); on PostgreSQL it is
also written every few seconds as a heartbeat, so other processes see it. A job whose
process is gone (same host: its pid is dead; elsewhere: no heartbeat for a minute) is
marked failed at start-up and whenever it is looked at.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from tablekit.db.engine import Database
from tablekit.db.models import utcnow
from tablekit.errors import NotFound, TableKitError
from tablekit.interchange.models import Job
from tablekit.services.access import Access
from tablekit.services.actor import Actor

log = logging.getLogger("tablekit.jobs")

ACTIVE = ("queued", "running")
STALE_AFTER = timedelta(seconds=60)
HEARTBEAT_EVERY = 5.0
KEEP_FINISHED = timedelta(days=30)
INTERRUPTED = {
    "code": "JOB_INTERRUPTED",
    "message": "The job was interrupted (the server stopped or restarted); run it again",
    "details": {},
}


def process_owner() -> str:
    """``host:pid:nonce``; the nonce tells a restarted process with a reused pid apart."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def job_dict(job: Job, live_progress: float | None = None) -> dict[str, Any]:
    return {
        "id": job.id,
        "kind": job.kind,
        "status": job.status,
        "progress": live_progress if live_progress is not None else job.progress,
        "result": job.result,
        "error": job.error,
        "base_id": job.base_id,
        "table_id": job.table_id,
        "created_at": job.created_at.isoformat(),
        "started_at": job.started_at.isoformat() if job.started_at else None,
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
    }


class JobContext:
    """What a running job may do: report progress and finish inside its own transaction."""

    def __init__(self, runner: JobRunner, job_id: int) -> None:
        self.runner = runner
        self.job_id = job_id
        self.finished = False
        self._last_beat = time.monotonic()

    def progress(self, fraction: float) -> None:
        self.runner.live[self.job_id] = round(min(max(fraction, 0.0), 1.0), 4)
        now = time.monotonic()
        if not self.runner.db.is_sqlite and now - self._last_beat >= HEARTBEAT_EVERY:
            self._last_beat = now
            self.runner.update(self.job_id, progress=self.runner.live[self.job_id])

    def succeed(self, session: Session, result: dict[str, Any], table_id: int | None) -> None:
        """Mark success in the caller's transaction, so the job's outcome commits (or rolls
        back) together with the data it wrote."""
        session.execute(
            sa.update(Job)
            .where(Job.id == self.job_id)
            .values(
                status="succeeded",
                progress=1.0,
                result=result,
                table_id=table_id,
                finished_at=utcnow(),
                heartbeat_at=utcnow(),
            )
        )
        self.finished = True


JobFn = Callable[[JobContext], dict[str, Any]]


class JobRunner:
    def __init__(self, db: Database, access: Access, workers: int) -> None:
        self.db = db
        self.access = access
        self.owner = process_owner()
        self.live: dict[int, float] = {}
        self._executor = ThreadPoolExecutor(max(workers, 1), thread_name_prefix="tk-job")
        self._lock = threading.Lock()

    # --- records -------------------------------------------------------------------------
    def update(self, job_id: int, **values: Any) -> None:
        with self.db.write() as session:
            session.execute(
                sa.update(Job).where(Job.id == job_id).values(heartbeat_at=utcnow(), **values)
            )

    def create(
        self, kind: str, *, base_id: int | None, table_id: int | None, actor: Actor, params: Any
    ) -> int:
        with self.db.write() as session:
            job = Job(
                kind=kind,
                status="queued",
                base_id=base_id,
                table_id=table_id,
                created_by=actor.user_id or None,
                params=params,
                owner=self.owner,
                progress=0.0,
            )
            session.add(job)
            session.flush()
            return job.id

    def submit(self, job_id: int, fn: JobFn, cleanup: Callable[[], None] | None = None) -> None:
        self.live[job_id] = 0.0
        self._executor.submit(self._run, job_id, fn, cleanup)

    def _run(self, job_id: int, fn: JobFn, cleanup: Callable[[], None] | None) -> None:
        ctx = JobContext(self, job_id)
        try:
            self.update(job_id, status="running", started_at=utcnow())
            result = fn(ctx)
            if not ctx.finished:
                self.update(
                    job_id, status="succeeded", progress=1.0, result=result, finished_at=utcnow()
                )
        except TableKitError as exc:
            self._fail(job_id, {"code": exc.code, "message": exc.message, "details": exc.details})
        except Exception:
            log.exception("job %s failed", job_id)
            self._fail(
                job_id,
                {"code": "INTERNAL_ERROR", "message": "The job failed unexpectedly", "details": {}},
            )
        finally:
            self.live.pop(job_id, None)
            if cleanup is not None:
                cleanup()

    def _fail(self, job_id: int, error: dict[str, Any]) -> None:
        try:
            self.update(job_id, status="failed", error=error, finished_at=utcnow())
        except Exception:
            log.exception("could not record the failure of job %s", job_id)

    # --- reading and recovery ------------------------------------------------------------
    def _abandoned(self, job: Job, now: datetime) -> bool:
        if job.owner == self.owner:
            return job.id not in self.live
        host, _, rest = job.owner.partition(":")
        pid = rest.partition(":")[0]
        if host == socket.gethostname()[:40] and pid.isdigit():
            return int(pid) == os.getpid() or not _pid_alive(int(pid))
        return job.heartbeat_at < now - STALE_AFTER

    def _fail_abandoned(self, session: Session, jobs: list[Job]) -> list[int]:
        now = utcnow()
        dead = [j.id for j in jobs if j.status in ACTIVE and self._abandoned(j, now)]
        if dead:
            session.execute(
                sa.update(Job)
                .where(Job.id.in_(dead), Job.status.in_(ACTIVE))
                .values(status="failed", error=INTERRUPTED, finished_at=now)
            )
        return dead

    def recover(self) -> int:
        """Mark jobs left running by a stopped process as failed; forget old finished ones."""
        with self.db.write() as session:
            jobs = list(session.scalars(sa.select(Job).where(Job.status.in_(ACTIVE))))
            dead = self._fail_abandoned(session, jobs)
            session.execute(
                sa.delete(Job).where(
                    Job.status.not_in(ACTIVE), Job.created_at < utcnow() - KEEP_FINISHED
                )
            )
        return len(dead)

    def get(self, actor: Actor, job_id: int) -> dict[str, Any]:
        """A job of the caller (others' jobs are not found)."""
        with self.db.read() as session:
            job = session.get(Job, job_id)
            if job is None or job.created_by != (actor.user_id or None):
                raise NotFound("Job not found", code="JOB_NOT_FOUND")
            if job.base_id is not None:
                try:
                    self.access.require_base(session, actor, job.base_id, "read")
                except NotFound:
                    raise NotFound("Job not found", code="JOB_NOT_FOUND") from None
            stale = job.status in ACTIVE and self._abandoned(job, utcnow())
        if stale:
            with self.db.write() as session:
                self._fail_abandoned(session, [job])
            with self.db.read() as session:
                job = session.get(Job, job_id) or job
        return job_dict(job, self.live.get(job_id))

    def shutdown(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
