"""Everything the interchange package runs per app: import and export services, the job
pool and the housekeeping thread. ``create_app()`` builds it and starts/stops it with the
app's lifespan."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tablekit.interchange import idempotency, trash_schema
from tablekit.interchange.exporter import ExportService
from tablekit.interchange.imports import ImportService
from tablekit.interchange.jobs import JobRunner
from tablekit.interchange.maintenance import Maintenance, Task
from tablekit.interchange.snapshots import Snapshots
from tablekit.services.actor import Actor
from tablekit.services.container import Services

HOUR = 3600.0
DAY = 24 * HOUR


def clean_uploads(directory: Path, older_than: float = DAY) -> int:
    """Remove import uploads and export files a stopped process left behind (a live job's
    file is never a day old: imports are capped in size and rows)."""
    removed = 0
    cutoff = time.time() - older_than
    for path in directory.glob("*"):
        if path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


@dataclass
class Interchange:
    services: Services
    imports: ImportService
    exports: ExportService
    jobs: JobRunner
    maintenance: Maintenance
    snapshots: Snapshots | None

    def start(self) -> None:
        """Fail jobs a previous process left running (now, so clients see it at once),
        then start housekeeping."""
        self.jobs.recover()
        self.maintenance.start()

    def stop(self) -> None:
        self.maintenance.stop()
        self.jobs.shutdown()

    def empty_trash(self, actor: Actor, base_id: int) -> dict[str, Any]:
        """Purge a base's trash for good (admins: the schema capability)."""
        with self.services.db.write() as session:
            self.services.access.require_base(session, actor, base_id, "schema")
            return {"purged": trash_schema.empty_trash(session, base_id)}

    def purge_trash(self) -> int:
        with self.services.db.write() as session:
            return trash_schema.purge_expired(session, self.services.settings.trash_days)


def build_interchange(services: Services) -> Interchange:
    settings = services.settings
    jobs = JobRunner(services.db, services.access, settings.job_workers)
    snapshots = Snapshots(settings) if settings.backup_every_hours > 0 else None
    interchange = Interchange(
        services=services,
        imports=ImportService(services, jobs),
        exports=ExportService(services),
        jobs=jobs,
        maintenance=Maintenance([]),
        snapshots=snapshots,
    )
    tasks = [
        Task("trash", HOUR, interchange.purge_trash),
        Task("idempotency", HOUR, lambda: idempotency.purge(services.db)),
        Task("jobs", HOUR, jobs.recover),
        Task("uploads", HOUR, lambda: clean_uploads(settings.data_dir / "imports")),
    ]
    if snapshots is not None:
        tasks.append(Task("snapshot", 60.0, snapshots.run_if_due))
    interchange.maintenance = Maintenance(tasks)
    return interchange
