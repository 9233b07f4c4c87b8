"""Authorization matrix generated from the route table: every role of another workspace,
on every route, against workspace A's objects. Zero successes allowed."""

import re

import pytest
from litestar.routes import HTTPRoute

from tablekit.services.access import ROLES
from tablekit.services.actor import Actor
from tests.factories import PASSWORD, make_user

SECRET = "SECRET-A-7f3c"
PUBLIC = {
    "login",
    "logout",
    "publicForm",
    "publicFormChoices",
    "submitPublicForm",
    "publicView",
    "publicViewRows",
    "incomingWebhook",  # authorized by its unguessable secret, not a session
    "getTemplatePicture",  # the gallery's public pictures
}  # logout would end the sessions the matrix uses
# Routes that name no object of another workspace: they must simply not leak one.
UNSCOPED = {
    "me",
    "listTokens",
    "createToken",
    "listWorkspaces",
    "createWorkspace",
    "automationTypes",
    "listTemplates",
    "listNotifications",
    "readNotifications",
    "listOutbox",
}
MULTIPART = {"importRows", "previewImportRows", "importTable", "previewImportTable"}


def bodies(ids):
    return {
        "createToken": {"name": "x", "scopes": ["read"], "workspace_id": ids["ws"]},
        "addMember": {"email": ids["owner_email"], "role": "viewer"},
        "createBase": {"name": "x"},
        "updateBase": {"name": "x"},
        "createTable": {"name": "x2", "fields": []},
        "updateTable": {"name": "x3"},
        "createField": {"name": "f2", "type": "text"},
        "updateField": {"name": "f3"},
        "createView": {"name": "v2", "type": "grid"},
        "updateView": {"name": "v3"},
        "queryRows": {},
        "createRows": {"rows": [{"fields": {}}]},
        "updateRows": {"rows": [{"id": ids["row"], "fields": {"Name": "hacked"}}]},
        "updateRow": {"fields": {"Name": "hacked"}},
        "upsertRows": {"key_fields": ["Name"], "rows": [{"fields": {"Name": "z"}}]},
        "deleteRows": {"ids": [ids["row"]]},
        "shareView": {"kind": "read"},
        "createDocument": {"name": "d2", "table_id": ids["table"], "template": "x"},
        "updateDocument": {"name": "d3"},
        "renderDocument": {"row_id": ids["row"], "format": "html"},
        "previewDocument": {"row_id": ids["row"]},
        "previewDraftDocument": {"table_id": ids["table"], "template": "x"},
        "clickButton": {},
        "installBundle": {"name": "x", "bundle": {}},
        "addComment": {"body": "x"},
        "editComment": {"body": "x"},
        "createRule": {"name": "x", "trigger": {"type": "webhook"}, "actions": []},
        "updateRule": {"name": "x"},
        "testRule": {},
        "runRule": {},
        "readNotifications": {},
        "createWebhook": {"url": "https://example.com/x"},
        "updateWebhook": {"url": "https://example.com/y"},
    }


@pytest.fixture
def world(services, client):
    owner, owner_actor = make_user(services, workspace=f"{SECRET} workspace")
    ws = services.workspaces.mine(owner_actor)[0]["id"]
    base = services.workspaces.create_base(owner_actor, ws, f"{SECRET} base")
    table = services.schema.create_table(
        owner_actor, base["id"], f"{SECRET} table", [{"name": "Name", "type": "text"}]
    )
    row = services.rows.create(owner_actor, table["id"], [{"Name": SECRET}])[0]
    gone = services.rows.create(owner_actor, table["id"], [{"Name": f"{SECRET} gone"}])[0]
    services.rows.delete(owner_actor, table["id"], [gone["id"]])
    item = services.trash.items(owner_actor, base["id"])[0]
    stored = services.files.store(owner_actor, base["id"], "a.txt", SECRET.encode())
    token = services.tokens.create(owner_actor, name=SECRET, scopes=["read"], workspace_id=ws)
    comment = services.comments.add(owner_actor, table["id"], row["id"], SECRET)
    doc = services.documents.create(
        owner_actor, base["id"], {"name": SECRET, "table_id": table["id"], "template": SECRET}
    )
    rule = services.automations.create(
        owner_actor,
        base["id"],
        {
            "name": SECRET,
            "trigger": {"type": "webhook"},
            "actions": [{"type": "notify", "params": {"to": [owner["email"]], "message": SECRET}}],
        },
    )
    owner_token = services.tokens.create(owner_actor, name="o", scopes=["read", "write"])["token"]
    started = client.post(
        f"/api/v1/tables/{table['id']}/import",
        headers={"Authorization": f"Bearer {owner_token}"},
        files={"file": ("a.csv", f"Name\n{SECRET}\n".encode())},
    )
    assert started.status_code == 202, started.text
    webhook = services.inbox.create_webhook(
        owner_actor, base["id"], {"url": f"https://example.com/{SECRET}"}
    )
    ids = {
        "ws": ws,
        "base": base["id"],
        "table": table["id"],
        "field": table["fields"][0]["id"],
        "view": table["views"][0]["id"],
        "row": row["id"],
        "token_id": token["id"],
        "item": item["id"],
        "file_id": stored["id"],
        "user_id": owner["id"],
        "owner_email": owner["email"],
        "comment": comment["id"],
        "doc": doc["id"],
        "rule": rule["id"],
        "job": started.json()["job_id"],
        "webhook": webhook["id"],
        "entry": services.rows.history(owner_actor, table["id"], row["id"])[0]["id"],
    }
    # Workspace B with one user per role; none of them belongs to workspace A.
    b_owner, b_actor = make_user(services, workspace="B")
    ws_b = services.workspaces.mine(b_actor)[0]["id"]
    outsiders = {"owner": b_owner["email"]}
    for role in ROLES:
        if role == "owner":
            continue
        user, _ = make_user(services, workspace=None)
        services.workspaces.add_member(b_actor, ws_b, user["email"], role)
        outsiders[role] = user["email"]
    sessions = {}
    for role, email in outsiders.items():
        response = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
        assert response.status_code == 200
        sessions[role] = (response.cookies["tk_session"], response.json()["csrf_token"])
        client.cookies.clear()
    return ids, sessions, owner_actor


def api_routes(app):
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or not route.path.startswith("/api/v1"):
            continue
        for handler in route.route_handlers:
            for method in sorted(handler.http_methods - {"OPTIONS", "HEAD"}):
                yield method, route.path, handler.operation_id or handler.handler_name


def fill(path, ids):
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: str(ids[m.group(1)]), path)


def test_no_route_lets_another_workspace_touch_workspace_a(services, client, world):
    ids, sessions, owner_actor = world
    routes = list(api_routes(client.app))
    assert len(routes) >= 30
    body_for = bodies(ids)
    checked = 0
    for method, path, op in routes:
        if op in PUBLIC:
            continue
        url = fill(path, ids)
        for role, (cookie, csrf) in sessions.items():
            kwargs = {"headers": {"Cookie": f"tk_session={cookie}", "X-CSRF-Token": csrf}}
            if op in MULTIPART:
                kwargs["files"] = {"file": ("x.csv", b"Name\nx\n")}
                kwargs["data"] = {"name": "x"}
            elif op == "uploadFile":
                kwargs["files"] = {"file": ("x.txt", b"x")}
                kwargs["data"] = {"base_id": str(ids["base"])}
            elif method in ("POST", "PATCH", "PUT", "DELETE") and op in body_for:
                kwargs["json"] = body_for[op]
            response = client.request(method, url, **kwargs)
            checked += 1
            if op in UNSCOPED:
                assert SECRET not in response.text, (op, role)
                continue
            assert response.status_code in (403, 404), (method, url, role, response.text)
            assert SECRET not in response.text, (op, role)
    assert checked >= 30 * len(ROLES)
    # Workspace A is untouched.
    row = services.rows.get(owner_actor, ids["table"], ids["row"])
    assert row["fields"]["Name"] == SECRET
    schema = services.schema.base_schema(owner_actor, ids["base"])
    assert [t["name"] for t in schema["tables"]] == [f"{SECRET} table"]
    assert services.trash.items(owner_actor, ids["base"])


@pytest.mark.parametrize(
    ("role", "can_read", "can_write", "can_schema"),
    [
        ("viewer", True, False, False),
        ("commenter", True, False, False),
        ("editor", True, True, False),
        ("admin", True, True, True),
        ("owner", True, True, True),
    ],
)
def test_roles_inside_a_workspace(services, client, role, can_read, can_write, can_schema):
    _, owner = make_user(services)
    ws = services.workspaces.mine(owner)[0]["id"]
    base = services.workspaces.create_base(owner, ws, "Base")
    table = services.schema.create_table(owner, base["id"], "T", [{"name": "Name", "type": "text"}])
    member, _ = make_user(services, workspace=None)
    services.workspaces.add_member(owner, ws, member["email"], role)
    actor = Actor(user_id=member["id"], email=member["email"])
    token = services.tokens.create(
        actor, name="t", scopes=["read", "write", "admin"], workspace_id=ws
    )["token"]
    headers = {"Authorization": f"Bearer {token}"}
    read = client.get(f"/api/v1/tables/{table['id']}/rows", headers=headers)
    write = client.post(
        f"/api/v1/tables/{table['id']}/rows",
        headers=headers,
        json={"rows": [{"fields": {"Name": "x"}}]},
    )
    schema = client.post(
        f"/api/v1/tables/{table['id']}/fields",
        headers=headers,
        json={"name": "New", "type": "text"},
    )
    assert (read.status_code == 200) is can_read
    assert (write.status_code == 201) is can_write
    assert (schema.status_code == 201) is can_schema
    if not can_write:
        assert write.status_code == 403 and write.json()["code"] == "PERMISSION_DENIED"
