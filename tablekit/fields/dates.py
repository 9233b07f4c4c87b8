"""Date and date-time fields, and the relative ranges of the ``within`` operator.

Date-times are stored in UTC and shown in the field's time zone (or the base's).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import TypeEngine

from tablekit.fields import conditions
from tablekit.fields.base import (
    DATE_OPS,
    CellError,
    Context,
    FieldDef,
    FieldType,
    OptionsContext,
    options_error,
)
from tablekit.storage.types import UTCDateTime

RELATIVE_RE = re.compile(r"^(past|next)_(\d{1,4})_days$")
DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%m/%d/%Y", "%Y/%m/%d")


def relative_range(name: str, today: date) -> tuple[date, date]:
    """The half-open day range [start, end) that a ``within`` keyword names."""
    if name == "today":
        return today, today + timedelta(days=1)
    if name == "yesterday":
        return today - timedelta(days=1), today
    if name == "tomorrow":
        return today + timedelta(days=1), today + timedelta(days=2)
    if name == "this_month":
        start = today.replace(day=1)
        end = (start + timedelta(days=32)).replace(day=1)
        return start, end
    if name == "past_7_days":
        return today - timedelta(days=7), today + timedelta(days=1)
    if name == "next_7_days":
        return today, today + timedelta(days=8)
    match = RELATIVE_RE.match(name)
    if match:
        days = int(match.group(2))
        if match.group(1) == "past":
            return today - timedelta(days=days), today + timedelta(days=1)
        return today, today + timedelta(days=days + 1)
    raise conditions.invalid_filter(
        f"Unknown range {name!r}; use today, yesterday, tomorrow, past_7_days, next_7_days, "
        "this_month, past_N_days or next_N_days"
    )


def parse_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        if "T" in text or " " in text:
            try:
                return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
            except ValueError:
                pass
        for fmt in DATE_FORMATS:
            try:
                return datetime.strptime(text, fmt).date()
            except ValueError:
                continue
    raise CellError(f"{value!r} is not a date (use YYYY-MM-DD)")


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _has_time(value: Any) -> bool:
    if isinstance(value, datetime):
        return True
    return isinstance(value, str) and ("T" in value.strip() or " " in value.strip())


def _zone(options: Any, ctx: Context) -> ZoneInfo:
    name = options.get("time_zone") or ctx.timezone
    return ZoneInfo(name)


def _check_zone(options: Any) -> dict[str, Any]:
    zone = options.get("time_zone")
    if zone is not None:
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError, TypeError):
            raise options_error(f"unknown time zone {zone!r}", option="time_zone") from None
    return dict(options)


class DateField(FieldType):
    type = "date"
    label = "Date"
    operators = DATE_OPS
    can_be_unique = False

    def normalize_options(self, options: Any, ctx: OptionsContext) -> dict[str, Any]:
        return _check_zone(options)

    def column_type(self, fdef: FieldDef) -> TypeEngine[Any]:
        return sa.Date()

    def to_db(self, value: Any, fdef: FieldDef, ctx: Context) -> Any:
        if _blank(value):
            return None
        return parse_date(value)

    def from_db(self, value: Any, fdef: FieldDef, ctx: Context) -> Any:
        return value.isoformat() if value is not None else None

    def today(self, fdef: FieldDef, ctx: Context) -> date:
        now = ctx.now or datetime.now(UTC)
        return now.astimezone(_zone(fdef.options, ctx)).date()

    def day_bounds(self, start: date, end: date, fdef: FieldDef, ctx: Context) -> tuple[Any, Any]:
        return start, end

    def filter(
        self, column: ColumnElement[Any], op: str, value: Any, fdef: FieldDef, ctx: Context
    ) -> ColumnElement[bool]:
        try:
            return self._day_filter(column, op, value, fdef, ctx)
        except OverflowError:
            raise conditions.invalid_filter(
                f"{value!r} is out of the supported range of dates", field=fdef.name
            ) from None

    def _day_filter(
        self, column: ColumnElement[Any], op: str, value: Any, fdef: FieldDef, ctx: Context
    ) -> ColumnElement[bool]:
        if op == "within":
            if not isinstance(value, str):
                raise conditions.invalid_filter("within needs a range name such as past_7_days")
            start, end = self.day_bounds(*relative_range(value, self.today(fdef, ctx)), fdef, ctx)
            return sa.and_(column >= start, column < end)
        if op in {"on", "before", "after"} or (op in {"eq", "neq"} and value not in (None, "")):
            day = self.resolve_day(value, fdef, ctx)
            start, end = self.day_bounds(day, day + timedelta(days=1), fdef, ctx)
            if op == "before":
                return cast("ColumnElement[bool]", column < start)
            if op == "after":
                return cast("ColumnElement[bool]", column >= end)
            on = sa.and_(column >= start, column < end)
            return sa.or_(sa.not_(on), column.is_(None)) if op == "neq" else on
        return conditions.scalar_filter(self, column, op, value, fdef, ctx)

    def resolve_day(self, value: Any, fdef: FieldDef, ctx: Context) -> date:
        """A date operand: an ISO date, or today/yesterday/tomorrow."""
        if isinstance(value, str) and value in {"today", "yesterday", "tomorrow"}:
            return relative_range(value, self.today(fdef, ctx))[0]
        try:
            return parse_date(value)
        except CellError as exc:
            raise conditions.invalid_filter(exc.message, field=fdef.name) from None


class DateTimeField(DateField):
    type = "datetime"
    label = "Date and time"

    def column_type(self, fdef: FieldDef) -> TypeEngine[Any]:
        return UTCDateTime()

    def to_db(self, value: Any, fdef: FieldDef, ctx: Context) -> Any:
        if _blank(value):
            return None
        if isinstance(value, datetime):
            moment = value
        elif isinstance(value, str):
            try:
                moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
            except ValueError:
                raise CellError(f"{value!r} is not a date-time (use ISO 8601)") from None
        elif isinstance(value, date):
            moment = datetime(value.year, value.month, value.day)
        else:
            raise CellError("expected an ISO 8601 date-time")
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=_zone(fdef.options, ctx))
        try:
            return moment.astimezone(UTC)
        except OverflowError:
            raise CellError(f"{value!r} is out of the supported range of dates") from None

    def from_db(self, value: Any, fdef: FieldDef, ctx: Context) -> Any:
        if value is None:
            return None
        return value.astimezone(_zone(fdef.options, ctx)).isoformat()

    def day_bounds(self, start: date, end: date, fdef: FieldDef, ctx: Context) -> tuple[Any, Any]:
        zone = _zone(fdef.options, ctx)
        return (
            datetime(start.year, start.month, start.day, tzinfo=zone).astimezone(UTC),
            datetime(end.year, end.month, end.day, tzinfo=zone).astimezone(UTC),
        )

    def resolve_day(self, value: Any, fdef: FieldDef, ctx: Context) -> date:
        """A moment operand names its day in the field's time zone, where rows are compared."""
        if not _has_time(value):
            return super().resolve_day(value, fdef, ctx)
        moment = conditions.convert_operand(self, value, fdef, ctx)
        return cast("datetime", moment).astimezone(_zone(fdef.options, ctx)).date()

    def filter(
        self, column: ColumnElement[Any], op: str, value: Any, fdef: FieldDef, ctx: Context
    ) -> ColumnElement[bool]:
        if op in {"lt", "lte", "gt", "gte"}:
            return conditions.scalar_filter(self, column, op, value, fdef, ctx)
        return super().filter(column, op, value, fdef, ctx)
