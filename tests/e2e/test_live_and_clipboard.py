"""Live updates and range copy/paste/undo in the grid, in a real browser against a real server.

Another user edits through the API while the grid is open: the grid follows without a
reload. A 2x2 block pasted from the clipboard is written as one batch, and Ctrl+Z puts the
old values back, unless someone else changed the row meanwhile.
"""

from __future__ import annotations

import os
import subprocess
import uuid
from typing import Any

import pytest
from playwright.sync_api import expect

from .conftest import Api, Page, _tablekit, eventually, grid_cell

pytestmark = pytest.mark.e2e

OTHER_PASSWORD = "other-user-pw-1"


@pytest.fixture
def other(
    server: str, api: Api, workspace_id: int, tmp_path_factory: pytest.TempPathFactory
) -> Api:
    """A second user, admin of the test workspace, signed in through the API."""
    if os.environ.get("TABLEKIT_E2E_URL"):
        pytest.skip("needs the server's data dir to create a second user")
    base = tmp_path_factory.getbasetemp()
    data_dirs = sorted({p.parent.resolve() for p in base.glob("tk-e2e*/tablekit.db")})
    assert len(data_dirs) == 1, data_dirs
    email = f"other-{uuid.uuid4().hex[:8]}@example.com"
    subprocess.run(
        [*_tablekit(), "create-user", "--email", email, "--password", OTHER_PASSWORD],
        env={**os.environ, "TABLEKIT_DATA_DIR": str(data_dirs[0])},
        check=True,
        capture_output=True,
    )
    api.call(
        "POST", f"/api/v1/workspaces/{workspace_id}/members", {"email": email, "role": "admin"}
    )
    client = Api(server)
    client.login(email, OTHER_PASSWORD)
    return client


@pytest.fixture
def table(api: Api, workspace_id: int) -> dict[str, Any]:
    base = api.call("POST", f"/api/v1/workspaces/{workspace_id}/bases", {"name": "Live e2e"})
    t = api.call(
        "POST",
        f"/api/v1/bases/{base['id']}/tables",
        {
            "name": "Stock",
            "fields": [{"name": "Name", "type": "text"}, {"name": "Qty", "type": "number"}],
        },
    )
    rows = [{"fields": {"Name": f"Item {i}", "Qty": i}} for i in range(1, 6)]
    created = api.call("POST", f"/api/v1/tables/{t['id']}/rows?keys=id", {"rows": rows})
    return {"base": base, "row_ids": [r["id"] for r in created["rows"]], **t}


def fid(table: dict[str, Any], name: str) -> int:
    return next(f["id"] for f in table["fields"] if f["name"] == name)


def open_live_grid(page: Page, table: dict[str, Any]) -> None:
    page.page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=page.url)
    page.goto(f"/bases/{table['base']['id']}/tables/{table['id']}")
    page.page.get_by_test_id("row-count").filter(has_text="rows").wait_for()
    expect(page.page.get_by_test_id("live-indicator")).to_have_attribute("data-status", "live")


def rows_by_id(api: Api, table: dict[str, Any]) -> dict[int, dict[str, Any]]:
    rows = api.call("GET", f"/api/v1/tables/{table['id']}/rows?limit=100")["rows"]
    return {r["id"]: r["fields"] for r in rows}


def test_another_users_edits_show_up_without_a_reload(
    page: Page, api: Api, other: Api, table: dict[str, Any]
) -> None:
    open_live_grid(page, table)
    p = page.page
    first = table["row_ids"][0]
    path = f"/api/v1/tables/{table['id']}/rows"
    other.call("PATCH", f"{path}/{first}", {"fields": {"Qty": 77}})
    expect(grid_cell(page, 0, fid(table, "Qty"))).to_have_text("77")
    other.call("POST", path, {"rows": [{"fields": {"Name": "Added elsewhere", "Qty": 6}}]})
    expect(p.get_by_test_id("row-count")).to_have_text("6 rows")
    p.get_by_text("Added elsewhere").wait_for()
    other.call("POST", f"/api/v1/tables/{table['id']}/fields", {"name": "Colour", "type": "text"})
    p.locator(".ag-header-cell", has_text="Colour").wait_for()
    page.shot("grid-live")


def test_rows_added_elsewhere_keep_the_scroll_position(
    page: Page, api: Api, other: Api, table: dict[str, Any]
) -> None:
    path = f"/api/v1/tables/{table['id']}/rows"
    more = [{"fields": {"Name": f"More {i}", "Qty": i}} for i in range(195)]
    created = api.call("POST", f"{path}?keys=id", {"rows": more})["rows"]
    open_live_grid(page, table)
    p = page.page
    viewport = p.locator(".ag-body-viewport")
    viewport.evaluate("el => el.scrollTop = 4000")  # about row 110 at 36 px a row
    p.get_by_text("More 110", exact=True).wait_for()
    top = viewport.evaluate("el => el.scrollTop")
    other.call("POST", path, {"rows": [{"fields": {"Name": "New elsewhere"}}]})
    other.call("PATCH", f"{path}/{created[110]['id']}", {"fields": {"Name": "Changed by other"}})
    expect(p.get_by_test_id("row-count")).to_have_text("201 rows")
    p.get_by_text("Changed by other", exact=True).wait_for()
    assert abs(viewport.evaluate("el => el.scrollTop") - top) < 2


def test_an_edit_that_races_someone_elses_keeps_the_editor_and_tells_the_user(
    page: Page, other: Api, table: dict[str, Any]
) -> None:
    open_live_grid(page, table)
    p = page.page
    qty = grid_cell(page, 1, fid(table, "Qty"))
    qty.dblclick()
    editor = qty.locator("input")
    editor.fill("5")
    other.call(
        "PATCH", f"/api/v1/tables/{table['id']}/rows/{table['row_ids'][1]}", {"fields": {"Qty": 42}}
    )
    p.get_by_text('Someone else just changed "Qty"').wait_for()
    expect(editor).to_have_value("5")  # the editor was not clobbered
    p.keyboard.press("Enter")
    p.get_by_text("Someone else changed this row meanwhile").wait_for()
    expect(qty).to_have_text("42")


def test_typing_goes_on_while_someone_else_adds_a_row(
    page: Page, api: Api, other: Api, table: dict[str, Any]
) -> None:
    """The new row reloads the loaded blocks and the row count, and the grid renders again:
    none of that may close the editor or drop what is being typed."""
    open_live_grid(page, table)
    p = page.page
    name = grid_cell(page, 0, fid(table, "Name"))
    name.click()
    p.keyboard.type("Half", delay=30)
    editor = name.locator("input")
    expect(editor).to_have_value("Half")
    other.call("POST", f"/api/v1/tables/{table['id']}/rows", {"rows": [{"fields": {"Qty": 6}}]})
    expect(p.get_by_test_id("row-count")).to_have_text("6 rows")
    p.keyboard.type(" done", delay=30)
    expect(editor).to_have_value("Half done")
    p.keyboard.press("Enter")
    first = table["row_ids"][0]
    assert eventually(lambda: rows_by_id(api, table)[first]["Name"] == "Half done")


def test_paste_a_block_copy_it_back_and_undo(page: Page, api: Api, table: dict[str, Any]) -> None:
    open_live_grid(page, table)
    p = page.page
    name, qty = fid(table, "Name"), fid(table, "Qty")
    first, second = table["row_ids"][:2]
    grid_cell(page, 0, name).click()
    p.evaluate("text => navigator.clipboard.writeText(text)", "Pasted A\t11\nPasted B\t22\n")
    p.keyboard.press("Control+V")
    p.get_by_text("Pasted 2 \u00d7 2 cells").wait_for()
    rows = rows_by_id(api, table)
    assert (rows[first]["Name"], rows[first]["Qty"]) == ("Pasted A", 11)
    assert (rows[second]["Name"], rows[second]["Qty"]) == ("Pasted B", 22)
    assert rows[table["row_ids"][2]]["Name"] == "Item 3"
    expect(grid_cell(page, 1, qty)).to_have_text("22")
    expect(p.locator(".ag-cell.cell-in-range")).to_have_count(4)  # the pasted block stays selected

    # Shift+click selects a range; Ctrl+C puts its text on the clipboard as TSV.
    grid_cell(page, 1, name).click()
    grid_cell(page, 2, qty).click(modifiers=["Shift"])
    expect(p.locator(".ag-cell.cell-in-range")).to_have_count(4)
    p.keyboard.press("Control+C")
    assert eventually(
        lambda: p.evaluate("navigator.clipboard.readText()") == "Pasted B\t22\nItem 3\t3"
    )

    p.keyboard.press("Control+Z")
    p.get_by_text("Undid the paste of 2 \u00d7 2 cells").wait_for()
    rows = rows_by_id(api, table)
    assert (rows[first]["Name"], rows[first]["Qty"]) == ("Item 1", 1)
    assert (rows[second]["Name"], rows[second]["Qty"]) == ("Item 2", 2)
    expect(grid_cell(page, 0, name)).to_have_text("Item 1")


def test_undo_button_restores_an_edit_but_never_overwrites_someone_else(
    page: Page, api: Api, other: Api, table: dict[str, Any]
) -> None:
    open_live_grid(page, table)
    p = page.page
    qty = fid(table, "Qty")
    third, fourth = table["row_ids"][2:4]
    undo = p.get_by_test_id("grid-undo")
    expect(undo).to_be_disabled()

    grid_cell(page, 2, qty).click()
    p.keyboard.type("30")
    p.keyboard.press("Enter")
    expect(undo).to_be_enabled()
    assert eventually(lambda: rows_by_id(api, table)[third]["Qty"] == 30)
    assert undo.get_attribute("title") == "Undo edit of Qty (Ctrl+Z)"
    undo.click()
    p.get_by_text("Undid the edit of Qty").wait_for()
    assert rows_by_id(api, table)[third]["Qty"] == 3

    grid_cell(page, 3, qty).click()
    p.keyboard.type("40")
    p.keyboard.press("Enter")
    assert eventually(lambda: rows_by_id(api, table)[fourth]["Qty"] == 40)
    other.call("PATCH", f"/api/v1/tables/{table['id']}/rows/{fourth}", {"fields": {"Qty": 44}})
    expect(grid_cell(page, 3, qty)).to_have_text("44")
    undo.click()
    p.get_by_text("Could not undo the edit of Qty: someone else changed the row since").wait_for()
    assert rows_by_id(api, table)[fourth]["Qty"] == 44
