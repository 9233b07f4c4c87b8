"""The query compiler: view filters, sorts, search and keyset cursors → SQL.

Nothing is ever filtered in Python. Sorting treats NULL as the largest value on both
databases (NULLS LAST ascending, NULLS FIRST descending) so that keyset cursors, which
encode the last row's sort values, mean the same thing on SQLite and PostgreSQL.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from tablekit.errors import ValidationFailed
from tablekit.fields import conditions
from tablekit.fields.base import Context, FieldDef, FieldType
from tablekit.registry import Registry
from tablekit.storage import physical
from tablekit.storage.schema import TableSchema

MAX_FILTER_DEPTH = 8
MAX_FILTER_CONDITIONS = 200


@dataclass(frozen=True)
class SortKey:
    field: FieldDef | None  # None: the row id
    descending: bool = False


class Compiler:
    """Compiles filters and sorts for one table; ``schemas`` resolves linked tables."""

    def __init__(
        self,
        schema: TableSchema,
        table: sa.Table,
        registry: Registry[FieldType],
        ctx: Context,
        load_schema: Any = None,
    ) -> None:
        self.schema = schema
        self.table = table
        self.registry = registry
        self.ctx = ctx
        self.load_schema = load_schema
        self._count = 0

    # --- columns -----------------------------------------------------------------------
    def column(self, fdef: FieldDef) -> ColumnElement[Any]:
        ftype = self.registry.get(fdef.type)
        if ftype.storage == "column":
            return self.table.c[fdef.column]
        if ftype.storage == "system":
            return self.table.c[ftype.system_column(fdef)]
        raise ValidationFailed(
            f"Field {fdef.name!r} has no sortable or comparable value",
            code="INVALID_FILTER",
            details={"field": fdef.name},
        )

    # --- filters -----------------------------------------------------------------------
    def filter(self, node: Any, depth: int = 0) -> ColumnElement[bool]:
        if depth > MAX_FILTER_DEPTH:
            raise conditions.invalid_filter(f"Filters nest at most {MAX_FILTER_DEPTH} levels")
        if not isinstance(node, dict):
            raise conditions.invalid_filter("A filter is an object: {and: [...]} or a condition")
        if not node:
            return sa.true()
        for group in ("and", "or"):
            if group in node:
                extra = set(node) - {group}
                if extra:
                    raise conditions.invalid_filter(f"Unexpected keys {sorted(extra)} in filter")
                items = node[group]
                if not isinstance(items, list):
                    raise conditions.invalid_filter(f"{group} takes a list of conditions")
                parts = [self.filter(item, depth + 1) for item in items]
                if not parts:
                    return sa.true()
                return sa.and_(*parts) if group == "and" else sa.or_(*parts)
        if "not" in node and len(node) == 1:
            return sa.not_(self.filter(node["not"], depth + 1))
        return self.condition(node)

    def condition(self, node: dict[str, Any]) -> ColumnElement[bool]:
        self._count += 1
        if self._count > MAX_FILTER_CONDITIONS:
            raise conditions.invalid_filter(f"At most {MAX_FILTER_CONDITIONS} conditions")
        extra = set(node) - {"field", "op", "value"}
        if extra or "field" not in node or "op" not in node:
            raise conditions.invalid_filter(
                "A condition is {field, op, value}", unexpected=sorted(extra)
            )
        ref, op, value = node["field"], node["op"], node.get("value")
        if not isinstance(ref, str | int) or isinstance(ref, bool):
            raise conditions.invalid_filter("field must be a field name or id")
        fdef = self.schema.find(ref)
        if fdef is None:
            raise ValidationFailed(
                f"Unknown field {ref!r} in filter",
                code="UNKNOWN_FIELD",
                details={"field": ref, "table": self.schema.name},
            )
        ftype = self.registry.get(fdef.type)
        operators = ftype.operators_for(fdef)
        if not isinstance(op, str) or op not in operators:
            raise conditions.invalid_filter(
                f"Operator {op!r} does not apply to {fdef.name!r} ({fdef.type}); "
                f"use one of: {', '.join(sorted(operators))}",
                field=fdef.name,
                op=op,
            )
        if ftype.storage == "junction":
            return self.link_condition(fdef, op, value)
        return ftype.filter(self.column(fdef), op, value, fdef, self.ctx)

    def link_condition(self, fdef: FieldDef, op: str, value: Any) -> ColumnElement[bool]:
        _junction, mine, theirs = physical.link_sides(fdef)
        row_id = self.table.c.id
        if op in {"is_empty", "is_not_empty"}:
            linked = sa.exists(sa.select(sa.literal(1)).where(mine == row_id))
            return sa.not_(linked) if op == "is_empty" else linked
        if op in {"contains", "not_contains"}:
            if not isinstance(value, str):
                raise conditions.invalid_filter(f"{op} needs a text value", field=fdef.name)
            target_schema = self.load_schema(int(fdef.options["table_id"]))
            primary = target_schema.primary
            target = physical.physical_table(target_schema, self.registry)
            if primary is None or self.registry.get(primary.type).storage != "column":
                raise conditions.invalid_filter(
                    f"The records linked by {fdef.name!r} have no text to search", field=fdef.name
                )
            matching = (
                sa.select(mine)
                .join(target, target.c.id == theirs)
                .where(conditions.contains(target.c[primary.column], value))
            )
            cond = row_id.in_(matching)
            return cond if op == "contains" else sa.not_(cond)
        ids = value if isinstance(value, list) else [value]
        try:
            ids = [int(v["id"] if isinstance(v, dict) else v) for v in ids]
        except (TypeError, ValueError, KeyError):
            raise conditions.invalid_filter(f"{op} needs row ids", field=fdef.name) from None
        if op == "has_any":
            return row_id.in_(sa.select(mine).where(theirs.in_(ids)))
        return sa.and_(sa.true(), *[row_id.in_(sa.select(mine).where(theirs == i)) for i in ids])

    # --- search ------------------------------------------------------------------------
    def search(self, text: str) -> ColumnElement[bool]:
        parts = []
        for fdef in self.schema.fields:
            ftype = self.registry.get(fdef.type)
            if ftype.storage != "column":
                continue
            cond = ftype.search(self.table.c[fdef.column], text, fdef, self.ctx)
            if cond is not None:
                parts.append(cond)
        if text.strip().isdigit():
            parts.append(self.table.c.id == int(text.strip()))
        return sa.or_(*parts) if parts else sa.false()

    # --- sorting and keyset pagination -------------------------------------------------
    def sort_keys(self, spec: Any) -> list[SortKey]:
        """Parse ``"-Total,Name"`` or ``[{field, direction}]`` into sort keys."""
        if spec in (None, "", []):
            return []
        items: list[tuple[Any, bool]] = []
        if isinstance(spec, str):
            for part in spec.split(","):
                part = part.strip()
                if part:
                    items.append((part[1:], True) if part.startswith("-") else (part, False))
        elif isinstance(spec, list):
            for item in spec:
                if not isinstance(item, dict) or "field" not in item:
                    raise conditions.invalid_filter("sort items are {field, direction}")
                direction = item.get("direction", "asc")
                if direction not in ("asc", "desc"):
                    raise conditions.invalid_filter("direction is asc or desc")
                items.append((item["field"], direction == "desc"))
        else:
            raise conditions.invalid_filter("sort is a string like -Total,Name or a list")
        keys = []
        for ref, desc in items:
            if ref == "id":
                keys.append(SortKey(None, desc))
                continue
            fdef = self.schema.find(ref)
            if fdef is None:
                raise ValidationFailed(
                    f"Unknown field {ref!r} in sort", code="UNKNOWN_FIELD", details={"field": ref}
                )
            if not self.registry.get(fdef.type).is_sortable(fdef):
                raise conditions.invalid_filter(f"Cannot sort by {fdef.name!r} ({fdef.type})")
            keys.append(SortKey(fdef, desc))
        return keys

    def sort_expression(self, key: SortKey) -> ColumnElement[Any]:
        if key.field is None:
            return self.table.c.id
        ftype = self.registry.get(key.field.type)
        return ftype.sort_expression(self.column(key.field), key.field)

    def order_by(self, keys: list[SortKey]) -> list[Any]:
        clauses: list[Any] = []
        for key in keys:
            expr = self.sort_expression(key)
            clauses.append(expr.desc().nulls_first() if key.descending else expr.asc().nulls_last())
        if not any(k.field is None for k in keys):
            clauses.append(self.table.c.id.asc())
        return clauses

    def after(self, keys: list[SortKey], values: list[Any], last_id: int) -> ColumnElement[bool]:
        """Rows strictly after the cursor position in the order of ``keys`` + id."""
        exprs = [self.sort_expression(k) for k in keys if k.field is not None]
        field_keys = [k for k in keys if k.field is not None]
        id_desc = next((k.descending for k in keys if k.field is None), False)
        ors: list[ColumnElement[bool]] = []
        equal: list[ColumnElement[bool]] = []
        for key, expr, value in zip(field_keys, exprs, values, strict=True):
            strictly: ColumnElement[bool]
            same: ColumnElement[bool]
            if value is None:
                strictly = expr.is_not(None) if key.descending else sa.false()
                same = expr.is_(None)
            else:
                bound = sa.literal(value, type_=expr.type)
                strictly = expr < bound if key.descending else sa.or_(expr > bound, expr.is_(None))
                same = expr == bound
            ors.append(sa.and_(*equal, strictly) if equal else strictly)
            equal.append(same)
        id_cond = self.table.c.id < last_id if id_desc else self.table.c.id > last_id
        ors.append(sa.and_(*equal, id_cond) if equal else id_cond)
        return sa.or_(*ors)


# --- cursors -----------------------------------------------------------------------------


def tag_value(value: Any) -> list[Any]:
    if value is None:
        return ["n"]
    if isinstance(value, bool):
        return ["b", value]
    if isinstance(value, int):
        return ["i", value]
    if isinstance(value, float):
        return ["f", value]
    if isinstance(value, Decimal):
        return ["D", str(value)]
    if isinstance(value, datetime):
        return ["t", value.isoformat()]
    if isinstance(value, date):
        return ["d", value.isoformat()]
    return ["s", str(value)]


def untag_value(item: Any) -> Any:
    if not isinstance(item, list) or not item:
        raise ValueError("bad cursor item")
    tag = item[0]
    if tag == "n":
        return None
    value = item[1]
    converters: dict[str, Callable[[Any], Any]] = {
        "b": bool,
        "i": int,
        "f": float,
        "D": Decimal,
        "t": datetime.fromisoformat,
        "d": date.fromisoformat,
        "s": str,
    }
    return converters[tag](value)


def encode_cursor(sort_signature: str, values: list[Any], last_id: int) -> str:
    raw = json.dumps({"s": sort_signature, "v": [tag_value(v) for v in values], "id": last_id})
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, sort_signature: str) -> tuple[list[Any], int]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if data["s"] != sort_signature:
            raise ValueError("sort changed")
        return [untag_value(v) for v in data["v"]], int(data["id"])
    except (ValueError, KeyError, TypeError, json.JSONDecodeError):
        raise ValidationFailed(
            "The cursor is invalid or belongs to a different sort; start again without it",
            code="INVALID_CURSOR",
        ) from None


def sort_signature(keys: list[SortKey]) -> str:
    return ",".join(
        ("-" if k.descending else "") + (str(k.field.id) if k.field else "id") for k in keys
    )
