"""Document templates: CRUD (admins), render a row to PDF or HTML (readers), and the
template editor's HTML preview. Thin handlers, one service call each."""

from typing import Any
from urllib.parse import quote

from litestar import Response, delete, get, patch, post
from msgspec import UNSET, UnsetType

from tablekit.api.structs import In
from tablekit.services.actor import Actor
from tablekit.services.container import Services

# Rendered HTML is user-written markup served from our origin: no scripts, no plugins, and
# nothing loaded from elsewhere, whoever opens it.
HTML_POLICY = "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'"


class DocumentCreate(In):
    name: str
    table_id: int | str
    template: str
    css: str = ""


class DocumentUpdate(In):
    name: str | UnsetType = UNSET
    table_id: int | str | UnsetType = UNSET
    template: str | UnsetType = UNSET
    css: str | UnsetType = UNSET


class RenderIn(In):
    row_id: int
    format: str = "pdf"


class PreviewIn(In):
    row_id: int | None = None
    template: str | None = None
    css: str | None = None


class DraftPreviewIn(In):
    table_id: int | str
    template: str
    css: str = ""
    row_id: int | None = None


def content_disposition(filename: str) -> str:
    """``inline`` with an ASCII fallback name and the exact UTF-8 name (RFC 6266)."""
    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "")
    return f"inline; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


@get("/bases/{base:int}/documents", operation_id="listDocuments", sync_to_thread=True)
def list_documents(actor: Actor, services: Services, base: int) -> dict[str, Any]:
    """The base's document templates."""
    return {"items": services.documents.list(actor, base)}


@post("/bases/{base:int}/documents", operation_id="createDocument", sync_to_thread=True)
def create_document(
    actor: Actor, services: Services, base: int, data: DocumentCreate
) -> dict[str, Any]:
    """Create a document template (admins): Jinja2 HTML rendering rows of ``table_id``
    (id or name), plus optional CSS. A template that does not compile is refused (422,
    ``TEMPLATE_INVALID``, ``details.line``)."""
    return services.documents.create(actor, base, data.given())


@post(
    "/bases/{base:int}/documents/preview",
    status_code=200,
    operation_id="previewDraftDocument",
    sync_to_thread=True,
)
def preview_draft(
    actor: Actor, services: Services, base: int, data: DraftPreviewIn
) -> dict[str, Any]:
    """HTML of an unsaved template for a row (default: the table's first), for the editor;
    answers ``{html, row_id}`` (admins)."""
    return services.documents.preview(
        actor,
        base_id=base,
        table=data.table_id,
        row_id=data.row_id,
        template=data.template,
        css=data.css,
    )


@get("/documents/{doc:int}", operation_id="getDocument", sync_to_thread=True)
def get_document(actor: Actor, services: Services, doc: int) -> dict[str, Any]:
    """One document template."""
    return services.documents.get(actor, doc)


@patch("/documents/{doc:int}", operation_id="updateDocument", sync_to_thread=True)
def update_document(
    actor: Actor, services: Services, doc: int, data: DocumentUpdate
) -> dict[str, Any]:
    """Change a template's name, table, template or CSS (admins)."""
    return services.documents.update(actor, doc, data.given())


@delete("/documents/{doc:int}", operation_id="deleteDocument", sync_to_thread=True)
def delete_document(actor: Actor, services: Services, doc: int) -> None:
    """Delete a document template (admins); files it generated stay on their rows."""
    services.documents.delete(actor, doc)


@post(
    "/documents/{doc:int}/render",
    status_code=200,
    operation_id="renderDocument",
    media_type="application/pdf",  # or text/html, as the request's format says
    sync_to_thread=True,
)
def render_document(actor: Actor, services: Services, doc: int, data: RenderIn) -> Response[bytes]:
    """The document for a row as ``application/pdf`` or ``text/html`` bytes (``format``),
    with a ``Content-Disposition`` file name. Template errors answer 422 with the line."""
    rendered = services.documents.render(actor, doc, data.row_id, data.format)
    headers = {
        "Content-Disposition": content_disposition(rendered.filename),
        "X-Content-Type-Options": "nosniff",
    }
    if data.format == "html":
        headers["Content-Security-Policy"] = HTML_POLICY
    return Response(rendered.content, media_type=rendered.media_type, headers=headers)


@post(
    "/documents/{doc:int}/preview",
    status_code=200,
    operation_id="previewDocument",
    sync_to_thread=True,
)
def preview_document(actor: Actor, services: Services, doc: int, data: PreviewIn) -> dict[str, Any]:
    """HTML of a document for a row (default: the table's first) as ``{html, row_id}``,
    fast enough for live preview; ``template``/``css`` preview unsaved edits (admins)."""
    return services.documents.preview(
        actor, doc_id=doc, row_id=data.row_id, template=data.template, css=data.css
    )


ROUTES = [
    list_documents,
    create_document,
    preview_draft,
    get_document,
    update_document,
    delete_document,
    render_document,
    preview_document,
]
