"""``adjust_number``: an atomic, guarded ``field = field + by``, the basis of stock
reservation without overselling.

One statement per row does the read, the check and the write::

    UPDATE t SET f = COALESCE(f, 0) + :by, version = version + 1, ...
    WHERE id = :id AND COALESCE(f, 0) + :by >= :min RETURNING f

so two runs can never both take the last unit, whatever the isolation level or database:
the second one's guard sees the first one's result (PostgreSQL re-evaluates the WHERE on the
updated row; SQLite has one writer). When the guard fails nothing changes and the step is
``refused``. The change is written to row history and the outbox like any other update,
so rules on the adjusted table chain from it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from tablekit.automations import expressions
from tablekit.automations.actions.base import Action, Params, trigger_schema
from tablekit.automations.context import Refused, RunContext, SaveContext, StepResult
from tablekit.db.models import RowHistory, utcnow
from tablekit.errors import ValidationFailed
from tablekit.fields.base import FieldDef
from tablekit.services.events import ROW_UPDATED, Event, emit
from tablekit.services.rowwrite import Op

NUMBER_TYPES = frozenset({"number", "currency", "percent", "rating", "duration"})


class AdjustNumberParams(Params, kw_only=True):
    field: int | str
    by: int | float | str
    min: int | float | None = None
    max: int | float | None = None
    table_id: int | str | None = None
    via_link: int | str | None = None


def _number(value: Any, where: str) -> Decimal:
    if isinstance(value, bool) or value is None:
        raise ValidationFailed(f"{where}: expected a number", code="FORMULA_ERROR")
    try:
        return Decimal(str(value))
    except ArithmeticError:
        raise ValidationFailed(
            f"{where}: {value!r} is not a number", code="FORMULA_ERROR"
        ) from None


def _bound(value: Any, column: sa.Column[Any]) -> Any:
    number = Decimal(str(value))
    return (
        number if isinstance(column.type, sa.Numeric) and column.type.asdecimal else float(number)
    )


class AdjustNumberAction(Action):
    type = "adjust_number"
    label = "Adjust a number (atomically, with a guard)"
    params_schema = AdjustNumberParams

    def validate(self, params: Any, ctx: SaveContext, where: str, index: int) -> dict[str, Any]:
        source = trigger_schema(ctx, where)
        stored: dict[str, Any] = {}
        assert ctx.trigger_op is not None
        target = ctx.trigger_op
        if params.via_link is not None:
            link = ctx.field(source, params.via_link, f"{where}.via_link")
            if link.type != "link":
                raise ValidationFailed(
                    f"{where}.via_link: {link.name!r} is not a link field", code="INVALID_RULE"
                )
            stored["via_link"] = link.key
            target = ctx.op(int(link.options["table_id"]), f"{where}.via_link")
        if params.table_id is not None:
            named = ctx.op(params.table_id, f"{where}.table_id")
            if named.schema.id != target.schema.id:
                raise ValidationFailed(
                    f"{where}.table_id: the adjusted row is in {target.schema.name!r}; use "
                    "via_link to reach rows of another table",
                    code="INVALID_RULE",
                )
        fdef = ctx.field(target.schema, params.field, f"{where}.field")
        if fdef.type not in NUMBER_TYPES:
            raise ValidationFailed(
                f"{where}.field: {fdef.name!r} is a {fdef.type} field, not a number",
                code="INVALID_RULE",
            )
        stored.update(table_id=target.schema.id, field=fdef.key, min=params.min, max=params.max)
        if isinstance(params.by, str):
            formula = expressions.parse(
                params.by.removeprefix("="),
                source,
                where=f"{where}.by",
                payload=ctx.payload,
                steps=index,
                allow_old=True,
            )
            stored["by"] = "=" + formula.source
        else:
            stored["by"] = params.by
        if params.min is not None and params.max is not None and params.min > params.max:
            raise ValidationFailed(f"{where}: min is above max", code="INVALID_RULE")
        return stored

    def _targets(self, params: dict[str, Any], run: RunContext) -> tuple[Op, list[int]]:
        source, row_id = run.require_row()
        link = params.get("via_link")
        if not link:
            return source, [row_id]
        ids = sorted({int(v["id"]) for v in (run.cells or {}).get(link) or []})
        return run.op(int(params["table_id"])), ids

    def execute(self, params: dict[str, Any], run: RunContext) -> StepResult:
        by_spec = params["by"]
        by = _number(run.evaluate(by_spec, "by") if isinstance(by_spec, str) else by_spec, "by")
        op, ids = self._targets(params, run)
        fdef = op.schema.find(params["field"])
        if fdef is None:
            raise ValidationFailed("the adjusted field no longer exists", code="UNKNOWN_FIELD")
        if not ids:
            return StepResult(f"no linked row to adjust {fdef.name} on", {"row_ids": []})
        results = [self._adjust(op, fdef, row_id, by, params) for row_id in ids]
        self._record(op, fdef, by, results)
        run.engine.rows.finish(op)
        if run.schema is not None and op.schema.id == run.schema.id:
            run.reload()
        shown = ", ".join(f"row {rid}: {new}" for rid, _, new in results)
        return StepResult(
            f"{fdef.name} {'+' if by >= 0 else ''}{by} ({shown})",
            {"row_ids": ids, "values": [new for _, _, new in results]},
        )

    def _adjust(
        self, op: Op, fdef: FieldDef, row_id: int, by: Decimal, params: dict[str, Any]
    ) -> tuple[int, Any, Any]:
        column = op.table.c[fdef.column]
        current = sa.func.coalesce(column, 0)
        delta = sa.bindparam("by", _bound(by, column), type_=column.type)
        stmt = sa.update(op.table).where(op.table.c.id == row_id)
        if params.get("min") is not None:
            stmt = stmt.where(current + delta >= _bound(params["min"], column))
        if params.get("max") is not None:
            stmt = stmt.where(current + delta <= _bound(params["max"], column))
        stmt = stmt.values(
            {
                fdef.column: current + delta,
                "version": op.table.c.version + 1,
                "updated_at": utcnow(),
                "updated_by": op.actor_id,
            }
        ).returning(column)
        found = op.session.execute(stmt, execution_options={"synchronize_session": False}).first()
        ftype = op.registry.get(fdef.type)
        if found is None:
            row = op.session.execute(sa.select(column).where(op.table.c.id == row_id)).first()
            if row is None:
                raise ValidationFailed(f"row {row_id} no longer exists", code="ROW_NOT_FOUND")
            value = ftype.from_db(row[0], fdef, op.ctx)
            bound = (
                "min"
                if params.get("min") is not None
                and (Decimal(str(row[0] or 0)) + by < Decimal(str(params["min"])))
                else "max"
            )
            raise Refused(
                f"{fdef.name} of row {row_id} is {value}; adding {by} would cross "
                f"the {bound} of {params[bound]}"
            )
        new_stored = found[0]
        old_stored = type(new_stored)(Decimal(str(new_stored)) - by)
        return (
            row_id,
            ftype.from_db(old_stored, fdef, op.ctx),
            ftype.from_db(new_stored, fdef, op.ctx),
        )

    def _record(
        self, op: Op, fdef: FieldDef, by: Decimal, results: list[tuple[int, Any, Any]]
    ) -> None:
        now = utcnow()
        op.session.execute(
            sa.insert(RowHistory),
            [
                {
                    "base_id": op.base.id,
                    "table_id": op.schema.id,
                    "row_id": row_id,
                    "action": "update",
                    "actor_id": op.actor_id,
                    "changes": {fdef.key: [old, new]},
                    "at": now,
                }
                for row_id, old, new in results
            ],
        )
        emit(
            op.session,
            [
                Event(
                    ROW_UPDATED,
                    op.base.id,
                    op.schema.id,
                    row_id,
                    op.actor_id,
                    {"changes": {fdef.key: [old, new]}},
                    op.depth,
                )
                for row_id, old, new in results
            ],
        )
        op.changes.add(op.schema.id, [r[0] for r in results], {fdef.id})
