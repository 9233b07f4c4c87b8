"""S6, the warehouse, end to end through the HTTP API on both databases with the bundled
Warehouse template, the app's worker and a real SMTP server on loopback:

a goods receipt through the public form → on hand per item and location; issues that take
an item below its minimum → purchasing notified and one draft purchase order with the
reorder quantity (once per crossing) → ordered: PDF e-mailed to the supplier → received:
lines booked into stock; a location filled beyond its capacity raises an alert.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from tests.templates.story import Story, attached_pdf, pdf_text, running_story, wait_for


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def story(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Story]:
    with running_story(request, tmp_path_factory, request.param, "warehouse") as story:
        yield story


def _item(story: Story) -> dict[str, Any]:
    """An item well above its minimum, with a supplier that has an e-mail address."""
    suppliers = {r["id"]: r["fields"] for r in story.query("Suppliers")}
    for row in story.query("Items"):
        cells = row["fields"]
        supplier = cells["Supplier"][0]["id"] if cells.get("Supplier") else None
        if (
            supplier is not None
            and suppliers[supplier].get("E-mail")
            and cells.get("Location")
            and (cells.get("Minimum stock") or 0) > 0
            and (cells.get("Reorder quantity") or 0) > 0
            and cells["On hand"] >= cells["Minimum stock"] + 5
        ):
            return {"id": row["id"], "supplier": suppliers[supplier], **cells}
    raise AssertionError("no suitable sample item")


def _notes(story: Story) -> list[str]:
    return [n["message"] for n in story.api.ok("get", "/api/v1/notifications")["items"]]


def _purchase_orders_for(story: Story, item: dict[str, Any]) -> list[dict[str, Any]]:
    lines = story.query(
        "Purchase order lines", {"field": "Item", "op": "has_any", "value": [item["id"]]}
    )
    return [line["fields"] for line in lines if line["fields"]["PO status"] == "Draft"]


def test_s6_receipts_issues_reorder_and_booking_in(story: Story) -> None:
    item = _item(story)
    location_id = item["Location"][0]["id"]
    location = story.row("Locations", location_id)

    # A goods receipt through the shared form: on hand per item and per location grow.
    schema = story.api.ok("get", f"/api/v1/bases/{story.base_id}/schema")
    movements = next(t for t in schema["tables"] if t["name"] == "Stock movements")
    view = next(v for v in movements["views"] if v["name"] == "Goods receipt")
    token = story.api.ok("post", f"/api/v1/views/{view['id']}/share", {"kind": "form"})["token"]
    form = story.client.get(f"/api/v1/public/forms/{token}").json()
    pickers = {f["name"]: f["id"] for f in form["fields"] if "picker" in f}
    assert set(pickers) == {"Item", "Location"}
    offered = story.client.get(
        f"/api/v1/public/forms/{token}/choices/{pickers['Item']}",
        params={"search": item["Name"]},
    ).json()["items"]
    assert item["id"] in [o["id"] for o in offered]
    receipt = story.client.post(
        f"/api/v1/public/forms/{token}",
        json={
            "fields": {
                "Type": "In",
                "Item": item["id"],
                "Quantity": 4,
                "Location": location_id,
                "Reference": "DN-778",
            }
        },
    )
    assert receipt.status_code == 201, receipt.text
    on_hand = item["On hand"] + 4
    assert story.row("Items", item["id"])["On hand"] == on_hand
    assert story.row("Locations", location_id)["On hand"] == location["On hand"] + 4

    # Issues: the one that crosses the minimum notifies purchasing and drafts one order.
    story.add(
        "Stock movements",
        Type="Out",
        Item=[item["id"]],
        Quantity=on_hand - item["Minimum stock"],
        Location=[location_id],
    )
    assert story.row("Items", item["id"])["On hand"] == item["Minimum stock"]  # not below yet
    story.add("Stock movements", Type="Out", Item=[item["id"]], Quantity=1, Location=[location_id])
    wait_for(lambda: _purchase_orders_for(story, item), what="the draft purchase order")
    story.add("Stock movements", Type="Out", Item=[item["id"]], Quantity=1, Location=[location_id])
    wait_for(story.settled, what="the rules to settle")
    drafts = _purchase_orders_for(story, item)
    assert len(drafts) == 1  # once per crossing, not on every later issue
    assert drafts[0]["Quantity"] == item["Reorder quantity"]
    assert any(item["Name"] in n and "below its minimum" in n for n in _notes(story))
    po_id = drafts[0]["Purchase order"][0]["id"]
    order = story.row("Purchase orders", po_id)
    assert order["Status"] == "Draft" and order["Supplier name"] == item["supplier"]["Name"]

    # Ordered: the purchase order PDF goes to the supplier.
    story.patch("Purchase orders", po_id, Status="Ordered")
    mails = wait_for(
        lambda: story.mails_to(item["supplier"]["E-mail"], f"Purchase order {order['PO no.']}"),
        what="the purchase order e-mail",
    )
    name, pdf = attached_pdf(mails[0])
    assert name == f"Purchase order {order['PO no.']}.pdf"
    text = pdf_text(pdf)
    assert order["PO no."] in text and item["Name"] in text and item["supplier"]["Name"] in text

    # Received: every line is booked in once, with the PO number as reference.
    before = story.row("Items", item["id"])["On hand"]
    story.patch("Purchase orders", po_id, Status="Received")
    wait_for(
        lambda: story.row("Items", item["id"])["On hand"] == before + item["Reorder quantity"],
        what="the receipt to be booked in",
    )
    wait_for(story.settled, what="the rules to settle")
    booked = story.query(
        "Stock movements", {"field": "Reference", "op": "eq", "value": order["PO no."]}
    )
    assert len(booked) == 1 and booked[0]["fields"]["Type"] == "In"
    assert story.row("Purchase orders", po_id)["Received on"] == date.today().isoformat()


def test_s6_a_location_beyond_its_capacity_raises_an_alert(story: Story) -> None:
    locations = [
        {"id": r["id"], **r["fields"]}
        for r in story.query("Locations")
        if (r["fields"].get("Capacity") or 0) > 0 and not r["fields"]["Over capacity"]
    ]
    location = locations[0]
    item = story.query("Items")[0]
    room = location["Capacity"] - location["On hand"]
    story.add(
        "Stock movements", Type="In", Item=[item["id"]], Quantity=room, Location=[location["id"]]
    )
    wait_for(story.settled, what="the rules to settle")
    assert not any(location["Code"] in n for n in _notes(story))  # full, not over
    story.add(
        "Stock movements", Type="In", Item=[item["id"]], Quantity=1, Location=[location["id"]]
    )
    alert = wait_for(
        lambda: [n for n in _notes(story) if f"Location {location['Code']} is over capacity" in n],
        what="the capacity alert",
    )
    assert f"{location['Capacity'] + 1} units" in alert[0]
