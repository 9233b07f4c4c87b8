"""Attachments: upload to a base, download after an authorization check."""

from dataclasses import dataclass
from typing import Annotated, Any

from litestar import get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import File

from tablekit.services.actor import Actor
from tablekit.services.container import Services

INLINE_TYPES = frozenset(
    {"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "text/plain"}
)


@dataclass
class FileUpload:
    file: UploadFile
    base_id: int


@post("/files", operation_id="uploadFile", sync_to_thread=True)
def upload_file(
    actor: Actor,
    services: Services,
    data: Annotated[FileUpload, Body(media_type=RequestEncodingType.MULTI_PART)],
) -> dict[str, Any]:
    """Upload a file (multipart: ``file`` and ``base_id``); put its id in an attachment cell."""
    content = data.file.file.read(services.files.max_bytes + 1)
    return services.files.store(
        actor, data.base_id, data.file.filename or "file", content, data.file.content_type or None
    )


@get("/files/{file_id:str}", operation_id="downloadFile", sync_to_thread=True)
def download_file(actor: Actor, services: Services, file_id: str) -> File:
    """A file you may read. Only safe types are shown inline; everything is sandboxed."""
    meta, path = services.files.open(actor, file_id)
    inline = meta["mime_type"] in INLINE_TYPES
    return File(
        path=path,
        filename=meta["name"],
        media_type=meta["mime_type"] if inline else "application/octet-stream",
        content_disposition_type="inline" if inline else "attachment",
        headers={
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "sandbox; default-src 'none'",
        },
    )


ROUTES = [upload_file, download_file]
