"""``pg_dump`` and ``pg_restore`` for PostgreSQL backups.

The connection goes to the tools through libpq environment variables (``PGPASSWORD``
never appears on a command line, where ``ps`` would show it). A dump can be pinned to a
snapshot exported by an open transaction, so the manifest computed in that transaction
describes exactly the dumped data.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import sqlalchemy as sa

from tablekit.interchange.manifest import BackupError


def tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} is not installed; PostgreSQL backups need the PostgreSQL client tools "
            "(e.g. apt-get install postgresql-client) of the server's major version",
            code="BACKUP_TOOL_MISSING",
        )
    return found


def libpq_env(url: str) -> dict[str, str]:
    parsed = sa.make_url(url)
    env = {**os.environ}
    for var, value in (
        ("PGHOST", parsed.host),
        ("PGPORT", str(parsed.port) if parsed.port else None),
        ("PGUSER", parsed.username),
        ("PGPASSWORD", parsed.password),
        ("PGDATABASE", parsed.database),
    ):
        if value:
            env[var] = str(value)
    return env


def start_dump(url: str, target: Path, snapshot: str | None) -> subprocess.Popen[bytes]:
    """Start ``pg_dump`` in custom format into ``target``; the caller waits for it."""
    args = [tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--file={target}"]
    if snapshot:
        args.append(f"--snapshot={snapshot}")
    return subprocess.Popen(  # noqa: S603 (fixed arguments, no shell)
        args, env=libpq_env(url), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )


def finish(process: subprocess.Popen[bytes], what: str) -> None:
    _, err = process.communicate()
    if process.returncode != 0:
        raise BackupError(f"{what} failed: {err.decode(errors='replace').strip()[-2000:]}")


def restore_dump(url: str, dump: Path) -> None:
    """Load a dump into the (empty) database of ``url`` in one transaction."""
    process = subprocess.Popen(  # noqa: S603
        [
            tool("pg_restore"),
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={sa.make_url(url).database}",
            str(dump),
        ],
        env=libpq_env(url),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    finish(process, "pg_restore")
