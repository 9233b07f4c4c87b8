"""SQL conditions shared by the field families (comparisons, emptiness, text matching)."""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, cast

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

from tablekit.errors import ValidationFailed

if TYPE_CHECKING:
    from tablekit.fields.base import Context, FieldDef, FieldType


COMPARISONS: dict[str, Callable[[Any, Any], Any]] = {
    "eq": operator.eq,
    "lt": operator.lt,
    "lte": operator.le,
    "gt": operator.gt,
    "gte": operator.ge,
}


def invalid_filter(message: str, **details: Any) -> ValidationFailed:
    return ValidationFailed(message, code="INVALID_FILTER", details=details)


def like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class _CaseInsensitiveLike(FunctionElement[bool]):
    """``col ILIKE pattern``; on SQLite plain ``LIKE``, which already ignores ASCII case
    (as its ``lower()`` does) and, unlike ``lower(col) LIKE ...``, costs no function call
    per row (3-4x faster on a million rows)."""

    type = sa.Boolean()
    inherit_cache = True
    name = "tk_ilike"


@compiles(_CaseInsensitiveLike)
def _ilike_default(element: _CaseInsensitiveLike, compiler: Any, **kw: Any) -> str:
    column, pattern = list(element.clauses)
    return f"{compiler.process(column, **kw)} ILIKE {compiler.process(pattern, **kw)} ESCAPE '\\'"


@compiles(_CaseInsensitiveLike, "sqlite")
def _ilike_sqlite(element: _CaseInsensitiveLike, compiler: Any, **kw: Any) -> str:
    column, pattern = list(element.clauses)
    return f"{compiler.process(column, **kw)} LIKE {compiler.process(pattern, **kw)} ESCAPE '\\'"


def ilike(column: ColumnElement[Any], pattern: str) -> ColumnElement[bool]:
    return _CaseInsensitiveLike(column, sa.literal(pattern, sa.Text()))


def contains(column: ColumnElement[Any], text: str) -> ColumnElement[bool]:
    return ilike(column, f"%{like_escape(text)}%")


def convert_operand(ftype: FieldType, value: Any, fdef: FieldDef, ctx: Context) -> Any:
    from tablekit.fields.base import CellError

    try:
        return ftype.to_db(value, fdef, ctx)
    except CellError as exc:
        raise invalid_filter(
            f"Filter value for {fdef.name!r} is invalid: {exc.message}", field=fdef.name
        ) from None


def empty(column: ColumnElement[Any], textual: bool) -> ColumnElement[bool]:
    if textual:
        return sa.or_(column.is_(None), column == "")
    return column.is_(None)


def scalar_filter(
    ftype: FieldType, column: ColumnElement[Any], op: str, value: Any, fdef: FieldDef, ctx: Context
) -> ColumnElement[bool]:
    """Conditions for single-valued columns (text, numbers, selects stored as one id)."""
    textual = isinstance(ftype.column_type(fdef), sa.Text | sa.String)
    if op == "is_empty":
        return empty(column, textual)
    if op == "is_not_empty":
        return sa.not_(empty(column, textual))
    if op in {"contains", "not_contains", "starts_with"}:
        if not isinstance(value, str):
            raise invalid_filter(f"{op} needs a text value", field=fdef.name)
        if op == "starts_with":
            return ilike(column, f"{like_escape(value)}%")
        cond = contains(column, value)
        return cond if op == "contains" else sa.or_(sa.not_(cond), column.is_(None))
    if op == "in":
        if not isinstance(value, list):
            raise invalid_filter("in needs a list of values", field=fdef.name)
        return column.in_([convert_operand(ftype, v, fdef, ctx) for v in value])
    operand = convert_operand(ftype, value, fdef, ctx)
    if operand is None:
        return empty(column, textual) if op == "eq" else sa.not_(empty(column, textual))
    if op == "neq":
        return sa.or_(column != operand, column.is_(None))
    if op in COMPARISONS:
        return cast("ColumnElement[bool]", COMPARISONS[op](column, operand))
    raise invalid_filter(f"Operator {op!r} is not supported for {fdef.name!r}", field=fdef.name)


def json_has_any(
    column: ColumnElement[Any], values: Iterable[Any], dialect: str
) -> ColumnElement[bool]:
    """True when the JSON array in ``column`` holds at least one of ``values``."""
    values = list(values)
    if not values:
        return sa.false()
    if dialect == "postgresql":
        return sa.or_(*[column.op("@>")(sa.func.jsonb_build_array(v)) for v in values])
    each = sa.func.json_each(column).table_valued("value").alias("je")
    return sa.exists(sa.select(sa.literal(1)).select_from(each).where(each.c.value.in_(values)))


def json_has_all(
    column: ColumnElement[Any], values: Iterable[Any], dialect: str
) -> ColumnElement[bool]:
    return sa.and_(sa.true(), *[json_has_any(column, [v], dialect) for v in values])


def json_length(column: ColumnElement[Any], dialect: str) -> ColumnElement[Any]:
    """Items in the JSON array in ``column``; 0 for SQL NULL and for a JSON ``null``."""
    if dialect == "postgresql":
        # jsonb_array_length fails on a scalar, and OR does not promise to skip it.
        is_array = sa.func.jsonb_typeof(column) == "array"
        return sa.case((is_array, sa.func.jsonb_array_length(column)), else_=0)
    return sa.func.coalesce(sa.func.json_array_length(column), 0)


def json_empty(column: ColumnElement[Any], dialect: str) -> ColumnElement[bool]:
    return json_length(column, dialect) == 0
