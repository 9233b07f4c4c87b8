"""S5, order to cash, end to end through the HTTP API on both databases, with the bundled
Order management template, the app's own worker and a real SMTP server on loopback:

public order form with line items → credit and stock check → atomic reservation →
Confirmed → confirmation e-mail with the PDF → Picking → Shipped (delivery note, stock out)
→ invoice with copied lines, numbered and e-mailed → payment reminder once the invoice is
overdue → payment → Paid → a return restocks and drafts a credit note.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from tests.templates.story import Story, attached_pdf, money, pdf_text, running_story, wait_for

FORM_VIEW = "Order form"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def story(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Story]:
    with running_story(request, tmp_path_factory, request.param, "order_management") as story:
        yield story


def _form_token(story: Story) -> str:
    schema = story.api.ok("get", f"/api/v1/bases/{story.base_id}/schema")
    orders = next(t for t in schema["tables"] if t["name"] == "Orders")
    view = next(v for v in orders["views"] if v["name"] == FORM_VIEW)
    return str(story.api.ok("post", f"/api/v1/views/{view['id']}/share", {"kind": "form"})["token"])


def _customer_with_room(story: Story, needed: Decimal) -> dict[str, Any]:
    for row in story.query("Customers"):
        cells = row["fields"]
        room = Decimal(str(cells.get("Credit limit") or 0)) - Decimal(
            str(cells.get("Open balance") or 0)
        )
        if room > needed and cells.get("E-mail"):
            return {"id": row["id"], **cells}
    raise AssertionError("no sample customer has room on the credit limit")


def _stocked_products(story: Story, count: int) -> list[dict[str, Any]]:
    rows = story.query("Products", {"field": "Available", "op": "gte", "value": 20})
    assert len(rows) >= count
    return [{"id": r["id"], **r["fields"]} for r in rows[:count]]


def _order(story: Story, order_id: int) -> dict[str, Any]:
    return story.row("Orders", order_id)


def test_s5_order_to_cash(story: Story) -> None:
    token = _form_token(story)
    public = story.client  # no token: a visitor of the shared link
    form = public.get(f"/api/v1/public/forms/{token}").json()
    by_name = {f["name"]: f for f in form["fields"]}
    assert by_name["Customer"]["picker"] == {"table": "Customers", "multiple": False}
    lines_form = by_name["Lines"]["subform"]
    assert [f["name"] for f in lines_form["fields"]] == ["Product", "Quantity"]
    assert lines_form["min_rows"] == 1

    # 1. The customer fills in the public form with two lines.
    customer = _customer_with_room(story, Decimal("5000"))
    products = _stocked_products(story, 2)
    search = customer["Name"][:5]
    found = public.get(
        f"/api/v1/public/forms/{token}/choices/{by_name['Customer']['id']}",
        params={"search": search},
    ).json()["items"]
    assert {"id": customer["id"], "label": customer["Name"]} in found
    product_field = lines_form["fields"][0]["id"]
    offered = public.get(
        f"/api/v1/public/forms/{token}/choices/{product_field}",
        params={"search": products[0]["Name"]},
    ).json()["items"]
    assert products[0]["id"] in [item["id"] for item in offered]
    quantities = [2, 3]
    before = {p["id"]: story.row("Products", p["id"]) for p in products}
    delivery = (date.today() + timedelta(days=10)).isoformat()
    submitted = public.post(
        f"/api/v1/public/forms/{token}",
        json={
            "fields": {
                "Customer": customer["id"],
                "Lines": [
                    {"Product": p["id"], "Quantity": q}
                    for p, q in zip(products, quantities, strict=True)
                ],
                "Delivery date": delivery,
                "Customer reference": "PO-4711",
            }
        },
    )
    assert submitted.status_code == 201, submitted.text
    order_id = submitted.json()["id"]
    assert len(submitted.json()["lines"]["Lines"]) == 2

    # 2-3. Checked, reserved atomically, confirmed.
    order = wait_for(
        lambda: (o := _order(story, order_id))["Status"] == "Confirmed" and o,
        what="the order to be confirmed",
    )
    assert order["Order date"] == date.today().isoformat()
    assert order["Line count"] == 2 and order["Customer name"] == customer["Name"]
    lines = story.query("Order lines", {"field": "Order", "op": "has_any", "value": [order_id]})
    assert sorted(line["fields"]["Reservation"] for line in lines) == ["Reserved", "Reserved"]
    for product, quantity in zip(products, quantities, strict=True):
        now = story.row("Products", product["id"])
        assert now["Available"] == before[product["id"]]["Available"] - quantity
        assert now["Reserved"] == (before[product["id"]]["Reserved"] or 0) + quantity

    # 4. The confirmation PDF is attached and e-mailed to the customer.
    number = order["No."]
    assert re.fullmatch(rf"ORD-{date.today().year}-\d{{4}}", number)
    mails = wait_for(
        lambda: story.mails_to(customer["E-mail"], f"Order confirmation {number}"),
        what="the confirmation e-mail",
    )
    assert len(mails) == 1
    name, pdf = attached_pdf(mails[0])
    assert name == f"Order confirmation {number}.pdf"
    text = pdf_text(pdf)
    for expected in (number, customer["Name"], products[0]["Name"], products[1]["Name"]):
        assert expected in text, (expected, text)
    assert money(order["Gross total"]) in text
    confirmation = wait_for(lambda: _order(story, order_id)["Confirmation"], what="attachment")
    assert story.file(confirmation[0]) == pdf

    # 5. Picking, then Shipped: delivery note, reserved stock leaves the warehouse.
    story.patch("Orders", order_id, Status="Picking")
    story.patch("Orders", order_id, Status="Shipped")
    order = wait_for(
        lambda: (o := _order(story, order_id))["Status"] == "Invoiced" and o["Delivery note"] and o,
        what="the shipped order to be invoiced with a delivery note",
    )
    assert order["Shipped on"] == date.today().isoformat()
    note = pdf_text(story.file(order["Delivery note"][0]))
    assert number in note and products[0]["Name"] in note
    wait_for(
        lambda: all(
            story.row("Products", p["id"])["Reserved"] == (before[p["id"]]["Reserved"] or 0)
            for p in products
        ),
        what="the reserved stock to be booked out",
    )

    # 6. The invoice: lines copied, numbered, due after the payment terms, e-mailed.
    invoices = story.query("Invoices", {"field": "Order no.", "op": "eq", "value": number})
    assert len(invoices) == 1
    invoice_id = invoices[0]["id"]
    invoice = invoices[0]["fields"]
    assert re.fullmatch(rf"INV-{date.today().year}-\d{{4}}", invoice["Invoice no."])
    assert Decimal(str(invoice["Gross total"])) == Decimal(str(order["Gross total"]))
    terms = int(customer.get("Payment terms") or 0)
    assert invoice["Due date"] == (date.today() + timedelta(days=terms)).isoformat()
    invoice_lines = story.query(
        "Invoice lines", {"field": "Invoice", "op": "has_any", "value": [invoice_id]}
    )
    assert sorted(line["fields"]["Quantity"] for line in invoice_lines) == sorted(quantities)
    invoice_mail = wait_for(
        lambda: story.mails_to(customer["E-mail"], f"Invoice {invoice['Invoice no.']}"),
        what="the invoice e-mail",
    )
    invoice_text = pdf_text(attached_pdf(invoice_mail[0])[1])
    assert invoice["Invoice no."] in invoice_text and money(invoice["Gross total"]) in invoice_text

    # 7. Overdue by a week: the daily rule raises the reminder level once and mails it.
    invoice_date = date.today() - timedelta(days=terms + 8)
    story.patch("Invoices", invoice_id, **{"Invoice date": invoice_date.isoformat()})
    reminder_rule = story.rule("Raise the reminder level of overdue invoices")
    subject = f"Payment reminder: invoice {invoice['Invoice no.']}"
    story.api.ok("post", f"/api/v1/rules/{reminder_rule['id']}/run", {}, status=202)
    reminders = wait_for(
        lambda: story.mails_to(customer["E-mail"], subject), what="the payment reminder"
    )
    reminder_text = pdf_text(attached_pdf(reminders[0])[1])
    assert invoice["Invoice no."] in reminder_text
    wait_for(story.settled, what="the rules to settle")
    story.api.ok("post", f"/api/v1/rules/{reminder_rule['id']}/run", {}, status=202)
    wait_for(story.settled, what="the rules to settle")
    invoice = story.row("Invoices", invoice_id)
    assert invoice["Reminder level"] == 1 and invoice["Status"] == "Overdue"
    assert len(story.mails_to(customer["E-mail"], subject)) == 1  # once per level

    # 8. Paid in full: the invoice and the order are Paid.
    story.add(
        "Payments",
        Invoice=[invoice_id],
        Amount=str(invoice["Gross total"]),
        Date=date.today().isoformat(),
        Method="Bank transfer",
    )
    wait_for(
        lambda: (
            story.row("Invoices", invoice_id)["Status"] == "Paid"
            and _order(story, order_id)["Status"] == "Paid"
        ),
        what="invoice and order to be paid",
    )

    # 9. A return: the goods go back into stock and a credit note is drafted.
    available = story.row("Products", products[0]["id"])["Available"]
    return_id = story.add(
        "Returns", Order=[order_id], Product=[products[0]["id"]], Quantity=1, Reason="Not needed"
    )
    returned = wait_for(
        lambda: (r := story.row("Returns", return_id))["Credit note"] and r,
        what="the credit note",
    )
    assert returned["Status"] == "Credit note drafted"
    assert story.row("Products", products[0]["id"])["Available"] == available + 1
    credit = pdf_text(story.file(returned["Credit note"][0]))
    assert returned["Return no."] in credit and money(returned["Credit total"]) in credit


def test_s5_an_order_over_the_credit_limit_goes_on_hold_with_the_reason(story: Story) -> None:
    token = _form_token(story)
    customers = story.query("Customers")
    poorest = min(customers, key=lambda r: Decimal(str(r["fields"].get("Credit limit") or 0)))
    limit = Decimal(str(poorest["fields"].get("Credit limit") or 0))
    product = max(
        story.query("Products", {"field": "Available", "op": "gte", "value": 1}),
        key=lambda r: Decimal(str(r["fields"]["Price"] or 0)),
    )
    price = Decimal(str(product["fields"]["Price"]))
    quantity = int(limit / price) + 2  # beyond the limit even before VAT
    available = product["fields"]["Available"]
    submitted = story.client.post(
        f"/api/v1/public/forms/{token}",
        json={
            "fields": {
                "Customer": poorest["id"],
                "Lines": [{"Product": product["id"], "Quantity": quantity}],
            }
        },
    )
    assert submitted.status_code == 201, submitted.text
    order = wait_for(
        lambda: (o := _order(story, submitted.json()["id"]))["Status"] == "On hold" and o,
        what="the order to go on hold",
    )
    assert order["Hold reason"].startswith("Credit limit exceeded")
    wait_for(story.settled, what="the rules to settle")
    assert story.row("Products", product["id"])["Available"] == available  # nothing reserved
    notes = story.api.ok("get", "/api/v1/notifications")["items"]
    assert any(order["No."] in n["message"] and "on hold" in n["message"] for n in notes)
