"""Hostile document templates, end to end through the document service and API.

Sandbox escapes and bombs saved in a document fail with a clear error within 2 s. HTML
that points at local files, loopback and link-local addresses, or another base's files
renders without touching any of them: a loopback canary records zero hits, no socket is
opened, the PDF holds no file content and only the document base's own image.
"""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from tablekit.documents import service as document_service
from tablekit.documents.pdf import render_pdf
from tablekit.errors import ValidationFailed
from tablekit.services.container import Services
from tests.documents.world import Shop, png
from tests.factories import Api
from tests.support.loopback import LOOPBACK_HOSTS, HttpReceiver, canary_server, loopback_only

SECRET = "TABLEKIT-DOCUMENT-CANARY-51d2"

ESCAPES = [
    "{{ ''.__class__.__mro__ }}",
    "{{ row.__class__.__init__.__globals__ }}",
    "{{ row.links._group.loader.session }}",
    "{{ row.links.__class__ }}",
    "{{ row['Net total'].__class__.__mro__ }}",
    "{{ fmt._zone }}",
    "{{ fmt.money.__globals__ }}",
    "{{ fmt.money.__func__ }}",
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "{{ row.display.update({'x': 1}) }}",
    "{{ row.links['Order lines'].append(1) }}",
    "{{ '{0.__class__}'.format(row) }}",
    "{% for i in range(10000) %}{% for j in range(10000) %}{% endfor %}{% endfor %}",
    "{% for line in row.links['Order lines'] * 100000000 %}{% endfor %}",
    "{{ row['No.'] * 1000000000 }}",
    "{{ 'x' * 10**9 }}",
    "{% set ns = namespace(s=row['No.']) %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}"
    "{% endfor %}",
    "{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(64) }}",
]

REFUSED_AT_SAVE = [
    "{{ ''|attr('__class__') }}",
    "{% include 'x' %}",
    "{% for x in y recursive %}{% endfor %}",
]


def test_sandbox_escapes_and_bombs_fail_fast_with_a_clear_error(
    services: Services, shop: Shop
) -> None:
    outcomes: list[tuple[str, str, float]] = []
    for source in ESCAPES:
        doc = services.documents.create(
            shop.actor,
            shop.base_id,
            {"name": f"Hostile {len(outcomes)}", "table_id": "Orders", "template": source},
        )
        started = time.monotonic()
        with pytest.raises(ValidationFailed) as caught:
            services.documents.render(shop.actor, doc["id"], shop.order_id, "html")
        outcomes.append((source, caught.value.code, time.monotonic() - started))
        assert caught.value.message.startswith(("not allowed in templates", "template"))

    assert [(s, code) for s, code, _ in outcomes] == [(s, "TEMPLATE_ERROR") for s in ESCAPES]
    assert max(seconds for _, _, seconds in outcomes) < 2.0
    for source in REFUSED_AT_SAVE:
        with pytest.raises(ValidationFailed) as refused:
            services.documents.create(
                shop.actor, shop.base_id, {"name": "X", "table_id": "Orders", "template": source}
            )
        assert refused.value.code == "TEMPLATE_INVALID"


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text(f"{SECRET}\nroot:x:0:0:root:/root:/bin/sh\n")
    return path


@pytest.fixture
def canary() -> Iterator[HttpReceiver]:
    with canary_server() as server:
        yield server
        assert server.requests == [], "the canary was called"


@pytest.fixture
def foreign_file(services: Services, shop: Shop) -> str:
    """An image in another base of the same owner: readable by them, but not this base's."""
    workspace_id = services.workspaces.mine(shop.actor)[0]["id"]
    other = services.workspaces.create_base(shop.actor, workspace_id, "Other")
    stored = services.files.store(shop.actor, other["id"], "x.png", png(3, 3), "image/png")
    return str(stored["id"])


def hostile_document(
    shop: Shop, secret_file: Path, canary: HttpReceiver, foreign_file: str, *, metadata: bool
) -> dict[str, Any]:
    template = (
        "<h1>Order {{ row['No.'] }}</h1>"
        '<img src="{{ base.company.logo }}">'
        '<link rel="attachment" href="file:///etc/passwd">'
        f'<link rel="attachment" href="{secret_file.as_uri()}">'
        f'<img src="{secret_file.as_uri()}"><img src="../../../{secret_file}">'
        f"<style>@import url({canary.url}/x.css);</style>"
        f'<img src="{canary.url}/pixel.png">'
        f'<img src="tablekit-file:{foreign_file}"><img src="/api/v1/files/{foreign_file}">'
        '<img src="tablekit-file:../../etc/passwd">'
    )
    if metadata:
        template += '<img src="http://169.254.169.254/latest/meta-data/">'
    css = f"@import url({canary.url}/y.css); body {{ background: url({secret_file.as_uri()}) }}"
    return {"name": "Hostile", "table_id": shop.orders, "template": template, "css": css}


def assert_clean(document: bytes) -> None:
    reader = PdfReader(io.BytesIO(document))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "Order ORD-0001" in text
    assert SECRET not in text and "root:x:0:0" not in text
    assert SECRET.encode() not in document and b"root:x:0:0" not in document
    assert reader.attachments == {}
    assert sum(len(page.images) for page in reader.pages) == 1  # the base's own logo only


def test_hostile_html_touches_no_file_and_no_network(
    services: Services,
    shop: Shop,
    secret_file: Path,
    canary: HttpReceiver,
    foreign_file: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # In this process, so that every socket connect is seen (and a non-loopback one fails
    # before it happens); the isolated renderer is checked through the API below.
    def in_process(html: str, css: str | None, fetch: Any, *, timeout: float) -> bytes:
        return render_pdf(html, css, fetch)

    monkeypatch.setattr(document_service, "render_pdf_isolated", in_process)
    doc = services.documents.create(
        shop.actor,
        shop.base_id,
        hostile_document(shop, secret_file, canary, foreign_file, metadata=True),
    )

    with loopback_only() as attempts:
        rendered = services.documents.render(shop.actor, doc["id"], shop.order_id, "pdf")

    assert [a for a in attempts if a[0] not in LOOPBACK_HOSTS or a[1] == canary.port] == []
    assert_clean(rendered.content)


def test_the_isolated_renderer_behind_the_api_refuses_the_same(
    api: Api, shop: Shop, secret_file: Path, canary: HttpReceiver, foreign_file: str
) -> None:
    body = hostile_document(shop, secret_file, canary, foreign_file, metadata=False)
    doc = api.ok("post", f"/api/v1/bases/{shop.base_id}/documents", body)

    response = api.post(
        f"/api/v1/documents/{doc['id']}/render", {"row_id": shop.order_id, "format": "pdf"}
    )

    assert response.status_code == 200, response.text
    assert_clean(response.content)
