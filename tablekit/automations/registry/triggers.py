"""Trigger types: what starts a rule. Each has a msgspec params schema (API validation and
the rule builder's form) and ``validate()`` that resolves names to ids for storage.

Row triggers react to outbox events (``events``); scheduled ones are driven by the
scheduler; ``button`` and ``webhook`` start runs directly from their endpoints.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, ClassVar, Literal
from zoneinfo import ZoneInfo

import msgspec
from sqlalchemy import select

from tablekit.automations import schedule
from tablekit.automations.context import SaveContext
from tablekit.db.models import OutboxEvent, TableMeta, ViewMeta
from tablekit.errors import ValidationFailed
from tablekit.services.events import ROW_CREATED, ROW_DELETED, ROW_UPDATED
from tablekit.services.rowwrite import Op

OFFSET = re.compile(r"([+-])(\d{1,4})([dhm])")
DATE_TYPES = frozenset({"date", "datetime", "created_time", "modified_time"})


class Params(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Base of every params schema: unknown keys are refused, never ignored."""


class TableParams(Params, kw_only=True):
    table_id: int | str


class RowUpdatedParams(TableParams, kw_only=True):
    fields: list[int | str] | None = None


class ScheduleParams(Params, kw_only=True):
    cron: str | None = None
    preset: Literal["hourly", "daily", "weekly", "monthly"] | None = None
    at: str = "08:00"
    weekday: str = "mon"
    day: int = 1
    timezone: str | None = None
    catch_up: Literal["last", "none", "all"] = "last"


class ScheduleRowsParams(ScheduleParams, kw_only=True):
    table_id: int | str


class DateRelativeParams(TableParams, kw_only=True):
    field: int | str
    offset: str
    at: str | None = None


class ButtonParams(TableParams, kw_only=True):
    field: int | str


class FormParams(Params, kw_only=True):
    view_id: int


class WebhookParams(Params, kw_only=True):
    pass


ParamsSchema = type[Params]


class Trigger:
    """A trigger type. ``validate`` returns the stored params and the trigger table's op."""

    type: ClassVar[str]
    label: ClassVar[str]
    params_schema: ClassVar[ParamsSchema] = TableParams
    events: ClassVar[frozenset[str]] = frozenset()
    scheduled: ClassVar[bool] = False
    payload: ClassVar[bool] = False
    has_row: ClassVar[bool] = True
    needs_condition: ClassVar[bool] = False

    def validate(self, params: Any, ctx: SaveContext) -> tuple[dict[str, Any], Op | None]:
        op = ctx.op(params.table_id, "trigger.params.table_id")
        return {"table_id": op.schema.id}, op

    def accepts(self, params: dict[str, Any], event: OutboxEvent) -> bool:
        """Beyond type and table: does this event start the rule?"""
        return True

    def first_run(self, params: dict[str, Any], tz: ZoneInfo, now: datetime) -> datetime | None:
        return None


class RowCreatedTrigger(Trigger):
    type = "row_created"
    label = "When a row is created"
    events = frozenset({ROW_CREATED})


class RowUpdatedTrigger(Trigger):
    type = "row_updated"
    label = "When a row is updated"
    params_schema = RowUpdatedParams
    events = frozenset({ROW_UPDATED})

    def validate(self, params: Any, ctx: SaveContext) -> tuple[dict[str, Any], Op | None]:
        stored, op = super().validate(params, ctx)
        assert op is not None
        if params.fields:
            stored["fields"] = [
                ctx.field(op.schema, ref, f"trigger.params.fields[{i}]").key
                for i, ref in enumerate(params.fields)
            ]
        return stored, op

    def accepts(self, params: dict[str, Any], event: OutboxEvent) -> bool:
        wanted = params.get("fields")
        if not wanted:
            return True
        changes = (event.payload or {}).get("changes") or {}
        return any(key in changes for key in wanted)


class RowMatchesTrigger(Trigger):
    type = "row_matches"
    label = "When a row starts matching the condition"
    events = frozenset({ROW_CREATED, ROW_UPDATED, ROW_DELETED})
    needs_condition = True


class RowDeletedTrigger(Trigger):
    type = "row_deleted"
    label = "When a row is deleted"
    events = frozenset({ROW_DELETED})


def _schedule_params(params: Any) -> dict[str, Any]:
    try:
        if params.preset is not None:
            cron = schedule.preset_cron(params.preset, params.at, params.weekday, params.day)
            # The stored form carries both; a different cron means the caller gave both.
            if params.cron is not None and schedule.check_cron(params.cron) != cron:
                raise ValidationFailed("give either cron or preset", code="INVALID_RULE")
        elif params.cron is not None:
            cron = schedule.check_cron(params.cron)
        else:
            raise ValidationFailed("give either cron or preset", code="INVALID_RULE")
        if params.timezone is not None:
            schedule.zone(params.timezone)
    except ValidationFailed as exc:
        raise ValidationFailed(f"trigger.params: {exc.message}", code=exc.code) from None
    stored: dict[str, Any] = {"cron": cron, "catch_up": params.catch_up}
    if params.timezone is not None:
        stored["timezone"] = params.timezone
    if params.preset is not None:
        stored.update(preset=params.preset, at=params.at, weekday=params.weekday, day=params.day)
    return stored


class ScheduleTrigger(Trigger):
    type = "schedule"
    label = "At scheduled times"
    params_schema: ClassVar[ParamsSchema] = ScheduleParams
    scheduled = True
    has_row = False

    def validate(self, params: Any, ctx: SaveContext) -> tuple[dict[str, Any], Op | None]:
        return _schedule_params(params), None

    def first_run(self, params: dict[str, Any], tz: ZoneInfo, now: datetime) -> datetime | None:
        zone = schedule.zone(params.get("timezone"), tz.key)
        return schedule.next_slot(params["cron"], zone, now)


class ScheduleMatchingRowsTrigger(ScheduleTrigger):
    type = "schedule_matching_rows"
    label = "At scheduled times, for every row matching the condition"
    params_schema = ScheduleRowsParams
    has_row = True

    def validate(self, params: Any, ctx: SaveContext) -> tuple[dict[str, Any], Op | None]:
        op = ctx.op(params.table_id, "trigger.params.table_id")
        return {**_schedule_params(params), "table_id": op.schema.id}, op


class DateRelativeTrigger(Trigger):
    type = "date_relative"
    label = "Before or after a date in a row"
    params_schema = DateRelativeParams
    scheduled = True

    def validate(self, params: Any, ctx: SaveContext) -> tuple[dict[str, Any], Op | None]:
        stored, op = super().validate(params, ctx)
        assert op is not None
        fdef = ctx.field(op.schema, params.field, "trigger.params.field")
        if fdef.type not in DATE_TYPES:
            raise ValidationFailed(
                f"trigger.params.field: {fdef.name!r} is a {fdef.type} field, not a date",
                code="INVALID_RULE",
            )
        if OFFSET.fullmatch(params.offset.strip()) is None:
            raise ValidationFailed(
                "trigger.params.offset: write an offset like '+7d', '-2h' or '+30m'",
                code="INVALID_RULE",
            )
        stored.update(field=fdef.key, offset=params.offset.strip())
        if params.at is not None:
            schedule.check_at(params.at, "trigger.params.at")
            stored["at"] = params.at.strip()
        return stored, op

    def first_run(self, params: dict[str, Any], tz: ZoneInfo, now: datetime) -> datetime | None:
        return now


class ButtonTrigger(Trigger):
    type = "button"
    label = "When a button is clicked"
    params_schema = ButtonParams

    def validate(self, params: Any, ctx: SaveContext) -> tuple[dict[str, Any], Op | None]:
        stored, op = super().validate(params, ctx)
        assert op is not None
        fdef = ctx.field(op.schema, params.field, "trigger.params.field")
        if fdef.type != "button":
            raise ValidationFailed(
                f"trigger.params.field: {fdef.name!r} is not a button field", code="INVALID_RULE"
            )
        stored["field"] = fdef.key
        return stored, op


class FormSubmittedTrigger(Trigger):
    type = "form_submitted"
    label = "When a public form is submitted"
    params_schema = FormParams
    events = frozenset({ROW_CREATED})

    def validate(self, params: Any, ctx: SaveContext) -> tuple[dict[str, Any], Op | None]:
        view = ctx.session.scalar(
            select(ViewMeta)
            .join(TableMeta, TableMeta.id == ViewMeta.table_id)
            .where(ViewMeta.id == params.view_id, TableMeta.base_id == ctx.base.id)
        )
        if view is None or view.type != "form":
            raise ValidationFailed(
                f"trigger.params.view_id: no form view {params.view_id} in this base",
                code="INVALID_RULE",
            )
        return {"view_id": view.id}, ctx.op(view.table_id)

    def accepts(self, params: dict[str, Any], event: OutboxEvent) -> bool:
        return (event.payload or {}).get("form_view_id") == params.get("view_id")


class WebhookTrigger(Trigger):
    type = "webhook"
    label = "When a webhook is received"
    params_schema = WebhookParams
    payload = True
    has_row = False

    def validate(self, params: Any, ctx: SaveContext) -> tuple[dict[str, Any], Op | None]:
        return {}, None


def builtin_triggers() -> list[Trigger]:
    return [
        RowCreatedTrigger(),
        RowUpdatedTrigger(),
        RowMatchesTrigger(),
        RowDeletedTrigger(),
        ScheduleTrigger(),
        ScheduleMatchingRowsTrigger(),
        DateRelativeTrigger(),
        ButtonTrigger(),
        FormSubmittedTrigger(),
        WebhookTrigger(),
    ]
