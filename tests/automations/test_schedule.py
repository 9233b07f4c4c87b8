"""Cron and presets in a base's time zone: checked precisely, stepped safely through DST."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tablekit.automations import schedule
from tablekit.errors import ValidationFailed

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize(
    ("expr", "message"),
    [
        ("61 * * * *", "61 is out of range for the minute field (0-59)"),
        ("0 24 * * *", "24 is out of range for the hour field (0-23)"),
        ("0 8 32 * *", "32 is out of range for the day of month field (1-31)"),
        ("0 8 * 13 *", "13 is out of range for the month field (1-12)"),
        ("0 8 * * 8", "8 is out of range for the day of week field (0-7)"),
        ("* * *", "has 3 fields; it needs 5"),
        ("0 8 * * * *", "has 6 fields"),
        ("every day", "has 2 fields"),
        ("0 8 * * mon-xyz", "not a valid cron expression"),
        ("", "non-empty"),
    ],
)
def test_cron_typos_are_refused_precisely(expr: str, message: str):
    with pytest.raises(ValidationFailed) as refused:
        schedule.check_cron(expr)
    assert refused.value.code == "INVALID_CRON"
    assert message in refused.value.message


def test_presets_and_keywords():
    assert schedule.check_cron("@daily") == "@daily"
    assert schedule.check_cron(" 0  8 * * 1-5 ") == "0 8 * * 1-5"
    assert schedule.preset_cron("daily", "08:30", "mon", 1) == "30 8 * * *"
    assert schedule.preset_cron("weekly", "07:00", "Friday", 1) == "0 7 * * 5"
    assert schedule.preset_cron("monthly", "09:15", "mon", 28) == "15 9 28 * *"
    assert schedule.preset_cron("hourly", "00:05", "mon", 1) == "5 * * * *"
    with pytest.raises(ValidationFailed):
        schedule.preset_cron("monthly", "09:00", "mon", 31)
    with pytest.raises(ValidationFailed):
        schedule.preset_cron("daily", "25:00", "mon", 1)


def slots(expr: str, start: datetime, count: int, tz: ZoneInfo = BERLIN) -> list[str]:
    found, current = [], start
    for _ in range(count):
        current = schedule.next_slot(expr, tz, current)
        found.append(current.astimezone(tz).isoformat())
    return found


def test_daily_slot_keeps_its_local_time_across_dst():
    start = datetime(2026, 3, 27, 12, 0, tzinfo=UTC)
    assert slots("0 8 * * *", start, 4) == [
        "2026-03-28T08:00:00+01:00",
        "2026-03-29T08:00:00+02:00",  # summer time began at 02:00 that night
        "2026-03-30T08:00:00+02:00",
        "2026-03-31T08:00:00+02:00",
    ]


def test_a_skipped_wall_time_runs_after_the_gap_once():
    start = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)
    assert slots("30 2 * * *", start, 3) == [
        "2026-03-29T03:30:00+02:00",  # 02:30 does not exist that night
        "2026-03-30T02:30:00+02:00",
        "2026-03-31T02:30:00+02:00",
    ]
    # Every half hour through the gap: no slot twice, no slot lost after it.
    night = slots("*/30 * * * *", datetime(2026, 3, 29, 0, 15, tzinfo=UTC), 4)
    assert night == [
        "2026-03-29T01:30:00+01:00",
        "2026-03-29T03:00:00+02:00",
        "2026-03-29T03:30:00+02:00",
        "2026-03-29T04:00:00+02:00",
    ]


def test_a_repeated_wall_time_runs_once():
    start = datetime(2026, 10, 24, 12, 0, tzinfo=UTC)
    found = slots("30 2 * * *", start, 3)
    assert found == [
        "2026-10-25T02:30:00+02:00",  # the first of the two 02:30s
        "2026-10-26T02:30:00+01:00",
        "2026-10-27T02:30:00+01:00",
    ]
    hourly = slots("0 * * * *", datetime(2026, 10, 24, 23, 30, tzinfo=UTC), 4)
    assert hourly == [  # 02:00 once, not again an hour later
        "2026-10-25T02:00:00+02:00",
        "2026-10-25T03:00:00+01:00",
        "2026-10-25T04:00:00+01:00",
        "2026-10-25T05:00:00+01:00",
    ]


def test_latest_slot_and_catch_up_window():
    now = datetime(2026, 6, 10, 9, 0, tzinfo=UTC)  # 11:00 in Berlin
    latest = schedule.latest_slot("0 8 * * *", BERLIN, now)
    assert latest == datetime(2026, 6, 10, 6, 0, tzinfo=UTC)
    first = datetime(2026, 6, 1, 6, 0, tzinfo=UTC)
    missed = schedule.slots_between("0 8 * * *", BERLIN, first, now, cap=24)
    assert len(missed) == 10 and missed[0] == first and missed[-1] == latest
    assert len(schedule.slots_between("* * * * *", BERLIN, first, now, cap=24)) == 24
    assert schedule.next_slot("0 8 * * *", BERLIN, latest) - latest == timedelta(days=1)
