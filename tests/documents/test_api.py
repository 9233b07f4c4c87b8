"""The documents API: templates CRUD with precise validation errors, roles, rendering to PDF
and HTML, and the editor's preview."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from pypdf import PdfReader

from tablekit.services.container import Services
from tests.documents.world import Shop, example
from tests.factories import Api, make_api

SIMPLE = "<h1>{{ row['No.'] }}</h1><p>{{ row.display['Net total'] }}</p>"


def create(api: Api, shop: Shop, **body: Any) -> Any:
    payload = {"name": "Confirmation", "table_id": "Orders", "template": SIMPLE, **body}
    return api.post(f"/api/v1/bases/{shop.base_id}/documents", payload)


def test_templates_are_created_listed_changed_and_deleted(api: Api, shop: Shop) -> None:
    created = create(api, shop, css="h1 { color: navy }")
    assert created.status_code == 201, created.text
    doc = created.json()

    listed = api.ok("get", f"/api/v1/bases/{shop.base_id}/documents")["items"]
    changed = api.ok(
        "patch", f"/api/v1/documents/{doc['id']}", {"name": "Order confirmation", "css": ""}
    )
    deleted = api.delete(f"/api/v1/documents/{doc['id']}")
    gone = api.get(f"/api/v1/documents/{doc['id']}")

    assert doc["table_id"] == shop.orders and doc["css"] == "h1 { color: navy }"
    assert [d["id"] for d in listed] == [doc["id"]]
    assert changed["name"] == "Order confirmation" and changed["css"] == ""
    assert changed["template"] == SIMPLE
    assert deleted.status_code == 204
    assert gone.status_code == 404 and gone.json()["code"] == "DOCUMENT_NOT_FOUND"


def test_bad_templates_and_bad_input_are_refused_precisely(api: Api, shop: Shop) -> None:
    broken = "<h1>Order</h1>\n<p>{{ row['No.'] </p>\n"
    doc = create(api, shop).json()

    on_create = create(api, shop, name="Broken", template=broken)
    on_update = api.patch(f"/api/v1/documents/{doc['id']}", {"template": "{% for x in %}"})
    cases = {
        "UNKNOWN_TABLE": create(api, shop, name="A", table_id="Invoices"),
        "DOCUMENT_NAME_TAKEN": create(api, shop),
        "INVALID_CSS": create(api, shop, name="B", css="x" * 200_001),
        "TEMPLATE_INVALID": create(api, shop, name="C", template="   "),
        "INVALID_NAME": create(api, shop, name=" "),
        "INVALID_REQUEST": create(api, shop, name="D", colour="red"),
    }

    assert on_create.status_code == 422
    error = on_create.json()
    assert error["code"] == "TEMPLATE_INVALID"
    assert error["details"]["line"] == 2 and "(line 2)" in error["message"]
    assert on_update.status_code == 422 and on_update.json()["details"]["line"] == 1
    assert api.ok("get", f"/api/v1/documents/{doc['id']}")["template"] == SIMPLE
    assert {code: r.json()["code"] for code, r in cases.items()} == {c: c for c in cases}
    assert cases["DOCUMENT_NAME_TAKEN"].status_code == 409
    assert cases["INVALID_REQUEST"].status_code == 400


def test_readers_render_only_admins_change_templates_and_strangers_see_nothing(
    api: Api, shop: Shop, member: Callable[[str], Api], services: Services, client: Any
) -> None:
    doc = create(api, shop).json()
    viewer, editor = member("viewer"), member("editor")
    stranger = make_api(services, client)
    render = {"row_id": shop.order_id, "format": "html"}

    assert (
        viewer.ok("get", f"/api/v1/bases/{shop.base_id}/documents")["items"][0]["id"] == doc["id"]
    )
    assert viewer.post(f"/api/v1/documents/{doc['id']}/render", render).status_code == 200
    assert viewer.post(f"/api/v1/documents/{doc['id']}/preview", {}).status_code == 200
    for who in (viewer, editor):
        assert create(who, shop, name="Mine").status_code == 403
        assert who.patch(f"/api/v1/documents/{doc['id']}", {"name": "X"}).status_code == 403
        assert who.delete(f"/api/v1/documents/{doc['id']}").status_code == 403
        draft = who.post(f"/api/v1/documents/{doc['id']}/preview", {"template": "{{ base }}"})
        assert draft.status_code == 403
    for response in (
        stranger.get(f"/api/v1/documents/{doc['id']}"),
        stranger.post(f"/api/v1/documents/{doc['id']}/render", {"row_id": shop.order_id}),
        stranger.get(f"/api/v1/bases/{shop.base_id}/documents"),
    ):
        assert response.status_code == 404


def test_an_order_renders_to_a_pdf_with_its_lines_and_totals(
    api: Api, shop: Shop, confirmation: dict[str, Any]
) -> None:
    response = api.post(
        f"/api/v1/documents/{confirmation['id']}/render",
        {"row_id": shop.order_id, "format": "pdf"},
    )

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert 'filename="Order confirmation ORD-0001.pdf"' in response.headers["content-disposition"]
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    for expected in (
        "Order confirmation ORD-0001",
        "Müller & Söhne <GmbH>",
        "Hauptstraße 5",
        "Widget W-100",
        "Gadget G-200",
        "3 pcs €19.99 19% €59.97",
        "10 pcs €5.00 7% €50.00",
        "Net total €109.97",
        "VAT 19% on €59.97 €11.39",
        "VAT 7% on €50.00 €3.50",
        "Total €124.86",
        "we will deliver on 9 Mar 2026",
        "Acme Trading Ltd",
        "GB33BUKB20201555555555",
    ):
        assert expected in text, expected
    assert sum(len(page.images) for page in reader.pages) == 1  # the company logo


def test_html_rendering_escapes_data_and_points_images_at_the_file_api_or_fails_precisely(
    api: Api, shop: Shop, confirmation: dict[str, Any]
) -> None:
    response = api.post(
        f"/api/v1/documents/{confirmation['id']}/render",
        {"row_id": shop.order_id, "format": "html"},
    )
    broken_doc = create(api, shop, template="<p>\n{{ row['Missing field'] }}</p>").json()
    path = f"/api/v1/documents/{broken_doc['id']}/render"
    broken = api.post(path, {"row_id": shop.order_id, "format": "html"})
    no_row = api.post(path, {"row_id": 999_999, "format": "html"})
    bad_format = api.post(path, {"row_id": shop.order_id, "format": "docx"})

    html = response.text
    assert response.headers["content-type"].startswith("text/html")
    assert "sandbox" in response.headers["content-security-policy"]
    assert "Müller &amp; Söhne &lt;GmbH&gt;" in html
    assert f'src="/api/v1/files/{shop.logo_id}"' in html and "tablekit-file:" not in html
    assert html.index("<style>") < html.index("</head>")
    assert "@page" in html
    assert broken.status_code == 422 and broken.json()["code"] == "TEMPLATE_ERROR"
    assert broken.json()["details"]["line"] == 2 and "Missing field" in broken.json()["message"]
    assert no_row.status_code == 404 and no_row.json()["code"] == "ROW_NOT_FOUND"
    assert bad_format.status_code == 422 and bad_format.json()["code"] == "INVALID_FORMAT"


def test_the_editor_previews_saved_and_unsaved_templates(
    api: Api, shop: Shop, confirmation: dict[str, Any]
) -> None:
    saved = api.ok("post", f"/api/v1/documents/{confirmation['id']}/preview", {})
    edited = api.ok(
        "post",
        f"/api/v1/documents/{confirmation['id']}/preview",
        {"row_id": shop.empty_order_id, "template": "<b>{{ row['No.'] }}</b>"},
    )
    draft = api.ok(
        "post",
        f"/api/v1/bases/{shop.base_id}/documents/preview",
        {"table_id": "Customers", "template": "{{ row['Name'] }}", "css": "b { x: y }"},
    )
    empty = api.post(
        f"/api/v1/bases/{shop.base_id}/documents/preview",
        {"table_id": shop.products, "template": "{{ row['Nope'] }}", "row_id": 999_999},
    )

    assert saved["row_id"] == shop.order_id and "€124.86" in saved["html"]
    assert edited == {"html": "<style>\n" + example("order_confirmation.css") + "\n</style>\n"
                      "<b>ORD-0002</b>", "row_id": shop.empty_order_id}  # fmt: skip
    assert draft["html"].endswith("Müller &amp; Söhne &lt;GmbH&gt;")
    assert empty.status_code == 404
