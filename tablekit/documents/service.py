"""Document templates: stored per base and table, rendered for a row to HTML or PDF, and
generated into a row's attachment field (the ``generate_document`` automation action).

Rendering reads the row inside one read transaction (linked rows load lazily while the
template runs, see :mod:`.context`); the PDF is made afterwards in a renderer process, so
no transaction is held open while WeasyPrint works unless the caller passes its own
session. Images reach the PDF only as ``tablekit-file:<id>`` (or ``/api/v1/files/<id>``)
references to files of the document's own base, after an authorization check.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from tablekit.db.engine import Database
from tablekit.db.models import BaseMeta, TableMeta, utcnow
from tablekit.documents.attachments import (
    append_attachment,
    attachment_fetcher,
    attachment_field,
    compose_html,
    pdf_file_name,
    store_file,
)
from tablekit.documents.context import ContextLoader, build_context
from tablekit.documents.models import DocumentTemplate
from tablekit.documents.pdf import DEFAULT_TIMEOUT, render_pdf_isolated
from tablekit.documents.templating import render_template, validate_template
from tablekit.errors import Conflict, NotFound, ValidationFailed
from tablekit.fields.base import FieldDef
from tablekit.services.access import Access
from tablekit.services.actor import Actor
from tablekit.services.files import FileService, clean_filename
from tablekit.services.rows import RowService
from tablekit.services.workspaces import clean_name

FORMATS = {"pdf": "application/pdf", "html": "text/html; charset=utf-8"}
MAX_CSS_CHARS = 200_000


class Rendered(NamedTuple):
    """A rendered document: its bytes, media type and a suggested file name."""

    content: bytes
    media_type: str
    filename: str


class GenerateJob(NamedTuple):
    """A prepared generation: what the PDF step and the write need, so no session has to
    stay open while the PDF renders."""

    base_id: int
    table_id: int
    row_id: int
    field_id: int
    html: str
    css: str
    file_name: str


def document_dict(doc: DocumentTemplate) -> dict[str, Any]:
    return {
        "id": doc.id,
        "base_id": doc.base_id,
        "table_id": doc.table_id,
        "name": doc.name,
        "template": doc.template,
        "css": doc.css,
        "created_by": doc.created_by,
        "created_at": doc.created_at.isoformat(),
        "updated_at": doc.updated_at.isoformat(),
    }


def check_template(template: Any) -> str:
    if not isinstance(template, str) or not template.strip():
        raise ValidationFailed("The document needs a template", code="TEMPLATE_INVALID")
    validate_template(template, html=True)
    return template


def check_css(css: Any) -> str:
    if css is None:
        return ""
    if not isinstance(css, str) or len(css) > MAX_CSS_CHARS or "\x00" in css:
        raise ValidationFailed(
            f"css must be text of at most {MAX_CSS_CHARS} characters", code="INVALID_CSS"
        )
    return css


class DocumentService:
    def __init__(
        self,
        db: Database,
        access: Access,
        rows: RowService,
        files: FileService,
        *,
        pdf_timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self.db = db
        self.access = access
        self.rows = rows
        self.files = files
        self.pdf_timeout = pdf_timeout

    # --- templates -----------------------------------------------------------------------
    def _doc(
        self, session: Session, actor: Actor, doc_id: int, capability: str
    ) -> DocumentTemplate:
        doc = session.get(DocumentTemplate, doc_id)
        if doc is None:
            raise NotFound("Document not found", code="DOCUMENT_NOT_FOUND")
        try:
            self.access.require_base(session, actor, doc.base_id, capability)
        except NotFound:
            raise NotFound("Document not found", code="DOCUMENT_NOT_FOUND") from None
        return doc

    def _table(self, session: Session, base_id: int, ref: Any) -> TableMeta:
        """A table of this base by id or name (ValidationFailed when it has none such)."""
        query = select(TableMeta).where(TableMeta.base_id == base_id)
        if isinstance(ref, int) and not isinstance(ref, bool):
            query = query.where(TableMeta.id == ref)
        elif isinstance(ref, str) and ref.isdigit():
            query = query.where(TableMeta.id == int(ref))
        elif isinstance(ref, str):
            query = query.where(TableMeta.name == ref)
        else:
            raise ValidationFailed("table_id must name a table", code="UNKNOWN_TABLE")
        table = session.scalar(query)
        if table is None:
            raise ValidationFailed(
                f"No table {ref!r} in this base", code="UNKNOWN_TABLE", details={"table": ref}
            )
        return table

    def _check_name(self, session: Session, base_id: int, name: str, doc_id: int | None) -> None:
        query = select(DocumentTemplate.id).where(
            DocumentTemplate.base_id == base_id, DocumentTemplate.name == name
        )
        clash = session.scalar(query)
        if clash is not None and clash != doc_id:
            raise Conflict(
                f"A document named {name!r} already exists in this base",
                code="DOCUMENT_NAME_TAKEN",
                details={"id": clash},
            )

    def list(self, actor: Actor, base_id: int) -> list[dict[str, Any]]:
        with self.db.read() as session:
            self.access.require_base(session, actor, base_id, "read")
            docs = session.scalars(
                select(DocumentTemplate)
                .where(DocumentTemplate.base_id == base_id)
                .order_by(DocumentTemplate.name, DocumentTemplate.id)
            )
            return [document_dict(doc) for doc in docs]

    def create(self, actor: Actor, base_id: int, data: Mapping[str, Any]) -> dict[str, Any]:
        """A new template (admins); the template is compiled now, so a syntax error is
        refused here with its line (TEMPLATE_INVALID) rather than at the first render."""
        name = clean_name(data.get("name"), "document")
        template = check_template(data.get("template"))
        css = check_css(data.get("css"))
        with self.db.write() as session:
            self.access.require_base(session, actor, base_id, "schema")
            table = self._table(session, base_id, data.get("table_id"))
            self._check_name(session, base_id, name, None)
            now = utcnow()
            doc = DocumentTemplate(
                base_id=base_id,
                table_id=table.id,
                name=name,
                template=template,
                css=css,
                created_by=actor.user_id or None,
                created_at=now,
                updated_at=now,
            )
            session.add(doc)
            session.flush()
            return document_dict(doc)

    def get(self, actor: Actor, doc_id: int) -> dict[str, Any]:
        with self.db.read() as session:
            return document_dict(self._doc(session, actor, doc_id, "read"))

    def update(self, actor: Actor, doc_id: int, changes: Mapping[str, Any]) -> dict[str, Any]:
        """Change name, table, template or css (admins); the given keys only."""
        with self.db.write() as session:
            doc = self._doc(session, actor, doc_id, "schema")
            if "name" in changes:
                doc.name = clean_name(changes["name"], "document")
                self._check_name(session, doc.base_id, doc.name, doc.id)
            if "table_id" in changes:
                doc.table_id = self._table(session, doc.base_id, changes["table_id"]).id
            if "template" in changes:
                doc.template = check_template(changes["template"])
            if "css" in changes:
                doc.css = check_css(changes["css"])
            doc.updated_at = utcnow()
            return document_dict(doc)

    def delete(self, actor: Actor, doc_id: int) -> None:
        with self.db.write() as session:
            session.delete(self._doc(session, actor, doc_id, "schema"))

    # --- rendering -----------------------------------------------------------------------
    def _html(
        self,
        session: Session,
        base: BaseMeta,
        table_id: int,
        row_id: int,
        template: str,
        actor_id: int | None,
        document: Mapping[str, Any],
    ) -> tuple[str, dict[str, Any]]:
        loader = ContextLoader(session, self.rows, base, actor_id)
        context = build_context(loader, table_id, row_id)
        context["document"] = dict(document)
        return render_template(template, context, html=True), context

    def render(self, actor: Actor, doc_id: int, row_id: int, fmt: str) -> Rendered:
        """The document for one row as PDF or HTML (readers may render).

        Raises NotFound (document, row), ValidationFailed (TEMPLATE_ERROR with the line,
        DOCUMENT_TIMEOUT, DOCUMENT_RENDER_FAILED, INVALID_FORMAT) or TooLarge.
        """
        if fmt not in FORMATS:
            raise ValidationFailed("format is pdf or html", code="INVALID_FORMAT")
        with self.db.read() as session:
            doc = self._doc(session, actor, doc_id, "read")
            base = session.get(BaseMeta, doc.base_id)
            assert base is not None
            info = {"id": doc.id, "name": doc.name}
            html, context = self._html(
                session, base, doc.table_id, row_id, doc.template, actor.user_id or None, info
            )
            css, base_id = doc.css, doc.base_id
        label = context["row"].display.get(context["table"].get("primary") or "", "")
        filename = clean_filename(f"{doc.name} {label or row_id}.{fmt}")
        if fmt == "html":
            return Rendered(compose_html(html, css).encode(), FORMATS[fmt], filename)
        fetch = attachment_fetcher(self.db, self.access, self.files, base_id, actor)
        content = render_pdf_isolated(html, css, fetch, timeout=self.pdf_timeout)
        return Rendered(content, FORMATS[fmt], filename)

    def preview(
        self,
        actor: Actor,
        *,
        doc_id: int | None = None,
        base_id: int | None = None,
        table: Any = None,
        row_id: int | None = None,
        template: str | None = None,
        css: str | None = None,
    ) -> dict[str, Any]:
        """HTML of a saved document (``doc_id``) or of a draft (``base_id``, ``table``),
        for the template editor. A draft template or css needs the admin role; the row
        defaults to the table's first. Answers ``{html, row_id}``."""
        drafting = template is not None or css is not None or doc_id is None
        with self.db.read() as session:
            if doc_id is not None:
                doc = self._doc(session, actor, doc_id, "schema" if drafting else "read")
                base_id, table_id = doc.base_id, doc.table_id
                info: dict[str, Any] = {"id": doc.id, "name": doc.name}
                template = doc.template if template is None else template
                css = doc.css if css is None else css
            elif base_id is not None:
                self.access.require_base(session, actor, base_id, "schema")
                table_id, info = self._table(session, base_id, table).id, {"id": None, "name": ""}
            else:
                raise ValidationFailed("Name a document or a base", code="INVALID_REQUEST")
            template, css = check_template(template), check_css(css)
            base = session.get(BaseMeta, base_id)
            assert base is not None
            if row_id is None:
                row_id = ContextLoader(session, self.rows, base, None).first_row_id(table_id)
            html, _ = self._html(
                session, base, table_id, row_id, template, actor.user_id or None, info
            )
        return {"html": compose_html(html, css), "row_id": row_id}

    # --- generating into a row -----------------------------------------------------------
    def generate(
        self,
        actor_id: int | None,
        doc_id: int,
        row_id: int,
        *,
        field: str | int,
        file_name: str,
        session: Session | None = None,
        depth: int = 0,
    ) -> dict[str, Any]:
        """Render document ``doc_id`` for ``row_id`` to PDF, store it as a file of the
        document's base and append it to the row's attachment ``field`` (name or id).

        Returns the file ``{id, name, size, mime_type, url}``. ``file_name`` is a plain-text
        Jinja2 template over the document's context (``Order confirmation {{ row["No."]
        }}.pdf``); ``.pdf`` is added when missing. ``actor_id`` is who the change is
        recorded for in the row history and events (None: the system). No permission is
        checked here: the caller decides (the automation engine runs rules as the system).

        Without ``session`` the row is read in one transaction, the PDF rendered with none
        open, and the file stored and the row updated in a second one. With ``session``
        (the automation engine's run) everything happens in that open transaction, which
        stays open while the PDF renders (about a second). ``depth`` is the automation
        chain depth recorded on the row event. Raises NotFound (DOCUMENT_NOT_FOUND,
        ROW_NOT_FOUND), ValidationFailed (INVALID_FIELD, TEMPLATE_ERROR, DOCUMENT_TIMEOUT,
        DOCUMENT_RENDER_FAILED, INVALID_CELL when the cell is full) or TooLarge.
        """
        if session is not None:
            job = self.prepare_generate(session, actor_id, doc_id, row_id, field, file_name)
            content = self._pdf(job, session)
            return self._attach(session, job, content, actor_id, depth)
        with self.db.read() as reading:
            job = self.prepare_generate(reading, actor_id, doc_id, row_id, field, file_name)
        content = self._pdf(job, None)
        with self.db.write() as writing:
            return self._attach(writing, job, content, actor_id, depth)

    def prepare_generate(
        self,
        session: Session,
        actor_id: int | None,
        doc_id: int,
        row_id: int,
        field: str | int,
        file_name: str,
    ) -> GenerateJob:
        """Everything :meth:`generate` does before the PDF: the checks, the HTML and the
        file name, written nowhere; a rule's dry run uses it to say what it would attach."""
        doc = session.get(DocumentTemplate, doc_id)
        base = session.get(BaseMeta, doc.base_id) if doc is not None else None
        if doc is None or base is None:
            raise NotFound("Document not found", code="DOCUMENT_NOT_FOUND")
        loader = ContextLoader(session, self.rows, base, actor_id)
        fdef = attachment_field(loader.op(doc.table_id).schema.find(field), field)
        context = build_context(loader, doc.table_id, row_id)
        context["document"] = {"id": doc.id, "name": doc.name}
        html = render_template(doc.template, context, html=True)
        name = pdf_file_name(render_template(file_name, context, html=False))
        return GenerateJob(doc.base_id, doc.table_id, row_id, fdef.id, html, doc.css, name)

    def _pdf(self, job: GenerateJob, session: Session | None) -> bytes:
        fetch = attachment_fetcher(self.db, self.access, self.files, job.base_id, None, session)
        return render_pdf_isolated(job.html, job.css, fetch, timeout=self.pdf_timeout)

    def _attach(
        self, session: Session, job: GenerateJob, content: bytes, actor_id: int | None, depth: int
    ) -> dict[str, Any]:
        meta = session.get(TableMeta, job.table_id)
        if meta is None:
            raise NotFound("Table not found", code="TABLE_NOT_FOUND")
        op = self.rows.op_for(session, meta, actor_id, depth)
        fdef = attachment_field(op.schema.by_id(job.field_id), job.field_id)
        stored = store_file(session, self.files, job.base_id, job.file_name, content, actor_id)
        append_attachment(self.rows, op, job.row_id, fdef, stored["id"])
        return stored

    def check_generate(
        self,
        session: Session,
        base_id: int,
        table_id: int,
        doc_id: int,
        field: str | int,
        file_name: str,
    ) -> FieldDef:
        """For rules, when saved: the document exists in ``base_id`` and renders rows of
        ``table_id``, ``field`` is an attachment field there and ``file_name`` compiles.
        Returns the field; raises ValidationFailed (UNKNOWN_DOCUMENT,
        DOCUMENT_TABLE_MISMATCH, INVALID_FIELD, TEMPLATE_INVALID)."""
        doc = session.get(DocumentTemplate, doc_id)
        if doc is None or doc.base_id != base_id:
            raise ValidationFailed(f"No document {doc_id} in this base", code="UNKNOWN_DOCUMENT")
        if doc.table_id != table_id:
            raise ValidationFailed(
                f"The document {doc.name!r} renders rows of another table",
                code="DOCUMENT_TABLE_MISMATCH",
            )
        validate_template(file_name, html=False)
        meta = session.get(TableMeta, table_id)
        assert meta is not None
        schema = self.rows.op_for(session, meta, None).schema
        return attachment_field(schema.find(field), field)
