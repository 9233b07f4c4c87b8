"""Documents and the base's files, both ways.

Reading: a template names images as ``tablekit-file:<id>``; the PDF renderer gets them
only through :func:`attachment_fetcher`, which serves files of the document's own base
after an authorization check, and HTML answers turn them into file API URLs
(:func:`compose_html`) that the viewer's session authorizes.

Writing: a generated PDF becomes a file of the base and is appended to an attachment field
through the row write path, so row history, row events (and the rules they trigger) and
computed fields follow exactly as for an edit in the grid. This runs inside the caller's
transaction: ``FileService.store`` opens its own and checks an actor, but a generated
document is written by the automation engine (as the system) in the run's transaction, or
by the document service right after it authorized the call.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from sqlalchemy.orm import Session

from tablekit.db.engine import Database
from tablekit.db.models import StoredFile, utcnow
from tablekit.documents.pdf import FetchAttachment
from tablekit.documents.values import FILE_SCHEME
from tablekit.errors import TableKitError, TooLarge, ValidationFailed
from tablekit.fields.base import FieldDef
from tablekit.services import rowwrite
from tablekit.services.access import Access
from tablekit.services.actor import Actor
from tablekit.services.files import FileService, clean_filename, file_dict
from tablekit.services.rowcodec import encode_rows
from tablekit.services.rows import RowService
from tablekit.services.rowwrite import Op

PDF = "application/pdf"
_STORED_FILE_ID = re.compile(r"[0-9a-f]{32}")
_HEAD_END = re.compile(r"</head\s*>", re.IGNORECASE)


def attachment_fetcher(
    db: Database,
    access: Access,
    files: FileService,
    base_id: int,
    actor: Actor | None,
    session: Session | None = None,
) -> FetchAttachment:
    """The PDF renderer's only way to files: those of ``base_id``, and only while ``actor``
    (None: the system) may read that base. Looks them up in ``session`` when given (the
    caller's open transaction), else in a short read transaction per file."""

    def fetch(file_id: str) -> tuple[bytes, str] | None:
        if not _STORED_FILE_ID.fullmatch(file_id):
            return None
        scope: AbstractContextManager[Session] = (
            nullcontext(session) if session is not None else db.read()
        )
        with scope as reading:
            stored = reading.get(StoredFile, file_id)
            if stored is None or stored.base_id != base_id:
                return None
            if actor is not None:
                try:
                    access.require_base(reading, actor, base_id, "read")
                except TableKitError:
                    return None
            mime = stored.mime_type
        try:
            return files.path_of(file_id).read_bytes(), mime
        except OSError:
            return None

    return fetch


def compose_html(html: str, css: str) -> str:
    """The HTML answer for browsers: the CSS inlined and ``tablekit-file:`` references
    turned into the file API's URLs, which the viewer's own session authorizes."""
    html = html.replace(FILE_SCHEME, "/api/v1/files/")
    if not css:
        return html
    # "</" inside the style element would end it; "<\/" means the same in CSS.
    style = "<style>\n" + css.replace("</", "<\\/") + "\n</style>\n"
    match = _HEAD_END.search(html)
    if match is None:
        return style + html
    return html[: match.start()] + style + html[match.start() :]


def attachment_field(fdef: FieldDef | None, ref: str | int) -> FieldDef:
    """``fdef`` if it is an attachment field; ValidationFailed (INVALID_FIELD) otherwise."""
    if fdef is None or fdef.type != "attachment":
        raise ValidationFailed(
            f"{ref!r} is not an attachment field of the document's table",
            code="INVALID_FIELD",
            details={"field": ref},
        )
    return fdef


def pdf_file_name(rendered: str) -> str:
    """A safe file name from a rendered ``file_name`` template, always ending in ``.pdf``."""
    name = clean_filename(" ".join(rendered.split())) if rendered.strip() else "document"
    if not name.lower().endswith(".pdf"):
        name = clean_filename(name[:196] + ".pdf")
    return name


def store_file(
    session: Session,
    files: FileService,
    base_id: int,
    name: str,
    content: bytes,
    created_by: int | None,
) -> dict[str, Any]:
    """Store ``content`` as a PDF file of ``base_id`` in the open transaction.

    The bytes go to disk after the metadata row is flushed, so a refused insert leaves
    nothing behind; a later rollback leaves an unreferenced file, as an abandoned upload
    does. Raises TooLarge (FILE_TOO_LARGE) over the upload limit.
    """
    if len(content) > files.max_bytes:
        raise TooLarge(
            f"The document is larger than the {files.max_bytes // (1024 * 1024)} MiB file limit",
            code="FILE_TOO_LARGE",
        )
    stored = StoredFile(
        id=secrets.token_hex(16),
        base_id=base_id,
        name=clean_filename(name),
        mime_type=PDF,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        created_by=created_by,
        created_at=utcnow(),
    )
    session.add(stored)
    session.flush()
    path = files.path_of(stored.id)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return file_dict(stored)


def append_attachment(rows: RowService, op: Op, row_id: int, fdef: FieldDef, file_id: str) -> None:
    """Add ``file_id`` after the files already in the row's cell (read under the row
    lock, so a concurrent upload is kept), as an ordinary row update."""
    current = op.fetch([row_id], lock=True)
    cell = current[0]._mapping[fdef.column] if current else None
    file_ids = [item["id"] for item in cell or [] if isinstance(item, dict)]
    encoded = encode_rows(
        op.schema, op.registry, [{fdef.key: [*file_ids, file_id]}], op.ctx, creating=False
    )
    rowwrite.update_rows(op, [row_id], encoded)
    rows.finish(op)
