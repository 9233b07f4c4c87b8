"""``generate()``: the PDF lands on the row's attachment field through the row write path,
named by its template, recorded in the history and the event outbox."""

from __future__ import annotations

import io
from typing import Any

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from tablekit.db.models import OutboxEvent
from tablekit.documents import service as document_service
from tablekit.errors import NotFound, ValidationFailed
from tablekit.services.container import Services
from tests.documents.world import Shop

FILE_NAME = 'Order confirmation {{ row["No."] }} - {{ row["Customer"][0].name }}.pdf'


@pytest.fixture
def stub_pdf(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Replace the renderer for tests about storing, not rendering; records the HTML."""
    rendered: list[str] = []

    def fake(html: str, css: str | None, fetch: Any, *, timeout: float) -> bytes:
        rendered.append(html)
        return b"%PDF-1.7 stub " + str(len(rendered)).encode()

    monkeypatch.setattr(document_service, "render_pdf_isolated", fake)
    return rendered


def meta_field_id(services: Services, shop: Shop) -> int:
    fields = services.schema.get_table(shop.actor, shop.orders)["fields"]
    return int(next(f["id"] for f in fields if f["name"] == "Confirmation"))


def confirmation_cell(services: Services, shop: Shop) -> list[dict[str, Any]]:
    row = services.rows.get(shop.actor, shop.orders, shop.order_id)
    cell: list[dict[str, Any]] = row["fields"]["Confirmation"]
    return cell


def test_the_pdf_is_attached_to_the_row_named_by_its_template_and_recorded(
    services: Services, shop: Shop, confirmation: dict[str, Any]
) -> None:
    with services.db.read() as session:
        before = session.scalar(sa.select(sa.func.max(OutboxEvent.id)))
    file = services.documents.generate(
        None, confirmation["id"], shop.order_id, field="Confirmation", file_name=FILE_NAME
    )

    meta, path = services.files.open(shop.actor, file["id"])
    text = " ".join(PdfReader(io.BytesIO(path.read_bytes())).pages[0].extract_text().split())
    history = services.rows.history(shop.actor, shop.orders, shop.order_id)
    with services.db.read() as session:
        events = session.scalars(
            sa.select(OutboxEvent).where(
                OutboxEvent.id > before, OutboxEvent.table_id == shop.orders
            )
        ).all()

    assert file["name"] == "Order confirmation ORD-0001 - Müller _ Söhne _GmbH_.pdf"
    assert meta == file and file["mime_type"] == "application/pdf"
    assert file["size"] == path.stat().st_size and path.read_bytes().startswith(b"%PDF-")
    assert "Order confirmation ORD-0001" in text and "Total €124.86" in text
    assert [f["id"] for f in confirmation_cell(services, shop)] == [file["id"]]
    latest = history[0]
    assert latest["action"] == "update" and latest["actor"] is None
    assert [c["field"] for c in latest["changes"]] == ["Confirmation"]
    assert latest["changes"][0]["new"][0]["id"] == file["id"]
    assert [(e.type, e.row_id, e.actor_id) for e in events] == [
        ("row_updated", shop.order_id, None)
    ]
    assert (
        events[0].payload["changes"][f"f_{meta_field_id(services, shop)}"][1][0]["id"] == file["id"]
    )


def test_files_are_appended_and_the_name_gets_a_pdf_suffix(
    services: Services, shop: Shop, confirmation: dict[str, Any], stub_pdf: list[str]
) -> None:
    field_id = meta_field_id(services, shop)

    first = services.documents.generate(
        shop.actor.user_id,
        confirmation["id"],
        shop.order_id,
        field="Confirmation",
        file_name="{{ row['No.'] }}",
    )
    second = services.documents.generate(
        None, confirmation["id"], shop.order_id, field=f"f_{field_id}", file_name="  "
    )

    assert [f["id"] for f in confirmation_cell(services, shop)] == [first["id"], second["id"]]
    assert (first["name"], second["name"]) == ("ORD-0001.pdf", "document.pdf")
    history = services.rows.history(shop.actor, shop.orders, shop.order_id)
    assert [h["actor"]["id"] if h["actor"] else None for h in history[:2]] == [
        None,
        shop.actor.user_id,
    ]
    assert "ORD-0001" in stub_pdf[0]


def test_inside_a_callers_transaction_it_commits_and_rolls_back_with_it(
    services: Services, shop: Shop, confirmation: dict[str, Any], stub_pdf: list[str]
) -> None:
    with services.db.write() as session:
        kept = services.documents.generate(
            None,
            confirmation["id"],
            shop.order_id,
            field="Confirmation",
            file_name="kept",
            session=session,
            depth=2,
        )
    with pytest.raises(RuntimeError), services.db.write() as session:
        services.documents.generate(
            None,
            confirmation["id"],
            shop.order_id,
            field="Confirmation",
            file_name="dropped",
            session=session,
        )
        raise RuntimeError("the rule's next step failed")

    assert [f["id"] for f in confirmation_cell(services, shop)] == [kept["id"]]
    with services.db.read() as session:
        event = session.scalars(sa.select(OutboxEvent).order_by(OutboxEvent.id.desc())).first()
    assert event is not None and (event.type, event.row_id, event.depth) == (
        "row_updated",
        shop.order_id,
        2,
    )


def test_bad_references_are_refused_when_a_rule_is_saved_and_before_rendering(
    services: Services, shop: Shop, confirmation: dict[str, Any], stub_pdf: list[str]
) -> None:
    doc = confirmation["id"]
    at_save = [
        (shop.base_id + 1, shop.orders, doc, "Confirmation", "x"),
        (shop.base_id, shop.customers, doc, "Confirmation", "x"),
        (shop.base_id, shop.orders, doc, "No.", "x"),
        (shop.base_id, shop.orders, doc, "Confirmation", "{{ row["),
    ]
    at_run = {
        "INVALID_FIELD": (doc, shop.order_id, "Order date", "x.pdf"),
        "ROW_NOT_FOUND": (doc, 999_999, "Confirmation", "x.pdf"),
        "DOCUMENT_NOT_FOUND": (999_999, shop.order_id, "Confirmation", "x.pdf"),
        "TEMPLATE_ERROR": (doc, shop.order_id, "Confirmation", "{{ x }}"),
    }

    with services.db.read() as session:
        check = services.documents.check_generate
        field = check(
            session,
            shop.base_id,
            shop.orders,
            doc,
            "f_" + str(meta_field_id(services, shop)),
            "{{ row_id }}.pdf",
        )
        save_codes = []
        for args in at_save:
            with pytest.raises(ValidationFailed) as refused:
                check(session, *args)
            save_codes.append(refused.value.code)
    run_codes = {}
    for expected, (doc_id, row_id, ref, name) in at_run.items():
        with pytest.raises((ValidationFailed, NotFound)) as caught:
            services.documents.generate(None, doc_id, row_id, field=ref, file_name=name)
        run_codes[expected] = caught.value.code

    assert field.name == "Confirmation" and field.type == "attachment"
    assert save_codes == [
        "UNKNOWN_DOCUMENT",
        "DOCUMENT_TABLE_MISMATCH",
        "INVALID_FIELD",
        "TEMPLATE_INVALID",
    ]
    assert run_codes == {code: code for code in at_run}
    assert stub_pdf == []
    assert confirmation_cell(services, shop) == []
