"""Rule conditions: a view filter (no-code), a formula, or both (both must hold).

A filter is compiled by the same query compiler as views and checked in SQL against the
stored row (``SELECT id FROM t WHERE id IN (...) AND <filter>``), so it means exactly what
the same filter means in a grid. A formula runs in the sandbox and may read the values an
update replaced (``OLD({Status})``, ``CHANGED({Status})``) and a webhook's payload.
Both are stored by field id, so renames never break a rule.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from tablekit.automations import expressions
from tablekit.automations.expressions import FormulaRunner
from tablekit.errors import ValidationFailed
from tablekit.formulas import ErrorValue
from tablekit.services.rowwrite import Op
from tablekit.storage.query import Compiler
from tablekit.storage.schema import TableSchema

SQL_CHUNK = 900


def normalize_filter(node: Any, schema: TableSchema) -> Any:
    """The filter with every ``field`` written as its id (``f_12``); assumes it compiled."""
    if isinstance(node, dict):
        out = {k: normalize_filter(v, schema) for k, v in node.items() if k != "field"}
        if "field" in node:
            fdef = schema.find(node["field"])
            out["field"] = fdef.key if fdef is not None else node["field"]
        return out
    if isinstance(node, list):
        return [normalize_filter(item, schema) for item in node]
    return node


def compile_filter(node: Any, op: Op) -> Any:
    return Compiler(op.schema, op.table, op.registry, op.ctx, op.load_schema).filter(node)


def validate_condition(raw: Any, op: Op | None, *, payload: bool = False) -> dict[str, Any] | None:
    """Check a ``{filter?, formula?}`` condition; returns its stored form (or None)."""
    if raw is None or raw == {}:
        return None
    if not isinstance(raw, dict) or set(raw) - {"filter", "formula"}:
        raise ValidationFailed(
            "condition is {filter?, formula?}", code="INVALID_RULE", details={"where": "condition"}
        )
    stored: dict[str, Any] = {}
    if raw.get("filter"):
        if op is None:
            raise ValidationFailed(
                "condition.filter: this trigger has no table to filter; use a formula",
                code="INVALID_RULE",
                details={"where": "condition.filter"},
            )
        try:
            compile_filter(raw["filter"], op)
        except ValidationFailed as exc:
            raise ValidationFailed(
                f"condition.filter: {exc.message}", code=exc.code, details=exc.details
            ) from None
        stored["filter"] = normalize_filter(raw["filter"], op.schema)
    if raw.get("formula"):
        if not isinstance(raw["formula"], str):
            raise ValidationFailed("condition.formula must be text", code="INVALID_RULE")
        parsed = expressions.parse(
            raw["formula"],
            op.schema if op is not None else None,
            where="condition.formula",
            payload=payload,
            allow_old=True,
        )
        stored["formula"] = parsed.source
    return stored or None


def matching_ids(op: Op, flt: Any, ids: Sequence[int]) -> set[int]:
    """Which of ``ids`` match the filter right now (one query per 900 ids)."""
    if not flt:
        return set(ids)
    cond = compile_filter(flt, op)
    found: set[int] = set()
    for start in range(0, len(ids), SQL_CHUNK):
        chunk = list(ids[start : start + SQL_CHUNK])
        found.update(
            op.session.scalars(sa.select(op.table.c.id).where(op.table.c.id.in_(chunk), cond))
        )
    return found


def formula_holds(
    runner: FormulaRunner, source: str | None, rows: Sequence[Mapping[str, Any]]
) -> list[bool]:
    """Truth of a condition formula per row of variables; an error result is "no"."""
    if not source:
        return [True] * len(rows)
    results = runner.evaluate_many(source, rows)
    return [bool(r) and not isinstance(r, ErrorValue) for r in results]


def formula_errors(runner: FormulaRunner, source: str, values: Mapping[str, Any]) -> str | None:
    """The error of a condition formula for one row, for the run log (None when fine)."""
    result = runner.evaluate_many(source, [values])[0]
    return f"{result.code} {result.message}" if isinstance(result, ErrorValue) else None
