# ruff: noqa: E501  (table-driven cases read best one per line)
"""Public forms with link pickers and a line-item sub-form: an order with several lines in
one submission, all or nothing, and a visitor can only reach what the form offers."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import Api, make_api


@pytest.fixture
def shop(services: Any, client: Any) -> dict[str, Any]:
    api = make_api(services, client)
    base = api.ok("post", f"/api/v1/workspaces/{api.workspace_id}/bases", {"name": "Shop"})
    base_id = base["id"]

    def table(name: str, fields: list[dict[str, Any]]) -> dict[str, Any]:
        return dict(
            api.ok("post", f"/api/v1/bases/{base_id}/tables", {"name": name, "fields": fields})
        )

    customers = table(
        "Customers", [{"name": "Name", "type": "text"}, {"name": "Active", "type": "checkbox"}]
    )
    products = table(
        "Products", [{"name": "Name", "type": "text"}, {"name": "Price", "type": "number"}]
    )
    orders = table("Orders", [{"name": "Ref", "type": "text"}, {"name": "Note", "type": "text"}])
    lines = table(
        "Order lines", [{"name": "Label", "type": "text"}, {"name": "Qty", "type": "number"}]
    )

    def field(table_id: int, body: dict[str, Any]) -> dict[str, Any]:
        return dict(api.ok("post", f"/api/v1/tables/{table_id}/fields", body))

    field(
        orders["id"],
        {
            "name": "Customer",
            "type": "link",
            "options": {"table_id": customers["id"], "multiple": False},
        },
    )
    field(orders["id"], {"name": "Lines", "type": "link", "options": {"table_id": lines["id"]}})
    field(
        lines["id"],
        {
            "name": "Product",
            "type": "link",
            "options": {"table_id": products["id"], "multiple": False},
        },
    )
    field(lines["id"], {"name": "Internal", "type": "text"})

    def add(table_id: int, rows: list[dict[str, Any]]) -> list[int]:
        created = api.ok(
            "post", f"/api/v1/tables/{table_id}/rows", {"rows": [{"fields": r} for r in rows]}
        )
        return [int(r["id"]) for r in created["rows"]]

    ada, blocked = add(
        customers["id"],
        [{"Name": "Ada Ltd", "Active": True}, {"Name": "Adam Blocked", "Active": False}],
    )
    bolt, nut = add(products["id"], [{"Name": "Bolt", "Price": 2}, {"Name": "Nut", "Price": 1}])
    view = api.ok(
        "post",
        f"/api/v1/tables/{orders['id']}/views",
        {
            "name": "Order form",
            "type": "form",
            "config": {
                "form": {
                    "fields": [
                        {"field_id": "Customer", "required": True, "filter": {"field": "Active", "op": "eq", "value": True}},
                        {
                            "field_id": "Lines",
                            "required": True,
                            "subform": {
                                "max_rows": 3,
                                "fields": [{"field_id": "Product", "required": True}, {"field_id": "Qty", "required": True}, {"field_id": "Label"}],
                            },
                        },
                        {"field_id": "Ref"},
                    ]
                }
            },
        },
    )  # fmt: skip
    token = api.ok("post", f"/api/v1/views/{view['id']}/share", {"kind": "form"})["token"]
    return {
        "api": api, "client": client, "token": token, "view": view,
        "orders": orders["id"], "lines": lines["id"], "customers": customers["id"],
        "ada": ada, "blocked": blocked, "bolt": bolt, "nut": nut,
    }  # fmt: skip


def _count(api: Api, table_id: int) -> int:
    return int(api.ok("get", f"/api/v1/tables/{table_id}/rows/count")["count"])


def _submit(shop: dict[str, Any], cells: dict[str, Any]) -> Any:
    return shop["client"].post(f"/api/v1/public/forms/{shop['token']}", json={"fields": cells})


def test_the_definition_describes_pickers_and_the_sub_form(shop: dict[str, Any]) -> None:
    form = shop["client"].get(f"/api/v1/public/forms/{shop['token']}").json()
    customer, lines, ref = form["fields"]
    assert customer["picker"] == {"table": "Customers", "multiple": False}
    assert customer["required"] is True and "subform" not in customer
    assert lines["subform"]["table"] == "Order lines"
    assert (lines["subform"]["min_rows"], lines["subform"]["max_rows"]) == (1, 3)
    assert [f["name"] for f in lines["subform"]["fields"]] == ["Product", "Qty", "Label"]
    assert lines["subform"]["fields"][0]["picker"] == {"table": "Products", "multiple": False}
    assert "picker" not in ref and "subform" not in ref


def test_pickers_offer_only_the_filtered_rows_by_primary_field(shop: dict[str, Any]) -> None:
    form = shop["client"].get(f"/api/v1/public/forms/{shop['token']}").json()
    customer_field = form["fields"][0]["id"]
    path = f"/api/v1/public/forms/{shop['token']}/choices/{customer_field}"
    # "Adam Blocked" matches the search but not the form's filter (Active).
    items = shop["client"].get(path, params={"search": "ada"}).json()["items"]
    assert items == [{"id": shop["ada"], "label": "Ada Ltd"}]
    product_field = form["fields"][1]["subform"]["fields"][0]["id"]
    products = (
        shop["client"]
        .get(f"/api/v1/public/forms/{shop['token']}/choices/{product_field}")
        .json()["items"]
    )
    assert [p["label"] for p in products] == ["Bolt", "Nut"]  # by label, nothing but labels
    assert all(set(p) == {"id", "label"} for p in products)
    ref_field = form["fields"][2]["id"]
    wrong = shop["client"].get(f"/api/v1/public/forms/{shop['token']}/choices/{ref_field}")
    assert wrong.status_code == 404 and wrong.json()["code"] == "FIELD_NOT_ON_FORM"


def test_one_submission_creates_the_order_and_its_lines(shop: dict[str, Any]) -> None:
    api = shop["api"]
    response = _submit(
        shop,
        {
            "Customer": shop["ada"],
            "Lines": [{"Product": shop["bolt"], "Qty": 5}, {"Product": [shop["nut"]], "Qty": 2, "Label": "spare"}],
            "Ref": "PO-1",
        },
    )  # fmt: skip
    assert response.status_code == 201, response.text
    body = response.json()
    order = api.ok("get", f"/api/v1/tables/{shop['orders']}/rows/{body['id']}")["fields"]
    assert order["Ref"] == "PO-1"
    assert [c["id"] for c in order["Customer"]] == [shop["ada"]]
    assert sorted(c["id"] for c in order["Lines"]) == sorted(body["lines"]["Lines"])
    lines = [
        api.ok("get", f"/api/v1/tables/{shop['lines']}/rows/{line_id}")["fields"]
        for line_id in body["lines"]["Lines"]
    ]
    assert [(line["Product"][0]["id"], line["Qty"]) for line in lines] == [
        (shop["bolt"], 5),
        (shop["nut"], 2),
    ]
    assert lines[1]["Label"] == "spare"


@pytest.mark.parametrize(
    ("cells", "field", "message"),
    [
        ({"Lines": [{"Product": "B", "Qty": 1}]}, "Customer", "is required"),
        ({"Customer": "X"}, "Lines", "needs at least 1 line(s)"),
        ({"Customer": "X", "Lines": [{"Product": "B"}]}, "Lines[0].Qty", "is required"),
        ({"Customer": "X", "Lines": [{"Product": "B", "Qty": "many"}]}, "Lines[0].Qty", None),
        ({"Customer": "X", "Lines": [{"Product": "B", "Qty": 1, "Internal": "x"}]}, "Lines[0].Internal", "is not a field of this form"),
        ({"Customer": "X", "Lines": [{"Product": "B", "Qty": 1}] * 4}, "Lines", "takes at most 3 lines"),
        ({"Customer": "X", "Lines": "Bolt x2"}, "Lines", None),
        ({"Customer": "BLOCKED", "Lines": [{"Product": "B", "Qty": 1}]}, "Customer", "is not one of the choices"),
        ({"Customer": 999999, "Lines": [{"Product": "B", "Qty": 1}]}, "Customer", "is not one of the choices"),
        ({"Customer": "X", "Lines": [{"Product": 999999, "Qty": 1}]}, "Lines[0].Product", "is not one of the choices"),
    ],
)  # fmt: skip
def test_bad_submissions_name_the_line_and_field_and_write_nothing(
    shop: dict[str, Any], cells: dict[str, Any], field: str, message: str | None
) -> None:
    ids = {"X": shop["ada"], "B": shop["bolt"], "BLOCKED": shop["blocked"]}

    def resolve(value: Any) -> Any:
        if isinstance(value, list):
            return [resolve(v) for v in value]
        if isinstance(value, dict):
            return {k: ids.get(v, v) if isinstance(v, str) else v for k, v in value.items()}
        return ids.get(value, value) if isinstance(value, str) else value

    response = _submit(shop, {k: resolve(v) for k, v in cells.items()})
    assert response.status_code == 422, response.text
    errors = response.json()["details"]["errors"]
    assert field in [e["field"] for e in errors], errors
    if message is not None:
        assert {"row": 0, "field": field, "message": message} in errors
    assert _count(shop["api"], shop["orders"]) == 0
    assert _count(shop["api"], shop["lines"]) == 0


def test_a_field_not_on_the_form_is_refused(shop: dict[str, Any]) -> None:
    response = _submit(shop, {"Customer": shop["ada"], "Note": "x"})
    assert response.status_code == 422 and response.json()["code"] == "UNKNOWN_FIELD"


@pytest.mark.parametrize(
    ("item", "problem"),
    [
        ({"field_id": "Ref", "subform": {"fields": [{"field_id": "Qty"}]}}, "only for link fields"),
        ({"field_id": "Lines", "subform": {"fields": []}}, "at least one field"),
        ({"field_id": "Lines", "subform": {"fields": [{"field_id": "Orders"}]}}, "filled in by the form itself"),
        ({"field_id": "Lines", "subform": {"fields": [{"field_id": "Nope"}]}}, "unknown field"),
        ({"field_id": "Lines", "subform": {"min_rows": 5, "max_rows": 2, "fields": [{"field_id": "Qty"}]}}, "min_rows"),
        ({"field_id": "Customer", "filter": {"field": "Price", "op": "gt", "value": 1}}, "Price"),
        ({"field_id": "Lines", "subform": {"fields": [{"field_id": "Product", "subform": {"fields": [{"field_id": "Name"}]}}]}}, "another sub-form"),
    ],
)  # fmt: skip
def test_form_designs_that_cannot_work_are_refused_when_saved(
    shop: dict[str, Any], item: dict[str, Any], problem: str
) -> None:
    response = shop["api"].patch(
        f"/api/v1/views/{shop['view']['id']}", {"config": {"form": {"fields": [item]}}}
    )
    assert response.status_code == 422, response.text
    assert problem in response.json()["message"]
