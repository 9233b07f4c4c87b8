"""Cron expressions and presets in a base's time zone, stepped through DST safely.

Slots are computed on the local wall clock (croniter over naive local times) and then
placed on the time line: a wall time that does not exist (the hour skipped in spring) runs
at the same offset after the gap (02:30 becomes 03:30), a wall time that happens twice (the
hour repeated in autumn) runs once, at its first occurrence. Slots are UTC instants; the
unique ``(rule_id, scheduled_for)`` key then makes each one happen at most once.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import croniter

from tablekit.errors import ValidationFailed

PRESETS = ("hourly", "daily", "weekly", "monthly")
WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
_FIELDS: tuple[tuple[str, int, int], ...] = (
    ("minute", 0, 59),
    ("hour", 0, 23),
    ("day of month", 1, 31),
    ("month", 1, 12),
    ("day of week", 0, 7),
)
_KEYWORDS = frozenset({"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@hourly"})
_AT = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")
MAX_STEPS = 5000


def _invalid(message: str, expr: str) -> ValidationFailed:
    return ValidationFailed(message, code="INVALID_CRON", details={"cron": expr})


def check_cron(expr: str) -> str:
    """A five-field cron expression (or ``@daily``...), checked field by field."""
    if not isinstance(expr, str) or not expr.strip():
        raise _invalid("cron must be a non-empty expression such as '0 8 * * 1-5'", str(expr))
    expr = " ".join(expr.split())
    if expr.lower() in _KEYWORDS:
        return expr.lower()
    parts = expr.split(" ")
    if len(parts) != 5:
        raise _invalid(
            f"cron {expr!r} has {len(parts)} fields; it needs 5: minute hour day-of-month "
            "month day-of-week (e.g. '0 8 * * 1-5')",
            expr,
        )
    for part, (name, low, high) in zip(parts, _FIELDS, strict=True):
        for number in re.findall(r"\d+", part.split("/")[0]):
            if not low <= int(number) <= high:
                raise _invalid(
                    f"cron {expr!r}: {number} is out of range for the {name} field ({low}-{high})",
                    expr,
                )
    if not croniter.is_valid(expr):
        raise _invalid(f"cron {expr!r} is not a valid cron expression", expr)
    return expr


def check_at(at: str, where: str = "at") -> tuple[int, int]:
    match = _AT.fullmatch(at.strip()) if isinstance(at, str) else None
    if match is None:
        raise ValidationFailed(f"{where} must be a time such as '09:00'", code="INVALID_RULE")
    return int(match[1]), int(match[2])


def preset_cron(preset: str, at: str, weekday: str, day: int) -> str:
    """The cron expression of a preset: hourly, daily/weekly/monthly at ``at``."""
    if preset not in PRESETS:
        raise ValidationFailed(f"preset must be one of {', '.join(PRESETS)}", code="INVALID_RULE")
    hour, minute = check_at(at)
    if preset == "hourly":
        return f"{minute} * * * *"
    if preset == "daily":
        return f"{minute} {hour} * * *"
    if preset == "weekly":
        name = weekday.strip().lower()[:3]
        if name not in WEEKDAYS:
            raise ValidationFailed("weekday must be mon, tue, ... or sun", code="INVALID_RULE")
        return f"{minute} {hour} * * {WEEKDAYS.index(name)}"
    if not 1 <= day <= 28:
        raise ValidationFailed("day must be 1 to 28 (every month has it)", code="INVALID_RULE")
    return f"{minute} {hour} {day} * *"


def zone(name: str | None, default: str = "UTC") -> ZoneInfo:
    try:
        return ZoneInfo(name or default)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationFailed(
            f"unknown time zone {name!r}", code="INVALID_TIMEZONE", details={"timezone": name}
        ) from None


def place(wall: datetime, tz: ZoneInfo) -> datetime:
    """A naive local wall time as a UTC instant (fold=0: first occurrence; a skipped wall
    time lands the length of the gap later)."""
    return wall.replace(tzinfo=tz, fold=0).astimezone(UTC)


def next_slot(expr: str, tz: ZoneInfo, after: datetime) -> datetime:
    """The first slot strictly after ``after`` (an aware instant), as a UTC instant."""
    local = after.astimezone(tz).replace(tzinfo=None)
    steps = croniter(expr, local)
    for _ in range(MAX_STEPS):
        instant = place(steps.get_next(datetime), tz)
        if instant > after:
            return instant
    raise ValidationFailed(f"cron {expr!r} never fires", code="INVALID_CRON")


def latest_slot(expr: str, tz: ZoneInfo, now: datetime) -> datetime | None:
    """The last slot at or before ``now`` (None if the expression never fired before)."""
    steps = croniter(expr, (now.astimezone(tz) + timedelta(seconds=1)).replace(tzinfo=None))
    for _ in range(10):
        try:
            instant = place(steps.get_prev(datetime), tz)
        except (ValueError, OverflowError):
            return None
        if instant <= now:
            return instant
    return None


def slots_between(
    expr: str, tz: ZoneInfo, start: datetime, end: datetime, cap: int
) -> list[datetime]:
    """The first ``cap`` slots in ``[start, end]`` (``start`` itself is a slot), oldest first."""
    found: list[datetime] = []
    current = start
    while current <= end and len(found) < cap:
        found.append(current)
        current = next_slot(expr, tz, current)
    return found
