"""Attachments: stored under the data dir by content id, served after an authorization check."""

from __future__ import annotations

import hashlib
import mimetypes
import re
import secrets
from pathlib import Path
from typing import Any

from tablekit.db.engine import Database
from tablekit.db.models import StoredFile
from tablekit.errors import NotFound, TooLarge, ValidationFailed
from tablekit.fields.attachment import file_url
from tablekit.services.access import Access
from tablekit.services.actor import Actor

SAFE_NAME = re.compile(r"[^\w.\- ()\[\]]+", re.UNICODE)


def clean_filename(name: str) -> str:
    name = Path(name.replace("\\", "/")).name
    name = SAFE_NAME.sub("_", name).strip(" .") or "file"
    return name[:200]


def file_dict(stored: StoredFile) -> dict[str, Any]:
    return {
        "id": stored.id,
        "name": stored.name,
        "size": stored.size,
        "mime_type": stored.mime_type,
        "url": file_url(stored.id),
    }


class FileService:
    def __init__(self, db: Database, access: Access, files_dir: Path, max_bytes: int) -> None:
        self.db = db
        self.access = access
        self.files_dir = files_dir
        self.max_bytes = max_bytes

    def path_of(self, file_id: str) -> Path:
        return self.files_dir / file_id[:2] / file_id

    def store(
        self, actor: Actor, base_id: int, name: str, data: bytes, mime_type: str | None = None
    ) -> dict[str, Any]:
        if len(data) > self.max_bytes:
            raise TooLarge(
                f"Files may be at most {self.max_bytes // (1024 * 1024)} MiB", code="FILE_TOO_LARGE"
            )
        name = clean_filename(name)
        mime = mime_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
        if len(mime) > 120 or "/" not in mime:
            raise ValidationFailed("Invalid content type", code="INVALID_MIME_TYPE")
        file_id = secrets.token_hex(16)
        with self.db.write() as session:
            self.access.require_base(session, actor, base_id, "write")
            path = self.path_of(file_id)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            stored = StoredFile(
                id=file_id,
                base_id=base_id,
                name=name,
                mime_type=mime,
                size=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
                created_by=actor.user_id,
            )
            session.add(stored)
            session.flush()
            return file_dict(stored)

    def open(self, actor: Actor, file_id: str) -> tuple[dict[str, Any], Path]:
        """Metadata and path of a file the actor may read (NotFound otherwise)."""
        if not re.fullmatch(r"[0-9a-f]{32}", file_id):
            raise NotFound("File not found", code="FILE_NOT_FOUND")
        with self.db.read() as session:
            stored = session.get(StoredFile, file_id)
            if stored is None:
                raise NotFound("File not found", code="FILE_NOT_FOUND")
            try:
                self.access.require_base(session, actor, stored.base_id, "read")
            except NotFound:
                raise NotFound("File not found", code="FILE_NOT_FOUND") from None
            return file_dict(stored), self.path_of(file_id)
