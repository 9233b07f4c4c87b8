"""Fields the system fills in: created time, modified time, auto number."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import TypeEngine

from tablekit.fields.base import (
    DATE_OPS,
    TEXT_OPS,
    CellError,
    Context,
    FieldDef,
    FieldType,
    OptionsContext,
    options_error,
)
from tablekit.fields.dates import DateTimeField
from tablekit.storage.types import UTCDateTime

AUTO_NUMBER_TOKEN = re.compile(r"\{(YYYY|YY|MM|DD|0+)\}")


class CreatedTimeField(DateTimeField):
    type = "created_time"
    label = "Created time"
    storage = "system"
    read_only = True
    operators = DATE_OPS
    system = "created_at"

    def system_column(self, fdef: FieldDef) -> str:
        return self.system

    def column_type(self, fdef: FieldDef) -> TypeEngine[Any]:
        return UTCDateTime()


class ModifiedTimeField(CreatedTimeField):
    type = "modified_time"
    label = "Last modified time"
    system = "updated_at"


def auto_number_period(fmt: str, moment: datetime) -> str:
    """The counter period a format implies: numbering restarts each year (or month)."""
    if "{MM}" in fmt and ("{YYYY}" in fmt or "{YY}" in fmt):
        return moment.strftime("%Y-%m")
    if "{YYYY}" in fmt or "{YY}" in fmt:
        return moment.strftime("%Y")
    return ""


def render_auto_number(fmt: str, number: int, moment: datetime) -> str:
    def replace(match: re.Match[str]) -> str:
        part = match.group(1)
        if part == "YYYY":
            return f"{moment.year:04d}"
        if part == "YY":
            return f"{moment.year % 100:02d}"
        if part == "MM":
            return f"{moment.month:02d}"
        if part == "DD":
            return f"{moment.day:02d}"
        return f"{number:0{len(part)}d}"

    return AUTO_NUMBER_TOKEN.sub(replace, fmt)


class AutoNumberField(FieldType):
    """Gap-free numbers rendered through a format such as ``ORD-{YYYY}-{0000}``.

    The counter lives in ``tk_counters`` and is advanced inside the row's write transaction,
    so a rolled-back insert gives its number back and concurrent inserts never collide.
    """

    type = "auto_number"
    label = "Auto number"
    read_only = True
    operators = TEXT_OPS

    def normalize_options(self, options: Any, ctx: OptionsContext) -> dict[str, Any]:
        fmt = options.get("format", "{0}")
        if not isinstance(fmt, str) or len(fmt) > 60:
            raise options_error("format must be text of at most 60 characters", option="format")
        if not re.search(r"\{0+\}", fmt):
            raise options_error("format needs a number placeholder such as {0000}", option="format")
        return {**options, "format": fmt}

    def sort_expression(self, column: ColumnElement[Any], fdef: FieldDef) -> ColumnElement[Any]:
        # Numbers are handed out in row order, and as text "10" sorts before "9".
        table = getattr(column, "table", None)
        return table.c.id if isinstance(table, sa.Table) else column

    def to_db(self, value: Any, fdef: FieldDef, ctx: Context) -> Any:
        # Only reached for filter operands; cells are never written by clients.
        if value is None:
            return None
        if not isinstance(value, str | int):
            raise CellError("expected text")
        return str(value)
