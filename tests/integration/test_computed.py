"""Formula, lookup, rollup and count fields: stored, recalculated through links."""

import pytest

from tests.factories import make_api


def field_id(table, name):
    return next(f["id"] for f in table["fields"] if f["name"] == name)


@pytest.fixture
def shop(services, client):
    api = make_api(services, client)
    base = api.ok("post", f"/api/v1/workspaces/{api.workspace_id}/bases", {"name": "Shop"})
    b = f"/api/v1/bases/{base['id']}"
    customers = api.ok(
        "post",
        f"{b}/tables",
        {
            "name": "Customers",
            "fields": [
                {"name": "Name", "type": "text"},
                {"name": "E-mail", "type": "email"},
                {"name": "Credit limit", "type": "currency"},
            ],
        },
    )
    products = api.ok(
        "post",
        f"{b}/tables",
        {
            "name": "Products",
            "fields": [
                {"name": "Name", "type": "text"},
                {"name": "Price", "type": "currency"},
            ],
        },
    )
    orders = api.ok(
        "post",
        f"{b}/tables",
        {
            "name": "Orders",
            "fields": [
                {"name": "No.", "type": "auto_number", "options": {"format": "ORD-{0000}"}},
                {
                    "name": "Customer",
                    "type": "link",
                    "options": {"table_id": customers["id"], "multiple": False},
                },
                {
                    "name": "Status",
                    "type": "single_select",
                    "options": {"choices": ["New", "Confirmed", "Paid"]},
                },
            ],
        },
    )
    lines = api.ok(
        "post",
        f"{b}/tables",
        {
            "name": "Order lines",
            "fields": [
                {"name": "Line", "type": "text"},
                {
                    "name": "Order",
                    "type": "link",
                    "options": {"table_id": orders["id"], "multiple": False},
                },
                {
                    "name": "Product",
                    "type": "link",
                    "options": {"table_id": products["id"], "multiple": False},
                },
                {"name": "Quantity", "type": "number"},
            ],
        },
    )
    t = lambda table: f"/api/v1/tables/{table['id']}"  # noqa: E731
    api.ok(
        "post",
        f"{t(lines)}/fields",
        {
            "name": "Unit price",
            "type": "lookup",
            "options": {"link_field": "Product", "target_field": "Price"},
        },
    )
    api.ok(
        "post",
        f"{t(lines)}/fields",
        {
            "name": "Line total",
            "type": "formula",
            "options": {"formula": "{Quantity} * SUM({Unit price})"},
        },
    )
    api.ok(
        "post",
        f"{t(orders)}/fields",
        {
            "name": "Total",
            "type": "rollup",
            "options": {
                "link_field": "Order lines",
                "target_field": "Line total",
                "aggregate": "sum",
            },
        },
    )
    api.ok(
        "post",
        f"{t(orders)}/fields",
        {
            "name": "Customer e-mail",
            "type": "lookup",
            "options": {"link_field": "Customer", "target_field": "E-mail"},
        },
    )
    api.ok(
        "post",
        f"{t(customers)}/fields",
        {
            "name": "Open balance",
            "type": "rollup",
            "options": {
                "link_field": "Orders",
                "target_field": "Total",
                "aggregate": "sum",
                "filter": {"field": "Status", "op": "neq", "value": "Paid"},
            },
        },
    )
    api.ok(
        "post",
        f"{t(customers)}/fields",
        {"name": "Orders placed", "type": "count", "options": {"link_field": "Orders"}},
    )
    return api, {"customers": customers, "products": products, "orders": orders, "lines": lines}, t


def rows(api, url, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return api.ok("get", f"{url}/rows?{query}")["rows"]


def test_s2_order_totals_flow_through_links(shop):
    api, tables, t = shop
    customer = api.ok(
        "post",
        f"{t(tables['customers'])}/rows",
        {"rows": [{"fields": {"Name": "Acme", "E-mail": "buy@acme.test"}}]},
    )["rows"][0]
    desk, chair = api.ok(
        "post",
        f"{t(tables['products'])}/rows",
        {
            "rows": [
                {"fields": {"Name": "Desk", "Price": "250.00"}},
                {"fields": {"Name": "Chair", "Price": "80.50"}},
            ]
        },
    )["rows"]
    order = api.ok(
        "post",
        f"{t(tables['orders'])}/rows",
        {"rows": [{"fields": {"Customer": [customer["id"]], "Status": "New"}}]},
    )["rows"][0]
    api.ok(
        "post",
        f"{t(tables['lines'])}/rows",
        {
            "rows": [
                {"fields": {"Order": [order["id"]], "Product": [desk["id"]], "Quantity": 2}},
                {"fields": {"Order": [order["id"]], "Product": [chair["id"]], "Quantity": 4}},
            ]
        },
    )
    line_rows = rows(api, t(tables["lines"]), sort="Quantity")
    assert [r["fields"]["Unit price"] for r in line_rows] == [["250.00"], ["80.50"]]
    assert [r["fields"]["Line total"] for r in line_rows] == ["500.00", "322.00"]
    got = api.ok("get", f"{t(tables['orders'])}/rows/{order['id']}")["fields"]
    assert got["Total"] == "822.00"
    assert got["Customer e-mail"] == ["buy@acme.test"]
    acme = api.ok("get", f"{t(tables['customers'])}/rows/{customer['id']}")["fields"]
    assert acme["Open balance"] == "822.00" and acme["Orders placed"] == 1

    # Edit one line: the line total, the order total and the customer balance follow.
    api.ok("patch", f"{t(tables['lines'])}/rows/{line_rows[0]['id']}", {"fields": {"Quantity": 3}})
    assert (
        api.ok("get", f"{t(tables['orders'])}/rows/{order['id']}")["fields"]["Total"] == "1072.00"
    )
    # A price change two hops away reaches the customer too.
    api.ok("patch", f"{t(tables['products'])}/rows/{chair['id']}", {"fields": {"Price": "100"}})
    acme = api.ok("get", f"{t(tables['customers'])}/rows/{customer['id']}")["fields"]
    assert acme["Open balance"] == "1150.00"
    # The conditional rollup drops paid orders.
    api.ok("patch", f"{t(tables['orders'])}/rows/{order['id']}", {"fields": {"Status": "Paid"}})
    acme = api.ok("get", f"{t(tables['customers'])}/rows/{customer['id']}")["fields"]
    assert acme["Open balance"] == "0.00"
    # Deleting a line updates the total; filters and sorts use the stored results.
    api.ok("delete", f"{t(tables['lines'])}/rows/{line_rows[1]['id']}")
    assert api.ok("get", f"{t(tables['orders'])}/rows/{order['id']}")["fields"]["Total"] == "750.00"
    flt = '{"field":"Total","op":"gt","value":700}'
    assert len(rows(api, t(tables["orders"]), filter=flt, sort="-Total")) == 1


def test_formula_errors_at_save_point_at_the_problem(shop):
    api, tables, t = shop
    unknown = api.post(
        f"{t(tables['lines'])}/fields",
        {"name": "Bad", "type": "formula", "options": {"formula": "{Qty} * 2"}},
    )
    assert unknown.status_code == 422
    assert unknown.json()["code"] == "FORMULA_INVALID"
    assert "unknown field {Qty} at 1:1" in unknown.json()["message"]
    arity = api.post(
        f"{t(tables['lines'])}/fields",
        {"name": "Bad", "type": "formula", "options": {"formula": "IF(1)"}},
    )
    assert arity.status_code == 422 and "IF expects 2 or 3 arguments" in arity.json()["message"]


def test_cycles_are_refused_with_the_path(shop):
    api, tables, t = shop
    lines = api.ok("get", t(tables["lines"]))
    response = api.patch(
        f"/api/v1/fields/{field_id(lines, 'Quantity')}",
        {"type": "lookup", "options": {"link_field": "Order", "target_field": "Total"}},
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "CIRCULAR_REFERENCE"
    assert "Total" in body["message"] and "Line total" in body["message"]


def test_rename_keeps_formulas_and_delete_gives_broken_reference(shop):
    api, tables, t = shop
    api.ok("post", f"{t(tables['lines'])}/rows", {"rows": [{"fields": {"Quantity": 2}}]})
    lines = api.ok("get", t(tables["lines"]))
    api.ok("patch", f"/api/v1/fields/{field_id(lines, 'Quantity')}", {"name": "Qty"})
    lines = api.ok("get", t(tables["lines"]))
    formula = next(f for f in lines["fields"] if f["name"] == "Line total")
    assert formula["options"]["formula"] == "{Qty} * SUM({Unit price})"
    api.ok(
        "post",
        f"{t(tables['lines'])}/fields",
        {"name": "Double", "type": "formula", "options": {"formula": "{Qty} * 2"}},
    )
    assert rows(api, t(tables["lines"]))[0]["fields"]["Double"] == 4
    api.ok("delete", f"/api/v1/fields/{field_id(lines, 'Qty')}", status=204)
    cell = rows(api, t(tables["lines"]))[0]["fields"]["Double"]
    assert cell["error"] == "#REF!"
    assert api.ok("get", t(tables["lines"]))  # the schema still loads


def test_division_by_zero_is_a_cell_error_not_a_request_error(shop):
    api, tables, t = shop
    api.ok(
        "post",
        f"{t(tables['lines'])}/fields",
        {"name": "Ratio", "type": "formula", "options": {"formula": "10 / {Quantity}"}},
    )
    created = api.ok(
        "post",
        f"{t(tables['lines'])}/rows",
        {"rows": [{"fields": {"Quantity": 0}}, {"fields": {"Quantity": 4}}]},
    )["rows"]
    assert created[0]["fields"]["Ratio"]["error"] == "#DIV/0!"
    assert created[1]["fields"]["Ratio"] == 2.5


def test_writing_a_computed_field_is_refused(shop):
    api, tables, t = shop
    response = api.post(f"{t(tables['orders'])}/rows", {"rows": [{"fields": {"Total": "5"}}]})
    assert response.status_code == 422 and response.json()["code"] == "INVALID_CELL"


def test_changing_a_formula_recomputes_the_column(shop):
    api, tables, t = shop
    api.ok(
        "post",
        f"{t(tables['lines'])}/rows",
        {"rows": [{"fields": {"Quantity": q}} for q in range(1, 6)]},
    )
    created = api.ok(
        "post",
        f"{t(tables['lines'])}/fields",
        {
            "name": "Label",
            "type": "formula",
            "options": {"formula": 'IF({Quantity} > 2, "big", "small")'},
        },
    )
    assert created["options"]["result_type"] == "text"
    labels = [r["fields"]["Label"] for r in rows(api, t(tables["lines"]), sort="Quantity")]
    assert labels == ["small", "small", "big", "big", "big"]
    api.ok(
        "patch", f"/api/v1/fields/{created['id']}", {"options": {"formula": '{Quantity} & " pcs"'}}
    )
    labels = [r["fields"]["Label"] for r in rows(api, t(tables["lines"]), sort="Quantity")]
    assert labels == ["1 pcs", "2 pcs", "3 pcs", "4 pcs", "5 pcs"]
