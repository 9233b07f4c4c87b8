"""Shared fixtures: a fresh migrated database per test, on SQLite and (when configured)
PostgreSQL, the service container, and an HTTP client against a fresh app."""

from __future__ import annotations

import atexit
import logging
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from litestar.testing import TestClient

from tablekit.app import create_app
from tablekit.db.engine import Database
from tablekit.db.migrate import upgrade
from tablekit.services.container import Services, build_services
from tablekit.settings import Settings

logging.getLogger("httpx").setLevel(logging.WARNING)

PG_URL = os.environ.get("TABLEKIT_TEST_POSTGRES_URL", "")
PG_REASON = "PostgreSQL tests need TABLEKIT_TEST_POSTGRES_URL (CI sets it; see .ci/run)"


def pytest_report_header(config: pytest.Config) -> str:
    return f"PostgreSQL: {PG_URL or 'not configured, PostgreSQL tests skip'}"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tpl") / "template.db"
    db = Database(f"sqlite:///{path}")
    upgrade(db)
    db.dispose()
    return path


def _pg_admin() -> sa.Engine:
    return sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    if not PG_URL:
        if os.environ.get("TABLEKIT_REQUIRE_POSTGRES"):
            pytest.fail("TABLEKIT_REQUIRE_POSTGRES is set but TABLEKIT_TEST_POSTGRES_URL is not")
        pytest.skip(PG_REASON)
    name = f"tk_tpl_{uuid.uuid4().hex[:10]}"
    admin = _pg_admin()
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = sa.make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    db = Database(url)
    upgrade(db)
    db.dispose()
    yield name
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> Iterator[str]:
    """A fresh, migrated database per test on each backend."""
    if request.param == "sqlite":
        path = tmp_path / "tablekit.db"
        shutil.copy(sqlite_template, path)
        yield f"sqlite:///{path}"
        return
    template = request.getfixturevalue("pg_template")
    name = f"tk_t_{uuid.uuid4().hex[:12]}"
    admin = _pg_admin()
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    yield sa.make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        database_url=db_url,
        secret_key="test-secret",
        login_attempts_per_minute=5,
    )


@pytest.fixture
def services(settings: Settings) -> Iterator[Services]:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    svc = build_services(settings)
    yield svc
    svc.close()


@pytest.fixture
def client(services: Services) -> Iterator[TestClient]:  # type: ignore[type-arg]
    app = create_app(services=services)
    with TestClient(app=app, base_url="http://127.0.0.1") as test_client:
        yield test_client
    stop_log_listeners()


def stop_log_listeners() -> None:
    """Litestar's logging config starts a queue-listener thread for each app it configures.
    A server makes one app; the suite makes thousands, and their idle threads pile up (about
    760 per xdist worker). Stop the one the last app made."""
    for handler in logging.getLogger("litestar").handlers:
        listener = getattr(handler, "listener", None)
        if listener is not None and getattr(listener, "_thread", None) is not None:
            atexit.unregister(listener.stop)  # it would stop it again at exit, and fail
            listener.stop()


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing() -> Iterator[None]:
    """Argon2 at production cost takes ~0.2 s a hash; tests create many users."""
    from argon2 import PasswordHasher

    from tablekit.services import users

    original = users._hasher
    users._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    users._hasher = original
