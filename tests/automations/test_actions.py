"""One story per action type (adjust_number's concurrency has its own module)."""

from __future__ import annotations

import dataclasses
import json
import time

import pytest

from tablekit.automations.service import RuleService
from tablekit.automations.worker import Worker
from tablekit.errors import PermissionDenied, ValidationFailed
from tablekit.notify.signing import verify
from tablekit.services.container import build_services
from tests.automations.conftest import Shop
from tests.factories import make_user
from tests.support.loopback import http_receiver, loopback_only, smtp_server


def test_add_update_and_link_rows(shop: Shop, worker):
    alpha = shop.add("Customers", Name="Alpha", **{"E-mail": "alpha@example.com"})
    shop.add("Customers", Name="Beta")
    shop.rule(
        {"type": "row_created", "table_id": "Orders"},
        [
            {
                "type": "link_rows",
                "params": {
                    "field": "Customer",
                    "filter": {"field": "Name", "op": "eq", "value": "={Note}"},
                },
            },
            {
                "type": "add_row",
                "params": {
                    "table_id": "Order lines",
                    "fields": {
                        "Name": "={Name}",
                        "Quantity": "={Quantity} * 2",
                        "Order": "={row.id}",
                    },
                },
            },
            {
                "type": "update_rows",
                "params": {
                    "fields": {"Status": "Confirmed", "Name": '={Name} & " #" & {steps.1.row_id}'}
                },
            },
            {
                "type": "update_rows",
                "params": {
                    "table_id": "Customers",
                    "fields": {"Credit limit": "99.50"},
                    "filter": {"field": "Name", "op": "eq", "value": "Beta"},
                },
            },
        ],
    )
    order = shop.add("Orders", Name="A-1", Quantity=3, Note="Alpha")
    worker.drain()
    row = shop.row("Orders", order)
    line = shop.rows("Order lines")[0]
    assert row["Customer"] == [{"id": alpha, "name": "Alpha"}]
    assert row["Status"] == "Confirmed" and row["Name"] == f"A-1 #{line['id']}"
    assert line["fields"]["Quantity"] == 6 and line["fields"]["Order"][0]["id"] == order
    credit = {r["fields"]["Name"]: r["fields"]["Credit limit"] for r in shop.rows("Customers")}
    assert credit == {"Alpha": None, "Beta": "99.50"}


def test_copy_row_with_line_items(shop: Shop, worker):
    invoices = shop.table(
        "Invoices",
        [
            {"name": "Name", "type": "text"},
            {"name": "Customer", "type": "link", "options": {"table_id": shop.tid("Customers")}},
        ],
    )
    shop.table(
        "Invoice lines",
        [
            {"name": "Name", "type": "text"},
            {"name": "Invoice", "type": "link", "options": {"table_id": invoices["id"]}},
            {"name": "Quantity", "type": "number"},
            {"name": "Amount", "type": "currency"},
        ],
    )
    rule = shop.rule(
        {"type": "row_updated", "table_id": "Orders", "params": {"fields": ["Status"]}},
        [
            {
                "type": "copy_row",
                "params": {
                    "table_id": "Invoices",
                    "fields": {"Name": '="INV for " & {Name}', "Customer": "={Customer}"},
                    "copy_links": [
                        {
                            "from": "Order lines",
                            "to": "Invoice lines",
                            "fields": {
                                "Name": "={Name}",
                                "Quantity": "={Quantity}",
                                "Amount": "={Quantity} * {Unit price}",
                            },
                        }
                    ],
                },
            }
        ],
        condition={"filter": {"field": "Status", "op": "eq", "value": "Shipped"}},
    )
    customer = shop.add("Customers", Name="Alpha")
    order = shop.add("Orders", Name="A-1", Customer=[customer])
    for n in (1, 2):
        shop.services.rows.create(
            shop.actor,
            shop.tid("Order lines"),
            [{"Name": f"L{n}", "Order": [order], "Quantity": n, "Unit price": "2.50"}],
        )
    shop.set("Orders", order, Status="Shipped")
    worker.drain()
    invoice = shop.rows("Invoices")[0]
    assert invoice["fields"]["Name"] == "INV for A-1"
    assert invoice["fields"]["Customer"] == [{"id": customer, "name": "Alpha"}]
    lines = sorted(
        (
            r["fields"]["Name"],
            r["fields"]["Quantity"],
            r["fields"]["Amount"],
            r["fields"]["Invoice"][0]["id"],
        )
        for r in shop.rows("Invoice lines")
    )
    assert lines == [("L1", 1, "2.50", invoice["id"]), ("L2", 2, "5.00", invoice["id"])]
    output = shop.runs(rule)[0]["steps"][0]["output"]
    assert output["row_id"] == invoice["id"] and len(next(iter(output["line_ids"].values()))) == 2


def test_lock_row_refuses_editors_not_admins(shop: Shop, worker):
    _, editor = make_user(shop.services, workspace=None)
    shop.services.workspaces.add_member(shop.actor, shop.workspace_id, editor.email, "editor")
    shop.rule(
        {"type": "row_updated", "table_id": "Orders", "params": {"fields": ["Status"]}},
        [{"type": "lock_row", "params": {}}],
        condition={"filter": {"field": "Status", "op": "eq", "value": "Paid"}},
    )
    order = shop.add("Orders", Name="A-1", Status="New")
    other = shop.add("Orders", Name="A-2")
    shop.set("Orders", order, Status="Paid")
    worker.drain()
    with pytest.raises(PermissionDenied) as refused:
        shop.services.rows.update(editor, shop.tid("Orders"), [(order, {"Note": "changed"})])
    assert refused.value.code == "ROW_LOCKED"
    with pytest.raises(PermissionDenied):
        shop.services.rows.delete(editor, shop.tid("Orders"), [order])
    shop.services.rows.update(editor, shop.tid("Orders"), [(other, {"Note": "fine"})])
    shop.set("Orders", order, Note="the owner may")  # owners and admins may
    assert shop.row("Orders", order)["Note"] == "the owner may"


def test_notify_people_from_a_field(shop: Shop, worker):
    _, member = make_user(shop.services, workspace=None)
    shop.services.workspaces.add_member(shop.actor, shop.workspace_id, member.email, "editor")
    shop.services.schema.create_field(
        shop.actor, shop.tid("Products"), {"name": "Buyer", "type": "collaborator"}
    )
    shop.rule(
        {"type": "row_created", "table_id": "Products"},
        [
            {
                "type": "notify",
                "params": {
                    "to_field": "Buyer",
                    "to": [shop.actor.email],
                    "message": "{{ row.Name }}: {{ row.Stock }} left",
                },
            }
        ],
    )
    shop.add("Products", Name="Bolt", Stock=2, Buyer=[member.email])
    worker.drain()
    mine = shop.services.inbox.notifications(shop.actor)["items"]
    theirs = shop.services.inbox.notifications(member)["items"]
    assert [n["message"] for n in mine] == [n["message"] for n in theirs] == ["Bolt: 2 left"]


@pytest.fixture
def smtp_worker(settings, formulas):
    with smtp_server() as smtp:
        configured = dataclasses.replace(settings, smtp_host=smtp.host, smtp_port=smtp.port)
        services = build_services(configured)
        with Worker(services, formulas=formulas, scheduler=False) as worker:
            yield worker, smtp
        services.close()


def test_send_email_over_smtp_with_attachments(shop: Shop, smtp_worker):
    worker, smtp = smtp_worker
    shop.services.schema.create_field(
        shop.actor, shop.tid("Orders"), {"name": "Files", "type": "attachment"}
    )
    pdf = shop.services.files.store(
        shop.actor, shop.base_id, "terms.pdf", b"%PDF-1.4 terms", "application/pdf"
    )
    customer = shop.add("Customers", Name="Ada", **{"E-mail": "ada@example.com"})
    rule = shop.rule(
        {"type": "row_created", "table_id": "Orders"},
        [
            {
                "type": "send_email",
                "params": {
                    "to_field": "Customer",
                    "to_link_field": "E-mail",
                    "cc": ["sales@example.com"],
                    "subject": "Order {{ row.Name }} confirmed",
                    "body": "Hello {{ row.Note }}",
                    "attach_fields": ["Files"],
                },
            }
        ],
    )
    shop.add("Orders", Name="A-1", Note="{{ 7*7 }}", Customer=[customer], Files=[pdf["id"]])
    worker.drain()
    assert len(smtp.messages) == 1
    mail = smtp.messages[0]
    assert sorted(mail.rcpt_tos) == ["ada@example.com", "sales@example.com"]
    assert mail.message["Subject"] == "Order A-1 confirmed"
    assert mail.message.get_body(("plain",)).get_content().strip() == "Hello {{ 7*7 }}"
    attachment = next(mail.message.iter_attachments())
    assert (
        attachment.get_filename() == "terms.pdf" and attachment.get_content() == b"%PDF-1.4 terms"
    )
    run = shop.runs(rule)[0]
    assert run["steps"][0]["output"]["status"] == "queued"
    mails = shop.services.inbox.outbox(shop.actor)["items"]
    assert mails[0]["status"] == "sent" and mails[0]["message_id"] == mail.message["Message-ID"]


def test_call_webhook_signed_retried_and_guarded(shop: Shop, worker):
    answers = iter([500, 200])

    def respond(request):
        return next(answers), {"Content-Type": "application/json"}, b'{"accepted": true}'

    with http_receiver(respond) as receiver, loopback_only():
        rule = shop.rule(
            {"type": "row_created", "table_id": "Orders"},
            [
                {
                    "type": "call_webhook",
                    "params": {
                        "url": receiver.url + "/orders",
                        "secret": "s3cret-for-tests",
                        "body": '{"order": {{ row.Name | tojson }}, "id": {{ row_id }}}',
                    },
                },
                {"type": "update_rows", "params": {"fields": {"Note": "={steps.0.status}"}}},
            ],
        )
        order = shop.add("Orders", Name='A "1"')
        worker.drain()
        time.sleep(0.2)
        worker.drain()
    assert len(receiver.requests) == 2  # the 500 was retried
    sent = receiver.requests[-1]
    assert json.loads(sent.body) == {"order": 'A "1"', "id": order}
    assert verify("s3cret-for-tests", sent.body, sent.headers["x-tablekit-signature"])
    assert (
        sent.headers["x-tablekit-delivery"] == receiver.requests[0].headers["x-tablekit-delivery"]
    )
    assert shop.row("Orders", order)["Note"] == "200"
    run = shop.runs(rule)[0]
    assert run["status"] == "ok" and run["attempts"] == 2
    # Internal addresses are refused when saved, or when a name resolves to one.
    for url in (
        "http://10.0.0.1/x",
        "http://169.254.169.254/latest",
        "http://[::ffff:127.0.0.1]/",
        "http://2130706433/",
    ):
        with pytest.raises(ValidationFailed) as bad:
            shop.rule(
                {"type": "row_created", "table_id": "Orders"},
                [{"type": "call_webhook", "params": {"url": url}}],
            )
        assert bad.value.code == "URL_NOT_ALLOWED", url


def test_webhook_to_a_name_resolving_inside_is_refused_without_connecting(
    shop: Shop, services, formulas
):
    with (
        Worker(
            services, formulas=formulas, scheduler=False, resolver=lambda host, port: ["10.1.2.3"]
        ) as worker,
        loopback_only() as attempts,
    ):
        rule = shop.rule(
            {"type": "row_created", "table_id": "Orders"},
            [{"type": "call_webhook", "params": {"url": "https://hooks.example.com/in"}}],
        )
        shop.add("Orders", Name="A-1")
        worker.drain()
    run = shop.runs(rule)[0]
    assert run["status"] == "failed" and "not a public address" in run["error"]
    assert [a for a in attempts if a[0] not in ("127.0.0.1", "::1")] == []


def test_s4_confirmation_pdf_attached_and_mailed(shop: Shop, smtp_worker):
    worker, smtp = smtp_worker
    shop.services.schema.create_field(
        shop.actor, shop.tid("Orders"), {"name": "Confirmation", "type": "attachment"}
    )
    doc = shop.services.documents.create(
        shop.actor,
        shop.base_id,
        {
            "name": "Order confirmation",
            "table_id": shop.tid("Orders"),
            "template": "<h1>Order {{ row.Name }}</h1><p>Quantity {{ row.Quantity }}</p>",
        },
    )
    customer = shop.add("Customers", Name="Ada", **{"E-mail": "ada@example.com"})
    rule = shop.rule(
        {"type": "row_updated", "table_id": "Orders", "params": {"fields": ["Status"]}},
        [
            {
                "type": "generate_document",
                "params": {
                    "document_id": doc["id"],
                    "field": "Confirmation",
                    "file_name": "Confirmation {{ row.Name }}",
                },
            },
            {
                "type": "send_email",
                "params": {
                    "to_field": "Customer",
                    "to_link_field": "E-mail",
                    "subject": "Your order {{ row.Name }}",
                    "body": "See the attached confirmation.",
                    "attach_steps": [0],
                },
            },
        ],
        condition={"filter": {"field": "Status", "op": "eq", "value": "Confirmed"}},
    )
    order = shop.add("Orders", Name="A-7", Quantity=3, Customer=[customer])
    report = shop.services.automations.test(shop.actor, rule["id"], order)
    assert report["steps"][0]["line"] == f"would attach Confirmation A-7.pdf to row {order}"
    assert shop.row("Orders", order)["Confirmation"] == []  # the dry run wrote nothing
    shop.set("Orders", order, Status="Confirmed")
    worker.drain(timeout=120)
    run = shop.runs(rule)[0]
    assert run["status"] == "ok", run
    files = shop.row("Orders", order)["Confirmation"]
    assert [f["name"] for f in files] == ["Confirmation A-7.pdf"]
    assert run["steps"][0]["output"]["file_id"] == files[0]["id"]
    mail = smtp.messages[0]
    assert mail.rcpt_tos == ["ada@example.com"]
    attachment = next(mail.message.iter_attachments())
    assert attachment.get_filename() == "Confirmation A-7.pdf"
    assert attachment.get_content().startswith(b"%PDF")


def test_generate_document_is_refused_without_a_documents_service(shop: Shop):
    bare = RuleService(
        shop.services.db, shop.services.access, shop.services.rows, shop.services.settings
    )
    with pytest.raises(ValidationFailed) as refused:
        bare.create(
            shop.actor,
            shop.base_id,
            {
                "name": "r",
                "trigger": {"type": "row_created", "table_id": "Orders"},
                "actions": [
                    {"type": "generate_document", "params": {"document_id": 1, "field": "Note"}}
                ],
            },
        )
    assert refused.value.code == "ACTION_NOT_AVAILABLE"
    assert "not available" in refused.value.message
    with pytest.raises(ValidationFailed) as unknown:
        shop.rule(
            {"type": "row_created", "table_id": "Orders"},
            [{"type": "generate_document", "params": {"document_id": 999, "field": "Note"}}],
        )
    assert unknown.value.code == "UNKNOWN_DOCUMENT"


def test_adjust_number_through_a_link_refuses_at_the_guard(shop: Shop, worker):
    bolt = shop.add("Products", Name="Bolt", Stock=5)
    rule = shop.rule(
        {"type": "row_created", "table_id": "Orders"},
        [
            {
                "type": "adjust_number",
                "params": {"field": "Stock", "by": "-{Quantity}", "min": 0, "via_link": "Product"},
            },
            {"type": "update_rows", "params": {"fields": {"Status": "Confirmed"}}},
        ],
    )
    ok = shop.add("Orders", Name="A-1", Quantity=3, Product=[bolt])
    too_many = shop.add("Orders", Name="A-2", Quantity=3, Product=[bolt])
    worker.drain()
    assert shop.row("Products", bolt)["Stock"] == 2
    assert shop.row("Orders", ok)["Status"] == "Confirmed"
    assert shop.row("Orders", too_many)["Status"] is None
    runs = {r["trigger"]["row_id"]: r for r in shop.runs(rule)}
    assert runs[too_many]["status"] == "refused" and "min of 0" in runs[too_many]["error"]
    assert [s["status"] for s in runs[too_many]["steps"]] == ["refused"]
    history = shop.services.rows.history(shop.actor, shop.tid("Products"), bolt)
    stock_id = next(f["id"] for f in shop.tables["Products"]["fields"] if f["name"] == "Stock")
    assert history[0]["changes"] == [
        {"field_id": f"f_{stock_id}", "field": "Stock", "old": 5, "new": 2}
    ]
    assert history[0]["actor"] is None  # written by the automation, not a user
