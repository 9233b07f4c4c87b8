"""Date functions. Dates are ``date``, moments are ``datetime``; text must be ISO 8601.

A blank date gives a blank result, so a formula over an optional date column shows
nothing rather than an error. TODAY and NOW are in UTC.
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, timedelta

from tablekit.formulas.functions import kinds
from tablekit.formulas.functions.coerce import (
    as_date,
    flatten,
    is_blank,
    single,
    to_date,
    to_int,
    to_number,
    to_text,
)
from tablekit.formulas.functions.formatting import format_date
from tablekit.formulas.functions.kinds import first
from tablekit.formulas.functions.spec import FunctionSpec
from tablekit.formulas.values import BadNumber, BadValue

_UNITS = {
    "year": "years", "years": "years", "quarter": "quarters", "quarters": "quarters",
    "month": "months", "months": "months", "week": "weeks", "weeks": "weeks",
    "day": "days", "days": "days", "hour": "hours", "hours": "hours",
    "minute": "minutes", "minutes": "minutes", "second": "seconds", "seconds": "seconds",
}  # fmt: skip
_MAX_SECONDS = 3_700_000 * 86_400  # about the span from year 1 to year 9999
_SECONDS = {"weeks": 604_800, "days": 86_400, "hours": 3_600, "minutes": 60, "seconds": 1}


def _date_or_none(value: object) -> date | None:
    value = single(value)
    return None if is_blank(value) else to_date(value)


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole months, the day clamped to the month's end (Jan 31 → Feb 29)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    if not 1 <= year <= 9999:
        raise BadNumber("date out of range")
    last = calendar.monthrange(year, month + 1)[1]
    return day.replace(year=year, month=month + 1, day=min(day.day, last))


def TODAY() -> date:
    """Today's date (UTC); the cell is recomputed when the date changes.

    >>> TODAY() == datetime.now(UTC).date()
    True
    """
    return datetime.now(UTC).date()


def NOW() -> datetime:
    """The current moment (UTC), to the second.

    >>> NOW().tzinfo is UTC
    True
    """
    return datetime.now(UTC).replace(microsecond=0)


def DATE(year: object, month: object, day: object) -> date:
    """The date of ``year``, ``month``, ``day``; months and days past the end roll over.

    >>> DATE(2024, 13, 1)
    datetime.date(2025, 1, 1)
    >>> DATE(2024, 3, 0)
    datetime.date(2024, 2, 29)
    """
    y, m, d = to_int(year, "year"), to_int(month, "month"), to_int(day, "day")
    if not -120_000 < m < 120_000 or not -4_000_000 < d < 4_000_000:
        raise BadNumber("date out of range")
    try:
        start = add_months(date(2000, 1, 1), (y - 2000) * 12 + m - 1)
        return start + timedelta(days=d - 1)
    except (OverflowError, ValueError) as exc:
        raise BadNumber("date out of range") from exc


def DATEADD(day: object, count: object, unit: object) -> date | None:
    """``day`` moved by ``count`` units: years, quarters, months, weeks, days, hours,
    minutes or seconds (singular or plural).

    >>> DATEADD(DATE(2024, 1, 31), 1, "month")
    datetime.date(2024, 2, 29)
    >>> DATEADD(DATE(2024, 5, 1), 2, "hours")
    datetime.datetime(2024, 5, 1, 2, 0)
    """
    start = _date_or_none(day)
    name = _UNITS.get(to_text(unit).strip().lower())
    if name is None:
        raise BadValue(f'unknown unit "{to_text(unit)[:20]}" (use days, months, years...)')
    if start is None:
        return None
    if name in ("years", "quarters", "months"):
        factor = {"years": 12, "quarters": 3, "months": 1}[name]
        return add_months(start, to_int(count, "count") * factor)
    amount = float(to_number(count)) * _SECONDS[name]
    if not abs(amount) < _MAX_SECONDS:  # also refuses NaN
        raise BadNumber("date out of range")
    moment = start if isinstance(start, datetime) else datetime.combine(start, datetime.min.time())
    try:
        result = moment + timedelta(seconds=amount)
    except OverflowError as exc:
        raise BadNumber("date out of range") from exc
    if not isinstance(start, datetime) and name in ("weeks", "days") and amount % 86_400 == 0:
        return result.date()
    return result


def DATEDIF(start: object, end: object, unit: object = "D") -> int | None:
    """Whole units from ``start`` to ``end``: "Y", "M", "D", or "MD", "YM", "YD" (days
    ignoring months and years, months ignoring years, days ignoring years).

    >>> DATEDIF(DATE(2020, 5, 15), DATE(2024, 5, 14), "Y")
    3
    >>> DATEDIF(DATE(2024, 1, 1), DATE(2024, 3, 1), "D")
    60
    """
    first_day, last_day = _date_or_none(start), _date_or_none(end)
    code = to_text(unit).strip().upper()
    if code not in ("Y", "M", "D", "MD", "YM", "YD"):
        raise BadValue(f'unknown DATEDIF unit "{code[:20]}" (use Y, M, D, MD, YM or YD)')
    if first_day is None or last_day is None:
        return None
    a, b = as_date(first_day), as_date(last_day)
    if a > b:
        raise BadNumber("start date is after end date")
    months = (b.year - a.year) * 12 + b.month - a.month - (1 if b.day < a.day else 0)
    if code == "D":
        return (b - a).days
    if code == "M":
        return months
    if code == "Y":
        return months // 12
    if code == "YM":
        return months % 12
    if code == "MD":
        return (b - add_months(a, months)).days
    return (b - add_months(a, months // 12 * 12)).days


def DAY(value: object) -> int | None:
    """The day of the month (1-31).

    >>> DAY(DATE(2024, 5, 17))
    17
    """
    day = _date_or_none(value)
    return None if day is None else day.day


def MONTH(value: object) -> int | None:
    """The month (1-12).

    >>> MONTH("2024-05-17")
    5
    """
    day = _date_or_none(value)
    return None if day is None else day.month


def YEAR(value: object) -> int | None:
    """The year.

    >>> YEAR(DATE(2024, 5, 17))
    2024
    """
    day = _date_or_none(value)
    return None if day is None else day.year


def HOUR(value: object) -> int | None:
    """The hour (0-23); a plain date is hour 0.

    >>> HOUR("2024-05-17T14:30")
    14
    """
    day = _date_or_none(value)
    return None if day is None else (day.hour if isinstance(day, datetime) else 0)


def MINUTE(value: object) -> int | None:
    """The minute (0-59); a plain date is minute 0.

    >>> MINUTE("2024-05-17T14:30")
    30
    """
    day = _date_or_none(value)
    return None if day is None else (day.minute if isinstance(day, datetime) else 0)


def WEEKDAY(value: object, kind: object = 1) -> int | None:
    """Day of the week: kind 1 Sunday=1...Saturday=7, 2 Monday=1...Sunday=7, 3 Monday=0.

    >>> WEEKDAY(DATE(2024, 5, 17))
    6
    >>> WEEKDAY(DATE(2024, 5, 17), 2)
    5
    """
    day, mode = _date_or_none(value), to_int(kind, "type")
    if mode not in (1, 2, 3):
        raise BadValue("WEEKDAY type must be 1, 2 or 3")
    if day is None:
        return None
    iso = day.weekday()  # Monday = 0
    return {1: (iso + 1) % 7 + 1, 2: iso + 1, 3: iso}[mode]


def WEEKNUM(value: object, kind: object = 1) -> int | None:
    """Week of the year: kind 1 weeks start Sunday, 2 Monday (week 1 holds Jan 1), 21 ISO.

    >>> WEEKNUM(DATE(2024, 1, 7))
    2
    >>> WEEKNUM(DATE(2024, 12, 30), 21)
    1
    """
    day, mode = _date_or_none(value), to_int(kind, "type")
    if mode not in (1, 2, 21):
        raise BadValue("WEEKNUM type must be 1, 2 or 21")
    if day is None:
        return None
    day = as_date(day)
    if mode == 21:
        return day.isocalendar().week
    jan1 = date(day.year, 1, 1)
    offset = (jan1.weekday() + 1) % 7 if mode == 1 else jan1.weekday()
    return (day.timetuple().tm_yday - 1 + offset) // 7 + 1


def FORMATDATE(value: object, pattern: object = None) -> str:
    """The date written with a pattern (default ``YYYY-MM-DD``, with ``HH:mm`` for moments).

    >>> FORMATDATE(DATE(2024, 5, 7), "DD.MM.YYYY")
    '07.05.2024'
    >>> FORMATDATE(DATE(2024, 5, 7), "dddd, MMMM D")
    'Tuesday, May 7'
    """
    day = _date_or_none(value)
    if day is None:
        return ""
    default = "YYYY-MM-DD HH:mm" if isinstance(day, datetime) else "YYYY-MM-DD"
    return format_date(day, default if pattern is None else to_text(pattern))


def NETWORKDAYS(start: object, end: object, holidays: object = None) -> int | None:
    """Working days (Monday to Friday) from ``start`` to ``end`` inclusive, less
    ``holidays`` (a date or a list of dates); negative when ``end`` is before ``start``.

    >>> NETWORKDAYS(DATE(2024, 5, 1), DATE(2024, 5, 31))
    23
    >>> NETWORKDAYS(DATE(2024, 5, 1), DATE(2024, 5, 31), DATE(2024, 5, 1))
    22
    """
    first_day, last_day = _date_or_none(start), _date_or_none(end)
    if first_day is None or last_day is None:
        return None
    a, b = as_date(first_day), as_date(last_day)
    sign = 1
    if b < a:
        a, b, sign = b, a, -1
    weeks, rest = divmod((b - a).days + 1, 7)
    count = weeks * 5 + sum(1 for i in range(rest) if (a.weekday() + i) % 7 < 5)
    off = {as_date(to_date(h)) for h in flatten((holidays,)) if not is_blank(h)}
    count -= sum(1 for h in off if a <= h <= b and h.weekday() < 5)
    return sign * count


def EOMONTH(start: object, months: object = 0) -> date | None:
    """The last day of the month ``months`` after ``start``'s month.

    >>> EOMONTH(DATE(2024, 1, 15), 1)
    datetime.date(2024, 2, 29)
    """
    day = _date_or_none(start)
    if day is None:
        return None
    moved = add_months(as_date(day).replace(day=1), to_int(months, "months"))
    return moved.replace(day=calendar.monthrange(moved.year, moved.month)[1])


FUNCTIONS = (
    FunctionSpec("TODAY", TODAY, 0, 0, kinds.DATE),
    FunctionSpec("NOW", NOW, 0, 0, kinds.DATETIME),
    FunctionSpec("DATE", DATE, 3, 3, kinds.DATE),
    FunctionSpec("DATEADD", DATEADD, 3, 3, first(kinds.DATE)),
    FunctionSpec("DATEDIF", DATEDIF, 2, 3, kinds.NUMBER),
    FunctionSpec("DAY", DAY, 1, 1, kinds.NUMBER),
    FunctionSpec("MONTH", MONTH, 1, 1, kinds.NUMBER),
    FunctionSpec("YEAR", YEAR, 1, 1, kinds.NUMBER),
    FunctionSpec("HOUR", HOUR, 1, 1, kinds.NUMBER),
    FunctionSpec("MINUTE", MINUTE, 1, 1, kinds.NUMBER),
    FunctionSpec("WEEKDAY", WEEKDAY, 1, 2, kinds.NUMBER),
    FunctionSpec("WEEKNUM", WEEKNUM, 1, 2, kinds.NUMBER),
    FunctionSpec("FORMATDATE", FORMATDATE, 1, 2, kinds.TEXT),
    FunctionSpec("NETWORKDAYS", NETWORKDAYS, 2, 3, kinds.NUMBER),
    FunctionSpec("EOMONTH", EOMONTH, 1, 2, kinds.DATE),
)
