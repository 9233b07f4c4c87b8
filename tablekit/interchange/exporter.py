"""Exporting a table or a view to CSV or XLSX, in constant memory.

Rows are read in keyset pages through ``RowService.page`` (so a view's filter and sort
apply exactly as in the grid), one short read transaction per page, which also
re-checks access on every page. CSV is streamed page by page; XLSX is written by
openpyxl's write-only mode to a temporary file (a ZIP cannot be streamed before its
directory is known) and then sent.

Cells are written as the text the field shows (``to_text``), which the importer reads
back. Text that a spreadsheet would run as a formula (starting with ``= + - @``, a tab or
a CR) gets an apostrophe in front; plain numbers such as ``-5`` are left alone.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from tablekit.errors import TooLarge, ValidationFailed
from tablekit.fields.base import FieldDef, FieldType
from tablekit.interchange.sources import FORMULA_TRIGGERS
from tablekit.services.actor import Actor
from tablekit.services.container import Services
from tablekit.services.rowwrite import Op

PAGE = 1000
XLSX_MAX_ROWS = 1_048_575
NUMERIC = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")
ILLEGAL_XLSX = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
NUMBER_TYPES = frozenset({"number", "percent", "rating", "duration"})


def neutralize(text: str) -> str:
    """Text safe to open in a spreadsheet: formula starters get a leading apostrophe.

    An apostrophe already in front of one is doubled, so the importer (which takes one
    off) reads back exactly the original text.
    """
    first = text[:1]
    if first != "'" and first not in FORMULA_TRIGGERS:
        return text  # the common case, decided without scanning
    if text.lstrip("'")[:1] in FORMULA_TRIGGERS and not NUMERIC.match(text):
        return "'" + text
    return text


@dataclass
class Export:
    """An authorized export: the table, the view, and the columns in order."""

    actor: Actor
    table_id: int
    table_name: str
    view_id: int | None
    fields: list[FieldDef]

    @property
    def header(self) -> list[str]:
        return [f.name for f in self.fields]


class ExportService:
    def __init__(self, services: Services) -> None:
        self.services = services
        self.rows = services.rows
        self.registry = services.fields

    def _op(self, session: Session, actor: Actor, table_ref: str | int) -> Op:
        table, _ = self.services.access.require_table(session, actor, table_ref, "read")
        return self.rows.op_for(session, table, actor.user_id or None)

    def prepare(self, actor: Actor, table_ref: str | int, view_ref: str | None) -> Export:
        """Check access and resolve the view now, so errors answer before any byte is sent."""
        with self.services.db.read() as session:
            op = self._op(session, actor, table_ref)
            view = self.rows.view_of(op, view_ref)
            fields = [f for f in op.schema.fields if f.type != "button"]
            if view is not None:
                config = view.config or {}
                hidden = set(config.get("hidden_fields") or [])
                order = {fid: i for i, fid in enumerate(config.get("field_order") or [])}
                fields = [f for f in fields if f.id not in hidden]
                fields.sort(key=lambda f: (order.get(f.id, len(order)), f.position, f.id))
            return Export(actor, op.schema.id, op.schema.name, view.id if view else None, fields)

    def pages(self, export: Export) -> Iterator[list[list[Any]]]:
        """API values of the export's columns, a page of rows at a time."""
        cursor: str | None = None
        keys = [f.key for f in export.fields]
        while True:
            with self.services.db.read() as session:
                op = self._op(session, export.actor, export.table_id)
                view = self.rows.view_of(op, export.view_id)
                # A field deleted while the export runs leaves its column empty.
                current = [op.schema.by_id(f.id) for f in export.fields]
                page = self.rows.page(
                    op,
                    view=view,
                    fields=[f for f in current if f is not None],
                    limit=PAGE,
                    cursor=cursor,
                    keys="id",
                )
            yield [[row["fields"].get(k) for k in keys] for row in page["rows"]]
            cursor = page["next_cursor"]
            if cursor is None:
                return

    def _texts(self, export: Export) -> list[Callable[[Any], str]]:
        def text_of(fdef: FieldDef, ftype: FieldType) -> Callable[[Any], str]:
            return lambda value: neutralize(ftype.to_text(value, fdef))

        return [text_of(f, self.registry.get(f.type)) for f in export.fields]

    def csv_chunks(self, export: Export, bom: bool = False) -> Iterator[bytes]:
        """The CSV file as byte chunks of about a page each."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow([neutralize(h) for h in export.header])
        texts = self._texts(export)
        prefix = "\ufeff" if bom else ""
        for rows in self.pages(export):
            writer.writerows([[t(v) for t, v in zip(texts, row, strict=True)] for row in rows])
            yield (prefix + buffer.getvalue()).encode("utf-8")
            prefix = ""
            buffer.seek(0)
            buffer.truncate()
        if prefix or buffer.tell():
            yield (prefix + buffer.getvalue()).encode("utf-8")

    def write_xlsx(self, export: Export, path: Path) -> int:
        """Write the workbook to ``path``; returns the number of rows. Numbers, dates and
        checkboxes are typed cells; everything else is text as in the CSV."""
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(_sheet_title(export.table_name))
        sheet.append([_xlsx_text(h) for h in export.header])
        cells = [self._xlsx_cell(f) for f in export.fields]
        count = 0
        for rows in self.pages(export):
            count += len(rows)
            if count > XLSX_MAX_ROWS:
                workbook.close()
                raise TooLarge(
                    f"An XLSX sheet holds at most {XLSX_MAX_ROWS} rows; export CSV instead",
                    code="EXPORT_TOO_LARGE",
                )
            for row in rows:
                sheet.append([c(v) for c, v in zip(cells, row, strict=True)])
        workbook.save(path)
        return count

    def _xlsx_cell(self, fdef: FieldDef) -> Callable[[Any], Any]:
        ftype = self.registry.get(fdef.type)
        if fdef.type in NUMBER_TYPES or fdef.type == "checkbox":
            return lambda value: value
        if fdef.type == "currency":
            return lambda value: Decimal(value) if value is not None else None
        if fdef.type == "date":
            return lambda value: date.fromisoformat(value) if value else None
        if fdef.type in ("datetime", "created_time", "modified_time"):
            # Excel has no time zones: the wall time in the field's zone, as shown.
            return lambda value: (
                datetime.fromisoformat(value).replace(tzinfo=None) if value else None
            )
        return lambda value: _xlsx_text(ftype.to_text(value, fdef)) or None


def _xlsx_text(text: str) -> str:
    """Text for a sheet cell: XML cannot hold most control characters and reads a CR as a
    line feed, so line ends become LF first; then formula starters are neutralized."""
    return neutralize(ILLEGAL_XLSX.sub("", text.replace("\r\n", "\n").replace("\r", "\n")))


def _sheet_title(name: str) -> str:
    return re.sub(r"[\[\]:*?/\\]", "_", name)[:31] or "Sheet"


def check_format(fmt: str) -> str:
    if fmt not in ("csv", "xlsx"):
        raise ValidationFailed("format is csv or xlsx", code="EXPORT_FORMAT")
    return fmt
