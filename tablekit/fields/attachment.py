"""The attachment field: a list of uploaded files of the same base."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import TypeEngine

from tablekit.fields import conditions
from tablekit.fields.base import EMPTY_OPS, JSON_CELL, CellError, Context, FieldDef, FieldType

MAX_FILES_PER_CELL = 100


def file_url(file_id: str) -> str:
    return f"/api/v1/files/{file_id}"


class AttachmentField(FieldType):
    type = "attachment"
    label = "Attachment"
    operators = EMPTY_OPS
    sortable = False
    can_be_primary = False

    def column_type(self, fdef: FieldDef) -> TypeEngine[Any]:
        return JSON_CELL

    def to_db(self, value: Any, fdef: FieldDef, ctx: Context) -> Any:
        if value is None or value == [] or value == "":
            return None
        if not isinstance(value, list):
            value = [value]
        if len(value) > MAX_FILES_PER_CELL:
            raise CellError(f"at most {MAX_FILES_PER_CELL} files per cell")
        stored: list[dict[str, Any]] = []
        for item in value:
            file_id = item.get("id") if isinstance(item, dict) else item
            if not isinstance(file_id, str):
                raise CellError("expected uploaded file ids (POST /api/v1/files first)")
            meta = ctx.file_lookup(file_id) if ctx.file_lookup else None
            if meta is None:
                raise CellError(f"file {file_id!r} does not exist in this base")
            stored.append(
                {
                    "id": file_id,
                    "name": meta["name"],
                    "size": meta["size"],
                    "mime_type": meta["mime_type"],
                }
            )
        return stored

    def from_db(self, value: Any, fdef: FieldDef, ctx: Context) -> Any:
        return [{**item, "url": file_url(item["id"])} for item in value or []]

    def filter(
        self, column: ColumnElement[Any], op: str, value: Any, fdef: FieldDef, ctx: Context
    ) -> ColumnElement[bool]:
        empty = conditions.json_empty(column, ctx.dialect)
        return empty if op == "is_empty" else sa.not_(empty)
