"""Calendar arithmetic the validity rules need."""

from __future__ import annotations

import calendar
import datetime as dt
import re

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by whole months, clamped to the month's end (31 Jan + 1 month = 28 or 29 Feb)."""
    month_index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(month_index, 12)
    month += 1
    last_day = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day.day, last_day))


def start_of_day_utc(day: dt.date) -> int:
    """Unix seconds of ``day``'s first instant in UTC: a document's issue date as its leaf records it."""
    return int(dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC).timestamp())


def end_of_day_utc(day: dt.date) -> int:
    """Unix seconds of the first instant after ``day`` in UTC, i.e. the moment ``day`` is over."""
    next_midnight = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    return int(next_midnight.timestamp())


def parse_date(value: object) -> dt.date | None:
    """A calendar date from its ``YYYY-MM-DD`` form, or ``None`` for anything else (including 2026-02-30)."""
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None
