"""Backup and restore drills on both databases: a backup taken while rows are written
restores to a database whose every table matches the manifest, with the files."""

from __future__ import annotations

import json
import sqlite3
import tarfile
import threading
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from tablekit import cli
from tablekit.backup import backup, read_manifest, restore
from tablekit.interchange.manifest import BackupError
from tablekit.interchange.snapshots import Snapshots
from tablekit.services.container import build_services
from tablekit.settings import Settings
from tests.conftest import PG_URL, _pg_admin
from tests.interchange.conftest import all_rows


@pytest.fixture
def filled(services, api, base) -> dict[str, Any]:
    people = api.ok(
        "post",
        f"/api/v1/bases/{base['id']}/tables",
        {"name": "People", "fields": [{"name": "Name", "type": "text"}]},
    )
    tasks = api.ok(
        "post",
        f"/api/v1/bases/{base['id']}/tables",
        {
            "name": "Tasks",
            "fields": [
                {"name": "Task", "type": "text"},
                {"name": "Due", "type": "date"},
                {"name": "Cost", "type": "currency"},
                {"name": "Tags", "type": "multiple_select", "options": {"choices": ["a", "b"]}},
                {"name": "Who", "type": "link", "options": {"table_id": people["id"]}},
                {"name": "Files", "type": "attachment"},
            ],
        },
    )
    api.ok(
        "post",
        f"/api/v1/tables/{people['id']}/rows",
        {"rows": [{"fields": {"Name": f"p{i}"}} for i in range(20)]},
    )
    person = all_rows(api, people["id"])[0]["id"]
    stored = api.client.post(
        "/api/v1/files",
        files={"file": ("note.txt", b"attached bytes", "text/plain")},
        data={"base_id": str(base["id"])},
        headers={"Authorization": f"Bearer {api.token}"},
    ).json()
    api.ok(
        "post",
        f"/api/v1/tables/{tasks['id']}/rows",
        {
            "rows": [
                {
                    "fields": {
                        "Task": f"t{i}",
                        "Due": "2024-05-01",
                        "Cost": "9.99",
                        "Tags": ["a", "b"],
                        "Who": [person],
                        "Files": [stored["id"]] if i == 0 else [],
                    }
                }
                for i in range(50)
            ]
        },
    )
    return {"tasks": tasks, "people": people, "file": stored}


def _fresh_target(settings: Settings, tmp_path: Path) -> tuple[Settings, Any]:
    """Settings for another machine: a new data dir and an empty database of the same kind."""
    data_dir = tmp_path / f"restored-{uuid.uuid4().hex[:6]}"
    if settings.effective_database_url.startswith("sqlite"):
        return replace(settings, data_dir=data_dir, database_url=""), None
    name = f"tk_restore_{uuid.uuid4().hex[:10]}"
    admin = _pg_admin()
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = sa.make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    return replace(settings, data_dir=data_dir, database_url=url), (admin, name)


def _drop(created: Any) -> None:
    if created is not None:
        admin, name = created
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def test_restore_drill(services, settings, api, filled, tmp_path) -> None:
    archive = tmp_path / "backup.tar.gz"
    stop = threading.Event()

    def keep_writing() -> None:
        while not stop.is_set():
            api.ok(
                "post",
                f"/api/v1/tables/{filled['people']['id']}/rows",
                {"rows": [{"fields": {"Name": "during"}}]},
            )

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        manifest = backup(settings, archive)
    finally:
        stop.set()
        writer.join()
    assert manifest["tables"]["tk_users"]["rows"] == 1
    assert manifest["files"]["count"] == 1
    target, created = _fresh_target(settings, tmp_path)
    try:
        report = restore(target, archive)
        assert report["rows"] == sum(t["rows"] for t in manifest["tables"].values())
        restored = build_services(target)
        try:
            from tablekit.services.actor import Actor

            actor = Actor(user_id=api.user_id, email="x")
            tasks = restored.rows.query(actor, filled["tasks"]["id"], limit=100)["rows"]
            original = services.rows.query(actor, filled["tasks"]["id"], limit=100)["rows"]
            assert tasks == original
            meta, path = restored.files.open(actor, filled["file"]["id"])
            assert path.read_bytes() == b"attached bytes" and meta["name"] == "note.txt"
            people = manifest["tables"][f"t_{filled['people']['id']}"]["rows"]
            assert restored.rows.count(actor, filled["people"]["id"])["count"] == people
        finally:
            restored.close()
        with pytest.raises(BackupError) as err:
            restore(target, archive)
        assert err.value.code == "RESTORE_TARGET_NOT_EMPTY"
        restore(target, archive, force=True)
    finally:
        _drop(created)


SQLITE_ONLY = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


@SQLITE_ONLY
def test_a_tampered_sqlite_backup_is_refused(services, settings, filled, tmp_path) -> None:
    archive = tmp_path / "b.tar"
    backup(settings, archive)
    work = tmp_path / "unpacked"
    with tarfile.open(archive) as tar:
        tar.extractall(work, filter="data")
    with sqlite3.connect(work / "db/tablekit.sqlite") as conn:
        people = filled["people"]
        conn.execute(
            f"UPDATE t_{people['id']} SET f_{people['primary_field_id']} = 'x' WHERE id = 3"
        )
    conn.close()
    with tarfile.open(archive, "w") as tar:
        for member in ("manifest.json", "db", "files"):
            tar.add(work / member, arcname=member)
    target = replace(settings, data_dir=tmp_path / "t", database_url="")
    with pytest.raises(BackupError) as err:
        restore(target, archive)
    assert f"t_{filled['people']['id']}: content differs" in err.value.message
    assert not (target.data_dir / "tablekit.db").exists()


def test_a_restore_that_does_not_match_its_manifest_fails(settings, filled, tmp_path) -> None:
    archive = tmp_path / "b.tar"
    manifest = backup(settings, archive)
    name = f"t_{filled['tasks']['id']}"
    manifest["tables"][name]["sha256"] = "0" * 64
    work = tmp_path / "unpacked"
    with tarfile.open(archive) as tar:
        tar.extractall(work, filter="data")
    (work / "manifest.json").write_text(json.dumps(manifest))
    with tarfile.open(archive, "w") as tar:
        for member in ("manifest.json", "db", "files"):
            tar.add(work / member, arcname=member)
    target, created = _fresh_target(settings, tmp_path)
    try:
        with pytest.raises(BackupError, match=f"{name}: content differs"):
            restore(target, archive)
    finally:
        _drop(created)


def test_archives_are_checked_and_kinds_must_match(settings, tmp_path) -> None:
    junk = tmp_path / "junk.tar"
    junk.write_bytes(b"not a tar")
    with pytest.raises(BackupError):
        read_manifest(junk)
    archive = tmp_path / "b.tar"
    backup(settings, archive)
    other_kind = (
        "postgresql+psycopg://x@127.0.0.1/none"
        if settings.effective_database_url.startswith("sqlite")
        else ""
    )
    with pytest.raises(BackupError, match="configured one is"):
        restore(replace(settings, database_url=other_kind, data_dir=tmp_path / "o"), archive)


@SQLITE_ONLY
def test_the_cli_backs_up_and_restores(settings, filled, tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("TABLEKIT_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("TABLEKIT_DATABASE_URL", settings.database_url)
    archive = tmp_path / "cli.tgz"
    assert cli.main(["backup", str(archive)]) == 0
    assert "backup written" in capsys.readouterr().out
    monkeypatch.setenv("TABLEKIT_DATA_DIR", str(tmp_path / "elsewhere"))
    monkeypatch.setenv("TABLEKIT_DATABASE_URL", "")
    assert cli.main(["restore", str(archive)]) == 0
    assert "restored and verified" in capsys.readouterr().out
    assert cli.main(["restore", str(archive)]) == 2
    assert "already holds data" in capsys.readouterr().err


@SQLITE_ONLY
def test_scheduled_snapshots_keep_the_newest(settings, tmp_path) -> None:
    import os

    snapshots = Snapshots(
        replace(settings, backup_every_hours=1, backup_keep=2, backup_dir=str(tmp_path / "s"))
    )
    first = snapshots.run_if_due()
    assert first is not None and read_manifest(first)["database"] == "sqlite"
    assert snapshots.run_if_due() is None  # the newest is younger than an hour
    older = []
    for age in (3, 2, 1):
        path = snapshots.dir / f"tablekit-2020010{age}-000000.tar.gz"
        path.write_bytes(b"old")
        os.utime(path, (first.stat().st_mtime - age * 3600,) * 2)
        older.append(path)
    assert snapshots.prune() == older[:2]
    assert snapshots.archives() == [older[2], first]


def test_without_pg_dump_a_postgresql_backup_says_what_to_install(monkeypatch, tmp_path) -> None:
    from tablekit.interchange import pgdump

    monkeypatch.setattr(pgdump.shutil, "which", lambda name: None)
    settings = Settings(data_dir=tmp_path, database_url="postgresql+psycopg://u@127.0.0.1/x")
    with pytest.raises(BackupError) as err:
        backup(settings, tmp_path / "b.tar")
    assert err.value.code == "BACKUP_TOOL_MISSING" and "postgresql-client" in err.value.message


@SQLITE_ONLY
def test_the_app_takes_snapshots_when_enabled(services, tmp_path) -> None:
    from tablekit.interchange.runtime import build_interchange

    services.settings = replace(
        services.settings, backup_every_hours=6, backup_dir=str(tmp_path / "auto")
    )
    interchange = build_interchange(services)
    assert [t.name for t in interchange.maintenance.tasks][-1] == "snapshot"
    interchange.maintenance.run_due(now=float("inf"))
    assert interchange.snapshots is not None and len(interchange.snapshots.archives()) == 1
    interchange.maintenance.run_due(now=float("inf"))
    assert len(interchange.snapshots.archives()) == 1  # not due again for 6 hours
    interchange.stop()
