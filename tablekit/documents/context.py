"""The context a document template is rendered with: a row, its linked rows, the base.

Cells are template values (:mod:`.values`): exact amounts, dates, attachments with a
``src``; ``row.display[...]`` holds them formatted for the base's locale.

Linked rows load lazily: ``row.links["Order lines"]`` reads the linked rows (with all their
cells, lookups included) the first time a template asks, in one query per link field for
all rows that were loaded together, so a template pays only for the links it reads and an
order's lines cost the same whether it has three or three hundred. Reads are bounded:
:data:`MAX_DEPTH` link levels and :data:`MAX_LINKED_ROWS` linked rows per render.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from tablekit.db.models import BaseMeta, TableMeta
from tablekit.documents.limits import LimitExceeded
from tablekit.documents.values import (
    FILE_SCHEME,
    Column,
    Formatter,
    display,
    field_kind,
    locale_of,
    to_template,
)
from tablekit.errors import NotFound, ValidationFailed
from tablekit.fields.base import FieldDef
from tablekit.services.rows import RowService
from tablekit.services.rowwrite import Op
from tablekit.storage.schema import TableSchema

MAX_DEPTH = 3
MAX_LINKED_ROWS = 5_000
#: Base settings keys that make up ``base.company`` (``company_name`` becomes ``name``).
COMPANY_KEYS = ("address", "vat_id", "email", "phone", "website", "bank_name", "iban", "bic")


class RowContext(dict[str, Any]):
    """A row's cells by field name, with ``id``, ``display`` (formatted cells) and
    ``links`` (linked rows by link field name) as attributes."""

    def __init__(
        self, row_id: int, cells: dict[str, Any], shown: dict[str, str], links: LinkedRows
    ) -> None:
        super().__init__(cells)
        self.id = row_id
        self.display = shown
        self.links = links


class LinkedRows(Mapping[str, list[RowContext]]):
    """``row.links``: the rows linked through each link field (by name or ``f_<id>``),
    loaded on first access for every row of the same group at once."""

    def __init__(self, group: RowGroup, row_id: int) -> None:
        self._group = group
        self._row_id = row_id

    def __getitem__(self, key: str) -> list[RowContext]:
        fdef = self._group.op.schema.find(key) if isinstance(key, str) else None
        if fdef is None or fdef.type != "link":
            raise KeyError(key)
        return self._group.linked(fdef, self._row_id)

    def __iter__(self) -> Iterator[str]:
        return iter(f.name for f in self._group.op.schema.fields if f.type == "link")

    def __len__(self) -> int:
        return sum(1 for f in self._group.op.schema.fields if f.type == "link")


class RowGroup:
    """Rows of one table decoded together; reading a link for one reads it for all."""

    def __init__(
        self, loader: ContextLoader, op: Op, decoded: list[dict[str, Any]], depth: int
    ) -> None:
        self.loader = loader
        self.op = op
        self.depth = depth
        self._cells = {int(row["id"]): row["fields"] for row in decoded}
        self._linked: dict[int, dict[int, RowContext]] = {}
        columns = loader.columns(op)
        self.rows = {}
        for row_id, cells in self._cells.items():
            values = {c.fdef.name: to_template(c, cells.get(c.fdef.key)) for c in columns}
            shown = {c.fdef.name: display(c, values[c.fdef.name], loader.fmt) for c in columns}
            self.rows[row_id] = RowContext(row_id, values, shown, LinkedRows(self, row_id))

    def linked(self, fdef: FieldDef, row_id: int) -> list[RowContext]:
        if fdef.id not in self._linked:
            if self.depth + 1 > MAX_DEPTH:
                raise LimitExceeded(f"linked rows can be read at most {MAX_DEPTH} links deep")
            wanted: list[int] = []
            for cells in self._cells.values():
                wanted.extend(item["id"] for item in cells.get(fdef.key) or [])
            target = int(fdef.options["table_id"])
            self._linked[fdef.id] = self.loader.load(
                target, list(dict.fromkeys(wanted)), self.depth + 1
            )
        found = self._linked[fdef.id]
        refs = self._cells[row_id].get(fdef.key) or []
        return [found[item["id"]] for item in refs if item["id"] in found]


class ContextLoader:
    """Loads rows of one base for a render inside an open session, counting what it reads."""

    def __init__(
        self, session: Session, rows: RowService, base: BaseMeta, actor_id: int | None
    ) -> None:
        self.session = session
        self.rows = rows
        self.base = base
        self.actor_id = actor_id
        settings = base.settings or {}
        self.zone = ZoneInfo(base.timezone or "UTC")
        currency = str(settings.get("currency") or "EUR").upper()
        self.fmt = Formatter(locale_of(settings), currency, self.zone)
        self.loaded = 0
        self._ops: dict[int, Op] = {}
        self._columns: dict[int, list[Column]] = {}

    def op(self, table_id: int) -> Op:
        if table_id not in self._ops:
            meta = self.session.get(TableMeta, table_id)
            if meta is None or meta.base_id != self.base.id:
                raise NotFound("Table not found", code="TABLE_NOT_FOUND")
            self._ops[table_id] = self.rows.op_for(self.session, meta, self.actor_id)
        return self._ops[table_id]

    def columns(self, op: Op) -> list[Column]:
        if op.schema.id not in self._columns:
            self._columns[op.schema.id] = [self._column(op, f) for f in op.schema.fields]
        return self._columns[op.schema.id]

    def _column(self, op: Op, fdef: FieldDef) -> Column:
        if fdef.type != "lookup":
            return Column(fdef, field_kind(fdef))
        element: Column | None = None
        link = op.schema.by_id(int(fdef.options.get("link_field") or 0))
        if link is not None and link.options.get("table_id") is not None:
            target_schema: TableSchema = op.load_schema(int(link.options["table_id"]))
            target = target_schema.by_id(int(fdef.options.get("target_field") or 0))
            if target is not None and target.type != "lookup":
                element = Column(target, field_kind(target))
        return Column(fdef, "lookup", element)

    def load(self, table_id: int, ids: list[int], depth: int) -> dict[int, RowContext]:
        self.loaded += len(ids)
        if self.loaded > MAX_LINKED_ROWS:
            raise LimitExceeded(f"a document may read at most {MAX_LINKED_ROWS} linked rows")
        if not ids:
            return {}
        op = self.op(table_id)
        return RowGroup(self, op, op.decoder(keys="id").decode(op.fetch(ids)), depth).rows

    def first_row_id(self, table_id: int) -> int:
        """The table's oldest row, for previews; ValidationFailed (NO_ROWS) when empty."""
        table = self.op(table_id).table
        found = self.session.scalar(select(table.c.id).order_by(table.c.id).limit(1))
        if found is None:
            raise ValidationFailed("The table has no rows to preview with", code="NO_ROWS")
        return int(found)

    def row(self, table_id: int, row_id: int) -> RowContext:
        found = self.load(table_id, [row_id], 0)
        if row_id not in found:
            raise NotFound(f"Row {row_id} not found", code="ROW_NOT_FOUND")
        return found[row_id]


def file_id_of(value: Any) -> str | None:
    """A file id from a setting holding an id, a file dict or a list of file dicts."""
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) and value else None


def base_context(base: BaseMeta, fmt: Formatter) -> dict[str, Any]:
    """``base``: name, time zone, locale, currency, the raw ``settings`` and ``company``
    (the company header with every known key present, empty when not set)."""
    settings = dict(base.settings or {})
    logo = file_id_of(settings.get("logo"))
    company = {key: str(settings.get(key) or "") for key in COMPANY_KEYS}
    company["name"] = str(settings.get("company_name") or base.name)
    company["logo"] = FILE_SCHEME + logo if logo else ""
    return {
        "id": base.id,
        "name": base.name,
        "timezone": base.timezone or "UTC",
        "locale": fmt.locale,
        "currency": fmt.currency,
        "settings": settings,
        "company": company,
    }


def build_context(loader: ContextLoader, table_id: int, row_id: int) -> dict[str, Any]:
    """The whole render context for one row (see docs/documents.md)."""
    row = loader.row(table_id, row_id)
    schema = loader.op(table_id).schema
    now = datetime.now(UTC).astimezone(loader.zone)
    return {
        "row": row,
        "row_id": row_id,
        "table": {
            "id": schema.id,
            "name": schema.name,
            "primary": schema.primary.name if schema.primary else None,
        },
        "base": base_context(loader.base, loader.fmt),
        "now": now,
        "today": now.date(),
        "fmt": loader.fmt,
    }
