"""The checkbox field."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import TypeEngine

from tablekit.fields import conditions
from tablekit.fields.base import CellError, Context, FieldDef, FieldType

TRUE_TEXT = frozenset({"true", "yes", "1", "y", "x", "checked", "on", "ja", "oui"})
FALSE_TEXT = frozenset({"false", "no", "0", "n", "", "unchecked", "off", "nein", "non"})


class CheckboxField(FieldType):
    type = "checkbox"
    label = "Checkbox"
    can_be_primary = False
    operators = frozenset({"eq", "neq"})

    def column_type(self, fdef: FieldDef) -> TypeEngine[Any]:
        return sa.Boolean()

    def to_db(self, value: Any, fdef: FieldDef, ctx: Context) -> Any:
        if value is None:
            return False
        if isinstance(value, bool):
            return value
        if isinstance(value, int | float) and value in (0, 1):
            return bool(value)
        if isinstance(value, str) and value.strip().lower() in TRUE_TEXT | FALSE_TEXT:
            return value.strip().lower() in TRUE_TEXT
        raise CellError("expected true or false")

    def from_db(self, value: Any, fdef: FieldDef, ctx: Context) -> Any:
        return bool(value)

    def is_empty_value(self, value: Any) -> bool:
        return not value

    def filter(
        self, column: ColumnElement[Any], op: str, value: Any, fdef: FieldDef, ctx: Context
    ) -> ColumnElement[bool]:
        wanted = (
            value if isinstance(value, bool) else conditions.convert_operand(self, value, fdef, ctx)
        )
        is_true = column == sa.true()
        matches = is_true if wanted else sa.or_(column.is_(None), column == sa.false())
        return matches if op == "eq" else sa.not_(matches)
