"""HTML to PDF without file system or network access, optionally in a separate process.

WeasyPrint fetches every ``<img>``, ``<link>``, ``@import``, ``url()`` and
``<link rel="attachment">`` itself, by default from ``file:`` and ``http:`` too, which would
let a template read ``/etc/passwd`` into a PDF or probe the internal network. The fetcher in
:mod:`.fetcher` answers only ``data:`` URIs and ``tablekit-file:<id>`` /
``/api/v1/files/<id>`` references that the caller's ``fetch_attachment(id)`` authorises
(returning ``(bytes, mime type)``, or None to refuse); everything else is refused before
any I/O.

:func:`render_pdf_isolated` runs the render in a fresh process (forkserver: no inherited
threads, locks or database connections) with an address-space limit and a wall-clock
timeout. Attachment requests are relayed to the parent over a pipe as plain bytes (never
pickles), so the authorization check runs in the process that owns the session.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import re
import resource
import time
from collections.abc import Callable
from multiprocessing.connection import Connection

from tablekit.errors import TooLarge, ValidationFailed

logger = logging.getLogger(__name__)

#: ``fetch_attachment(file_id)`` → ``(content, mime type)``, or None when refused/missing.
FetchAttachment = Callable[[str], tuple[bytes, str] | None]

DEFAULT_TIMEOUT = 20.0
DEFAULT_MEMORY_MB = 1024
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_PDF_BYTES = 50 * 1024 * 1024
#: What an attachment id may look like; checked on both sides of the renderer pipe.
FILE_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


def _authorised(fetch_attachment: FetchAttachment, file_id: str) -> tuple[bytes, str] | None:
    """Ask the caller for an attachment; errors and oversized files count as refusals."""
    try:
        found = fetch_attachment(file_id)
    except Exception:
        logger.exception("fetch_attachment(%r) failed", file_id)
        return None
    if found is None:
        return None
    content, mime = found
    if len(content) > MAX_ATTACHMENT_BYTES:
        logger.warning("attachment %s is too large for a document", file_id)
        return None
    return content, mime


def render_pdf(html: str, css: str | None, fetch_attachment: FetchAttachment) -> bytes:
    """Render ``html`` (plus optional ``css``) to PDF bytes in this process.

    Refused resources are left out and logged. Untrusted templates in the server should use
    :func:`render_pdf_isolated` instead, which bounds time and memory.
    """
    from tablekit.documents.fetcher import write_pdf

    return write_pdf(html, css, lambda file_id: _authorised(fetch_attachment, file_id))


def _child_main(connection: Connection, html: str, css: str | None, memory_bytes: int) -> None:
    """Renderer process: limit memory, render, relay attachment requests, send the result."""
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = memory_bytes if hard == resource.RLIM_INFINITY else min(memory_bytes, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))

    def relay(file_id: str) -> tuple[bytes, str] | None:
        connection.send_bytes(b"F" + file_id.encode())
        reply = connection.recv_bytes()
        if reply[:1] != b"Y":
            return None
        size = int.from_bytes(reply[1:3], "big")
        return reply[3 + size :], reply[3 : 3 + size].decode()

    try:
        from tablekit.documents.fetcher import write_pdf

        message = b"D" + write_pdf(html, css, relay)
    except MemoryError:
        message = _error("DOCUMENT_RENDER_FAILED", "the document needs too much memory")
    except Exception as exc:
        message = _error("DOCUMENT_RENDER_FAILED", f"{type(exc).__name__}: {exc}")
    connection.send_bytes(message)
    connection.close()


def _error(code: str, text: str) -> bytes:
    return b"E" + json.dumps({"code": code, "message": text[:500]}).encode()


def _answer(fetch_attachment: FetchAttachment, request: bytes) -> bytes:
    """Parent side of the relay: ``Y`` + mime length + mime + content, or ``N``."""
    file_id = request.decode(errors="replace")
    if not FILE_ID.fullmatch(file_id):  # the renderer is not trusted to have checked
        return b"N"
    found = _authorised(fetch_attachment, file_id)
    if found is None:
        return b"N"
    content, mime = found
    encoded = mime.encode()[:255]
    return b"Y" + len(encoded).to_bytes(2, "big") + encoded + content


def render_pdf_isolated(
    html: str,
    css: str | None,
    fetch_attachment: FetchAttachment,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    memory_mb: int = DEFAULT_MEMORY_MB,
) -> bytes:
    """:func:`render_pdf` in a new process, killed after ``timeout`` seconds.

    The process may map at most ``memory_mb`` MiB. ``fetch_attachment`` runs here, in the
    calling process. Raises ValidationFailed with code DOCUMENT_TIMEOUT or
    DOCUMENT_RENDER_FAILED, or TooLarge (DOCUMENT_TOO_LARGE) for a PDF over 50 MiB. Each
    call starts a process, which costs about half a second (importing WeasyPrint).
    """
    context = multiprocessing.get_context("forkserver")
    ours, theirs = context.Pipe(duplex=True)
    process = context.Process(
        target=_child_main, args=(theirs, html, css, memory_mb * 1024 * 1024), daemon=True
    )
    deadline = time.monotonic() + timeout
    process.start()
    theirs.close()
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not ours.poll(remaining):
                raise ValidationFailed(
                    f"rendering the document took longer than {timeout:g} s",
                    code="DOCUMENT_TIMEOUT",
                )
            try:
                message = ours.recv_bytes(MAX_PDF_BYTES + 1)
            except EOFError:
                process.join(1)
                raise ValidationFailed(
                    f"the document renderer stopped (exit code {process.exitcode})",
                    code="DOCUMENT_RENDER_FAILED",
                ) from None
            except OSError:
                raise TooLarge(
                    "the rendered PDF is larger than 50 MiB", code="DOCUMENT_TOO_LARGE"
                ) from None
            kind, body = message[:1], message[1:]
            if kind == b"F":
                ours.send_bytes(_answer(fetch_attachment, body))
            elif kind == b"D":
                return body
            elif kind == b"E":
                error = json.loads(body)
                raise ValidationFailed(str(error["message"]), code=str(error["code"]))
            else:
                raise ValidationFailed(
                    "the document renderer sent an unexpected reply",
                    code="DOCUMENT_RENDER_FAILED",
                )
    finally:
        if process.is_alive():
            process.kill()
        process.join(5)
        ours.close()
        if not process.is_alive():
            process.close()
