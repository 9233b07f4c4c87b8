"""Scheduled snapshots: a backup every N hours into the backup dir, keeping the newest K.

Several server processes may run the schedule; a lock file lets one of them take a given
snapshot, and the age of the newest archive (not a timer in memory) decides when the
next one is due, so restarts neither skip nor double snapshots.
"""

from __future__ import annotations

import fcntl
import logging
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from tablekit.interchange.manifest import BackupError
from tablekit.settings import Settings

log = logging.getLogger("tablekit.snapshots")

PATTERN = "tablekit-*.tar.gz"


class Snapshots:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.dir = settings.effective_backup_dir

    def archives(self) -> list[Path]:
        """Snapshots, oldest first."""
        return sorted(self.dir.glob(PATTERN), key=lambda p: (p.stat().st_mtime_ns, p.name))

    def due(self, now: float | None = None) -> bool:
        archives = self.archives()
        if not archives:
            return True
        age = (now or time.time()) - archives[-1].stat().st_mtime
        return age >= self.settings.backup_every_hours * 3600 - 60

    def run_if_due(self) -> Path | None:
        """Take a snapshot if one is due and no other process is taking one."""
        if not self.due():
            return None
        self.dir.mkdir(parents=True, exist_ok=True)
        with (self.dir / ".lock").open("w") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return None
            if not self.due():
                return None
            return self.take()

    def take(self) -> Path:
        """Write a snapshot now. It runs as ``tablekit backup`` in a child process, so the
        hashing of every table does not compete with the server's requests for its GIL."""
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        path, n = self.dir / f"tablekit-{stamp}.tar.gz", 1
        while path.exists():
            path, n = self.dir / f"tablekit-{stamp}-{n}.tar.gz", n + 1
        started = time.monotonic()
        env = {
            **os.environ,
            "TABLEKIT_DATA_DIR": str(self.settings.data_dir),
            "TABLEKIT_DATABASE_URL": self.settings.database_url,
        }
        done = subprocess.run(  # noqa: S603 (our own CLI, fixed arguments)
            [sys.executable, "-m", "tablekit.cli", "backup", str(path)],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise BackupError(f"The snapshot failed: {done.stderr.strip()[-2000:]}")
        log.info(
            "snapshot %s in %.1f s: %s", path.name, time.monotonic() - started, done.stdout.strip()
        )
        self.prune()
        return path

    def prune(self) -> list[Path]:
        """Delete all but the newest ``TABLEKIT_BACKUP_KEEP`` snapshots."""
        keep = max(self.settings.backup_keep, 1)
        old = self.archives()[:-keep]
        for path in old:
            path.unlink(missing_ok=True)
        return old
