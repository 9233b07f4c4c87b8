"""S1 in the browser: `tablekit serve` on a fresh data dir creates the admin, prints the
login and installs the bundled Order management and Warehouse templates with their data."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from .conftest import DIST, Api, Page, _unavailable, open_table, running_server

pytestmark = pytest.mark.e2e

# --- S1: first start ---------------------------------------------------------------------


@dataclass
class FirstStart:
    url: str
    data_dir: Path
    email: str
    password: str
    output: str


@pytest.fixture(scope="session")
def first_start(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FirstStart]:
    """`tablekit serve` on an empty data dir, with no user created beforehand: what a shop
    owner gets after `make run` on a fresh machine."""
    if os.environ.get("TABLEKIT_E2E_URL"):
        pytest.skip("S1 needs a fresh server of its own, not TABLEKIT_E2E_URL")
    if not DIST.exists():
        _unavailable("the web app is not built (run `make frontend`)")
    data_dir = tmp_path_factory.mktemp("tk-first-start")
    env = {**os.environ, "TABLEKIT_DATA_DIR": str(data_dir)}
    env.pop("TABLEKIT_DATABASE_URL", None)
    # The first start installs two templates with their data: give it longer.
    with running_server(data_dir, env, timeout=120) as url:
        saved = (data_dir / "initial-admin.txt").read_text()
        login = dict(line.split(": ", 1) for line in saved.splitlines() if ": " in line)
        output = (data_dir / "server.log").read_text()
        yield FirstStart(url, data_dir, login["e-mail"], login["password"], output)


@pytest.fixture
def owner_page(browser: Any, first_start: FirstStart) -> Iterator[Page]:
    """The shop owner's browser, signed in with the login the first start printed."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(15_000)
    page = Page(context.new_page(), first_start.url)
    page.goto("/")
    page.page.wait_for_url(re.compile(r"/login"))
    page.page.fill("#email", first_start.email)
    page.page.fill("#password", first_start.password)
    page.page.click("button[type=submit]")
    page.page.wait_for_url(lambda u: "/login" not in u)
    yield page
    context.close()
    assert not page.problems, page.problems
    assert not page.dialogs, f"unexpected dialogs: {page.dialogs}"


def test_first_start_prints_the_login_and_saves_it(first_start: FirstStart) -> None:
    saved = first_start.data_dir / "initial-admin.txt"
    assert saved.stat().st_mode & 0o077 == 0, "the saved login is readable by others"
    assert f"{first_start.email} / {first_start.password}" in first_start.output
    assert str(saved) in first_start.output
    assert f"running at {first_start.url}" in first_start.output


def _open_base(page: Page, name: str) -> int:
    p = page.page
    page.goto("/")
    p.get_by_role("link", name=re.compile(re.escape(name))).click()
    p.wait_for_url(re.compile(r"/bases/\d+/tables/\d+/views/\d+"))
    return int(re.search(r"/bases/(\d+)", p.url).group(1))  # type: ignore[union-attr]


def _open_view(page: Page, name: str) -> None:
    p = page.page
    p.locator(".view-switcher").click()
    p.get_by_role("menu", name="Views").get_by_role("menuitem", name=name, exact=True).click()
    p.locator(".view-switcher", has_text=name).wait_for()


def _check_base_screens(page: Page, api: Api, base_id: int, rule: str, document: str) -> None:
    """The base's automations and documents screens list what the template bundled (all of
    it, and at least ``rule`` and ``document``)."""
    p = page.page
    rules = [r["name"] for r in api.call("GET", f"/api/v1/bases/{base_id}/rules")["items"]]
    docs = [d["name"] for d in api.call("GET", f"/api/v1/bases/{base_id}/documents")["items"]]
    assert rule in rules and document in docs

    p.get_by_role("link", name="Automations").click()
    p.wait_for_url(re.compile(rf"/bases/{base_id}/automations"))
    listing = p.get_by_role("complementary", name="Automations")
    for name in rules:
        expect(listing.get_by_text(name, exact=True)).to_be_visible()
    expect(listing.locator(".rule-item")).to_have_count(len(rules))

    p.get_by_role("link", name="Documents", exact=True).click()
    p.wait_for_url(re.compile(rf"/bases/{base_id}/documents"))
    listing = p.get_by_role("navigation", name="Documents")
    for name in docs:
        expect(listing.get_by_text(name, exact=True)).to_be_visible()
    expect(listing.get_by_role("link")).to_have_count(len(docs))
    # The first document opens in the editor.
    p.wait_for_url(re.compile(rf"/bases/{base_id}/documents/\d+"))


@pytest.fixture
def owner_api(first_start: FirstStart) -> Api:
    api = Api(first_start.url)
    api.login(first_start.email, first_start.password)
    return api


def test_first_start_home_shows_the_two_template_bases(owner_page: Page, owner_api: Api) -> None:
    p = owner_page.page
    p.get_by_role("heading", name="Your bases").wait_for()
    for name in ("Order management", "Warehouse"):
        expect(p.get_by_role("link", name=re.compile(name))).to_be_visible()
    workspace = owner_api.call("GET", "/api/v1/me")["memberships"][0]["workspace_id"]
    bases = owner_api.call("GET", f"/api/v1/workspaces/{workspace}/bases")["items"]
    assert sorted(b["name"] for b in bases) == ["Order management", "Warehouse"]
    owner_page.shot("home")


def test_first_start_order_management_has_orders_views_rules_and_documents(
    owner_page: Page, owner_api: Api
) -> None:
    page, p = owner_page, owner_page.page
    base_id = _open_base(page, "Order management")
    p.get_by_role("tab", name="Orders", exact=True).click()
    p.locator(".view-switcher", has_text="Where orders stand").wait_for()
    order_no = re.compile(r"ORD-\d{4}-\d{4}")
    p.locator(".ag-cell", has_text=order_no).first.wait_for()
    assert p.locator(".ag-cell", has_text=order_no).count() >= 3
    expect(p.get_by_test_id("row-count")).to_have_text(re.compile(r"\d+ rows"))
    page.shot("orders-grid")

    _open_view(page, "Order form")
    expect(p.get_by_label("Form title")).to_have_value("Place an order")
    designer = p.locator(".form-designer-field")
    for field in ("Customer", "Lines", "Delivery date"):
        expect(designer.filter(has_text=field).first).to_be_visible()
    page.shot("order-form")

    _check_base_screens(
        page, owner_api, base_id, "Send the order confirmation", "Order confirmation"
    )

    # Back to the orders (the table tabs stay on the base's screens), on the kanban.
    open_table(page, "Orders")
    _open_view(page, "Open orders")
    cards = p.locator(".kanban-card", has_text=order_no)
    cards.first.wait_for()
    assert cards.count() >= 2
    for status in ("New", "Confirmed", "Shipped"):
        expect(p.get_by_role("region", name=status)).to_be_visible()
    # The view's filter keeps finished orders off the board.
    expect(p.get_by_role("region", name="Paid").locator(".kanban-card")).to_have_count(0)
    page.shot("orders-kanban")


def test_first_start_warehouse_has_items_with_stock_rules_and_documents(
    owner_page: Page, owner_api: Api
) -> None:
    page, p = owner_page, owner_page.page
    base_id = _open_base(page, "Warehouse")
    p.get_by_role("tab", name="Items", exact=True).click()
    p.locator(".ag-cell", has_text=re.compile(r"WH-\d+")).first.wait_for()
    expect(p.get_by_test_id("row-count")).to_have_text(re.compile(r"\d+ rows"))
    schema = owner_api.call("GET", f"/api/v1/bases/{base_id}/schema")
    items = next(t for t in schema["tables"] if t["name"] == "Items")
    rows = owner_api.call("GET", f"/api/v1/tables/{items['id']}/rows?limit=5")["rows"]
    # On-hand stock is the sum of the sample stock movements.
    assert len(rows) == 5 and all(r["fields"]["On hand"] is not None for r in rows)
    assert any(r["fields"]["On hand"] for r in rows)
    _check_base_screens(
        page,
        owner_api,
        base_id,
        "Below minimum stock - notify purchasing and draft a purchase order",
        "Purchase order",
    )
