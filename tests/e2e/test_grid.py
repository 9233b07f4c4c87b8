"""The grid: user data stays text, edits save with optimistic concurrency, filters apply."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from .conftest import Api, Page, eventually, grid_cell, grid_row, slow_network

pytestmark = pytest.mark.e2e

XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture
def table(api: Api, workspace_id: int) -> dict:  # type: ignore[type-arg]
    base = api.call("POST", f"/api/v1/workspaces/{workspace_id}/bases", {"name": "Grid e2e"})
    t = api.call(
        "POST",
        f"/api/v1/bases/{base['id']}/tables",
        {
            "name": "Items",
            "fields": [
                {"name": "Name", "type": "text"},
                {"name": "Stock", "type": "number"},
                {
                    "name": "Status",
                    "type": "single_select",
                    "options": {
                        "choices": [
                            {"name": "New", "color": "blue"},
                            {"name": "Paid", "color": "green"},
                        ]
                    },
                },
                {"name": "Site", "type": "url"},
            ],
        },
    )
    rows = [{"fields": {"Name": XSS, "Stock": 1, "Status": "New", "Site": "https://example.com/a"}}]
    rows += [{"fields": {"Name": f"Item {i}", "Stock": i, "Status": "Paid"}} for i in range(2, 250)]
    api.call("POST", f"/api/v1/tables/{t['id']}/rows", {"rows": rows})
    return {"base": base, **t}


def field_id(table: dict, name: str) -> int:  # type: ignore[type-arg]
    return next(f["id"] for f in table["fields"] if f["name"] == name)


def open_grid(page: Page, table: dict) -> None:  # type: ignore[type-arg]
    page.goto(f"/bases/{table['base']['id']}/tables/{table['id']}")
    page.page.get_by_test_id("row-count").filter(has_text="rows").wait_for()


def test_markup_in_cells_is_shown_as_text(page: Page, table: dict) -> None:  # type: ignore[type-arg]
    open_grid(page, table)
    p = page.page
    name = grid_cell(page, 0, field_id(table, "Name"))
    expect(name).to_have_text(XSS)
    assert p.locator(".ag-root img").count() == 0
    site = grid_cell(page, 0, field_id(table, "Site")).locator("a")
    assert site.get_attribute("href") == "https://example.com/a"
    assert "noopener" in (site.get_attribute("rel") or "")
    assert page.dialogs == []


def test_row_count_and_scrolling_through_pages(page: Page, table: dict) -> None:  # type: ignore[type-arg]
    open_grid(page, table)
    p = page.page
    assert p.get_by_test_id("row-count").inner_text() == "249 rows"
    p.locator(".ag-body-viewport").evaluate("el => el.scrollTop = el.scrollHeight")
    last = p.locator('.ag-pinned-left-cols-container .ag-row[row-index="248"]')
    last.get_by_text("Item 249").wait_for()


def test_version_conflict_reloads_the_row_with_a_notice(page: Page, api: Api, table: dict) -> None:  # type: ignore[type-arg]
    open_grid(page, table)
    p = page.page
    stock = field_id(table, "Stock")
    row = api.call("GET", f"/api/v1/tables/{table['id']}/rows?keys=id&limit=1")["rows"][0]
    # someone else edits the row after the grid loaded it
    api.call(
        "PATCH",
        f"/api/v1/tables/{table['id']}/rows/{row['id']}?keys=id",
        {"fields": {f"f_{stock}": 77}},
    )
    cell = grid_cell(page, 0, stock)
    cell.click()
    p.keyboard.type("5")
    p.keyboard.press("Enter")
    p.get_by_text("Someone else changed this row").wait_for()
    expect(cell).to_have_text("77")


def test_quick_edits_of_one_row_all_save_on_a_slow_network(
    page: Page,
    api: Api,
    table: dict[str, Any],
) -> None:
    """The second edit is made before the first one's answer is back: it must go out with
    the version the first one produced, not conflict with our own edit."""
    open_grid(page, table)
    p = page.page
    row_id = api.call("GET", f"/api/v1/tables/{table['id']}/rows?keys=id&limit=1")["rows"][0]["id"]
    name, stock = field_id(table, "Name"), field_id(table, "Stock")
    row = p.locator(f'.ag-row[row-id="{row_id}"]')
    slow_network(page, 400)
    for col, text in ((name, "Quick"), (stock, "42")):
        row.locator(f'.ag-cell[col-id="{col}"]').click()
        p.keyboard.type(text)
        p.keyboard.press("Enter")
    expect(row.locator(f'.ag-cell[col-id="{name}"]')).to_have_text("Quick")

    def saved() -> dict[str, Any] | None:
        fields: dict[str, Any] = api.call(
            "GET", f"/api/v1/tables/{table['id']}/rows/{row_id}?keys=id"
        )["fields"]
        return fields if fields[f"f_{stock}"] == 42 else None

    fields = eventually(saved)
    assert fields and fields[f"f_{name}"] == "Quick", fields
    expect(row.locator(f'.ag-cell[col-id="{stock}"]')).to_have_text("42")
    assert p.get_by_text("Someone else changed this row").count() == 0


def test_filter_builder_narrows_the_rows(page: Page, table: dict) -> None:  # type: ignore[type-arg]
    open_grid(page, table)
    p = page.page
    p.get_by_role("button", name="Filter").click()
    p.get_by_role("button", name="Add condition").click()
    p.get_by_label("Field", exact=True).select_option(label="Stock")
    p.get_by_label("Operator").select_option("lt")
    p.get_by_label("Value").fill("10")
    p.get_by_test_id("row-count").filter(has_text="9 rows").wait_for()
    page.shot("grid-filter")
    p.keyboard.press("Escape")


def test_single_select_editor_and_row_panel(page: Page, api: Api, table: dict) -> None:  # type: ignore[type-arg]
    open_grid(page, table)
    p = page.page
    status = field_id(table, "Status")
    cell = grid_cell(page, 1, status)
    cell.dblclick()
    p.locator(".cell-popup [role=option]", has_text="New").click()
    expect(cell).to_have_text("New")
    grid_cell(page, 1, "__row").hover()
    grid_row(page, 1).locator(".rownum-expand").click()
    panel = p.get_by_role("dialog", name="Row Item 2")
    panel.get_by_text("History").wait_for()
    panel.get_by_text("Status: Paid → New").wait_for()
    page.shot("row-panel")
