"""Documents, import/export, comments, history and trash, as a user clicks through them:
the template editor's live preview (S4), a CSV import with progress and an export, a
comment and a restored row version in the row panel, and a row back from the trash."""

from __future__ import annotations

import csv
import io
import json
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from .conftest import Api, Page, eventually, grid_cell, grid_row

pytestmark = pytest.mark.e2e


def make_table(
    api: Api, workspace_id: int, base_name: str, rows: list[dict[str, Any]]
) -> dict[str, Any]:
    base = api.call("POST", f"/api/v1/workspaces/{workspace_id}/bases", {"name": base_name})
    table = api.call(
        "POST",
        f"/api/v1/bases/{base['id']}/tables",
        {
            "name": "Items",
            "fields": [{"name": "Name", "type": "text"}, {"name": "Qty", "type": "number"}],
        },
    )
    if rows:
        api.call(
            "POST", f"/api/v1/tables/{table['id']}/rows", {"rows": [{"fields": r} for r in rows]}
        )
    return {"base": base, **table}


def rows_of(api: Api, table_id: int) -> list[dict[str, Any]]:
    return list(api.call("GET", f"/api/v1/tables/{table_id}/rows?limit=1000")["rows"])


def open_grid(page: Page, table: dict[str, Any]) -> None:
    page.goto(f"/bases/{table['base']['id']}/tables/{table['id']}")
    page.page.get_by_test_id("row-count").filter(has_text="row").wait_for()


def open_row_panel(page: Page, index: int, title: str) -> Any:
    p = page.page
    grid_cell(page, index, "__row").hover()
    grid_row(page, index).locator(".rownum-expand").click()
    panel = p.get_by_role("dialog", name=f"Row {title}")
    panel.wait_for()
    return panel


def test_edit_a_document_template_and_preview_it_for_a_real_order(
    page: Page, api: Api, workspace_id: int
) -> None:
    base = api.call(
        "POST",
        f"/api/v1/workspaces/{workspace_id}/bases",
        {"name": "Documents e2e", "template": "order_management"},
    )
    doc = next(
        d
        for d in api.call("GET", f"/api/v1/bases/{base['id']}/documents")["items"]
        if d["name"] == "Order confirmation"
    )
    order = rows_of(api, doc["table_id"])[2]
    number = order["fields"]["No."]

    page.goto(f"/bases/{base['id']}")
    p = page.page
    p.get_by_role("link", name="Documents", exact=True).click()
    p.get_by_role("navigation", name="Documents").get_by_role(
        "link", name="Order confirmation"
    ).click()
    frame_el = p.locator("iframe[title='Document preview']")
    frame_el.wait_for()
    # Nothing in a rendered template can run: an empty sandbox, no same-origin.
    assert frame_el.get_attribute("sandbox") == ""
    preview = p.frame_locator("iframe[title='Document preview']")
    expect(preview.locator("h1")).to_contain_text("Order confirmation")

    p.get_by_label("Preview row").select_option(str(order["id"]))
    expect(preview.locator("h1")).to_have_text(f"Order confirmation {number}")

    editor = p.get_by_label("HTML template")
    source = editor.input_value()
    assert "<h1>Order confirmation {{" in source
    editor.fill(source.replace("<h1>Order confirmation {{", "<h1>Confirmed order {{", 1))
    expect(preview.locator("h1")).to_have_text(f"Confirmed order {number}")
    page.shot("document-editor")

    # A template error is shown with its line, and the last good preview stays.
    broken = source.replace("<h1>Order confirmation {{", "<h1>{{ row['No such field'] }} {{", 1)
    editor.fill(broken)
    expect(p.locator(".doc-error")).to_contain_text("line")
    expect(p.locator(".code-line-error")).to_have_count(1)
    editor.fill(source.replace("<h1>Order confirmation {{", "<h1>Confirmed order {{", 1))
    expect(p.locator(".doc-error")).to_have_count(0)

    p.get_by_role("button", name="Save", exact=True).click()
    expect(p.get_by_text("All changes saved")).to_be_visible()
    saved = api.call("GET", f"/api/v1/documents/{doc['id']}")
    assert "<h1>Confirmed order {{" in saved["template"]

    with p.expect_download(timeout=60_000) as download:
        p.get_by_role("button", name="Download PDF").click()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")


def test_import_a_csv_with_progress_then_export_the_view(
    page: Page, api: Api, workspace_id: int, tmp_path: Path
) -> None:
    table = make_table(api, workspace_id, "Import e2e", [{"Name": "Existing", "Qty": 1}])
    upload = tmp_path / "stock.csv"
    upload.write_text(
        "Name,Qty,Colour\nAlpha,3,Red\nBeta,lots,Blue\nGamma,5,Red\n", encoding="utf-8"
    )

    open_grid(page, table)
    p = page.page
    p.get_by_role("button", name="Import", exact=True).click()
    dialog = p.get_by_role("dialog", name="Import into Items")
    dialog.get_by_label("File to import").set_input_files(str(upload))
    # The columns of the same name are mapped; a new field is made for the third.
    expect(dialog.get_by_label("Import column Qty into")).to_have_value("field:Qty")
    dialog.get_by_label("Import column Colour into").select_option("new")
    dialog.get_by_label("Skip rows with errors").check()
    dialog.get_by_role("button", name="Start import").click()

    progress = dialog.get_by_test_id("import-progress")
    expect(progress).to_have_attribute("data-state", "succeeded", timeout=30_000)
    expect(progress).to_contain_text("2 created")
    expect(progress.locator(".import-rejections")).to_contain_text("Qty")
    page.shot("import-finished")
    dialog.get_by_role("button", name="Done").click()

    got = {r["fields"]["Name"]: r["fields"] for r in rows_of(api, table["id"])}
    assert set(got) == {"Existing", "Alpha", "Gamma"}
    assert got["Alpha"]["Qty"] == 3
    assert got["Gamma"]["Colour"] == "Red"

    p.get_by_role("button", name="Export", exact=True).click()
    with p.expect_download() as download:
        p.get_by_role("menuitem", name="CSV", exact=True).click()
    assert download.value.suggested_filename == "Items.csv"
    exported = list(csv.reader(io.StringIO(Path(download.value.path()).read_text("utf-8"))))
    assert exported[0][:2] == ["Name", "Qty"]
    assert sorted(r[:2] for r in exported[1:]) == [
        ["Alpha", "3"],
        ["Existing", "1"],
        ["Gamma", "5"],
    ]


def test_comment_on_a_row_in_the_row_panel(page: Page, api: Api, workspace_id: int) -> None:
    table = make_table(api, workspace_id, "Comments e2e", [{"Name": "Desk", "Qty": 1}])
    row_id = rows_of(api, table["id"])[0]["id"]
    open_grid(page, table)
    panel = open_row_panel(page, 0, "Desk")
    panel.get_by_text("No comments yet.").wait_for()
    panel.get_by_label("New comment").fill("Customer wants <b>oak</b>, not beech")
    panel.get_by_role("button", name="Comment", exact=True).click()
    comment = panel.get_by_test_id("comment")
    expect(comment).to_contain_text("Customer wants <b>oak</b>, not beech")
    assert panel.locator(".comment-body b").count() == 0
    comments = api.call("GET", f"/api/v1/tables/{table['id']}/rows/{row_id}/comments")["items"]
    assert [c["body"] for c in comments] == ["Customer wants <b>oak</b>, not beech"]

    comment.get_by_role("button", name="Delete comment").click()
    confirm = page.page.get_by_role("dialog", name="Delete this comment?")
    confirm.get_by_role("button", name="Delete comment").click()
    expect(panel.get_by_test_id("comment")).to_have_count(0)
    assert api.call("GET", f"/api/v1/tables/{table['id']}/rows/{row_id}/comments")["items"] == []


def test_restore_an_earlier_version_from_the_history(
    page: Page, api: Api, workspace_id: int
) -> None:
    table = make_table(api, workspace_id, "History e2e", [{"Name": "Desk", "Qty": 1}])
    row_id = rows_of(api, table["id"])[0]["id"]
    for qty in (2, 3):
        api.call("PATCH", f"/api/v1/tables/{table['id']}/rows/{row_id}", {"fields": {"Qty": qty}})

    open_grid(page, table)
    panel = open_row_panel(page, 0, "Desk")
    entry = panel.get_by_test_id("history-entry").filter(has_text="Qty: 1 → 2")
    entry.get_by_role("button", name="Restore this version").click()
    page.page.get_by_role("button", name="Restore", exact=True).click()

    assert eventually(lambda: rows_of(api, table["id"])[0]["fields"]["Qty"] == 2)
    expect(panel.get_by_test_id("history-entry").first).to_contain_text("Qty: 3 → 2")
    page.shot("row-panel-history")
    qty = next(f["id"] for f in table["fields"] if f["name"] == "Qty")
    cell = grid_cell(page, 0, qty)
    expect(cell).to_have_text("2")


def test_restore_a_deleted_row_from_the_trash(page: Page, api: Api, workspace_id: int) -> None:
    table = make_table(
        api, workspace_id, "Trash e2e", [{"Name": "Keep", "Qty": 1}, {"Name": "Lamp", "Qty": 4}]
    )
    open_grid(page, table)
    p = page.page
    panel = open_row_panel(page, 1, "Lamp")
    panel.get_by_role("button", name="Delete", exact=True).click()
    p.get_by_role("button", name="Delete row").click()
    assert eventually(lambda: len(rows_of(api, table["id"])) == 1)

    p.get_by_role("link", name="Trash", exact=True).click()
    item = p.get_by_test_id("trash-item").filter(has_text="Lamp")
    expect(item).to_contain_text("row")
    page.shot("trash")
    item.get_by_role("button", name="Restore row Lamp").click()
    expect(p.get_by_test_id("trash-item").filter(has_text="Lamp")).to_have_count(0)

    restored = {r["fields"]["Name"]: r["fields"]["Qty"] for r in rows_of(api, table["id"])}
    assert restored == {"Keep": 1, "Lamp": 4}


def upload_csv(api: Api, path: str, content: str) -> Any:
    """A multipart import through the API (the JSON client cannot send files)."""
    boundary = "tk-e2e-boundary"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="data.csv"\r\n'
        f"Content-Type: text/csv\r\n\r\n{content}\r\n--{boundary}--\r\n"
    ).encode()
    req = urllib.request.Request(api.base_url + path, data=body, method="POST")
    req.add_header("Content-Type", f"multipart/form-data; boundary={boundary}")
    req.add_header("X-CSRF-Token", api.csrf)
    with api.opener.open(req, timeout=30) as res:
        return json.loads(res.read())


def test_activity_log_lists_row_changes_by_table(page: Page, api: Api, workspace_id: int) -> None:
    table = make_table(api, workspace_id, "Activity e2e", [{"Name": "Chair", "Qty": 1}])
    other = api.call(
        "POST",
        f"/api/v1/bases/{table['base']['id']}/tables",
        {"name": "Notes", "fields": [{"name": "Title", "type": "text"}]},
    )
    api.call("POST", f"/api/v1/tables/{other['id']}/rows", {"rows": [{"fields": {"Title": "Hi"}}]})
    row_id = rows_of(api, table["id"])[0]["id"]
    api.call("PATCH", f"/api/v1/tables/{table['id']}/rows/{row_id}", {"fields": {"Qty": 7}})

    page.goto(f"/bases/{table['base']['id']}")
    p = page.page
    p.get_by_role("link", name="Activity", exact=True).click()
    items = p.get_by_test_id("activity-item")
    expect(items).to_have_count(3)
    expect(items.first).to_contain_text("Qty: 1 → 7")
    expect(items.filter(has_text="Notes")).to_have_count(1)
    page.shot("activity")

    p.get_by_label("Filter by table").select_option(label="Notes")
    expect(items).to_have_count(1)
    expect(items.first).to_contain_text("Created")


def test_activity_log_shows_an_import_as_one_entry(page: Page, api: Api, workspace_id: int) -> None:
    table = make_table(api, workspace_id, "Activity import e2e", [])
    job = upload_csv(api, f"/api/v1/tables/{table['id']}/import", "Name,Qty\nStool,2\nBench,1\n")
    assert eventually(
        lambda: api.call("GET", f"/api/v1/jobs/{job['job_id']}")["status"] == "succeeded"
    )
    page.goto(f"/bases/{table['base']['id']}/activity")
    item = page.page.get_by_test_id("activity-item").filter(has_text="Imported")
    expect(item).to_contain_text("2 rows created")
