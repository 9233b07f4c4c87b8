"""The world the field contract tests run in: one app per database, users, a frozen clock.

``open_env`` builds an app on SQLite or PostgreSQL with an owner and an editor in one
workspace; each test then works in a ``World``: a base of its own, plus the values samples
name by ``Ref`` (users, uploaded files, rows to link to). The clock is frozen at
``FIXED_NOW`` (cell contexts and row timestamps) so relative dates mean the same on every run.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from litestar.testing import TestClient

from tablekit.app import create_app
from tablekit.fields.base import FieldDef
from tablekit.fields.builtin import build_field_registry
from tablekit.services import cellctx, rowwrite
from tablekit.services.container import Services, build_services
from tablekit.settings import Settings
from tests.factories import Api, make_api, make_user, token_for
from tests.integration.field_samples import FIXED_NOW, SAMPLES, ZONE, Origin, Ref, Sample

REGISTRY = build_field_registry()
TYPES = REGISTRY.keys()
# The filter operators API.md promises.
API_OPERATORS = frozenset(
    {
        *("eq", "neq", "lt", "lte", "gt", "gte", "in", "is_empty", "is_not_empty"),
        *("contains", "not_contains", "starts_with", "has_any", "has_all"),
        *("before", "after", "on", "within"),
    }
)


class Clock:
    """The time the app sees; a test moves it to create rows at other times."""

    now = FIXED_NOW


class FrozenDatetime(datetime):
    @classmethod
    def now(cls, tz: Any = None) -> Any:
        return Clock.now.astimezone(tz) if tz else Clock.now.replace(tzinfo=None)


@dataclass
class Env:
    services: Services
    owner: Api
    member: Api
    users: dict[str, dict[str, Any]]


@contextmanager
def _database(kind: str, tmp: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh migrated database (copied from the session's template), dropped afterwards."""
    if kind == "sqlite":
        path = tmp / "tablekit.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    template = request.getfixturevalue("pg_template")
    pg_url = os.environ["TABLEKIT_TEST_POSTGRES_URL"]
    admin = sa.create_engine(pg_url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    name = f"tk_c_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    try:
        yield sa.make_url(pg_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@contextmanager
def open_env(kind: str, request: pytest.FixtureRequest, tmp: Path) -> Iterator[Env]:
    """An app on ``kind`` with an owner and an editor ("member") in one workspace."""
    with _database(kind, tmp, request) as url:
        settings = Settings(data_dir=tmp / "data", database_url=url, secret_key="t")
        settings.data_dir.mkdir(parents=True)
        services = build_services(settings)
        try:
            with _app(services) as env:
                yield env
        finally:
            services.close()


@contextmanager
def _app(services: Services) -> Iterator[Env]:
    """The app over ``services`` with the clock frozen, its owner and an editor ("member")."""
    with (
        pytest.MonkeyPatch.context() as patch,
        TestClient(app=create_app(services=services), base_url="http://127.0.0.1") as client,
    ):
        patch.setattr(cellctx, "datetime", FrozenDatetime)
        patch.setattr(rowwrite, "utcnow", lambda: Clock.now)
        owner = make_api(services, client)
        user, actor = make_user(services, workspace=None)
        owner.ok(
            "post",
            f"/api/v1/workspaces/{owner.workspace_id}/members",
            {"email": user["email"], "role": "editor"},
        )
        token = token_for(
            services, actor, scopes=["read", "write"], workspace_id=owner.workspace_id
        )
        member = Api(client, token, int(user["id"]), owner.workspace_id)
        me = owner.ok("get", "/api/v1/me")
        me = me.get("user", me)
        users = {
            "owner": {"id": owner.user_id, "email": me["email"], "name": me["name"]},
            "member": {"id": member.user_id, "email": user["email"], "name": user["name"]},
        }
        yield Env(services, owner, member, users)


@dataclass
class Table:
    id: int
    field: dict[str, Any]

    @property
    def fdef(self) -> FieldDef:
        """The field under test as field types see it (computed types' operators need it)."""
        f = self.field
        return FieldDef(f["id"], f["table_id"], f["name"], f["type"], f["options"])

    @property
    def rows(self) -> str:
        return f"/api/v1/tables/{self.id}/rows"


class World:
    """One base of the owner's workspace and the values samples refer to by ``Ref``."""

    def __init__(self, env: Env) -> None:
        self.env = env
        self.api = env.owner
        self.base_id = self.api.ok(
            "post",
            f"/api/v1/workspaces/{self.api.workspace_id}/bases",
            {"name": "Contract", "timezone": ZONE},
        )["id"]
        self._refs: dict[str, Any] = {}

    # --- values known only at run time --------------------------------------------------
    def ref(self, name: str) -> Any:
        if name not in self._refs:
            self._refs.update(self._make(name))
        return self._refs[name]

    def _make(self, name: str) -> dict[str, Any]:
        users = self.env.users
        if name.startswith(("owner", "member", "both")):
            owner, member = users["owner"], users["member"]
            return {
                "owner": owner,
                "member": member,
                "owner_id": owner["id"],
                "member_id": member["id"],
                "owner_email": owner["email"],
                "member_email": member["email"],
                "both_emails": f"{owner['email']}, {member['email']}",
            }
        if name.startswith("file"):
            a, b = self.upload("a.txt", b"abc", "text/plain"), self.upload("b.pdf", b"%PDF", None)
            return {"file_a": a["id"], "file_b": b["id"], "file_a_read": a, "file_b_read": b}
        targets = self.api.ok(
            "post",
            f"/api/v1/bases/{self.base_id}/tables",
            {
                "name": "Targets",
                "fields": [
                    {"name": "Name", "type": "text"},
                    {"name": "Price", "type": "number", "options": {"precision": 2}},
                ],
            },
        )
        rows = self.api.ok(
            "post",
            f"/api/v1/tables/{targets['id']}/rows",
            {
                "rows": [
                    {"fields": {"Name": "Alpha", "Price": 2}},
                    {"fields": {"Name": "Beta", "Price": 3.5}},
                ]
            },
        )["rows"]
        alpha, beta = rows[0]["id"], rows[1]["id"]
        return {
            "targets": targets["id"],
            "alpha": alpha,
            "beta": beta,
            "alpha_link": {"id": alpha, "name": "Alpha"},
            "beta_link": {"id": beta, "name": "Beta"},
        }

    def upload(self, name: str, content: bytes, mime: str | None) -> dict[str, Any]:
        response = self.api.client.post(
            "/api/v1/files",
            files={"file": (name, content, mime or "application/pdf")},
            data={"base_id": str(self.base_id)},
            headers={"Authorization": f"Bearer {self.api.token}"},
        )
        assert response.status_code == 201, response.text
        return dict(response.json())

    def resolve(self, value: Any) -> Any:
        if isinstance(value, Ref):
            return self.ref(value.name)
        if isinstance(value, list | tuple):
            return [self.resolve(v) for v in value]
        if isinstance(value, dict):
            return {k: self.resolve(v) for k, v in value.items()}
        return value

    # --- tables and rows -----------------------------------------------------------------
    def table_spec(self, type_key: str, setup: str | None = None, **field: Any) -> dict[str, Any]:
        """A table "Things" with Name, the fields ``type_key``'s sample needs (or those of
        ``setup``'s sample) and F, the field under test."""
        spec = {"name": "F", "type": type_key, "options": self.resolve(sample(type_key).options)}
        extra = self.resolve(list(sample(setup or type_key).setup))
        return {
            "name": "Things",
            "fields": [{"name": "Name", "type": "text"}, *extra, {**spec, **field}],
        }

    def table(self, type_key: str, setup: str | None = None, **field: Any) -> Table:
        spec = self.table_spec(type_key, setup, **field)
        created = self.api.ok("post", f"/api/v1/bases/{self.base_id}/tables", spec)
        return Table(created["id"], next(f for f in created["fields"] if f["name"] == "F"))

    def data_table(self, type_key: str) -> tuple[Table, list[int]]:
        """A table whose field F holds the sample's data set; the ids in data order."""
        table, data = self.table(type_key), sample(type_key).data
        if data and isinstance(data[0], Origin):
            ids = [self.origin(table, origin, f"r{i}")["id"] for i, origin in enumerate(data)]
            Clock.now = FIXED_NOW
            return table, ids
        cells = [{"Name": f"r{i}", "F": self.resolve(v)} for i, v in enumerate(data)]
        response = self.api.post(table.rows, {"rows": [{"fields": c} for c in cells]})
        assert response.status_code == 201, response.text
        return table, [row["id"] for row in response.json()["rows"]]

    def origin(self, table: Table, origin: Origin, name: str) -> Any:
        """A row of a read-only type's data set, created as ``origin`` says."""
        Clock.now = origin.at
        api = self.env.member if origin.by == "member" else self.api
        return self.create(table, {"Name": name, **self.resolve(origin.cells)}, api)

    def create(self, table: Table, cells: dict[str, Any], api: Api | None = None) -> Any:
        response = (api or self.api).post(table.rows, {"rows": [{"fields": cells}]})
        assert response.status_code == 201, response.text
        return response.json()["rows"][0]

    def cells(self, table: Table) -> dict[int, Any]:
        rows = self.api.ok("get", f"{table.rows}?limit=1000")["rows"]
        return {row["id"]: row["fields"]["F"] for row in rows}

    def count(self, table: Table) -> int:
        return int(self.api.ok("get", f"{table.rows}/count")["count"])

    def filtered(self, table: Table, condition: dict[str, Any]) -> Any:
        return self.api.get(table.rows, params={"filter": json.dumps(condition), "limit": 1000})

    def ids(self, table: Table, condition: dict[str, Any]) -> set[int]:
        response = self.filtered(table, condition)
        assert response.status_code == 200, (condition, response.text)
        return {row["id"] for row in response.json()["rows"]}

    def order(self, table: Table, sort: str, limit: int = 100) -> list[int]:
        """Row ids in ``sort`` order, following cursors page by page."""
        ids: list[int] = []
        cursor = None
        while True:
            params = {"sort": sort, "limit": limit, **({"cursor": cursor} if cursor else {})}
            response = self.api.get(table.rows, params=params)
            assert response.status_code == 200, response.text
            page = response.json()
            ids += [row["id"] for row in page["rows"]]
            cursor = page["next_cursor"]
            if cursor is None:
                return ids

    def change(self, table: Table, body: dict[str, Any], dry_run: bool = False) -> Any:
        query = "?dry_run=true" if dry_run else ""
        return self.api.patch(f"/api/v1/fields/{table.field['id']}{query}", body)

    def field_type(self, table: Table) -> str:
        fields = self.api.ok("get", f"/api/v1/tables/{table.id}")["fields"]
        return str(next(f["type"] for f in fields if f["id"] == table.field["id"]))

    def history(self, table: Table, row_id: int) -> list[dict[str, Any]]:
        return list(self.api.ok("get", f"{table.rows}/{row_id}/history")["items"])


def sample(type_key: str) -> Sample:
    if type_key not in SAMPLES:
        pytest.fail(f"field type {type_key!r} has no sample in tests/integration/field_samples.py")
    return SAMPLES[type_key]


def empty_of(value: Any) -> Any:
    """What an emptied cell of the same kind reads."""
    return [] if isinstance(value, list) else (False if isinstance(value, bool) else None)


def expected_order(ranks: tuple[Any, ...], ids: list[int], descending: bool) -> list[int]:
    """NULLs sort last ascending and first descending; ties keep row order."""
    filled = [(rank, row_id) for rank, row_id in zip(ranks, ids, strict=True) if rank is not None]
    empty = [row_id for rank, row_id in zip(ranks, ids, strict=True) if rank is None]
    ordered = [row_id for _, row_id in sorted(filled, key=lambda p: p[0], reverse=descending)]
    return empty + ordered if descending else ordered + empty


def assert_error(response: Any, status: int, code: str, text: str = "") -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["code"] == code, body
    assert text.lower() in body["message"].lower(), body
    return body
