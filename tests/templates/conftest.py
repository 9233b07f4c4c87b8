"""Fixtures for the template tests: both bundled templates installed once per test run and
database, and helpers to read the installed rows by table name.

Installing the order management sample takes seconds (longer on PostgreSQL), so it happens
once per run, whatever the number of xdist workers: the first worker to get the lock
installs into a database of its own and records it; every worker then works on a copy
(a copied SQLite file, or ``CREATE DATABASE ... TEMPLATE`` on PostgreSQL).
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from litestar.testing import TestClient

from tablekit.app import create_app
from tablekit.services.actor import Actor
from tablekit.services.container import Services, build_services
from tablekit.settings import Settings
from tests.conftest import PG_URL, _pg_admin
from tests.factories import Api, make_user, token_for

OWNER = "template-owner@example.com"


@dataclass
class Installed:
    """Both bundled templates in one workspace: order management installed through the
    service, warehouse through ``POST /workspaces/{ws}/bases {template}``."""

    services: Services
    actor: Actor
    api: Api
    workspace_id: int
    order_management: dict[str, Any]
    warehouse: dict[str, Any]
    backend: str

    def table_id(self, base: dict[str, Any], name: str) -> int:
        schema = self.services.schema.base_schema(self.actor, int(base["id"]))
        return next(int(t["id"]) for t in schema["tables"] if t["name"] == name)

    def rows(self, base: dict[str, Any], table: str) -> list[dict[str, Any]]:
        """Every row of a table (fields by name), in id order."""
        table_id = self.table_id(base, table)
        rows: list[dict[str, Any]] = []
        cursor = None
        while True:
            page = self.services.rows.query(self.actor, table_id, limit=1000, cursor=cursor)
            rows.extend(page["rows"])
            cursor = page["next_cursor"]
            if not cursor:
                return rows


def _settings(url: str, data_dir: Path) -> Settings:
    return Settings(data_dir=data_dir, database_url=url, secret_key="test-secret")


def _install_both(url: str, data_dir: Path) -> dict[str, Any]:
    """Install the two bundled templates into the database at ``url``; what was made."""
    services = build_services(_settings(url, data_dir))
    try:
        user, actor = make_user(services, email=OWNER)
        workspace_id = int(services.workspaces.mine(actor)[0]["id"])
        token = token_for(
            services, actor, scopes=["read", "write", "admin"], workspace_id=workspace_id
        )
        order_management = services.templates.install(actor, workspace_id, "order_management")
        with TestClient(app=create_app(services=services), base_url="http://127.0.0.1") as client:
            response = client.post(
                f"/api/v1/workspaces/{workspace_id}/bases",
                json={"name": "Our warehouse", "template": "warehouse"},
                headers={"Authorization": f"Bearer {token}"},
            )
        assert response.status_code == 201, response.text
        return {
            "user_id": int(user["id"]),
            "workspace_id": workspace_id,
            "order_management": json.loads(json.dumps(order_management, default=str)),
            "warehouse": response.json(),
        }
    finally:
        services.close()


def _database_exists(name: str) -> bool:
    admin = _pg_admin()
    try:
        with admin.connect() as conn:
            found = conn.execute(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
            ).first()
        return found is not None
    finally:
        admin.dispose()


def _pg(statement: str) -> None:
    admin = _pg_admin()
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(statement)
    finally:
        admin.dispose()


def _pg_url(name: str) -> str:
    return sa.make_url(PG_URL).set(database=name).render_as_string(hide_password=False)


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive lock shared by the xdist workers of this run."""
    with open(path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@dataclass
class InstalledCopy:
    """A private copy of the database with both templates installed."""

    url: str
    data_dir: Path
    record: dict[str, Any]
    backend: str


@contextmanager
def installed_copy(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, backend: str
) -> Iterator[InstalledCopy]:
    """Install once per run and database (under a lock shared by the xdist workers), then
    hand out a copy: a copied SQLite file or ``CREATE DATABASE ... TEMPLATE``."""
    template = request.getfixturevalue(
        "pg_template" if backend == "postgresql" else "sqlite_template"
    )
    # Under xdist each worker's base temp dir sits in one directory per run; alone, the
    # base temp dir itself is this run's.
    base_temp = tmp_path_factory.getbasetemp()
    shared = base_temp.parent if os.environ.get("PYTEST_XDIST_WORKER") else base_temp
    record_path = shared / f"templates-installed-{backend}.json"
    lock = shared / f"templates-installed-{backend}.lock"
    data_dir = tmp_path_factory.mktemp("tpl-copy")
    created: str | None = None
    with _locked(lock):
        record = json.loads(record_path.read_text()) if record_path.exists() else None
        if record is not None and not (
            Path(record["db"]).exists() if backend == "sqlite" else _database_exists(record["db"])
        ):
            record = None  # the worker that made it has finished and dropped it
        if record is None:
            if backend == "sqlite":
                source = str(data_dir / "installed.db")
                shutil.copy(template, source)
                url = f"sqlite:///{source}"
            else:
                source = created = f"tk_tpl_inst_{uuid.uuid4().hex[:10]}"
                _pg(f'CREATE DATABASE "{source}" TEMPLATE "{template}"')
                url = _pg_url(source)
            record = {"db": source, **_install_both(url, data_dir)}
            record_path.write_text(json.dumps(record))
        if backend == "sqlite":
            shutil.copy(record["db"], data_dir / "copy.db")
            url, clone = f"sqlite:///{data_dir / 'copy.db'}", None
        else:
            clone = f"tk_tpl_copy_{uuid.uuid4().hex[:10]}"
            _pg(f'CREATE DATABASE "{clone}" TEMPLATE "{record["db"]}"')
            url = _pg_url(clone)
    try:
        yield InstalledCopy(url, data_dir, record, backend)
    finally:
        if clone is not None:
            _pg(f'DROP DATABASE IF EXISTS "{clone}" WITH (FORCE)')
        if created is not None:
            with _locked(lock):
                _pg(f'DROP DATABASE IF EXISTS "{created}" WITH (FORCE)')


@pytest.fixture(
    scope="session", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def installed(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Installed]:
    """This worker's copy of the installed templates, with services and an API client."""
    with installed_copy(request, tmp_path_factory, request.param) as copy:
        record = copy.record
        services = build_services(_settings(copy.url, copy.data_dir))
        actor = Actor(user_id=record["user_id"], email=OWNER)
        workspace_id = record["workspace_id"]
        token = token_for(
            services, actor, scopes=["read", "write", "admin"], workspace_id=workspace_id
        )
        with TestClient(app=create_app(services=services), base_url="http://127.0.0.1") as client:
            yield Installed(
                services,
                actor,
                Api(client, token, record["user_id"], workspace_id),
                workspace_id,
                record["order_management"],
                record["warehouse"],
                request.param,
            )
        services.close()
