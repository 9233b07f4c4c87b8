"""Form, kanban, calendar and gallery views, and the public pages behind share links."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest

from .conftest import Api, Page, add_view, eventually

pytestmark = pytest.mark.e2e


@pytest.fixture
def orders(api: Api, workspace_id: int) -> dict[str, Any]:
    base = api.call("POST", f"/api/v1/workspaces/{workspace_id}/bases", {"name": "Views e2e"})
    t = api.call(
        "POST",
        f"/api/v1/bases/{base['id']}/tables",
        {
            "name": "Orders",
            "fields": [
                {"name": "Title", "type": "text"},
                {
                    "name": "Status",
                    "type": "single_select",
                    "options": {
                        "choices": [
                            {"name": "New", "color": "blue"},
                            {"name": "Confirmed", "color": "teal"},
                        ]
                    },
                },
                {"name": "Delivery", "type": "date"},
                {"name": "Quantity", "type": "number"},
            ],
        },
    )
    api.call(
        "POST",
        f"/api/v1/tables/{t['id']}/rows",
        {
            "rows": [
                {
                    "fields": {
                        "Title": "First order",
                        "Status": "New",
                        "Delivery": "2026-11-10",
                        "Quantity": 2,
                    }
                },
            ]
        },
    )
    return {"base": base, **t}


def open_and_add_view(page: Page, table: dict[str, Any], kind: str, name: str) -> None:
    page.goto(f"/bases/{table['base']['id']}/tables/{table['id']}")
    add_view(page, kind, name)


def test_public_form_submission_creates_a_row(
    page: Page, api: Api, browser: Any, orders: dict[str, Any]
) -> None:
    open_and_add_view(page, orders, "Form", "Order form")
    p = page.page
    p.get_by_label("Form title").fill("Place an order")
    p.get_by_role("button", name="Share form").click()
    url = p.get_by_test_id("share-url").inner_text()
    assert re.search(r"/s/[\w-]+$", url)
    page.shot("form-designer")

    visitor = browser.new_context()  # not signed in
    v = visitor.new_page()
    v.goto(url)
    v.get_by_role("heading", name="Place an order").wait_for()
    v.get_by_label("Title").fill("From the web")
    v.get_by_role("option", name="Confirmed").click()
    v.get_by_label("Quantity").fill("3")
    v.get_by_role("button", name="Submit").click()
    v.get_by_role("status").wait_for()
    visitor.close()

    rows = api.call("GET", f"/api/v1/tables/{orders['id']}/rows")["rows"]
    new = next(r for r in rows if r["fields"]["Title"] == "From the web")
    assert new["fields"]["Status"] == "Confirmed"
    assert new["fields"]["Quantity"] == 3


def test_kanban_drag_changes_the_status(page: Page, api: Api, orders: dict[str, Any]) -> None:
    open_and_add_view(page, orders, "Kanban", "Board")
    p = page.page
    card = p.locator(".kanban-card", has_text="First order")
    card.wait_for()
    page.shot("kanban")
    card.drag_to(p.get_by_role("region", name="Confirmed"))
    p.get_by_role("region", name="Confirmed").locator(
        ".kanban-card", has_text="First order"
    ).wait_for()
    rows_url = f"/api/v1/tables/{orders['id']}/rows"
    assert eventually(
        lambda: api.call("GET", rows_url)["rows"][0]["fields"]["Status"] == "Confirmed"
    )


def test_calendar_shows_rows_on_their_day(page: Page, api: Api, orders: dict[str, Any]) -> None:
    today = datetime.date.today().isoformat()
    api.call(
        "POST",
        f"/api/v1/tables/{orders['id']}/rows",
        {
            "rows": [
                {"fields": {"Title": "Due today", "Status": "New", "Delivery": today}},
            ]
        },
    )
    open_and_add_view(page, orders, "Calendar", "Deliveries")
    page.page.get_by_role("gridcell", name=today).get_by_text("Due today").wait_for()
    page.shot("calendar")


def test_read_only_link_shows_rows_without_signing_in(
    page: Page, browser: Any, orders: dict[str, Any]
) -> None:
    p = page.page
    page.goto(f"/bases/{orders['base']['id']}/tables/{orders['id']}")
    p.locator(".view-switcher").click()
    p.get_by_role("menuitem", name=re.compile("read-only")).click()
    url = p.get_by_test_id("share-url").inner_text()
    visitor = browser.new_context()
    v = visitor.new_page()
    v.goto(url)
    v.get_by_role("cell", name="First order").wait_for()
    visitor.close()
