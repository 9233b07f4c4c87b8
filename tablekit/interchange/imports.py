"""The import service: preview an upload, and start an import as a background job.

Everything that can be refused without reading the whole file (permissions, options,
the mapping, unreadable or oversized files) is refused by ``start`` itself, with a 4xx;
the job then only converts and writes rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

import msgspec
from sqlalchemy.orm import Session

from tablekit.db.models import TableMeta
from tablekit.errors import ValidationFailed
from tablekit.interchange import plan as plans
from tablekit.interchange.bulk import RowInserter
from tablekit.interchange.detect import PREVIEW_ROWS, SAMPLE_ROWS, guess_columns
from tablekit.interchange.importer import ImportRun
from tablekit.interchange.jobs import JobContext, JobRunner
from tablekit.interchange.sources import Source, open_source
from tablekit.services.actor import Actor
from tablekit.services.cellctx import make_context
from tablekit.services.container import Services

PROGRESS_EVERY = 2000


class ImportOptions(msgspec.Struct, forbid_unknown_fields=True):
    """The ``options`` part of an import upload (a JSON object)."""

    format: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    mapping: dict[str, str | int | None] | None = None
    types: dict[str, str] | None = None
    table_name: str | None = None
    key_fields: list[str] | None = None
    skip_bad_rows: bool = False


def parse_options(raw: str | bytes | None) -> ImportOptions:
    if not raw:
        return ImportOptions()
    try:
        return msgspec.json.decode(raw, type=ImportOptions)
    except msgspec.DecodeError as exc:
        raise ValidationFailed(
            f"options are invalid: {exc}", code="INVALID_IMPORT_OPTIONS"
        ) from None


@dataclass
class ImportRequest:
    actor: Actor
    path: Path
    filename: str
    options: ImportOptions
    base_id: int
    table_id: int | None
    specs: list[dict[str, Any]] | None = None


class ImportService:
    def __init__(self, services: Services, jobs: JobRunner) -> None:
        self.services = services
        self.jobs = jobs
        self.db = services.db
        self.registry = services.fields

    def _open(self, path: Path, filename: str, options: ImportOptions) -> Source:
        return open_source(
            path,
            filename,
            format=options.format,
            encoding=options.encoding,
            delimiter=options.delimiter,
            sheet=options.sheet,
            max_rows=self.services.settings.import_max_rows,
        )

    def _target(
        self, session: Session, actor: Actor, base_id: int | None, table_ref: str | int | None
    ) -> tuple[int, TableMeta | None]:
        if table_ref is not None:
            table, base = self.services.access.require_table(session, actor, table_ref, "write")
            return base.id, table
        assert base_id is not None
        self.services.access.require_base(session, actor, base_id, "schema")
        return base_id, None

    def _sample(self, source: Source, session: Session, base_id: int) -> dict[str, Any]:
        from tablekit.db.models import BaseMeta

        base = session.get(BaseMeta, base_id)
        assert base is not None
        rows = [cells for _, cells in islice(source.rows, SAMPLE_ROWS)]
        guesses = guess_columns(
            source.header, rows, self.registry, make_context(session, base, None)
        )
        return {
            "format": source.format,
            **source.info,
            "columns": [g.as_dict() for g in guesses],
            "rows": rows[:PREVIEW_ROWS],
            "sampled_rows": len(rows),
        }

    def check(
        self, actor: Actor, *, base_id: int | None = None, table_ref: str | int | None = None
    ) -> None:
        """Refuse a caller who may not import here, before the upload is even stored."""
        with self.db.read() as session:
            self._target(session, actor, base_id, table_ref)

    def preview(
        self,
        actor: Actor,
        path: Path,
        filename: str,
        options: ImportOptions,
        *,
        base_id: int | None = None,
        table_ref: str | int | None = None,
    ) -> dict[str, Any]:
        """Detected format, columns with proposed types, the first rows, and (into an
        existing table) the mapping that would be used by default."""
        with self.db.read() as session:
            base_id, table = self._target(session, actor, base_id, table_ref)
            with self._open(path, filename, options) as source:
                result = self._sample(source, session, base_id)
                if table is not None:
                    op = self.services.rows.op_for(session, table, actor.user_id or None)
                    try:
                        pairs = plans.resolve_mapping(
                            source.header, op.schema, self.registry, options.mapping
                        )
                    except ValidationFailed:
                        pairs = []
                    chosen = {source.header[i]: f.name for i, f in pairs}
                    result["mapping"] = {name: chosen.get(name) for name in source.header}
                    result["table_id"] = table.id
        return result

    def start(
        self,
        actor: Actor,
        path: Path,
        filename: str,
        options: ImportOptions,
        *,
        base_id: int | None = None,
        table_ref: str | int | None = None,
    ) -> dict[str, Any]:
        """Check the request and queue the import; ``{job_id}``. The file at ``path``
        belongs to the job from now on (it is deleted when the job ends)."""
        with self.db.read() as session:
            base_id, table = self._target(session, actor, base_id, table_ref)
            with self._open(path, filename, options) as source:
                specs = None
                if table is None:
                    columns = self._sample(source, session, base_id)["columns"]
                    specs = plans.new_table_specs(columns, options.types, self.registry)
                else:
                    if options.types:
                        raise ValidationFailed(
                            "types apply to new tables; map columns to fields instead",
                            code="INVALID_IMPORT_OPTIONS",
                        )
                    op = self.services.rows.op_for(session, table, actor.user_id or None)
                    plans.build_plan(
                        op, RowInserter(op), source.header, options.mapping, options.key_fields
                    )
        request = ImportRequest(
            actor, path, filename, options, base_id, table.id if table else None, specs
        )
        job_id = self.jobs.create(
            "import",
            base_id=base_id,
            table_id=request.table_id,
            actor=actor,
            params={"file": filename, "options": msgspec.to_builtins(options)},
        )
        self.jobs.submit(job_id, lambda ctx: self.run(ctx, request), path.unlink)
        return {"job_id": job_id}

    def run(self, ctx: JobContext, request: ImportRequest) -> dict[str, Any]:
        """The job: everything in one write transaction, committed only if it all worked."""
        options = request.options
        actor = request.actor
        with (
            self._open(request.path, request.filename, options) as source,
            self.db.write() as session,
        ):
            if request.table_id is None:
                assert request.specs is not None
                self.services.access.require_base(session, actor, request.base_id, "schema")
                name = options.table_name or Path(request.filename).stem or "Imported"
                table = plans.create_table(
                    session,
                    self.registry,
                    request.base_id,
                    name,
                    request.specs,
                    actor.user_id or None,
                )
            else:
                table, _ = self.services.access.require_table(
                    session, actor, request.table_id, "write"
                )
            op = self.services.rows.op_for(session, table, actor.user_id or None)
            inserter = RowInserter(op)
            plan = plans.build_plan(
                op,
                inserter,
                source.header,
                options.mapping,
                options.key_fields,
                dynamic_choices=request.table_id is None,
            )
            run = ImportRun(
                op,
                plan,
                inserter,
                len(source.header),
                options.skip_bad_rows,
                lambda: self.services.rows.finish(op),
            )
            for number, cells in source.rows:
                run.feed(number, cells)
                if run.stopped:
                    break
                if number % PROGRESS_EVERY == 0:
                    ctx.progress(source.progress() * 0.95)
            result = run.finish(ctx.job_id)
            if run.failed:
                raise run.rejection_error()
            plans.save_new_choices(session, op, plan)
            self.services.rows.finish(op)
            ctx.succeed(session, result, table.id)
            return result
