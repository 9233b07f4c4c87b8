"""Row values in the shapes rules need: by field name for templates, plain values for formulas.

Rows are decoded by the row service (``keys="id"``: ``{"f_12": value}``); a template sees
``row["Status"]`` and a formula sees ``f_12``. Only plain values (text, numbers, Decimal,
dates, booleans, tuples of those) reach a formula; linked records, files and people become
their names, as in ``FieldType.to_text``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from tablekit.formulas import OLD_PREFIX
from tablekit.storage.schema import TableSchema

_DATETIME_TYPES = frozenset({"datetime", "created_time", "modified_time"})
_PLAIN = (str, int, float, bool, Decimal, date, datetime)


def _item(value: Any) -> Any:
    if isinstance(value, dict):
        return str(value.get("name") or value.get("email") or value.get("id") or "")
    return plain(value)


def plain(value: Any) -> Any:
    """Any JSON-ish value as a formula value: lists become tuples, objects their name."""
    if value is None or isinstance(value, _PLAIN):
        return value
    if isinstance(value, list | tuple):
        return tuple(_item(v) for v in value[:10_000])
    if isinstance(value, dict):
        return json.dumps(value, default=str)[:100_000]
    return str(value)


def formula_value(field_type: str, value: Any) -> Any:
    """The formula value of an API cell value of a field of ``field_type``."""
    if value is None:
        return None
    try:
        if field_type == "currency":
            return Decimal(str(value))
        if field_type == "date" and isinstance(value, str):
            return date.fromisoformat(value)
        if field_type in _DATETIME_TYPES and isinstance(value, str):
            return datetime.fromisoformat(value).astimezone(UTC)
    except (ValueError, InvalidOperation):
        return str(value)
    if isinstance(value, dict):
        return _item(value)
    return plain(value)


def formula_values(
    schema: TableSchema | None,
    cells: Mapping[str, Any] | None,
    old: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """``{f_<id>: value}`` for a row keyed by id, plus ``old__f_<id>`` when ``old`` is given."""
    values: dict[str, Any] = {}
    if schema is None or cells is None:
        return values
    for fdef in schema.fields:
        if fdef.key in cells:
            values[fdef.key] = formula_value(fdef.type, cells[fdef.key])
        if old is not None and fdef.key in old:
            values[OLD_PREFIX + fdef.key] = formula_value(fdef.type, old[fdef.key])
    return values


def by_name(schema: TableSchema | None, cells: Mapping[str, Any] | None) -> dict[str, Any]:
    """The cells of a row keyed by id, re-keyed by the fields' current names."""
    if schema is None or cells is None:
        return {}
    return {f.name: cells[f.key] for f in schema.fields if f.key in cells}


def old_cells(
    cells: Mapping[str, Any] | None, changes: Mapping[str, Any] | None
) -> dict[str, Any] | None:
    """The row before an update: current cells with each changed field's old value."""
    if cells is None:
        return None
    old = dict(cells)
    for key, pair in (changes or {}).items():
        if isinstance(pair, list | tuple) and len(pair) == 2:
            old[key] = pair[0]
    return old


def with_new(cells: Mapping[str, Any] | None, changes: Mapping[str, Any] | None) -> dict[str, Any]:
    """The row as the event saw it: current cells with each changed field's new value."""
    new = dict(cells or {})
    for key, pair in (changes or {}).items():
        if isinstance(pair, list | tuple) and len(pair) == 2:
            new[key] = pair[1]
    return new


def api_value(result: Any) -> Any:
    """A formula result as a value the row service accepts for a cell."""
    if isinstance(result, datetime | date):
        return result.isoformat()
    if isinstance(result, Decimal):
        return str(result)
    if isinstance(result, tuple):
        return [api_value(v) for v in result]
    return result


def jsonable(value: Any) -> Any:
    """A value safe to store in a JSON column (run logs, notifications)."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [jsonable(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)
