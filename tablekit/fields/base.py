"""The FieldType contract and the small value objects passed to it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import TypeEngine

from tablekit.errors import ValidationFailed

EMPTY_OPS = frozenset({"is_empty", "is_not_empty"})
TEXT_OPS = frozenset({"eq", "neq", "contains", "not_contains", "starts_with", "in"} | EMPTY_OPS)
ORDER_OPS = frozenset({"eq", "neq", "lt", "lte", "gt", "gte", "in"} | EMPTY_OPS)
DATE_OPS = frozenset(
    {"eq", "neq", "lt", "lte", "gt", "gte", "before", "after", "on", "within"} | EMPTY_OPS
)
MULTI_OPS = frozenset({"has_any", "has_all", "eq", "contains"} | EMPTY_OPS)
# Cells holding JSON arrays: an empty cell is SQL NULL, never the JSON scalar null.
JSON_CELL = sa.JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")


class CellError(Exception):
    """A value that the field cannot accept; the service attaches row and field."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class FieldDef:
    """A field as the storage and services see it (a plain copy of the metadata row)."""

    id: int
    table_id: int
    name: str
    type: str
    options: Mapping[str, Any] = field(default_factory=dict)
    unique: bool = False
    required: bool = False
    description: str = ""
    position: int = 0

    @property
    def key(self) -> str:
        """The field's id key in API payloads and the physical column name."""
        return f"f_{self.id}"

    column = key


@dataclass
class Context:
    """What a field type may need beyond the value: dialect, time, users, files."""

    dialect: str
    timezone: str = "UTC"
    now: datetime | None = None
    actor_id: int | None = None
    base_id: int | None = None
    user_lookup: Callable[[int], Mapping[str, Any] | None] | None = None
    file_lookup: Callable[[str], Mapping[str, Any] | None] | None = None
    member_ids: Callable[[], set[int]] | None = None
    user_by_email: Callable[[str], int | None] | None = None

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass
class OptionsContext:
    """What options validation may consult: the base's tables and fields.

    ``fields`` holds every field of the base by id; ``table_id`` is the table the field
    belongs to and ``field_id`` the field being changed (None while creating it).
    """

    table_ids: set[int]
    table_id: int = 0
    field_id: int | None = None
    fields: Mapping[int, FieldDef] = field(default_factory=dict)

    def in_table(self, table_id: int) -> list[FieldDef]:
        return [f for f in self.fields.values() if f.table_id == table_id]

    def resolve(self, table_id: int, ref: Any) -> FieldDef | None:
        """A field of ``table_id`` by exact name, id, or ``f_<id>``."""
        if isinstance(ref, str):
            for f in self.in_table(table_id):
                if f.name == ref:
                    return f
            if ref.startswith("f_") and ref[2:].isdigit():
                ref = int(ref[2:])
        if isinstance(ref, int) and not isinstance(ref, bool):
            found = self.fields.get(ref)
            return found if found is not None and found.table_id == table_id else None
        return None


def options_error(message: str, **details: Any) -> ValidationFailed:
    return ValidationFailed(message, code="INVALID_FIELD_OPTIONS", details=details)


class FieldType:
    """Base class of every field type. Subclasses set the class variables and override
    the conversions; filter operators default to the family sets above."""

    type: ClassVar[str]
    label: ClassVar[str]
    # "column": one physical column; "system": a row system column; "junction": a link
    # junction table; "none": no storage (buttons).
    storage: ClassVar[str] = "column"
    read_only: ClassVar[bool] = False
    can_be_unique: ClassVar[bool] = False
    can_be_primary: ClassVar[bool] = True
    sortable: ClassVar[bool] = True
    operators: ClassVar[frozenset[str]] = EMPTY_OPS
    # Computed fields keep an error (``{"error", "message"}``) in a companion column e_<id>.
    error_column: ClassVar[bool] = False

    def operators_for(self, fdef: FieldDef) -> frozenset[str]:
        """Filter operators for this field (computed fields depend on their result type)."""
        return self.operators

    def is_sortable(self, fdef: FieldDef) -> bool:
        return self.sortable

    def normalize_options(self, options: Mapping[str, Any], ctx: OptionsContext) -> dict[str, Any]:
        """Validated options with defaults filled in; raise ``options_error`` otherwise."""
        return dict(options)

    def column_type(self, fdef: FieldDef) -> TypeEngine[Any]:
        return sa.Text()

    def system_column(self, fdef: FieldDef) -> str:
        raise AssertionError(f"{self.type} has no system column")

    def to_db(self, value: Any, fdef: FieldDef, ctx: Context) -> Any:
        """Validate an API value and convert it for storage; raise CellError if invalid."""
        return value

    def from_db(self, value: Any, fdef: FieldDef, ctx: Context) -> Any:
        """Convert a stored value to its API representation."""
        return value

    def to_text(self, value: Any, fdef: FieldDef) -> str:
        """Plain text of an API value: for type changes, search, primary names, export."""
        if value is None:
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, list):
            return ", ".join(self.to_text(v, fdef) for v in value)
        if isinstance(value, dict):
            return str(value.get("name") or value.get("email") or value.get("id") or "")
        return str(value)

    def from_text(self, text: str, fdef: FieldDef, ctx: Context) -> Any:
        """Parse plain text into a stored value (type changes, CSV import)."""
        return self.to_db(text if text != "" else None, fdef, ctx)

    def filter(
        self, column: ColumnElement[Any], op: str, value: Any, fdef: FieldDef, ctx: Context
    ) -> ColumnElement[bool]:
        """An SQL condition for ``op``; the caller has checked ``op in self.operators``."""
        from tablekit.fields import conditions

        return conditions.scalar_filter(self, column, op, value, fdef, ctx)

    def sort_expression(self, column: ColumnElement[Any], fdef: FieldDef) -> ColumnElement[Any]:
        return column

    def search(
        self, column: ColumnElement[Any], text: str, fdef: FieldDef, ctx: Context
    ) -> ColumnElement[bool] | None:
        """A condition matching ``text`` for the table search box, or None if not searchable."""
        return None

    def is_empty_value(self, value: Any) -> bool:
        return value is None or value == "" or value == []
