"""Filters inside action params (``update_rows``, ``link_rows``): the view filter structure,
whose condition values may be formulas over the trigger row (``"={SKU}"``), evaluated when
the step runs and then compiled to SQL like any view filter."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from tablekit.automations import conditions, expressions
from tablekit.automations.context import RunContext, SaveContext, where_error
from tablekit.automations.values import api_value
from tablekit.errors import ValidationFailed
from tablekit.services.rowwrite import Op

MAX_ROWS = 1000


def _map_conditions(node: Any, fn: Callable[[dict[str, Any]], dict[str, Any]]) -> Any:
    if isinstance(node, dict):
        if "field" in node:
            return fn(node)
        return {k: _map_conditions(v, fn) for k, v in node.items()}
    if isinstance(node, list):
        return [_map_conditions(item, fn) for item in node]
    return node


def check_filter(ctx: SaveContext, op: Op, node: Any, where: str, index: int) -> Any:
    """Validate an action filter over ``op``'s table; returns it stored by field id."""
    if not isinstance(node, dict) or not node:
        raise ValidationFailed(f"{where} must be a non-empty filter object", code="INVALID_RULE")
    source = ctx.trigger_op.schema if ctx.trigger_op is not None else None

    def store(cond: dict[str, Any]) -> dict[str, Any]:
        value = cond.get("value")
        if expressions.is_formula(value):
            parsed = expressions.parse(
                value[1:], source, where=f"{where}.value", payload=ctx.payload, steps=index
            )
            return {**cond, "value": "=" + parsed.source}
        return cond

    def probe(cond: dict[str, Any]) -> dict[str, Any]:
        # Formula values are unknown until the run: check field and operator only.
        if expressions.is_formula(cond.get("value")):
            fdef = op.schema.find(cond["field"])
            ftype = ctx.registry.get(fdef.type) if fdef is not None else None
            if ftype is not None and cond.get("op") not in ftype.operators:
                raise ValidationFailed(
                    f"operator {cond.get('op')!r} does not apply to {fdef.name!r}",  # type: ignore[union-attr]
                    code="INVALID_FILTER",
                )
            return {"field": cond["field"], "op": "is_not_empty"}
        return cond

    try:
        conditions.compile_filter(_map_conditions(node, probe), op)
    except ValidationFailed as exc:
        raise where_error(where, exc) from None
    return conditions.normalize_filter(_map_conditions(node, store), op.schema)


def matching_rows(run: RunContext, op: Op, node: Any, where: str) -> list[int]:
    """Ids of the rows matching a stored action filter now (at most ``MAX_ROWS``)."""
    values = run.variables()

    def resolve(cond: dict[str, Any]) -> dict[str, Any]:
        value = cond.get("value")
        if expressions.is_formula(value):
            return {**cond, "value": api_value(run.evaluate(value, f"{where}.value", values))}
        return cond

    cond = conditions.compile_filter(_map_conditions(node, resolve), op)
    ids = list(
        op.session.scalars(
            sa.select(op.table.c.id).where(cond).order_by(op.table.c.id).limit(MAX_ROWS + 1)
        )
    )
    if len(ids) > MAX_ROWS:
        raise ValidationFailed(
            f"{where} matches more than {MAX_ROWS} rows; narrow it down", code="TOO_MANY_ROWS"
        )
    return ids
