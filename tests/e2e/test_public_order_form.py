"""The order form of the Order management template, filled in by a visitor without an
account: a customer picked by typing part of its name, order lines added as a sub-form, and
errors of a line shown at that line (on a phone-sized screen)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from .conftest import Api, Page

pytestmark = pytest.mark.e2e

SUCCESS = "Thank you! We check your order"


@pytest.fixture
def shop(api: Api, workspace_id: int) -> dict[str, Any]:
    """A base from the bundled template, its tables by name and the order form's share link."""
    base = api.call(
        "POST",
        f"/api/v1/workspaces/{workspace_id}/bases",
        {"name": "Public order form e2e", "template": "order_management"},
    )
    schema = api.call("GET", f"/api/v1/bases/{base['id']}/schema")
    tables = {t["name"]: t for t in schema["tables"]}
    form_view = next(v for v in tables["Orders"]["views"] if v["name"] == "Order form")
    link = api.call("POST", f"/api/v1/views/{form_view['id']}/share", {"kind": "form"})
    return {"tables": tables, "view": form_view, "url": link["url"]}


@pytest.fixture
def visitor_factory(browser: Any, server: str) -> Iterator[Any]:
    """Fresh browser contexts that never signed in, checked for page errors and CSP reports."""
    opened: list[tuple[Any, Page]] = []

    def open_visitor(width: int = 1280, height: int = 800) -> Page:
        context = browser.new_context(viewport={"width": width, "height": height})
        context.set_default_timeout(15_000)
        visitor = Page(context.new_page(), server)
        opened.append((context, visitor))
        return visitor

    yield open_visitor
    for context, visitor in opened:
        context.close()
        assert not visitor.problems, visitor.problems
        assert not visitor.dialogs, visitor.dialogs


def field_id(table: dict[str, Any], name: str) -> int:
    return int(next(f["id"] for f in table["fields"] if f["name"] == name))


def pick(scope: Any, name: str, typed: str, option: str) -> None:
    """Type part of a row's name into a picker and choose the offered row."""
    box = scope.get_by_role("combobox", name=name)
    box.click()
    box.press_sequentially(typed, delay=30)
    box.page.get_by_role("option", name=option, exact=True).click()
    expect(box).to_have_value(option)


def line(v: Any, n: int) -> Any:
    return v.get_by_role("row", name=f"Line {n}", exact=True)


def orders_with_reference(api: Api, orders: dict[str, Any], reference: str) -> list[Any]:
    rows = api.call("GET", f"/api/v1/tables/{orders['id']}/rows?limit=1000")["rows"]
    return [r for r in rows if r["fields"].get("Customer reference") == reference]


def test_visitor_orders_two_products_for_a_customer_found_by_typing(
    api: Api, shop: dict[str, Any], visitor_factory: Any
) -> None:
    visitor = visitor_factory()
    v = visitor.page
    v.goto(shop["url"])
    v.get_by_role("heading", name="Place an order").wait_for()

    pick(v, "Customer", "brun", "Atelier Brun SARL")
    pick(line(v, 1), "Product", "monitor arm d", "Monitor arm dual")
    line(v, 1).get_by_role("textbox", name="Quantity").fill("2")
    v.get_by_role("button", name="Add line").click()
    # The new line takes the keyboard, so its product can be typed at once.
    expect(line(v, 2).get_by_role("combobox", name="Product")).to_be_focused()
    pick(line(v, 2), "Product", "arc led", "Desk lamp Arc LED Pro")
    line(v, 2).get_by_role("textbox", name="Quantity").fill("5")
    v.get_by_label("Delivery date").fill("2026-12-01")
    v.get_by_role("textbox", name="Customer reference").fill("PO e2e 4711")
    visitor.shot("public-order-form")
    v.get_by_role("button", name="Send order").click()
    expect(v.get_by_role("status").filter(has_text=SUCCESS)).to_be_visible()

    tables = shop["tables"]
    [order] = orders_with_reference(api, tables["Orders"], "PO e2e 4711")
    customer = order["fields"]["Customer"]
    assert [c["name"] for c in customer] == ["Atelier Brun SARL"]
    assert order["fields"]["Delivery date"] == "2026-12-01"
    lines_table = tables["Order lines"]
    got = []
    for ref in order["fields"]["Lines"]:
        row = api.call("GET", f"/api/v1/tables/{lines_table['id']}/rows/{ref['id']}")
        assert [o["id"] for o in row["fields"]["Order"]] == [order["id"]]
        got.append(([p["name"] for p in row["fields"]["Product"]], row["fields"]["Quantity"]))
    assert sorted(got) == [(["Desk lamp Arc LED Pro"], 5), (["Monitor arm dual"], 2)]


def test_a_missing_line_value_is_shown_at_its_line_on_a_phone(
    api: Api, shop: dict[str, Any], visitor_factory: Any
) -> None:
    tables = shop["tables"]
    view = shop["view"]
    config = view["config"]
    discount = field_id(tables["Order lines"], "Discount")
    lines_item = next(
        i for i in config["form"]["fields"] if i["field_id"] == field_id(tables["Orders"], "Lines")
    )

    def save_discount(required: bool) -> None:
        lines_item["subform"]["fields"] = [
            *[s for s in lines_item["subform"]["fields"] if s["field_id"] != discount],
            {"field_id": discount, "required": required},
        ]
        api.call("PATCH", f"/api/v1/views/{view['id']}", {"config": config})

    save_discount(required=False)
    visitor = visitor_factory(width=390, height=844)
    v = visitor.page
    v.goto(shop["url"])
    v.get_by_role("heading", name="Place an order").wait_for()
    pick(v, "Customer", "nordl", "Nordlicht Büroeinrichtung GmbH")
    pick(line(v, 1), "Product", "oak desk 160", "Oak desk 160 x 80")
    line(v, 1).get_by_role("textbox", name="Quantity").fill("1")
    v.get_by_role("button", name="Add line").click()
    pick(line(v, 2), "Product", "flex pro", "Task chair Flex Pro")
    v.get_by_role("button", name="Send order").click()

    # Checked in the browser: the empty quantity is flagged on line 2, nothing is sent.
    expect(line(v, 2).get_by_role("alert")).to_have_text("Please fill this in.")
    expect(line(v, 1).get_by_role("alert")).to_have_count(0)
    expect(line(v, 2).get_by_role("textbox", name="Quantity")).to_be_focused()
    visitor.shot("public-order-form-phone-error")

    # The owner makes Discount required while the visitor is on the page: the server's
    # answer (Lines[1].Discount) lands at line 2 too.
    save_discount(required=True)
    line(v, 2).get_by_role("textbox", name="Quantity").fill("4")
    line(v, 1).get_by_role("textbox", name="Discount").fill("10")
    v.get_by_role("button", name="Send order").click()
    expect(line(v, 2).get_by_role("alert")).to_have_text("Is required")
    expect(line(v, 1).get_by_role("alert")).to_have_count(0)
    expect(v.get_by_role("status").filter(has_text=SUCCESS)).to_have_count(0)

    line(v, 2).get_by_role("textbox", name="Discount").fill("5")
    v.get_by_role("textbox", name="Customer reference").fill("PO e2e phone")
    v.get_by_role("button", name="Send order").click()
    expect(v.get_by_role("status").filter(has_text=SUCCESS)).to_be_visible()
    [order] = orders_with_reference(api, tables["Orders"], "PO e2e phone")
    assert len(order["fields"]["Lines"]) == 2
