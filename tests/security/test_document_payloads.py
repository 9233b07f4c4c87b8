"""Hostile document templates: sandbox escapes, resource bombs, and HTML that reaches out.

Template attacks must fail with a clear error within 2 s. HTML payloads must still render
a PDF while a loopback canary server records zero hits, no socket connects anywhere, and
neither the PDF's text, its raw bytes nor its embedded files contain the local files the
payloads point at.
"""

from __future__ import annotations

import io
import logging
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader

from tablekit.documents.pdf import render_pdf, render_pdf_isolated
from tablekit.documents.templating import render_template
from tablekit.errors import ValidationFailed
from tests.support.loopback import HttpReceiver, canary_server, loopback_only

SECRET = "TABLEKIT-CANARY-7f3a9c"


@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        ("{{ ''.__class__.__mro__ }}", "unsafe"),
        ("{{ ''.__class__.__mro__[1].__subclasses__() }}", "unsafe"),
        ("{% for c in ().__class__.__base__.__subclasses__() %}{{ c }}{% endfor %}", "unsafe"),
        ("{{ ''|attr('__class__') }}", "No filter named 'attr'"),
        ("{{ ''|attr('format') }}", "No filter named 'attr'"),
        ("{{ cycler.__init__.__globals__.os.popen('id').read() }}", "unsafe"),
        ("{{ joiner.__init__.__globals__ }}", "unsafe"),
        ("{{ namespace.__init__.__globals__ }}", "unsafe"),
        ("{{ self.__init__.__globals__ }}", "unsafe"),
        ("{{ self._TemplateReference__context }}", "unsafe"),
        ("{{ range.__self__ }}", "unsafe"),
        ("{{ row.__class__ }}", "unsafe"),
        ("{{ config }}", "'config' is undefined"),
        ("{{ config.items() }}", "'config' is undefined"),
        ("{{ request.application.__globals__ }}", "'request' is undefined"),
        ("{{ lipsum.__globals__ }}", "'lipsum' is undefined"),
        ("{{ [].pop() }}", "unsafe"),
        ("{{ {}.update(a=1) }}", "unsafe"),
        ("{{ '{0.__class__}'.format(1) }}", "str.format() is not available"),
        ("{{ '{0:>999999999}'.format(1) }}", "str.format() is not available"),
        ("{{ '{x.__class__}'.format_map({'x': 1}) }}", "str.format() is not available"),
        ("{{ '%s'|format(''.__class__) }}", "unsafe"),
        ("{{ '%999999999d'|format(1) }}", "too long"),
        ("{{ '%.999999999f'|format(1.0) }}", "too long"),
        ("{{ '%*d' % (999999999, 1) }}", "'*' widths"),
        ("{{ '%s' % ('x' * 10**9) }}", "too large"),
        ("{{ ('%s' * 1000) % ((('x' * 900000),) * 1000) }}", "too long"),
        ("{% for i in range(10**9) %}{% endfor %}", "range() is limited"),
        ("{% for i in range(10000) %}{% for j in range(10000) %}{% endfor %}{% endfor %}", "loop"),
        ("{{ 'x' * 10**9 }}", "too large"),
        ("{{ [1] * 10**9 }}", "too large"),
        ("{{ 99999999 ** 99999999 }}", "too large"),
        ("{{ 'x'|center(10**9) }}", "too large"),
        ("{{ ('x' * 100000)|replace('x', 'x' * 100000) }}", "|replace"),
        ("{{ 'a'|wordwrap(1, wrapstring='x' * 999999) }}", "|wordwrap"),
        (
            "{% set ns = namespace(s='x') %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}"
            "{% endfor %}",
            "too long",
        ),
        (
            "{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}"
            "{{ f(64) }}",
            "template stopped",
        ),
        (
            "{% set x %}{% for i in range(10000) %}{{ 'y' * 100000 }}{% endfor %}{% endset %}",
            "produced more than",
        ),
    ],
)
def test_template_attacks_fail_fast_with_a_clear_error(source: str, fragment: str) -> None:
    started = time.monotonic()

    with pytest.raises(ValidationFailed) as caught:
        render_template(source, {"row": {"Name": "x"}}, html=True)

    assert time.monotonic() - started < 2.0
    assert caught.value.code in {"TEMPLATE_INVALID", "TEMPLATE_ERROR"}
    assert fragment in caught.value.message


def test_row_data_cannot_inject_markup_or_template_code() -> None:
    row = {"Notes": f'<img src="file:///etc/passwd">{{{{ 7*7 }}}} {SECRET}'}

    html = render_template("<p>{{ row.Notes }}</p>", {"row": row}, html=True)

    assert html == f"<p>&lt;img src=&#34;file:///etc/passwd&#34;&gt;{{{{ 7*7 }}}} {SECRET}</p>"


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text(f"{SECRET}\nroot:x:0:0:root:/root:/bin/sh\n")
    return path


@pytest.fixture
def canary() -> Iterator[HttpReceiver]:
    with loopback_only() as attempts, canary_server() as server:
        yield server
        assert server.requests == [], "the canary was called"
        assert attempts == [], "a document opened a network connection"


# Each payload, and whether WeasyPrint asks the fetcher for it (then a refusal is logged).
HTML_PAYLOADS = [
    ('<link rel="attachment" href="{file}">', True),
    ('<a rel="attachment" href="{file}">attached</a>', True),
    ('<link rel="stylesheet" href="{file}">', True),
    ('<img src="{file}">', True),
    ('<img src="file:///etc/passwd">', True),
    ('<img src="/etc/passwd">', True),
    ('<base href="file:///etc/"><img src="passwd">', True),
    ('<object data="{file}" type="image/png"></object>', True),
    ('<embed src="{file}" type="image/png">', True),
    ("<style>@import url({canary}/import.css);</style>", True),
    ('<img src="{canary}/">', True),
    ('<link rel="stylesheet" href="{canary}/style.css">', True),
    ('<div style="background: url({canary}/bg.png)">bg</div>', True),
    (
        "<style>@font-face {{ font-family: f; src: url({canary}/f.woff) }}</style>"
        '<p style="font-family: f">font</p>',
        True,
    ),
    (
        '<svg xmlns="http://www.w3.org/2000/svg" width="20" height="20">'
        '<image href="{canary}/i.png" width="10" height="10"/></svg>',
        True,
    ),
    ('<img src="http://169.254.169.254/latest/meta-data/">', True),
    ('<iframe src="{file}"></iframe>', False),
]


def assert_clean(document: bytes, secret_file: Path) -> None:
    reader = PdfReader(io.BytesIO(document))
    text = "".join(page.extract_text() for page in reader.pages)
    assert document.startswith(b"%PDF-")
    assert SECRET not in text and "root:x:0:0" not in text
    assert SECRET.encode() not in document and b"root:x:0:0" not in document
    assert reader.attachments == {}
    assert not any(page.images for page in reader.pages)


@pytest.mark.parametrize(("payload", "fetched"), HTML_PAYLOADS)
def test_html_payload_renders_without_touching_files_or_network(
    payload: str,
    fetched: bool,
    canary: HttpReceiver,
    secret_file: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    html = "<h1>Order 1</h1>" + payload.format(file=secret_file.as_uri(), canary=canary.url)

    with caplog.at_level(logging.WARNING, logger="tablekit.documents.fetcher"):
        document = render_pdf(html, None, lambda file_id: None)

    assert_clean(document, secret_file)
    assert "Order 1" in PdfReader(io.BytesIO(document)).pages[0].extract_text()
    refusals = [r for r in caplog.records if r.name == "tablekit.documents.fetcher"]
    assert bool(refusals) is fetched


def test_css_payloads_are_refused_too(canary: HttpReceiver, secret_file: Path) -> None:
    css = (
        f"@import url({canary.url}/x.css); @import url({secret_file.as_uri()});"
        f"body {{ background: url({canary.url}/bg.png) }}"
        f"h1 {{ background: url({secret_file.as_uri()}) }}"
    )

    document = render_pdf("<h1>Order 1</h1>", css, lambda file_id: None)

    assert_clean(document, secret_file)


def test_isolated_renderer_refuses_the_same_payloads(
    canary: HttpReceiver, secret_file: Path
) -> None:
    loopback_payloads = [p for p, _ in HTML_PAYLOADS if "169.254" not in p]
    html = "<h1>Order 1</h1>" + "".join(
        p.format(file=secret_file.as_uri(), canary=canary.url) for p in loopback_payloads
    )

    document = render_pdf_isolated(html, f"@import url({canary.url}/x.css);", lambda i: None)

    assert_clean(document, secret_file)
