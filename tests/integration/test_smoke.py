from tests.factories import make_api


def test_shop_story(services, client):
    api = make_api(services, client)
    base = api.ok("post", f"/api/v1/workspaces/{api.workspace_id}/bases", {"name": "My shop"})
    customers = api.ok(
        "post",
        f"/api/v1/bases/{base['id']}/tables",
        {
            "name": "Customers",
            "fields": [
                {"name": "Name", "type": "text"},
                {"name": "E-mail", "type": "email"},
                {"name": "Credit limit", "type": "currency", "options": {"currency": "EUR"}},
                {
                    "name": "Country",
                    "type": "single_select",
                    "options": {"choices": [{"name": "DE"}, {"name": "FR"}]},
                },
            ],
        },
    )
    orders = api.ok(
        "post",
        f"/api/v1/bases/{base['id']}/tables",
        {
            "name": "Orders",
            "fields": [
                {"name": "No.", "type": "auto_number", "options": {"format": "ORD-{YYYY}-{0000}"}},
                {
                    "name": "Customer",
                    "type": "link",
                    "options": {"table_id": customers["id"], "multiple": False},
                },
                {
                    "name": "Status",
                    "type": "single_select",
                    "options": {"choices": ["New", "Confirmed"]},
                },
                {"name": "Order date", "type": "date"},
            ],
        },
    )
    rows = api.ok(
        "post",
        f"/api/v1/tables/{customers['id']}/rows",
        {
            "rows": [
                {
                    "fields": {
                        "Name": "Acme",
                        "E-mail": "a@acme.test",
                        "Credit limit": "1000",
                        "Country": "DE",
                    }
                },
                {"fields": {"Name": "Bolt", "Country": "FR"}},
            ]
        },
    )["rows"]
    assert rows[0]["fields"]["Credit limit"] == "1000.00"
    created = api.ok(
        "post",
        f"/api/v1/tables/{orders['id']}/rows",
        {
            "rows": [
                {
                    "fields": {
                        "Customer": [rows[0]["id"]],
                        "Status": "New",
                        "Order date": "2026-11-26",
                    }
                },
            ]
        },
    )["rows"]
    assert created[0]["fields"]["Customer"] == [{"id": rows[0]["id"], "name": "Acme"}]
    assert created[0]["fields"]["No."].startswith("ORD-")
    listed = api.ok("get", f"/api/v1/tables/{customers['id']}/rows?sort=-Name")
    assert [r["fields"]["Name"] for r in listed["rows"]] == ["Bolt", "Acme"]
    assert listed["rows"][1]["fields"]["Orders"] == [
        {"id": created[0]["id"], "name": created[0]["fields"]["No."]}
    ]
