"""PDF rendering: the deny-by-default fetcher, attachments, and the isolated renderer."""

from __future__ import annotations

import io
import struct
import time
import zlib

import pytest
from pypdf import PdfReader

from tablekit.documents import pdf
from tablekit.documents.fetcher import DenyingFetcher
from tablekit.documents.pdf import render_pdf, render_pdf_isolated
from tablekit.errors import ValidationFailed


def tiny_png() -> bytes:
    """A valid 1x1 red PNG, so an accepted image really ends up in the PDF."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


PNG = tiny_png()


class Attachments:
    """A fake attachment store: ids it knows are authorised, every request is recorded."""

    def __init__(self, files: dict[str, tuple[bytes, str]]) -> None:
        self.files = files
        self.asked: list[str] = []

    def __call__(self, file_id: str) -> tuple[bytes, str] | None:
        self.asked.append(file_id)
        return self.files.get(file_id)


def page_images(document: bytes) -> int:
    return sum(len(page.images) for page in PdfReader(io.BytesIO(document)).pages)


def text_of(document: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(document)).pages)


def test_html_and_css_render_to_pdf() -> None:
    document = render_pdf(
        "<h1>Invoice 2024-0042</h1><p>Total: €1,234.50</p>", "@page { size: A5 }", Attachments({})
    )

    reader = PdfReader(io.BytesIO(document))
    assert document.startswith(b"%PDF-")
    assert "Invoice 2024-0042" in text_of(document)
    assert "Total: €1,234.50" in text_of(document)
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (420, 595)


def test_data_uri_and_authorised_attachments_are_embedded() -> None:
    import base64

    store = Attachments({"logo": (PNG, "image/png"), "stamp": (PNG, "image/png")})
    html = (
        f'<img src="data:image/png;base64,{base64.b64encode(PNG).decode()}">'
        '<img src="tablekit-file:logo"><img src="/api/v1/files/stamp">'
        '<img src="tablekit-file:secret">'
    )

    document = render_pdf(html, None, store)

    assert sorted(store.asked) == ["logo", "secret", "stamp"]
    assert page_images(document) == 3


def test_a_failing_or_oversized_attachment_is_left_out(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(file_id: str) -> tuple[bytes, str] | None:
        raise RuntimeError("storage is down")

    monkeypatch.setattr(pdf, "MAX_ATTACHMENT_BYTES", 10)

    broken_doc = render_pdf('<p>a</p><img src="tablekit-file:x">', None, broken)
    big_doc = render_pdf(
        '<p>b</p><img src="tablekit-file:x">', None, Attachments({"x": (PNG, "image/png")})
    )

    assert page_images(broken_doc) == page_images(big_doc) == 0
    assert "a" in text_of(broken_doc) and "b" in text_of(big_doc)


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://127.0.0.1:9/x.png",
        "https://example.com/x.png",
        "https://files.tablekit.invalid/etc/passwd",
        "https://files.tablekit.invalid/api/v1/files/../../x",
        "https://example.com/api/v1/files/logo",
        "tablekit-file:../../etc/passwd",
        "ftp://example.com/x",
        "javascript:alert(1)",
    ],
)
def test_fetcher_refuses_everything_else_without_io(url: str) -> None:
    store = Attachments({"logo": (PNG, "image/png")})
    fetcher = DenyingFetcher(store)

    with pytest.raises(ValueError, match="not allowed"):
        fetcher.fetch(url)

    assert fetcher.refused == [url]
    assert store.asked == []


def test_fetcher_decodes_data_uris() -> None:
    fetcher = DenyingFetcher(Attachments({}))

    plain = fetcher.fetch("data:text/css,p%20%7B%20color%3A%20red%20%7D")
    encoded = fetcher.fetch("data:text/plain;charset=utf-8;base64,aGVsbG8=")

    assert (plain.read(), plain.content_type) == (b"p { color: red }", "text/css")
    assert (encoded.read(), encoded.content_type) == (b"hello", "text/plain")


def test_isolated_render_relays_attachments_to_the_calling_process() -> None:
    store = Attachments({"logo": (PNG, "image/png")})

    document = render_pdf_isolated(
        '<p>Delivery note 7</p><img src="tablekit-file:logo"><img src="tablekit-file:nope">',
        "p { font-size: 14pt }",
        store,
    )

    assert "Delivery note 7" in text_of(document)
    assert sorted(store.asked) == ["logo", "nope"]
    assert page_images(document) == 1


def test_isolated_render_is_killed_at_the_timeout() -> None:
    started = time.monotonic()

    with pytest.raises(ValidationFailed) as caught:
        render_pdf_isolated("<p>x</p>", None, Attachments({}), timeout=0.05)

    assert caught.value.code == "DOCUMENT_TIMEOUT"
    assert time.monotonic() - started < 3


def test_isolated_render_fails_cleanly_past_the_memory_limit() -> None:
    with pytest.raises(ValidationFailed) as caught:
        render_pdf_isolated("<p>x</p>", None, Attachments({}), memory_mb=64)

    assert caught.value.code == "DOCUMENT_RENDER_FAILED"
