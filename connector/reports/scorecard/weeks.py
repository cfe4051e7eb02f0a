"""Reporting weeks: parse a week the API is asked for, and turn local weeks into UTC windows."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from connector.config.models.fields import WEEKDAYS, Weekday

#: weeks outside these years are refused (no data exists there; the window arithmetic stays safe)
FIRST_YEAR, LAST_YEAR = 2000, 2999
_ISO_WEEK = re.compile(r"(\d{4})-W(\d{2})", re.ASCII)
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


class WeekError(ValueError):
    """A week the caller asked for is no week (the message says what is accepted)."""


def align(day: date, week_starts: Weekday) -> date:
    """The first day of the reporting week ``day`` falls in."""
    first = WEEKDAYS.index(week_starts)
    return day - timedelta(days=(day.weekday() - first) % 7)


def parse_week(text: str, week_starts: Weekday) -> date:
    """``2026-W49`` (ISO week) or ``2026-12-03`` (any day in the week) → the week's first day."""
    found = _ISO_WEEK.fullmatch(text)
    try:
        if found:
            day = date.fromisocalendar(int(found[1]), int(found[2]), 1)
        elif _DAY.fullmatch(text):
            day = date.fromisoformat(text)
        else:
            raise WeekError(f"week {text!r}: use YYYY-Www (ISO week) or YYYY-MM-DD")
    except ValueError as exc:
        if isinstance(exc, WeekError):
            raise
        raise WeekError(f"week {text!r} is not a real week or date ({exc})") from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise WeekError(f"week {text!r}: only years {FIRST_YEAR} to {LAST_YEAR} are accepted")
    return align(day, week_starts)


def window(week_start: date, zone: str) -> tuple[datetime, datetime]:
    """The week's UTC window [start, end): local midnights in ``zone`` (DST-safe)."""
    tz = ZoneInfo(zone)
    start = datetime.combine(week_start, time(0), tz)
    end = datetime.combine(week_start + timedelta(days=7), time(0), tz)
    return start.astimezone(ZoneInfo("UTC")), end.astimezone(ZoneInfo("UTC"))


def week_of(instant: datetime, zone: str, week_starts: Weekday) -> date:
    """The reporting week (first day) an instant falls in, in ``zone``."""
    return align(instant.astimezone(ZoneInfo(zone)).date(), week_starts)


def weeks_between(first: date, last: date) -> tuple[date, ...]:
    """Week starts from ``last`` back to ``first`` (both aligned), newest first."""
    found, day = [], last
    while day >= first:
        found.append(day)
        day -= timedelta(days=7)
    return tuple(found)
