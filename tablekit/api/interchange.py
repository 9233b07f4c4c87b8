"""Import, export, jobs and emptying the trash.

Imports are multipart uploads (``file`` and an ``options`` JSON object) that answer 202
with ``{job_id}``; ``GET /jobs/{id}`` follows them. The handlers are built per app
because the import size limit is a setting.
"""

import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from litestar import Request, Response, Router, delete, get, post
from litestar.background_tasks import BackgroundTask
from litestar.datastructures import UploadFile
from litestar.di import Provide
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import File, Stream

from tablekit.errors import TooLarge, ValidationFailed
from tablekit.interchange.exporter import check_format
from tablekit.interchange.imports import ImportOptions, parse_options
from tablekit.interchange.runtime import Interchange
from tablekit.services.actor import Actor
from tablekit.settings import Settings

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COPY_CHUNK = 1 << 20


@dataclass
class ImportUpload:
    file: UploadFile
    options: str = ""


def provide_interchange(request: Request[Any, Any, Any]) -> Interchange:
    interchange: Interchange = request.app.state.interchange
    return interchange


def save_upload(upload: UploadFile, directory: Path, max_bytes: int) -> Path:
    """Copy an upload to a file of its own, refusing it past ``max_bytes``."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{uuid.uuid4().hex}.upload"
    size = 0
    with path.open("wb") as out:
        while chunk := upload.file.read(COPY_CHUNK):
            size += len(chunk)
            if size > max_bytes:
                out.close()
                path.unlink(missing_ok=True)
                raise TooLarge(
                    f"Import files may be at most {max_bytes >> 20} MiB (TABLEKIT_IMPORT_MAX_MB)",
                    code="IMPORT_TOO_LARGE",
                    details={"max_bytes": max_bytes},
                )
            out.write(chunk)
    return path


def _required(data: ImportUpload | None) -> ImportUpload:
    if data is None or not isinstance(data.file, UploadFile):
        raise ValidationFailed(
            "Send the file as multipart/form-data with a 'file' part (and optional 'options')",
            code="IMPORT_NO_FILE",
        )
    return data


def _disposition(name: str) -> str:
    ascii_name = name.encode("ascii", "replace").decode().replace('"', "_").replace("?", "_")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"


def router(settings: Settings) -> Router:
    """The interchange endpoints, under the API router (``/api/v1``)."""
    max_bytes = settings.import_max_mb << 20
    uploads = settings.data_dir / "imports"
    body_limit = max_bytes + (1 << 20)
    # Optional, so that access is checked before the body: a caller who may not import
    # here learns nothing more than 403/404, whatever they send.
    Upload = Annotated[ImportUpload | None, Body(media_type=RequestEncodingType.MULTI_PART)]

    def _receive(
        interchange: Interchange, actor: Actor, data: ImportUpload | None, target: Any
    ) -> tuple[Path, str, ImportOptions]:
        """Access first, then the options, then the file (stored under its own name)."""
        interchange.imports.check(actor, **target)
        data = _required(data)
        options = parse_options(data.options)
        return save_upload(data.file, uploads, max_bytes), data.file.filename or "upload", options

    def _start(
        interchange: Interchange, actor: Actor, data: ImportUpload | None, **target: Any
    ) -> dict[str, Any]:
        path, filename, options = _receive(interchange, actor, data, target)
        try:
            return interchange.imports.start(actor, path, filename, options, **target)
        except BaseException:
            path.unlink(missing_ok=True)
            raise

    def _preview(
        interchange: Interchange, actor: Actor, data: ImportUpload | None, **target: Any
    ) -> dict[str, Any]:
        path, filename, options = _receive(interchange, actor, data, target)
        try:
            return interchange.imports.preview(actor, path, filename, options, **target)
        finally:
            path.unlink(missing_ok=True)

    @post(
        "/tables/{table:str}/import",
        status_code=202,
        operation_id="importRows",
        sync_to_thread=True,
        request_max_body_size=body_limit,
    )
    def import_rows(
        actor: Actor, interchange: Interchange, table: str, data: Upload = None
    ) -> dict[str, Any]:
        """Import a CSV or XLSX file into a table (multipart: ``file``, ``options`` JSON:
        mapping, key_fields, skip_bad_rows, encoding, delimiter, sheet). Answers
        ``{job_id}``; follow it at ``/jobs/{job_id}``."""
        return _start(interchange, actor, data, table_ref=table)

    @post(
        "/tables/{table:str}/import/preview",
        status_code=200,
        operation_id="previewImportRows",
        sync_to_thread=True,
        request_max_body_size=body_limit,
    )
    def preview_rows(
        actor: Actor, interchange: Interchange, table: str, data: Upload = None
    ) -> dict[str, Any]:
        """What an import into this table would read: columns, types, first rows and the
        default mapping of columns to fields. Nothing is written."""
        return _preview(interchange, actor, data, table_ref=table)

    @post(
        "/bases/{base:int}/import",
        status_code=202,
        operation_id="importTable",
        sync_to_thread=True,
        request_max_body_size=body_limit,
    )
    def import_table(
        actor: Actor, interchange: Interchange, base: int, data: Upload = None
    ) -> dict[str, Any]:
        """Import a file as a new table (``options``: table_name, types per column or
        ``"skip"``). Answers ``{job_id}``; the job's result names the table."""
        return _start(interchange, actor, data, base_id=base)

    @post(
        "/bases/{base:int}/import/preview",
        status_code=200,
        operation_id="previewImportTable",
        sync_to_thread=True,
        request_max_body_size=body_limit,
    )
    def preview_table(
        actor: Actor, interchange: Interchange, base: int, data: Upload = None
    ) -> dict[str, Any]:
        """Detected columns and proposed field types for a new table, with the first rows."""
        return _preview(interchange, actor, data, base_id=base)

    @get("/jobs/{job:int}", operation_id="getJob", sync_to_thread=True)
    def get_job(actor: Actor, interchange: Interchange, job: int) -> dict[str, Any]:
        """A background job: ``{status: queued|running|succeeded|failed, progress (0..1),
        result, error}``."""
        return interchange.jobs.get(actor, job)

    @get("/tables/{table:str}/export", operation_id="exportRows", sync_to_thread=True)
    def export_rows(
        actor: Actor,
        interchange: Interchange,
        table: str,
        format: str = "csv",
        view: str | None = None,
        bom: bool = False,
    ) -> Response[Any]:
        """The table's rows, or a view's (its filter, sort and visible fields), as CSV
        (streamed) or XLSX. Cells that a spreadsheet would run as formulas are
        neutralized with a leading apostrophe."""
        check_format(format)
        exports = interchange.exports
        export = exports.prepare(actor, table, view)
        if format == "csv":
            return Stream(
                exports.csv_chunks(export, bom=bom),
                media_type="text/csv",
                headers={"Content-Disposition": _disposition(f"{export.table_name}.csv")},
            )
        path = uploads / f"{uuid.uuid4().hex}.xlsx"
        uploads.mkdir(parents=True, exist_ok=True)
        try:
            exports.write_xlsx(export, path)
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        return File(
            path=path,
            filename=f"{export.table_name}.xlsx",
            media_type=XLSX_TYPE,
            background=BackgroundTask(path.unlink, missing_ok=True),
        )

    @delete(
        "/bases/{base:int}/trash", operation_id="emptyTrash", sync_to_thread=True, status_code=200
    )
    def empty_trash(actor: Actor, interchange: Interchange, base: int) -> dict[str, Any]:
        """Delete everything in the base's trash for good (admins)."""
        return interchange.empty_trash(actor, base)

    return Router(
        path="/",
        route_handlers=[
            import_rows,
            preview_rows,
            import_table,
            preview_table,
            get_job,
            export_rows,
            empty_trash,
        ],
        dependencies={"interchange": Provide(provide_interchange, sync_to_thread=False)},
    )
