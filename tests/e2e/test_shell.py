"""The shell: sign in, bases, tables, tokens and members, all by clicking."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import Api, Page, eventually

pytestmark = pytest.mark.e2e


def test_sign_in_shows_the_workspace_and_signs_out(page: Page) -> None:
    p = page.page
    p.get_by_role("heading", name="Your bases").wait_for()
    page.shot("home-workspace")
    p.get_by_role("button", name="User menu").click()
    p.get_by_role("menuitem", name="Sign out").click()
    p.wait_for_url(re.compile(r"/login"))
    page.goto("/")
    p.wait_for_url(re.compile(r"/login\?next=%2F"))


def test_wrong_password_is_explained(browser, server: str) -> None:  # type: ignore[no-untyped-def]
    ctx = browser.new_context()
    p = ctx.new_page()
    p.goto(server + "/login")
    p.fill("#email", "admin@example.com")
    p.fill("#password", "nope")
    p.click("button[type=submit]")
    p.get_by_role("alert").wait_for()
    assert "/login" in p.url
    ctx.close()


def test_create_a_base_with_a_table_and_fields_by_clicking(
    page: Page, api: Api, workspace_id: int
) -> None:
    p = page.page
    p.get_by_role("button", name="New base").first.click()
    p.fill("#base-name", "E2E shop")
    p.get_by_role("button", name="Create base").click()
    p.wait_for_url(re.compile(r"/bases/\d+"))
    base_id = int(re.search(r"/bases/(\d+)", p.url).group(1))  # type: ignore[union-attr]

    p.get_by_role("button", name="Add table").click()
    p.fill("#prompt-input", "Products")
    p.get_by_role("button", name="Create table").click()
    p.get_by_role("tab", name="Products").wait_for()
    p.wait_for_url(re.compile(r"/views/\d+"))

    p.get_by_role("button", name="Add field").click()
    p.fill("#field-name", "Price")
    p.select_option("#field-type", "currency")
    p.get_by_role("button", name="Add field").last.click()
    p.get_by_role("button", name="Add field").last.wait_for()  # dialog closed, toolbar button left
    p.locator(".ag-header-cell", has_text="Price").wait_for()

    p.get_by_role("button", name="Add row").click()
    p.get_by_role("dialog", name=re.compile("Row")).wait_for()
    p.keyboard.press("Escape")

    schema = api.call("GET", f"/api/v1/bases/{base_id}/schema")
    table = next(t for t in schema["tables"] if t["name"] == "Products")
    price = next(f for f in table["fields"] if f["name"] == "Price")
    assert price["type"] == "currency"
    primary = table["primary_field_id"]
    row_id = api.call("GET", f"/api/v1/tables/{table['id']}/rows?keys=id")["rows"][0]["id"]
    row = p.locator(f'.ag-row[row-id="{row_id}"]')  # loaded, not a loading placeholder
    cell = row.locator(f'.ag-cell[col-id="{primary}"]')
    cell.click()
    p.keyboard.type("Blue widget")
    p.keyboard.press("Enter")
    cell = row.locator(f'.ag-cell[col-id="{price["id"]}"]')
    cell.click()
    p.keyboard.type("12,5")
    p.keyboard.press("Enter")
    expect(cell).to_contain_text("12.50")
    page.shot("grid")

    def saved() -> bool:
        rows = api.call("GET", f"/api/v1/tables/{table['id']}/rows?keys=id")["rows"]
        cells = rows[0]["fields"]
        return cells[f"f_{primary}"] == "Blue widget" and cells[f"f_{price['id']}"] == "12.50"

    assert eventually(saved)


def test_api_token_is_shown_once_and_can_be_revoked(page: Page, api: Api) -> None:
    p = page.page
    page.goto("/tokens")
    p.get_by_role("button", name="New token").first.click()
    p.fill("#token-name", "Webshop sync")
    p.get_by_role("button", name="Create token").click()
    token = p.get_by_test_id("new-token").inner_text()
    assert len(token) > 16
    page.shot("token-created")
    p.get_by_role("button", name="Done").click()
    p.get_by_role("cell", name="Webshop sync").wait_for()
    assert token not in p.content()
    p.get_by_role("button", name="Revoke").click()
    p.get_by_role("dialog").get_by_role("button", name="Revoke").click()
    p.get_by_text("No tokens yet").wait_for()
    assert api.call("GET", "/api/v1/tokens")["items"] == []


def test_members_page_lists_and_adds_members(page: Page, workspace_id: int) -> None:
    p = page.page
    page.goto(f"/workspaces/{workspace_id}/members")
    p.get_by_role("cell", name="admin@example.com").wait_for()
    p.fill("#member-email", "nobody-here@example.com")
    p.get_by_role("button", name="Add").click()
    p.get_by_role("alert").wait_for()  # no such account: the server's message is shown
