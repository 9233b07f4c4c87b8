"""The action contract (after Frappe's automation actions): ``type``, ``label``,
``params_schema`` (msgspec), ``validate()`` at save and ``execute()`` returning the run-log
line and the step's output; plus helpers every action uses for its params."""

from __future__ import annotations

from typing import Any, ClassVar

import msgspec

from tablekit.automations import expressions
from tablekit.automations.context import (
    RunContext,
    SaveContext,
    StepResult,
    check_text,
    where_error,
)
from tablekit.errors import ValidationFailed
from tablekit.services.rowcodec import encode_rows
from tablekit.services.rowwrite import Op
from tablekit.storage.schema import TableSchema


class Params(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Base of every params schema: unknown keys are refused, never ignored."""


ParamsSchema = type[Params]


class Action:
    """An action type. Actions that reach outside the database (``external``) are split in
    ``prepare`` (inside the run's transaction) and ``deliver`` (after it committed), so no
    database lock is held across a network call."""

    type: ClassVar[str]
    label: ClassVar[str]
    params_schema: ClassVar[ParamsSchema]
    external: ClassVar[bool] = False

    def validate(self, params: Any, ctx: SaveContext, where: str, index: int) -> dict[str, Any]:
        """Check ``params`` (an instance of ``params_schema``); return the stored form."""
        raise TypeError(f"{type(self).__name__} must define validate()")

    def execute(self, params: dict[str, Any], run: RunContext) -> StepResult:
        """Do it inside the run's transaction; raise ``Refused`` or a TableKitError."""
        raise TypeError(f"{type(self).__name__} must define execute() (or be external)")

    def prepare(self, params: dict[str, Any], run: RunContext) -> dict[str, Any]:
        """External actions: render everything the delivery needs (inside the transaction)."""
        raise TypeError(f"{type(self).__name__} is not an external action")

    def deliver(self, prepared: dict[str, Any], run: RunContext) -> StepResult:
        """External actions: send it (outside any transaction)."""
        raise TypeError(f"{type(self).__name__} is not an external action")


def text(value: str, where: str, *, html: bool = False) -> str:
    return check_text(value, where, html=html)


def trigger_schema(ctx: SaveContext, where: str) -> TableSchema:
    if ctx.trigger_op is None:
        raise ValidationFailed(
            f"{where}: this action needs a trigger with a row", code="INVALID_RULE"
        )
    return ctx.trigger_op.schema


def writable_field(ctx: SaveContext, schema: TableSchema, ref: Any, where: str) -> Any:
    fdef = ctx.field(schema, ref, where)
    ftype = ctx.registry.get(fdef.type)
    if ftype.read_only or ftype.storage == "none":
        raise ValidationFailed(
            f"{where}: {fdef.name!r} ({fdef.type}) cannot be written", code="INVALID_RULE"
        )
    return fdef


def check_fields(
    ctx: SaveContext,
    target: Op,
    spec: Any,
    where: str,
    *,
    source: TableSchema | None,
    index: int,
) -> dict[str, Any]:
    """A ``fields`` map checked and stored by id: literals must fit their field, formulas
    (``=...``) must parse against ``source`` (the row they read)."""
    if not isinstance(spec, dict):
        raise ValidationFailed(f"{where} must be an object", code="INVALID_RULE")
    stored: dict[str, Any] = {}
    literals: dict[str, Any] = {}
    for ref, value in spec.items():
        fdef = writable_field(ctx, target.schema, ref, f"{where}.{ref}")
        if fdef.key in stored:
            raise ValidationFailed(f"{where}: {fdef.name!r} is given twice", code="INVALID_RULE")
        if expressions.is_formula(value):
            parsed = expressions.parse(
                value[1:],
                source,
                where=f"{where}.{fdef.name}",
                payload=ctx.payload,
                steps=index,
                allow_old=True,
            )
            stored[fdef.key] = "=" + parsed.source
        else:
            stored[fdef.key] = value
            literals[fdef.key] = value
    if literals:
        try:
            encode_rows(target.schema, ctx.registry, [literals], target.ctx, creating=False)
        except ValidationFailed as exc:
            raise where_error(where, exc) from None
    return stored


def run_fields(
    run: RunContext, target: Op, spec: dict[str, Any], where: str
) -> tuple[list[Any], dict[str, Any]]:
    """Encode a stored ``fields`` map for ``target`` in this run: (encoded rows, API cells)."""
    cells = run.field_values(target.schema, spec, where=where)
    encoded = encode_rows(target.schema, target.registry, [cells], target.ctx, creating=False)
    return encoded, cells
