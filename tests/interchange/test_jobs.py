"""Jobs survive as records; a job whose process went away is marked failed."""

from __future__ import annotations

from datetime import timedelta

from litestar.testing import TestClient

from tablekit.app import create_app
from tablekit.db.models import utcnow
from tablekit.interchange.jobs import JobRunner
from tablekit.interchange.models import Job
from tests.factories import make_api


def _orphan(services, user_id: int, owner: str, beat_ago: timedelta) -> int:
    with services.db.write() as session:
        job = Job(
            kind="import",
            status="running",
            created_by=user_id,
            owner=owner,
            params={},
            progress=0.4,
            heartbeat_at=utcnow() - beat_ago,
        )
        session.add(job)
        session.flush()
        return job.id


def test_a_job_interrupted_by_a_restart_is_failed_when_the_app_starts(services, client) -> None:
    api = make_api(services, client)
    dead_here = _orphan(services, api.user_id, "thishost:999999999:abcd", timedelta(0))
    import socket

    local = _orphan(
        services, api.user_id, f"{socket.gethostname()[:40]}:999999999:abcd", timedelta(0)
    )
    elsewhere_fresh = _orphan(services, api.user_id, "otherhost:1:abcd", timedelta(seconds=5))
    elsewhere_stale = _orphan(services, api.user_id, "otherhost:1:abcd", timedelta(minutes=5))
    # A new app on the same database: its start-up marks abandoned jobs failed.
    with TestClient(app=create_app(services=services), base_url="http://127.0.0.1") as restarted:
        assert restarted.get("/healthz").status_code == 200
    statuses = {}
    with services.db.read() as session:
        for job_id in (dead_here, local, elsewhere_fresh, elsewhere_stale):
            job = session.get(Job, job_id)
            statuses[job_id] = (job.status, (job.error or {}).get("code"))
    assert statuses[local] == ("failed", "JOB_INTERRUPTED")
    assert statuses[elsewhere_stale] == ("failed", "JOB_INTERRUPTED")
    assert statuses[elsewhere_fresh] == ("running", None)
    assert statuses[dead_here][0] == "running"  # another host, heartbeat fresh


def test_a_failing_job_records_its_error_and_a_crash_says_internal(services) -> None:
    from tablekit.errors import ValidationFailed
    from tablekit.services.actor import Actor

    runner = JobRunner(services.db, services.access, 1)
    actor = Actor(user_id=0, email="system@tablekit")

    def refuse(ctx):  # type: ignore[no-untyped-def]
        raise ValidationFailed("no", code="NOPE")

    def crash(ctx):  # type: ignore[no-untyped-def]
        raise RuntimeError("boom")

    ids = []
    for fn in (refuse, crash, lambda ctx: {"ok": True}):
        job_id = runner.create("test", base_id=None, table_id=None, actor=actor, params={})
        runner.submit(job_id, fn)
        ids.append(job_id)
    runner._executor.shutdown(wait=True)
    with services.db.read() as session:
        jobs = [session.get(Job, i) for i in ids]
        assert [(j.status, (j.error or {}).get("code")) for j in jobs] == [
            ("failed", "NOPE"),
            ("failed", "INTERNAL_ERROR"),
            ("succeeded", None),
        ]
        assert jobs[2].result == {"ok": True} and jobs[2].progress == 1.0
