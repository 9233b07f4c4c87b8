"""Small builders for tests: users with tokens, an API client bound to a token, tables."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from litestar.testing import TestClient

from tablekit.fields.base import Context, FieldDef, OptionsContext
from tablekit.fields.builtin import build_field_registry
from tablekit.services.actor import Actor
from tablekit.services.container import Services

_counter = itertools.count(1)
PASSWORD = "correct horse battery"


@dataclass
class Api:
    """A test HTTP client that sends one user's token on every request."""

    client: TestClient  # type: ignore[type-arg]
    token: str
    user_id: int
    workspace_id: int

    def _headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", **(extra or {})}

    def get(self, path: str, **kw: Any) -> Any:
        return self.client.get(path, headers=self._headers(kw.pop("headers", None)), **kw)

    def post(self, path: str, json: Any = None, **kw: Any) -> Any:
        return self.client.post(
            path, json=json, headers=self._headers(kw.pop("headers", None)), **kw
        )

    def patch(self, path: str, json: Any = None, **kw: Any) -> Any:
        return self.client.patch(
            path, json=json, headers=self._headers(kw.pop("headers", None)), **kw
        )

    def delete(self, path: str, json: Any = None, **kw: Any) -> Any:
        return self.client.request(
            "DELETE", path, json=json, headers=self._headers(kw.pop("headers", None)), **kw
        )

    def ok(self, method: str, path: str, json: Any = None, status: int | None = None) -> Any:
        response = getattr(self, method)(path, json=json) if method != "get" else self.get(path)
        expected = status or (201 if method == "post" and response.status_code == 201 else 200)
        assert response.status_code in (expected, 204), (response.status_code, response.text)
        return response.json() if response.content else None


def make_user(
    services: Services,
    *,
    email: str | None = None,
    admin: bool = False,
    workspace: str | None = "Workspace",
) -> tuple[dict[str, Any], Actor]:
    email = email or f"user{next(_counter)}@example.com"
    user = services.users.create_user(email, PASSWORD, is_admin=admin, workspace_name=workspace)
    actor = Actor(user_id=int(user["id"]), email=email, is_admin=admin)
    return user, actor


def make_api(
    services: Services,
    client: TestClient,
    *,  # type: ignore[type-arg]
    scopes: tuple[str, ...] = ("read", "write", "admin"),
    email: str | None = None,
) -> Api:
    user, actor = make_user(services, email=email)
    workspace_id = services.workspaces.mine(actor)[0]["id"]
    token = services.tokens.create(
        actor, name="test", scopes=list(scopes), workspace_id=workspace_id
    )["token"]
    return Api(client, token, int(user["id"]), workspace_id)


def token_for(
    services: Services,
    actor: Actor,
    *,
    scopes: list[str],
    workspace_id: int | None = None,
    base_id: int | None = None,
) -> str:
    return str(
        services.tokens.create(
            actor, name="t", scopes=scopes, workspace_id=workspace_id, base_id=base_id
        )["token"]
    )


def field_def(
    type_key: str,
    options: dict[str, Any] | None = None,
    ctx: OptionsContext | None = None,
    **kw: Any,
) -> FieldDef:
    """A FieldDef of a built-in type with its options normalized as the schema service would
    (in a base of tables 1 and 2 unless ``ctx`` says otherwise)."""
    ftype = build_field_registry().get(type_key)
    normalized = ftype.normalize_options(options or {}, ctx or OptionsContext(table_ids={1, 2}))
    return FieldDef(
        id=kw.pop("id", 7),
        table_id=kw.pop("table_id", 1),
        name=kw.pop("name", "F"),
        type=type_key,
        options=normalized,
        **kw,
    )


def cell_context(**kw: Any) -> Context:
    """A field-type Context without a database (SQLite dialect, UTC unless told)."""
    return Context(**{"dialect": "sqlite", "timezone": "UTC", **kw})
