"""Public form links: anyone with the link can submit the form's fields, nothing else."""

import pytest

from tests.factories import make_api


@pytest.fixture
def form(services, client):
    api = make_api(services, client)
    base = api.ok("post", f"/api/v1/workspaces/{api.workspace_id}/bases", {"name": "Intake"})
    table = api.ok(
        "post",
        f"/api/v1/bases/{base['id']}/tables",
        {
            "name": "Orders",
            "fields": [
                {"name": "Customer", "type": "text"},
                {"name": "E-mail", "type": "email"},
                {"name": "Qty", "type": "number"},
                {"name": "Internal note", "type": "text"},
            ],
        },
    )
    by_name = {f["name"]: f["id"] for f in table["fields"]}
    view = api.ok(
        "post",
        f"/api/v1/tables/{table['id']}/views",
        {
            "name": "Order form",
            "type": "form",
            "config": {
                "form": {
                    "title": "Order now",
                    "fields": [
                        {"field_id": by_name["Customer"], "required": True},
                        {"field_id": by_name["E-mail"]},
                        {"field_id": by_name["Qty"]},
                    ],
                }
            },
        },
    )
    link = api.ok("post", f"/api/v1/views/{view['id']}/share", {"kind": "form"})
    return api, table, view, link


def test_shared_form_definition_and_submission(client, form):
    api, table, _, link = form
    assert link["url"].endswith(f"/s/{link['token']}")
    definition = client.get(f"/api/v1/public/forms/{link['token']}").json()
    assert definition["title"] == "Order now"
    assert [f["name"] for f in definition["fields"]] == ["Customer", "E-mail", "Qty"]
    assert definition["fields"][0]["required"] is True
    created = client.post(
        f"/api/v1/public/forms/{link['token']}", json={"fields": {"Customer": "Ada", "Qty": 2}}
    )
    assert created.status_code == 201
    rows = api.ok("get", f"/api/v1/tables/{table['id']}/rows")["rows"]
    assert rows[0]["fields"]["Customer"] == "Ada" and rows[0]["fields"]["Qty"] == 2


def test_form_refuses_hidden_fields_and_missing_required(client, form):
    api, table, _, link = form
    hidden = client.post(
        f"/api/v1/public/forms/{link['token']}",
        json={"fields": {"Customer": "Eve", "Internal note": "approved"}},
    )
    assert hidden.status_code == 422 and hidden.json()["code"] == "UNKNOWN_FIELD"
    missing = client.post(f"/api/v1/public/forms/{link['token']}", json={"fields": {"Qty": 1}})
    assert missing.status_code == 422
    bad = client.post(
        f"/api/v1/public/forms/{link['token']}",
        json={"fields": {"Customer": "X", "E-mail": "not an address"}},
    )
    assert bad.status_code == 422 and bad.json()["code"] == "INVALID_CELL"
    assert api.ok("get", f"/api/v1/tables/{table['id']}/rows/count")["count"] == 0


def test_revoked_and_unknown_links_are_404(client, form):
    api, _, view, link = form
    api.ok("delete", f"/api/v1/views/{view['id']}/share", status=204)
    assert client.get(f"/api/v1/public/forms/{link['token']}").status_code == 404
    assert client.get("/api/v1/public/forms/guess").status_code == 404


def test_form_submissions_are_rate_limited(client, form):
    _, _, _, link = form
    codes = [
        client.post(
            f"/api/v1/public/forms/{link['token']}", json={"fields": {"Customer": f"c{i}"}}
        ).status_code
        for i in range(25)
    ]
    assert codes[:20] == [201] * 20
    assert codes[20:] == [429] * 5


def test_the_public_page_is_served_by_the_web_app(client, form):
    _, _, _, link = form
    page = client.get(f"/s/{link['token']}")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "default-src 'self'" in page.headers["content-security-policy"]


def test_read_only_link_shows_the_views_rows_without_hidden_fields(client, form):
    api, table, _, _ = form
    by_name = {f["name"]: f["id"] for f in table["fields"]}
    api.ok(
        "post",
        f"/api/v1/tables/{table['id']}/rows",
        {
            "rows": [
                {"fields": {"Customer": "Ada", "Qty": 5, "Internal note": "secret"}},
                {"fields": {"Customer": "Bob", "Qty": 0, "Internal note": "secret"}},
            ]
        },
    )
    view = api.ok(
        "post",
        f"/api/v1/tables/{table['id']}/views",
        {
            "name": "Big orders",
            "type": "grid",
            "config": {
                "filter": {"field": "Qty", "op": "gt", "value": 1},
                "hidden_fields": [by_name["Internal note"]],
            },
        },
    )
    link = api.ok("post", f"/api/v1/views/{view['id']}/share", {"kind": "read"})
    shown = client.get(f"/api/v1/public/views/{link['token']}").json()
    assert "Internal note" not in [f["name"] for f in shown["fields"]]
    rows = client.get(f"/api/v1/public/views/{link['token']}/rows").json()["rows"]
    assert len(rows) == 1
    assert rows[0]["fields"][f"f_{by_name['Customer']}"] == "Ada"
    assert f"f_{by_name['Internal note']}" not in rows[0]["fields"]
    assert "secret" not in client.get(f"/api/v1/public/views/{link['token']}/rows").text
    form_link_on_grid = api.post(f"/api/v1/views/{view['id']}/share", {"kind": "form"})
    assert form_link_on_grid.status_code == 422
