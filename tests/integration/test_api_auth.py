"""Sign-in, sessions with CSRF, API tokens and their scopes."""

from tests.factories import PASSWORD, make_api, make_user, token_for


def login(client, email):
    return client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})


def test_login_sets_http_only_session_and_csrf_is_required(services, client):
    user, _ = make_user(services)
    response = login(client, user["email"])
    assert response.status_code == 200
    body = response.json()
    assert body["user"]["email"] == user["email"]
    set_cookie = response.headers.get_list("set-cookie")
    session_cookie = next(c for c in set_cookie if c.startswith("tk_session="))
    assert "HttpOnly" in session_cookie and "SameSite=lax" in session_cookie.replace("Lax", "lax")
    assert client.get("/api/v1/me").json()["email"] == user["email"]
    refused = client.post("/api/v1/workspaces", json={"name": "X"})
    assert refused.status_code == 403 and refused.json()["code"] == "CSRF_FAILED"
    wrong = client.post("/api/v1/workspaces", json={"name": "X"}, headers={"X-CSRF-Token": "nope"})
    assert wrong.status_code == 403
    ok = client.post(
        "/api/v1/workspaces", json={"name": "X"}, headers={"X-CSRF-Token": body["csrf_token"]}
    )
    assert ok.status_code == 201 and ok.json()["role"] == "owner"


def test_wrong_password_is_401_and_repeated_failures_are_rate_limited(services, client):
    user, _ = make_user(services)
    for _ in range(5):
        bad = client.post(
            "/api/v1/auth/login", json={"email": user["email"], "password": "wrong password"}
        )
        assert bad.status_code == 401
        assert bad.json()["code"] == "INVALID_CREDENTIALS"
    limited = client.post("/api/v1/auth/login", json={"email": user["email"], "password": PASSWORD})
    assert limited.status_code == 429
    assert limited.json()["code"] == "RATE_LIMITED"
    assert int(limited.headers["retry-after"]) >= 1


def test_unknown_user_and_wrong_password_answer_alike(services, client):
    make_user(services, email="known@example.com")
    a = client.post("/api/v1/auth/login", json={"email": "known@example.com", "password": "x" * 9})
    b = client.post("/api/v1/auth/login", json={"email": "nobody@example.com", "password": "x" * 9})
    assert a.status_code == b.status_code == 401
    assert a.json() == b.json()


def test_logout_ends_the_session(services, client):
    user, _ = make_user(services)
    csrf = login(client, user["email"]).json()["csrf_token"]
    assert client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 200
    assert client.get("/api/v1/me").status_code == 401


def test_requests_without_credentials_are_401(client):
    response = client.get("/api/v1/workspaces")
    assert response.status_code == 401
    assert response.json()["code"] == "NOT_AUTHENTICATED"
    bad = client.get("/api/v1/workspaces", headers={"Authorization": "Bearer tk_forged"})
    assert bad.status_code == 401 and bad.json()["code"] == "INVALID_TOKEN"


def test_token_is_shown_once_listed_without_secret_and_revocable(services, client):
    api = make_api(services, client)
    listed = api.ok("get", "/api/v1/tokens")["items"]
    assert listed and all("token" not in t for t in listed)
    assert all("hash" not in str(t) for t in listed)
    api.ok("delete", f"/api/v1/tokens/{listed[0]['id']}", status=204)
    assert api.get("/api/v1/workspaces").status_code == 401


def test_read_only_token_cannot_write(services, client):
    _, actor = make_user(services)
    ws = services.workspaces.mine(actor)[0]["id"]
    base = services.workspaces.create_base(actor, ws, "B")
    table = services.schema.create_table(actor, base["id"], "T", [{"name": "Name", "type": "text"}])
    token = token_for(services, actor, scopes=["read"], workspace_id=ws)
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get(f"/api/v1/tables/{table['id']}/rows", headers=headers).status_code == 200
    write = client.post(
        f"/api/v1/tables/{table['id']}/rows",
        headers=headers,
        json={"rows": [{"fields": {"Name": "x"}}]},
    )
    assert write.status_code == 403 and write.json()["code"] == "TOKEN_SCOPE"
    assert services.rows.count(actor, table["id"])["count"] == 0


def test_base_scoped_token_sees_only_its_base(services, client):
    _, actor = make_user(services)
    ws = services.workspaces.mine(actor)[0]["id"]
    mine = services.workspaces.create_base(actor, ws, "Mine")
    other = services.workspaces.create_base(actor, ws, "Other")
    token = token_for(services, actor, scopes=["read", "write"], base_id=mine["id"])
    headers = {"Authorization": f"Bearer {token}"}
    bases = client.get(f"/api/v1/workspaces/{ws}/bases", headers=headers).json()["items"]
    assert [b["id"] for b in bases] == [mine["id"]]
    assert client.get(f"/api/v1/bases/{other['id']}/schema", headers=headers).status_code == 404
    assert client.get(f"/api/v1/bases/{mine['id']}/schema", headers=headers).status_code == 200


def test_tokens_cannot_mint_tokens(services, client):
    api = make_api(services, client)
    response = api.post(
        "/api/v1/tokens", {"name": "x", "scopes": ["read"], "workspace_id": api.workspace_id}
    )
    assert response.status_code == 422 and response.json()["code"] == "TOKEN_FROM_TOKEN"


def test_a_token_without_scope_acts_in_all_the_users_workspaces(services, client):
    _, actor = make_user(services)
    second = services.workspaces.create(actor, "Second")
    token = token_for(services, actor, scopes=["read"])
    listed = client.get("/api/v1/workspaces", headers={"Authorization": f"Bearer {token}"})
    assert {w["id"] for w in listed.json()["items"]} >= {second["id"]}
    assert len(listed.json()["items"]) == 2
