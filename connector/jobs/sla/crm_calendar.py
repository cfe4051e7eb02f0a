"""Salesforce's own calendar records as the SLA calendar's values (pure: fields in, values out).

A ``BusinessHours`` record has one range per weekday (``MondayStartTime`` … ``SundayEndTime``,
``08:00:00.000Z``; both null = closed; start and end both ``00:00`` = the whole day, Salesforce's
"24 hours") read on the wall clock of its ``TimeZoneSidKey``. A ``Holiday`` is a date the org is
closed. Only all-day, non-recurring holidays are read: a holiday with hours would close part of
a day, and a recurring one would have to be expanded by Salesforce's recurrence rules; both are
reported as not read rather than guessed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from connector.jobs.sla.days import CalendarError
from connector.jobs.sla.hours import MINUTES_PER_DAY, Range, WeeklyHours

DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
BUSINESS_HOURS_FIELDS = (
    "Name",
    "IsActive",
    "TimeZoneSidKey",
    *(f"{day}{edge}Time" for day in DAYS for edge in ("Start", "End")),
)
HOLIDAY_FIELDS = ("Name", "ActivityDate", "IsAllDay", "IsRecurrence")
USER_ZONE_FIELD = "TimeZoneSidKey"


@dataclass(frozen=True)
class CrmHours:
    """A BusinessHours record as weekly hours in its time zone."""

    name: str
    timezone: str
    hours: WeeklyHours


@dataclass(frozen=True)
class CrmClosures:
    """All-day holidays by date, and the names of holidays that were not read (and why)."""

    days: Mapping[date, str] = field(default_factory=dict)
    skipped: tuple[str, ...] = ()


def _minute(value: Any, what: str) -> int | None:
    """``"08:30:00.000Z"`` → 510; None for a null time."""
    if value in (None, ""):
        return None
    text = str(value)
    try:
        hours, minutes = int(text[0:2]), int(text[3:5])
    except ValueError:
        raise CalendarError(f"{what} is not a time of day: {text!r}") from None
    return hours * 60 + minutes


def business_hours(fields: Mapping[str, Any]) -> CrmHours:
    """The record's weekly hours and zone; a malformed record is a CalendarError naming it."""
    name = str(fields.get("Name") or fields.get("Id") or "?")
    zone = str(fields.get("TimeZoneSidKey") or "")
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise CalendarError(f"BusinessHours {name!r} has no known time zone ({zone!r})") from None
    ranges: dict[int, list[Range]] = {}
    for weekday, day in enumerate(DAYS):
        start = _minute(fields.get(f"{day}StartTime"), f"{name} {day}StartTime")
        end = _minute(fields.get(f"{day}EndTime"), f"{name} {day}EndTime")
        if start is None or end is None:
            continue  # closed that day
        if end == 0 and start == 0:
            end = MINUTES_PER_DAY  # Salesforce's "24 hours"
        elif end == 0:
            end = MINUTES_PER_DAY  # open until midnight
        if end <= start:
            raise CalendarError(f"BusinessHours {name!r}: {day} ends before it starts")
        ranges[weekday] = [(start, end)]
    try:
        hours = WeeklyHours.from_mapping(ranges)
    except ValueError as exc:
        raise CalendarError(f"BusinessHours {name!r}: {exc}") from None
    return CrmHours(name, zone, hours)


def closures(rows: Iterable[Mapping[str, Any]]) -> CrmClosures:
    """The org's all-day, non-recurring Holidays by date (named as Salesforce names them)."""
    days: dict[date, str] = {}
    skipped: list[str] = []
    for row in rows:
        name = str(row.get("Name") or row.get("Id") or "?")
        if _true(row.get("IsRecurrence")):
            skipped.append(f"{name} (recurring)")
            continue
        if not _true(row.get("IsAllDay")):
            skipped.append(f"{name} (part of a day)")
            continue
        try:
            day = date.fromisoformat(str(row.get("ActivityDate"))[:10])
        except ValueError:
            skipped.append(f"{name} (no date)")
            continue
        days.setdefault(day, f"Salesforce Holiday {name!r}")
    return CrmClosures(days, tuple(skipped))


def _true(value: Any) -> bool:
    return value is True or str(value).lower() == "true"
