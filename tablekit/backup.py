"""Backup and restore: one archive holding the database, the attachment files and a
manifest, taken consistently while the server runs, and verified when restored.

Archive (a tar, gzip-compressed when the name ends in ``.gz``/``.tgz``)::

    manifest.json      format, time, database kind, per-table rows and SHA-256, files digest
    db/tablekit.sqlite SQLite: a copy made with the online backup API, integrity-checked
    db/tablekit.pgdump PostgreSQL: pg_dump (custom format) pinned to the manifest's snapshot
    files/...          attachments
    secret_key         the generated secret (share links and webhook signatures), if any

Files are copied after the database snapshot: attachments are written before the row
that names them commits and are never changed, so every file the snapshot refers to is
in the archive. Restore refuses a database that holds data unless forced, verifies the
restored tables and files against the manifest, and says what differs if anything does.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import tarfile
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

import sqlalchemy as sa

from tablekit.db.engine import Database
from tablekit.interchange import pgdump
from tablekit.interchange.manifest import BackupError, compare, database_digest
from tablekit.interchange.sql import quote
from tablekit.settings import Settings

FORMAT = "tablekit-backup"
VERSION = 1
SQLITE_MEMBER = "db/tablekit.sqlite"
PG_MEMBER = "db/tablekit.pgdump"


def _gzip(path: Path) -> bool:
    return path.name.endswith((".gz", ".tgz"))


def _open_read(path: Path) -> tarfile.TarFile:
    return tarfile.open(path, "r:gz") if _gzip(path) else tarfile.open(path, "r")


def _open_write(partial: Path, gzip: bool) -> tarfile.TarFile:
    # Level 1: most of the gain of gzip at a fraction of its time on large databases.
    return tarfile.open(partial, "w:gz", compresslevel=1) if gzip else tarfile.open(partial, "w")


def _sqlite_path(url: str) -> Path:
    database = sa.make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("Only file SQLite databases can be backed up")
    return Path(database)


def _integrity(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        result = conn.execute("PRAGMA integrity_check").fetchall()
    conn.close()
    if result != [("ok",)]:
        raise BackupError(f"The database copy fails its integrity check: {result[:5]}")


def _digest_sqlite(path: Path) -> dict[str, dict[str, Any]]:
    engine = sa.create_engine(f"sqlite:///{path}", poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            return database_digest(conn)
    finally:
        engine.dispose()


class _Hashing:
    """A read-through file wrapper that hashes what ``tarfile`` reads."""

    def __init__(self, raw: BinaryIO, digest: Any) -> None:
        self.raw = raw
        self.digest = digest

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.digest.update(data)
        return data


def _files(root: Path) -> Iterator[Path]:
    if root.is_dir():
        yield from sorted(p for p in root.rglob("*") if p.is_file())


def _add_files(archive: tarfile.TarFile, root: Path) -> dict[str, Any]:
    """Add the attachments; their digest covers names, sizes and contents."""
    digest = hashlib.sha256()
    count = size = 0
    for path in _files(root):
        name = path.relative_to(root).as_posix()
        info = archive.gettarinfo(str(path), arcname=f"files/{name}")
        digest.update(f"{name}\0{info.size}\0".encode())
        with path.open("rb") as f:
            archive.addfile(info, _Hashing(f, digest))
        count += 1
        size += info.size
    return {"count": count, "bytes": size, "sha256": digest.hexdigest()}


def _files_digest(root: Path) -> dict[str, Any]:
    digest = hashlib.sha256()
    count = size = 0
    for path in _files(root):
        name = path.relative_to(root).as_posix()
        length = path.stat().st_size
        digest.update(f"{name}\0{length}\0".encode())
        with path.open("rb") as f:
            while chunk := f.read(1 << 20):
                digest.update(chunk)
        count += 1
        size += length
    return {"count": count, "bytes": size, "sha256": digest.hexdigest()}


def backup(settings: Settings, path: Path) -> dict[str, Any]:
    """Write a backup archive to ``path`` (atomically) and return its manifest."""
    url = settings.effective_database_url
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".tk-backup-") as work_dir:
        work = Path(work_dir)
        manifest: dict[str, Any] = {
            "format": FORMAT,
            "version": VERSION,
            "created_at": datetime.now(UTC).isoformat(),
        }
        if url.startswith("sqlite"):
            member, dump = SQLITE_MEMBER, work / "tablekit.sqlite"
            source = sqlite3.connect(f"file:{_sqlite_path(url)}?mode=ro", uri=True)
            target = sqlite3.connect(dump)
            with target:
                source.backup(target)
            source.close()
            target.close()
            _integrity(dump)
            manifest.update(database="sqlite", tables=_digest_sqlite(dump))
        else:
            member, dump = PG_MEMBER, work / "tablekit.pgdump"
            manifest.update(database="postgresql", tables=_dump_postgres(url, dump))
        partial = path.with_name(path.name + ".partial")
        with _open_write(partial, _gzip(path)) as archive:
            archive.add(dump, arcname=member)
            manifest["files"] = _add_files(archive, settings.files_dir)
            secret = settings.data_dir / "secret_key"
            if secret.is_file():
                archive.add(secret, arcname="secret_key")
            data = json.dumps(manifest, indent=1).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            info.mtime = int(datetime.now(UTC).timestamp())
            archive.addfile(info, io.BytesIO(data))
        os.replace(partial, path)
    return manifest


def _dump_postgres(url: str, target: Path) -> dict[str, dict[str, Any]]:
    """pg_dump and the manifest from one REPEATABLE READ snapshot."""
    pgdump.tool("pg_dump")
    db = Database(url)
    try:
        with db.engine.connect() as conn:
            conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            snapshot = conn.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one()
            process = pgdump.start_dump(url, target, str(snapshot))
            try:
                tables = database_digest(conn)
            finally:
                pgdump.finish(process, "pg_dump")
            conn.rollback()
        return tables
    finally:
        db.dispose()


def read_manifest(path: Path) -> dict[str, Any]:
    try:
        with _open_read(path) as archive:
            member = archive.extractfile("manifest.json")
            if member is None:
                raise KeyError("manifest.json")
            manifest: dict[str, Any] = json.loads(member.read())
    except (tarfile.TarError, KeyError, OSError, ValueError) as exc:
        raise BackupError(f"{path} is not a TableKit backup: {exc}") from None
    if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise BackupError(f"{path} is not a TableKit backup of a supported version")
    return manifest


def _has_data(url: str) -> bool:
    if url.startswith("sqlite") and not _sqlite_path(url).exists():
        return False  # connecting would create the file
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            if "tk_users" not in sa.inspect(conn).get_table_names():
                return False
            return bool(conn.exec_driver_sql("SELECT count(*) FROM tk_users").scalar())
    finally:
        engine.dispose()


def restore(settings: Settings, path: Path, *, force: bool = False) -> dict[str, Any]:
    """Restore an archive into the configured database and data dir, then verify it.

    The server must be stopped. A database that already holds users is refused unless
    ``force``. Raises BackupError when the archive is damaged or the result differs.
    """
    manifest = read_manifest(path)
    url = settings.effective_database_url
    kind = "sqlite" if url.startswith("sqlite") else "postgresql"
    if manifest["database"] != kind:
        raise BackupError(
            f"This backup is of a {manifest['database']} database; the configured one is {kind}"
        )
    if kind == "sqlite":
        _sqlite_path(url).parent.mkdir(parents=True, exist_ok=True)
    if not force and _has_data(url):
        raise BackupError(
            "The configured database already holds data; restore into an empty one, or "
            "pass --force to replace it",
            code="RESTORE_TARGET_NOT_EMPTY",
        )
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=settings.data_dir, prefix=".tk-restore-") as work_dir:
        work = Path(work_dir)
        with _open_read(path) as archive:
            archive.extractall(work, filter="data")
        # Everything is checked before anything is replaced.
        found_files = _files_digest(work / "files")
        if found_files != manifest["files"]:
            raise BackupError(
                f"The backup's files differ from its manifest: {found_files} vs {manifest['files']}"
            )
        if kind == "sqlite":
            _restore_sqlite(url, work, manifest)
        else:
            _restore_postgres(url, work, manifest)
        files = settings.files_dir
        if files.exists():
            shutil.rmtree(files)
        if (work / "files").is_dir():
            shutil.move(str(work / "files"), str(files))
        if (work / "secret_key").is_file():
            shutil.copy(work / "secret_key", settings.data_dir / "secret_key")
    return {
        "tables": len(manifest["tables"]),
        "rows": sum(t["rows"] for t in manifest["tables"].values()),
        "files": manifest["files"]["count"],
        "created_at": manifest["created_at"],
    }


def _restore_sqlite(url: str, work: Path, manifest: dict[str, Any]) -> None:
    copy = work / SQLITE_MEMBER
    _integrity(copy)
    problems = compare(manifest["tables"], _digest_sqlite(copy))
    if problems:
        raise BackupError(
            "The backup's database does not match its manifest: " + "; ".join(problems)
        )
    target = _sqlite_path(url)
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    os.replace(copy, target)


def _restore_postgres(url: str, work: Path, manifest: dict[str, Any]) -> None:
    """Load the dump, then compare the loaded tables with the manifest (a dump cannot be
    checked before it is loaded; a mismatch leaves the loaded data and says so)."""
    pgdump.tool("pg_restore")
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            # Everything TableKit made goes: tables not in the backup must not survive.
            for name in sa.inspect(conn).get_table_names():
                conn.exec_driver_sql(f"DROP TABLE IF EXISTS {quote(conn, name)} CASCADE")
    finally:
        engine.dispose()
    pgdump.restore_dump(url, work / PG_MEMBER)
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            problems = compare(manifest["tables"], database_digest(conn))
    finally:
        engine.dispose()
    if problems:
        raise BackupError("The restored database differs from the backup: " + "; ".join(problems))
