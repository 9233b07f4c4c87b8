"""S2 in the browser: a non-programmer builds the order app from scratch by clicking:
tables, every field type of the scenario, rows entered in the grid, and the other views."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import expect

from .conftest import Api, Page, add_view, eventually, grid_cell, grid_row, open_table

pytestmark = pytest.mark.e2e

WIDE = {"width": 1600, "height": 900}  # every column of the shop's tables fits on screen
STATUSES = ["New", "Confirmed", "Picking", "Shipped", "Invoiced", "Paid", "Cancelled"]
COUNTRIES = ["Germany", "Austria", "Switzerland"]
# A 1x1 PNG for the product picture.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201a5dd8e5a"
    "0000000049454e44ae426082"
)


# --- S2: building the order app from scratch -----------------------------------------------


def _add_table(page: Page, name: str) -> None:
    p = page.page
    p.get_by_role("button", name="Add table").click()
    p.fill("#prompt-input", name)
    p.get_by_role("button", name="Create table").click()
    expect(p.get_by_role("tab", name=name, exact=True)).to_have_attribute("aria-selected", "true")
    p.wait_for_url(re.compile(r"/views/\d+"))
    p.locator(".ag-header-cell", has_text="Name").wait_for()


def _header(page: Page, name: str) -> Any:
    return page.page.locator(".ag-header-cell").filter(
        has=page.page.locator(".field-header-name", has_text=re.compile(rf"^{re.escape(name)}$"))
    )


def _field_dialog(
    page: Page,
    name: str,
    kind: str,
    setup: Callable[[Any], None] | None = None,
    *,
    edit: str | None = None,
    shot: str | None = None,
) -> None:
    """Add a field (or, with ``edit``, change one) through the field dialog."""
    p = page.page
    if edit:
        _header(page, edit).get_by_role("button", name=f"{edit} field menu").click()
        p.get_by_role("menuitem", name="Edit field").click()
        dialog = p.get_by_role("dialog", name=f'Edit field "{edit}"')
    else:
        p.get_by_role("toolbar", name="View tools").get_by_role("button", name="Add field").click()
        dialog = p.get_by_role("dialog", name="Add a field")
    dialog.get_by_label("Name", exact=True).fill(name)
    dialog.get_by_label("Type", exact=True).select_option(kind)
    if setup:
        setup(dialog)
    if shot:
        page.shot(shot)
    dialog.get_by_role("button", name="Save" if edit else "Add field").click()
    expect(dialog).to_be_hidden()
    _header(page, name).wait_for()


def _choices(names: list[str]) -> Callable[[Any], None]:
    def setup(dialog: Any) -> None:
        for i, choice in enumerate(names, start=1):
            dialog.get_by_role("button", name="Add option").click()
            dialog.get_by_label(f"Option {i}", exact=True).fill(choice)

    return setup


def _link(table: str, *, several: bool) -> Callable[[Any], None]:
    def setup(dialog: Any) -> None:
        dialog.get_by_label("Link to table").select_option(label=table)
        box = dialog.get_by_label("Allow linking to several rows")
        if box.is_checked() != several:
            box.click()

    return setup


def _from_link(link: str, target: str, aggregate: str | None = None) -> Callable[[Any], None]:
    def setup(dialog: Any) -> None:
        dialog.get_by_label("Link field").select_option(label=link)
        dialog.get_by_label(re.compile(r"^Field of ")).select_option(label=target)
        if aggregate:
            dialog.get_by_label("Summary").select_option(label=aggregate)

    return setup


def _by_name(table: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["name"]: f for f in table["fields"]}


def test_s2_build_the_shop_schema_by_clicking(page: Page, api: Api) -> None:
    p = page.page
    p.set_viewport_size(WIDE)
    p.get_by_role("button", name="New base").first.click()
    p.fill("#base-name", "My shop")
    p.get_by_role("button", name="Create base").click()
    p.wait_for_url(re.compile(r"/bases/\d+"))
    base_id = int(re.search(r"/bases/(\d+)", p.url).group(1))  # type: ignore[union-attr]
    for table in ("Customers", "Products", "Order lines", "Orders"):
        _add_table(page, table)

    open_table(page, "Customers")
    _field_dialog(page, "E-mail", "email")
    _field_dialog(
        page,
        "Credit limit",
        "currency",
        lambda d: d.get_by_label("Currency").select_option("EUR"),
    )
    _field_dialog(page, "Country", "single_select", _choices(COUNTRIES))
    _field_dialog(page, "Payment terms", "number")

    open_table(page, "Products")
    _field_dialog(page, "SKU", "text", lambda d: d.get_by_label("Unique values").check())
    _field_dialog(page, "Price", "currency")
    _field_dialog(page, "Stock", "number")
    _field_dialog(page, "Minimum stock", "number")
    _field_dialog(page, "Picture", "attachment")

    open_table(page, "Order lines")

    def line_format(d: Any) -> None:
        d.get_by_label("Format").fill("L-{0000}")

    _field_dialog(page, "Line", "auto_number", line_format, edit="Name")
    _field_dialog(page, "Product", "link", _link("Products", several=False))
    _field_dialog(page, "Quantity", "number")
    _field_dialog(page, "Unit price", "lookup", _from_link("Product", "Price"))
    _field_dialog(
        page,
        "Line total",
        "formula",
        lambda d: d.get_by_label("Formula").fill("{Quantity} * {Unit price}"),
    )

    open_table(page, "Orders")

    def order_format(d: Any) -> None:
        d.get_by_label("Format").fill("ORD-{YYYY}-{0000}")

    _field_dialog(page, "No.", "auto_number", order_format, edit="Name")
    _field_dialog(page, "Customer", "link", _link("Customers", several=False))
    _field_dialog(page, "Status", "single_select", _choices(STATUSES))
    _field_dialog(page, "Order date", "date")
    _field_dialog(page, "Delivery date", "date")
    _field_dialog(page, "Lines", "link", _link("Order lines", several=True))
    _field_dialog(
        page,
        "Total",
        "rollup",
        _from_link("Lines", "Line total", aggregate="Sum"),
        shot="field-dialog",
    )
    _field_dialog(page, "Customer e-mail", "lookup", _from_link("Customer", "E-mail"))

    # The link from Orders made its other side in Order lines: name it "Order", one order
    # per line.
    open_table(page, "Order lines")
    _field_dialog(page, "Order", "link", _link("Orders", several=False), edit="Orders")

    schema = api.call("GET", f"/api/v1/bases/{base_id}/schema")
    assert schema["name"] == "My shop"
    tables = {t["name"]: t for t in schema["tables"]}
    assert set(tables) == {"Customers", "Products", "Order lines", "Orders"}
    ids = {name: t["id"] for name, t in tables.items()}

    customers = _by_name(tables["Customers"])
    assert customers["E-mail"]["type"] == "email"
    assert customers["Credit limit"]["type"] == "currency"
    assert customers["Credit limit"]["options"]["currency"] == "EUR"
    assert [c["name"] for c in customers["Country"]["options"]["choices"]] == COUNTRIES
    assert customers["Payment terms"]["type"] == "number"

    products = _by_name(tables["Products"])
    assert products["SKU"]["type"] == "text" and products["SKU"]["unique"] is True
    assert products["Price"]["type"] == "currency"
    assert products["Stock"]["type"] == products["Minimum stock"]["type"] == "number"
    assert products["Picture"]["type"] == "attachment"

    lines = _by_name(tables["Order lines"])
    assert tables["Order lines"]["primary_field_id"] == lines["Line"]["id"]
    assert lines["Line"]["type"] == "auto_number"
    assert lines["Product"]["options"]["table_id"] == ids["Products"]
    assert lines["Product"]["options"]["multiple"] is False
    assert lines["Order"]["options"]["table_id"] == ids["Orders"]
    assert lines["Order"]["options"]["multiple"] is False
    assert lines["Unit price"]["type"] == "lookup"
    assert lines["Unit price"]["options"]["link_field"] == lines["Product"]["id"]
    assert lines["Unit price"]["options"]["target_field"] == products["Price"]["id"]
    assert lines["Line total"]["type"] == "formula"
    assert lines["Line total"]["options"]["formula"] == "{Quantity} * {Unit price}"

    orders = _by_name(tables["Orders"])
    assert tables["Orders"]["primary_field_id"] == orders["No."]["id"]
    assert orders["No."]["type"] == "auto_number"
    assert orders["No."]["options"]["format"] == "ORD-{YYYY}-{0000}"
    assert orders["Customer"]["options"]["table_id"] == ids["Customers"]
    assert orders["Customer"]["options"]["multiple"] is False
    assert [c["name"] for c in orders["Status"]["options"]["choices"]] == STATUSES
    assert orders["Order date"]["type"] == orders["Delivery date"]["type"] == "date"
    assert orders["Lines"]["options"]["table_id"] == ids["Order lines"]
    assert orders["Lines"]["options"]["reverse_field_id"] == lines["Order"]["id"]
    assert orders["Total"]["type"] == "rollup"
    assert orders["Total"]["options"]["link_field"] == orders["Lines"]["id"]
    assert orders["Total"]["options"]["target_field"] == lines["Line total"]["id"]
    assert orders["Total"]["options"]["aggregate"] == "sum"
    assert orders["Customer e-mail"]["type"] == "lookup"
    assert orders["Customer e-mail"]["options"]["target_field"] == customers["E-mail"]["id"]


# The same shop built through the API, for the tests of data entry and views.


def _build_shop(api: Api, workspace_id: int, name: str) -> dict[str, Any]:
    base = api.call("POST", f"/api/v1/workspaces/{workspace_id}/bases", {"name": name})

    def table(name: str, fields: list[dict[str, Any]]) -> dict[str, Any]:
        t: dict[str, Any] = api.call(
            "POST", f"/api/v1/bases/{base['id']}/tables", {"name": name, "fields": fields}
        )
        return t

    def field(table: dict[str, Any], name: str, kind: str, **options: Any) -> dict[str, Any]:
        spec = {"name": name, "type": kind, "options": options}
        f: dict[str, Any] = api.call("POST", f"/api/v1/tables/{table['id']}/fields", spec)
        return f

    def choices(names: list[str]) -> dict[str, Any]:
        return {"choices": [{"name": n} for n in names]}

    customers = table(
        "Customers",
        [
            {"name": "Name", "type": "text"},
            {"name": "E-mail", "type": "email"},
            {"name": "Credit limit", "type": "currency", "options": {"currency": "EUR"}},
            {"name": "Country", "type": "single_select", "options": choices(COUNTRIES)},
            {"name": "Payment terms", "type": "number"},
        ],
    )
    products = table(
        "Products",
        [
            {"name": "Name", "type": "text"},
            {"name": "SKU", "type": "text", "unique": True},
            {"name": "Price", "type": "currency", "options": {"currency": "EUR"}},
            {"name": "Stock", "type": "number"},
            {"name": "Minimum stock", "type": "number"},
            {"name": "Picture", "type": "attachment"},
        ],
    )
    lines = table(
        "Order lines",
        [
            {"name": "Line", "type": "auto_number", "options": {"format": "L-{0000}"}},
            {
                "name": "Product",
                "type": "link",
                "options": {"table_id": products["id"], "multiple": False},
            },
            {"name": "Quantity", "type": "number"},
        ],
    )
    field(lines, "Unit price", "lookup", link_field="Product", target_field="Price")
    field(lines, "Line total", "formula", formula="{Quantity} * {Unit price}")
    orders = table(
        "Orders",
        [
            {"name": "No.", "type": "auto_number", "options": {"format": "ORD-{YYYY}-{0000}"}},
            {
                "name": "Customer",
                "type": "link",
                "options": {"table_id": customers["id"], "multiple": False},
            },
            {"name": "Status", "type": "single_select", "options": choices(STATUSES)},
            {"name": "Order date", "type": "date"},
            {"name": "Delivery date", "type": "date"},
        ],
    )
    link = field(orders, "Lines", "link", table_id=lines["id"])
    api.call(
        "PATCH",
        f"/api/v1/fields/{link['options']['reverse_field_id']}",
        {"name": "Order", "options": {"multiple": False}},
    )
    field(orders, "Total", "rollup", link_field="Lines", target_field="Line total", aggregate="sum")
    field(orders, "Customer e-mail", "lookup", link_field="Customer", target_field="E-mail")
    schema = api.call("GET", f"/api/v1/bases/{base['id']}/schema")
    return {"id": base["id"], "tables": {t["name"]: t for t in schema["tables"]}}


def _cell(page: Page, row: int, field: dict[str, Any]) -> Any:
    return grid_cell(page, row, field["id"])


def _saved(page: Page) -> Any:
    """Wait for the cell's save (PATCH of the row) to come back before going on."""
    return page.page.expect_response(
        lambda r: r.request.method == "PATCH" and re.search(r"/rows/\d+", r.url) is not None
    )


def _edit(page: Page, cell: Any, editor: Any) -> None:
    """Select a cell and press Enter to open its editor."""
    cell.click()
    expect(cell).to_have_class(re.compile(r"\bag-cell-focus\b"))
    page.page.keyboard.press("Enter")
    editor.wait_for()


def _type(page: Page, row: int, field: dict[str, Any], text: str) -> Any:
    """Type into a cell: Enter opens its editor, Enter again saves."""
    cell = _cell(page, row, field)
    editor = cell.locator("input")
    _edit(page, cell, editor)
    expect(editor).to_be_focused()
    # Filled rather than typed key by key: AG Grid reports key presses to the app a moment
    # late, so a space typed just before Enter would count as Space on the cell (open row).
    editor.fill(text)
    with _saved(page):
        page.page.keyboard.press("Enter")
    expect(cell.locator("input")).to_have_count(0)
    return cell


def _pick(page: Page, row: int, field: dict[str, Any], option: str) -> Any:
    """Open a select or link cell's picker and choose ``option``."""
    cell = _cell(page, row, field)
    popup = page.page.locator(".cell-popup")
    _edit(page, cell, popup)
    with _saved(page):
        popup.get_by_role("option", name=option).click()
        if field["type"] != "single_select":  # a select closes on the choice, a link on Done
            popup.get_by_role("button", name="Done").click()
    expect(popup).to_be_hidden()
    expect(cell).to_contain_text(option)
    return cell


def _date(page: Page, row: int, field: dict[str, Any], day: datetime.date) -> None:
    cell = _cell(page, row, field)
    editor = page.page.locator('.cell-input[type="date"]')
    _edit(page, cell, editor)
    editor.fill(day.isoformat())
    with _saved(page):
        page.page.keyboard.press("Enter")


def _add_row(page: Page, rows: int, button: str = "Add row") -> None:
    """Click "Add row": it opens the new row's panel; close it to type in the grid."""
    p = page.page
    p.get_by_role("button", name=button).click()
    panel = p.get_by_role("dialog", name=re.compile("Row"))
    panel.get_by_role("button", name="Close").click()
    expect(panel).to_be_hidden()
    expect(p.get_by_test_id("row-count")).to_have_text(f"{rows} row" + ("s" if rows > 1 else ""))
    # The grid has reloaded with the new row (editing earlier would be cut short).
    expect(grid_row(page, rows - 1).locator(".rownum-n")).to_have_text(str(rows))


@pytest.fixture
def shop(api: Api, workspace_id: int) -> dict[str, Any]:
    return _build_shop(api, workspace_id, "My shop (entered in the grid)")


def test_s2_enter_an_order_in_the_grid_and_see_its_totals(
    page: Page, api: Api, shop: dict[str, Any]
) -> None:
    p = page.page
    p.set_viewport_size(WIDE)
    t = shop["tables"]
    customers, products, lines, orders = (
        _by_name(t[n]) for n in ("Customers", "Products", "Order lines", "Orders")
    )

    page.goto(f"/bases/{shop['id']}/tables/{t['Customers']['id']}")
    _add_row(page, 1, "Add the first row")  # the empty table offers it
    _type(page, 0, customers["Name"], "Acme GmbH")
    _type(page, 0, customers["E-mail"], "buyer@acme.example")
    expect(_type(page, 0, customers["Credit limit"], "5000")).to_contain_text("5,000.00")
    _pick(page, 0, customers["Country"], "Austria")
    _type(page, 0, customers["Payment terms"], "30")

    open_table(page, "Products")
    for i, (name, sku, price) in enumerate(
        [("Desk lamp", "LAMP-1", "24.50"), ("Office chair", "CHAIR-1", "150")]
    ):
        _add_row(page, i + 1)
        _type(page, i, products["Name"], name)
        _type(page, i, products["SKU"], sku)
        _type(page, i, products["Price"], price)
        _type(page, i, products["Stock"], "10")
        _type(page, i, products["Minimum stock"], "3")

    open_table(page, "Orders")
    _add_row(page, 1)
    order_no = f"ORD-{datetime.date.today().year}-0001"
    expect(_cell(page, 0, orders["No."])).to_have_text(order_no)
    _pick(page, 0, orders["Customer"], "Acme GmbH")
    _pick(page, 0, orders["Status"], "Confirmed")
    _date(page, 0, orders["Order date"], datetime.date(2026, 3, 2))
    _date(page, 0, orders["Delivery date"], datetime.date(2026, 3, 16))
    expect(_cell(page, 0, orders["Customer e-mail"])).to_have_text("buyer@acme.example")

    open_table(page, "Order lines")
    for i, (product, quantity, unit, total) in enumerate(
        [("Desk lamp", "4", "24.50", "98.00"), ("Office chair", "2", "150.00", "300.00")]
    ):
        _add_row(page, i + 1)
        _pick(page, i, lines["Order"], order_no)
        _pick(page, i, lines["Product"], product)
        _type(page, i, lines["Quantity"], quantity)
        expect(_cell(page, i, lines["Unit price"])).to_contain_text(unit)
        expect(_cell(page, i, lines["Line total"])).to_contain_text(total)

    open_table(page, "Orders")
    expect(_cell(page, 0, orders["Total"])).to_contain_text("398.00")
    expect(_cell(page, 0, orders["Lines"])).to_contain_text("L-0001")
    page.shot("shop-grid")

    def saved() -> dict[str, Any] | None:
        rows = api.call("GET", f"/api/v1/tables/{t['Orders']['id']}/rows")["rows"]
        return rows[0]["fields"] if rows and rows[0]["fields"]["Total"] else None

    order = eventually(saved)
    assert order is not None
    assert order["No."] == order_no
    assert [c["name"] for c in order["Customer"]] == ["Acme GmbH"]
    assert order["Status"] == "Confirmed"
    assert order["Order date"] == "2026-03-02" and order["Delivery date"] == "2026-03-16"
    assert Decimal(order["Total"]) == Decimal("398.00")
    assert order["Customer e-mail"] == ["buyer@acme.example"]
    rows = api.call("GET", f"/api/v1/tables/{t['Order lines']['id']}/rows")["rows"]
    assert sorted(Decimal(r["fields"]["Line total"]) for r in rows) == [
        Decimal("98.00"),
        Decimal("300.00"),
    ]
    customer = api.call("GET", f"/api/v1/tables/{t['Customers']['id']}/rows")["rows"][0]
    assert customer["fields"]["Country"] == "Austria"
    assert Decimal(customer["fields"]["Credit limit"]) == 5000
    assert customer["fields"]["Payment terms"] == 30


@pytest.fixture
def filled_shop(api: Api, workspace_id: int) -> dict[str, Any]:
    shop = _build_shop(api, workspace_id, "My shop (views)")
    t = shop["tables"]

    def add(table: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        body = {"rows": [{"fields": f} for f in rows]}
        created: list[dict[str, Any]] = api.call(
            "POST", f"/api/v1/tables/{t[table]['id']}/rows", body
        )["rows"]
        return created

    today = datetime.date.today()
    (acme,) = add("Customers", [{"Name": "Acme GmbH", "E-mail": "buyer@acme.example"}])
    lamp, chair = add(
        "Products",
        [
            {"Name": "Desk lamp", "SKU": "LAMP-1", "Price": "24.50", "Stock": 10},
            {"Name": "Office chair", "SKU": "CHAIR-1", "Price": "150", "Stock": 5},
        ],
    )
    first, second = add(
        "Orders",
        [
            {
                "Customer": [acme["id"]],
                "Status": "Confirmed",
                "Order date": (today - datetime.timedelta(days=40)).isoformat(),
                "Delivery date": today.isoformat(),
            },
            {"Customer": [acme["id"]], "Status": "New"},
        ],
    )
    add(
        "Order lines",
        [
            {"Order": [first["id"]], "Product": [lamp["id"]], "Quantity": 4},
            {"Order": [second["id"]], "Product": [chair["id"]], "Quantity": 1},
        ],
    )
    return shop


def test_s2_kanban_calendar_gallery_and_form_views_by_clicking(
    page: Page, api: Api, filled_shop: dict[str, Any]
) -> None:
    p = page.page
    p.set_viewport_size(WIDE)
    t = filled_shop["tables"]
    year = datetime.date.today().year
    page.goto(f"/bases/{filled_shop['id']}/tables/{t['Orders']['id']}")

    add_view(page, "Kanban", "By status")
    p.get_by_label("Stack by").select_option(label="Status")
    confirmed = p.get_by_role("region", name="Confirmed")
    expect(confirmed.locator(".kanban-card", has_text=f"ORD-{year}-0001")).to_be_visible()
    expect(p.get_by_role("region", name="New").locator(".kanban-card")).to_have_text(
        re.compile(f"ORD-{year}-0002")
    )
    for status in STATUSES:
        expect(p.get_by_role("region", name=status)).to_be_visible()

    today = datetime.date.today().isoformat()
    add_view(page, "Calendar", "Deliveries")
    day = p.get_by_role("gridcell", name=today)
    day.wait_for()
    # It starts on the first date field, Order date (40 days ago), then shows deliveries.
    expect(p.get_by_label("Date field")).to_have_value(
        str(_by_name(t["Orders"])["Order date"]["id"])
    )
    p.get_by_label("Date field").select_option(label="Delivery date")
    expect(day.get_by_text(f"ORD-{year}-0001")).to_be_visible()
    orders = _by_name(t["Orders"])
    view_id = int(re.search(r"/views/(\d+)", p.url).group(1))  # type: ignore[union-attr]
    assert eventually(
        lambda: (
            _view_config(api, filled_shop["id"], view_id).get("date_field")
            == orders["Delivery date"]["id"]
        )
    )

    add_view(page, "Form", "Order form")
    p.get_by_label("Form title").fill("Place an order")
    palette = p.locator(".form-palette")
    palette.get_by_role("button", name="Customer", exact=True).click()
    designer = p.locator(".form-designer-field")
    expect(designer.filter(has_text="Customer")).to_be_visible()
    expect(designer.filter(has_text="Delivery date")).to_be_visible()
    form_id = int(re.search(r"/views/(\d+)", p.url).group(1))  # type: ignore[union-attr]

    def form_saved() -> bool:
        form = _view_config(api, filled_shop["id"], form_id).get("form") or {}
        chosen = [f["field_id"] for f in form.get("fields", [])]
        return form.get("title") == "Place an order" and orders["Customer"]["id"] in chosen

    assert eventually(form_saved)

    # Products: a picture uploaded in the grid becomes the cover of its gallery card.
    products = _by_name(t["Products"])
    open_table(page, "Products")
    cell = _cell(page, 0, products["Picture"])
    cell.click()
    p.keyboard.press("Enter")
    popup = p.locator(".cell-popup")
    popup.locator('input[type="file"]').set_input_files(
        {"name": "lamp.png", "mimeType": "image/png", "buffer": PNG}
    )
    popup.get_by_text("lamp.png").wait_for()
    popup.get_by_role("button", name="Done").click()
    expect(cell.locator("img")).to_have_count(1)
    add_view(page, "Gallery", "Catalogue")
    p.get_by_label("Cover").select_option(label="Picture")
    lamp = p.get_by_role("button", name="Desk lamp")
    expect(lamp.locator(".gallery-cover img")).to_be_visible()
    expect(p.get_by_role("button", name="Office chair")).to_be_visible()
    rows = api.call("GET", f"/api/v1/tables/{t['Products']['id']}/rows")["rows"]
    lamp_row = next(r for r in rows if r["fields"]["Name"] == "Desk lamp")
    assert [a["name"] for a in lamp_row["fields"]["Picture"]] == ["lamp.png"]


def _view_config(api: Api, base_id: int, view_id: int) -> dict[str, Any]:
    for table in api.call("GET", f"/api/v1/bases/{base_id}/schema")["tables"]:
        for view in table["views"]:
            if view["id"] == view_id:
                config: dict[str, Any] = view["config"]
                return config
    return {}
