"""Actions that write rows: ``add_row``, ``update_rows``, ``link_rows`` and ``copy_row``.

They write through the row service's write half (validation, history, outbox events) as the
system, one chain level deeper than the run, and run the computed-field hooks, so a change
made by a rule looks and chains exactly like a change made by a user.
"""

from __future__ import annotations

from typing import Any

import msgspec

from tablekit.automations import filters
from tablekit.automations.actions.base import (
    Action,
    Params,
    check_fields,
    run_fields,
    trigger_schema,
)
from tablekit.automations.context import RunContext, SaveContext, StepResult
from tablekit.errors import ValidationFailed
from tablekit.services import rowwrite
from tablekit.services.rowcodec import encode_rows
from tablekit.services.rowwrite import Op
from tablekit.storage.schema import TableSchema


class AddRowParams(Params, kw_only=True):
    table_id: int | str
    fields: dict[str, Any] = {}


class UpdateRowsParams(Params, kw_only=True):
    fields: dict[str, Any]
    table_id: int | str | None = None
    filter: dict[str, Any] | None = None


class LinkRowsParams(Params, kw_only=True):
    field: int | str
    filter: dict[str, Any]
    mode: str = "add"


class CopyLink(Params, kw_only=True):
    # ``from`` is a Python keyword: the attribute is ``source``, the JSON key "from".
    source: int | str = msgspec.field(name="from")
    to: int | str
    fields: dict[str, Any] = {}


class CopyRowParams(Params, kw_only=True):
    table_id: int | str
    fields: dict[str, Any] = {}
    copy_links: list[CopyLink] = []


def _link(ctx: SaveContext, schema: TableSchema, ref: Any, where: str) -> Any:
    fdef = ctx.field(schema, ref, where)
    if fdef.type != "link":
        raise ValidationFailed(f"{where}: {fdef.name!r} is not a link field", code="INVALID_RULE")
    return fdef


def _finish(run: RunContext, op: Op) -> None:
    run.engine.rows.finish(op)


def _create(run: RunContext, op: Op, cells: list[dict[str, Any]]) -> list[int]:
    encoded = encode_rows(op.schema, op.registry, cells, op.ctx, creating=True)
    ids = rowwrite.insert_rows(op, encoded)
    rowwrite.record_created(op, ids)
    return ids


class AddRowAction(Action):
    type = "add_row"
    label = "Add a row"
    params_schema = AddRowParams

    def validate(self, params: Any, ctx: SaveContext, where: str, index: int) -> dict[str, Any]:
        op = ctx.op(params.table_id, f"{where}.table_id")
        source = ctx.trigger_op.schema if ctx.trigger_op is not None else None
        fields = check_fields(ctx, op, params.fields, f"{where}.fields", source=source, index=index)
        return {"table_id": op.schema.id, "fields": fields}

    def execute(self, params: dict[str, Any], run: RunContext) -> StepResult:
        op = run.op(int(params["table_id"]))
        cells = run.field_values(op.schema, params["fields"], where="fields")
        row_id = _create(run, op, [cells])[0]
        _finish(run, op)
        return StepResult(
            f"added row {row_id} to {op.schema.name}", {"row_id": row_id, "table_id": op.schema.id}
        )


class UpdateRowsAction(Action):
    type = "update_rows"
    label = "Update rows"
    params_schema = UpdateRowsParams

    def validate(self, params: Any, ctx: SaveContext, where: str, index: int) -> dict[str, Any]:
        if params.table_id is not None:
            op = ctx.op(params.table_id, f"{where}.table_id")
        else:
            trigger_schema(ctx, where)
            assert ctx.trigger_op is not None
            op = ctx.trigger_op
        source = ctx.trigger_op.schema if ctx.trigger_op is not None else None
        stored: dict[str, Any] = {"table_id": op.schema.id}
        stored["fields"] = check_fields(
            ctx, op, params.fields, f"{where}.fields", source=source, index=index
        )
        if params.filter:
            stored["filter"] = filters.check_filter(
                ctx, op, params.filter, f"{where}.filter", index
            )
        elif ctx.trigger_op is None or ctx.trigger_op.schema.id != op.schema.id:
            raise ValidationFailed(
                f"{where}: without a filter update_rows changes the trigger row, so table_id "
                "must be the trigger's table",
                code="INVALID_RULE",
            )
        return stored

    def execute(self, params: dict[str, Any], run: RunContext) -> StepResult:
        op = run.op(int(params["table_id"]))
        if params.get("filter"):
            ids = filters.matching_rows(run, op, params["filter"], "filter")
        else:
            ids = [run.require_row()[1]]
        if not ids:
            return StepResult(f"no row of {op.schema.name} matched", {"row_ids": []})
        encoded, _ = run_fields(run, op, params["fields"], "fields")
        changed = rowwrite.update_rows(op, ids, encoded * len(ids))
        _finish(run, op)
        if run.row_id in ids and run.schema is not None and run.schema.id == op.schema.id:
            run.reload()
        return StepResult(
            f"updated {len(changed)} of {len(ids)} row(s) in {op.schema.name}",
            {"row_ids": ids, "changed": changed},
        )


class LinkRowsAction(Action):
    type = "link_rows"
    label = "Link rows"
    params_schema = LinkRowsParams

    def validate(self, params: Any, ctx: SaveContext, where: str, index: int) -> dict[str, Any]:
        schema = trigger_schema(ctx, where)
        fdef = _link(ctx, schema, params.field, f"{where}.field")
        if params.mode not in ("add", "replace"):
            raise ValidationFailed(f"{where}.mode: use add or replace", code="INVALID_RULE")
        linked = ctx.op(int(fdef.options["table_id"]), f"{where}.field")
        return {
            "field": fdef.key,
            "filter": filters.check_filter(ctx, linked, params.filter, f"{where}.filter", index),
            "mode": params.mode,
        }

    def execute(self, params: dict[str, Any], run: RunContext) -> StepResult:
        op, row_id = run.require_row()
        fdef = op.schema.find(params["field"])
        if fdef is None:
            raise ValidationFailed("the link field no longer exists", code="UNKNOWN_FIELD")
        linked = run.op(int(fdef.options["table_id"]))
        found = filters.matching_rows(run, linked, params["filter"], "filter")
        current = [int(v["id"]) for v in (run.cells or {}).get(fdef.key) or []]
        ids = found if params.get("mode") == "replace" else list(dict.fromkeys(current + found))
        if not fdef.options.get("multiple", True):
            ids = ids[-1:]
        encoded = encode_rows(op.schema, op.registry, [{fdef.key: ids}], op.ctx, creating=False)
        rowwrite.update_rows(op, [row_id], encoded)
        _finish(run, op)
        run.reload()
        return StepResult(
            f"linked {len(found)} row(s) of {linked.schema.name} through {fdef.name}",
            {"linked": found},
        )


class CopyRowAction(Action):
    type = "copy_row"
    label = "Copy the row (with line items) to another table"
    params_schema = CopyRowParams

    def validate(self, params: Any, ctx: SaveContext, where: str, index: int) -> dict[str, Any]:
        source = trigger_schema(ctx, where)
        target = ctx.op(params.table_id, f"{where}.table_id")
        stored: dict[str, Any] = {
            "table_id": target.schema.id,
            "fields": check_fields(
                ctx, target, params.fields, f"{where}.fields", source=source, index=index
            ),
            "copy_links": [],
        }
        for i, item in enumerate(params.copy_links):
            at = f"{where}.copy_links[{i}]"
            from_field = _link(ctx, source, item.source, f"{at}.from")
            to_field = _link(ctx, target.schema, item.to, f"{at}.to")
            line_source = ctx.op(int(from_field.options["table_id"]), f"{at}.from")
            line_target = ctx.op(int(to_field.options["table_id"]), f"{at}.to")
            fields = check_fields(
                ctx,
                line_target,
                item.fields,
                f"{at}.fields",
                source=line_source.schema,
                index=index,
            )
            stored["copy_links"].append(
                {"from": from_field.key, "to": to_field.key, "fields": fields}
            )
        return stored

    def execute(self, params: dict[str, Any], run: RunContext) -> StepResult:
        source, _ = run.require_row()
        target = run.op(int(params["table_id"]))
        cells = run.field_values(target.schema, params["fields"], where="fields")
        row_id = _create(run, target, [cells])[0]
        copied: dict[str, list[int]] = {}
        for item in params.get("copy_links") or []:
            from_field = source.schema.find(item["from"])
            to_field = target.schema.find(item["to"])
            if from_field is None or to_field is None:
                raise ValidationFailed("a copied link field no longer exists", code="UNKNOWN_FIELD")
            line_source = run.op(int(from_field.options["table_id"]))
            line_target = run.op(int(to_field.options["table_id"]))
            line_ids = [int(v["id"]) for v in (run.cells or {}).get(from_field.key) or []]
            lines = line_source.decoder(keys="id").decode(line_source.fetch(line_ids))
            values = [
                run.field_values(
                    line_target.schema,
                    item["fields"],
                    source=line_source.schema,
                    cells=line["fields"],
                    where="copy_links.fields",
                )
                for line in lines
            ]
            new_ids = _create(run, line_target, values) if values else []
            if new_ids:
                encoded = encode_rows(
                    target.schema,
                    target.registry,
                    [{to_field.key: new_ids}],
                    target.ctx,
                    creating=False,
                )
                rowwrite.update_rows(target, [row_id], encoded)
                _finish(run, line_target)
            copied[to_field.key] = new_ids
        _finish(run, target)
        lines_note = sum(len(v) for v in copied.values())
        return StepResult(
            f"copied row {run.row_id} to {target.schema.name} as row {row_id} "
            f"with {lines_note} line(s)",
            {"row_id": row_id, "table_id": target.schema.id, "line_ids": copied},
        )
