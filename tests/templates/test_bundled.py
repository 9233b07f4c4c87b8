"""The bundled templates, installed on both databases: their tables, views, documents and
rules exist, and the computed values on the sample data are what the data says they are
(recomputed here independently of the formula engine)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from tablekit.templates_lib.gallery import Gallery
from tests.templates.conftest import Installed

CENT = Decimal("0.01")


def money(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def by_name(rows: list[dict[str, Any]], field: str) -> dict[str, dict[str, Any]]:
    return {str(r["fields"][field]): r["fields"] for r in rows}


def test_order_management_has_its_tables_views_and_documents(installed: Installed) -> None:
    base = installed.order_management
    schema = installed.services.schema.base_schema(installed.actor, int(base["id"]))
    tables = {t["name"]: t for t in schema["tables"]}
    assert list(tables) == [
        "Customers", "Products", "Orders", "Order lines", "Invoices", "Invoice lines",
        "Payments", "Returns", "Purchase requests",
    ]  # fmt: skip
    orders = tables["Orders"]
    views = {v["name"]: v["type"] for v in orders["views"]}
    assert views == {
        "Where orders stand": "grid",
        "Open orders": "kanban",
        "Deliveries": "calendar",
        "Order form": "form",
    }
    assert [f["name"] for f in orders["fields"]][:3] == ["No.", "Customer", "Status"]
    assert orders["primary_field_id"] == orders["fields"][0]["id"]
    customer = next(f for f in orders["fields"] if f["name"] == "Customer")
    reverse = next(f for f in tables["Customers"]["fields"] if f["name"] == "Orders")
    assert customer["options"]["reverse_field_id"] == reverse["id"]
    documents = installed.services.documents.list(installed.actor, int(base["id"]))
    assert {d["name"] for d in documents} == {
        "Order confirmation", "Delivery note", "Invoice", "Payment reminder", "Credit note",
    }  # fmt: skip
    assert base["template"] == {"name": "order_management", "version": "1.0.0"}
    assert base["settings"]["company_name"] == "Nordwerk Office Supply GmbH"


def test_every_rule_is_installed(installed: Installed) -> None:
    base = installed.order_management
    bundle = installed.services.templates.bundle("order_management")
    rules = installed.services.automations.list_rules(installed.actor, int(base["id"]))
    assert base["skipped"] == []  # the PDF rules too: generate_document is available
    assert [r["name"] for r in rules] == [r["name"] for r in bundle.rules]
    reserve = next(r for r in rules if r["name"] == "Reserve one order line atomically")
    assert [a["type"] for a in reserve["actions"]] == [
        "update_rows", "adjust_number", "adjust_number", "update_rows",
    ]  # fmt: skip
    assert reserve["actions"][1]["params"]["min"] == 0


def test_sample_data_is_large_and_covers_every_order_state(installed: Installed) -> None:
    base = installed.order_management
    assert len(installed.rows(base, "Customers")) >= 20
    assert len(installed.rows(base, "Products")) >= 50
    orders = installed.rows(base, "Orders")
    assert len(orders) >= 100
    assert {o["fields"]["Status"] for o in orders} == {
        "New", "On hold", "Confirmed", "Picking", "Shipped", "Invoiced", "Paid", "Cancelled",
    }  # fmt: skip
    year = date.today().year
    assert orders[0]["fields"]["No."] == f"ORD-{year}-0001"
    assert all(o["fields"]["Line count"] >= 1 for o in orders)
    assert installed.rows(base, "Payments") and installed.rows(base, "Invoices")


def test_order_totals_are_the_sum_of_their_lines_with_vat(installed: Installed) -> None:
    base = installed.order_management
    prices = {
        p["fields"]["Name"]: money(p["fields"]["Price"]) for p in installed.rows(base, "Products")
    }
    expected: dict[str, Decimal] = defaultdict(Decimal)
    for line in installed.rows(base, "Order lines"):
        cells = line["fields"]
        product = cells["Product"][0]["name"]
        net = money(
            cells["Quantity"] * prices[product] * (1 - Decimal(str(cells["Discount"] or 0)))
        )
        expected[cells["Order"][0]["name"]] += net + money(net * Decimal("0.19"))
        assert money(cells["Net amount"]) == net
    orders = installed.rows(base, "Orders")
    for order in orders:
        cells = order["fields"]
        assert money(cells["Gross total"]) == expected[cells["No."]], cells["No."]
        assert money(cells["Gross total"]) == money(cells["Net total"]) + money(cells["VAT total"])


def test_invoices_balances_and_stock_follow_from_the_rows(installed: Installed) -> None:
    base = installed.order_management
    invoices = installed.rows(base, "Invoices")
    paid: dict[str, Decimal] = defaultdict(Decimal)
    for payment in installed.rows(base, "Payments"):
        paid[payment["fields"]["Invoice"][0]["name"]] += money(payment["fields"]["Amount"])
    open_by_customer: dict[str, Decimal] = defaultdict(Decimal)
    customers = installed.rows(base, "Customers")
    terms = {c["fields"]["Name"]: c["fields"]["Payment terms"] for c in customers}
    for invoice in invoices:
        cells = invoice["fields"]
        due = money(cells["Gross total"]) - paid[cells["Invoice no."]]
        assert money(cells["Amount due"]) == due
        customer = cells["Customer"][0]["name"]
        issued = date.fromisoformat(cells["Invoice date"])
        assert cells["Due date"] == (issued + timedelta(days=terms[customer])).isoformat()
        if cells["Status"] == "Paid":
            assert due == 0
        else:
            open_by_customer[customer] += due
    for customer in customers:
        cells = customer["fields"]
        assert money(cells["Open balance"]) == open_by_customer[cells["Name"]]
    reserved: dict[str, int] = defaultdict(int)
    for line in installed.rows(base, "Order lines"):
        if line["fields"]["Reservation"] == "Reserved":
            reserved[line["fields"]["Product"][0]["name"]] += line["fields"]["Quantity"]
    for product in installed.rows(base, "Products"):
        cells = product["fields"]
        assert cells["Reserved"] == reserved[cells["Name"]]
        assert cells["Stock"] == cells["Available"] + cells["Reserved"]


def test_warehouse_on_hand_is_the_sum_of_movements(installed: Installed) -> None:
    base = installed.warehouse
    assert base["name"] == "Our warehouse"
    assert base["template"]["name"] == "warehouse"
    per_item: dict[str, int] = defaultdict(int)
    per_location: dict[str, int] = defaultdict(int)
    movements = installed.rows(base, "Stock movements")
    for move in movements:
        cells = move["fields"]
        item, qty = cells["Item"][0]["name"], cells["Quantity"]
        here = cells["Location"][0]["name"]
        if cells["Type"] == "In":
            per_item[item] += qty
            per_location[here] += qty
        elif cells["Type"] == "Out":
            per_item[item] -= qty
            per_location[here] -= qty
        else:
            per_location[here] -= qty
            per_location[cells["To location"][0]["name"]] += qty
    assert {m["fields"]["Type"] for m in movements} == {"In", "Out", "Transfer"}
    items = installed.rows(base, "Items")
    for item in items:
        cells = item["fields"]
        assert cells["On hand"] == per_item[cells["Name"]] >= 0
        assert cells["On hand"] == cells["Received"] - cells["Issued"]
    assert any(i["fields"]["Below minimum"] for i in items)
    locations = installed.rows(base, "Locations")
    for location in locations:
        cells = location["fields"]
        assert cells["On hand"] == per_location[cells["Code"]]
        assert cells["Over capacity"] == (cells["On hand"] > cells["Capacity"])
    assert sum(1 for loc in locations if loc["fields"]["Over capacity"]) == 1


def test_warehouse_has_a_goods_receipt_form_and_purchase_order_document(
    installed: Installed,
) -> None:
    base = installed.warehouse
    schema = installed.services.schema.base_schema(installed.actor, int(base["id"]))
    movements = next(t for t in schema["tables"] if t["name"] == "Stock movements")
    form = next(v for v in movements["views"] if v["name"] == "Goods receipt")
    assert form["type"] == "form"
    names = {f["id"]: f["name"] for f in movements["fields"]}
    assert [names[i["field_id"]] for i in form["config"]["form"]["fields"]] == [
        "Type", "Item", "Quantity", "Location", "Reference", "Date",
    ]  # fmt: skip
    documents = installed.services.documents.list(installed.actor, int(base["id"]))
    assert [d["name"] for d in documents] == ["Purchase order"]


def test_gallery_lists_both_bundled_templates() -> None:
    names = [item["name"] for item in Gallery().items()]
    assert names == ["order_management", "warehouse"]


def test_every_bundled_rule_can_be_switched_off_and_on_again(installed: Installed) -> None:
    """A saved rule is validated anew on every change, in its stored spelling too
    (``{row.id}`` and ``{steps.1.row_id}`` are kept as ``row__id``, ``steps__1__row_id``)."""
    for base in (installed.order_management, installed.warehouse):
        rules = installed.api.ok("get", f"/api/v1/bases/{base['id']}/rules")["items"]
        for rule in rules:
            path = f"/api/v1/rules/{rule['id']}"
            assert installed.api.ok("patch", path, {"enabled": False})["enabled"] is False
            again = installed.api.ok("patch", path, {"enabled": True})
            assert again["enabled"] is True and again["actions"] == rule["actions"]
