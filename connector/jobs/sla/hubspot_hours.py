"""A HubSpot user's working hours and time zone as the SLA calendar's values (pure).

HubSpot's Users object (``/crm/v3/objects/users``, scope ``crm.objects.users.read``) carries
``hs_standard_time_zone`` (an IANA zone) and ``hs_working_hours``, a JSON list kept as a string:
``[{"days":"MONDAY_TO_FRIDAY","startMinute":540,"endMinute":1020}, ...]``. ``days`` is
``MONDAY_TO_FRIDAY``, ``SATURDAY_SUNDAY``, ``EVERY_DAY`` or one weekday (``MONDAY`` …); a user
may have several entries, so a day can have several ranges (a lunch break). Minutes are read on
the user's own wall clock, so a zone with DST keeps 09:00 at 09:00 all year.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from connector.jobs.sla.days import CalendarError
from connector.jobs.sla.hours import MINUTES_PER_DAY, Range, WeeklyHours

ZONE_PROPERTY = "hs_standard_time_zone"
HOURS_PROPERTY = "hs_working_hours"
USER_ID_PROPERTY = "hs_internal_user_id"
USER_PROPERTIES = (ZONE_PROPERTY, HOURS_PROPERTY)
_WEEKDAYS = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")
DAY_SETS: Mapping[str, tuple[int, ...]] = {
    "MONDAY_TO_FRIDAY": (0, 1, 2, 3, 4),
    "SATURDAY_SUNDAY": (5, 6),
    "EVERY_DAY": tuple(range(7)),
    **{name: (index,) for index, name in enumerate(_WEEKDAYS)},
}


@dataclass(frozen=True)
class UserHours:
    """What a HubSpot user's record says: a zone and/or weekly hours (None = not set)."""

    timezone: str | None
    hours: WeeklyHours | None


def user_hours(user_id: str, properties: Mapping[str, Any]) -> UserHours:
    """The user's zone and hours; a malformed value is a CalendarError naming the user."""
    zone = str(properties.get(ZONE_PROPERTY) or "").strip() or None
    if zone is not None:
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise CalendarError(
                f"HubSpot user {user_id} has an unknown time zone {zone!r}"
            ) from None
    raw = properties.get(HOURS_PROPERTY)
    hours = working_hours(user_id, raw) if raw not in (None, "", "[]") else None
    return UserHours(zone, hours)


def working_hours(user_id: str, raw: Any) -> WeeklyHours:
    """``hs_working_hours`` (a JSON string or an already parsed list) as weekly hours."""
    what = f"HubSpot user {user_id} hs_working_hours"
    try:
        entries = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        raise CalendarError(f"{what} is not JSON: {str(raw)[:80]!r}") from None
    if not isinstance(entries, list):
        raise CalendarError(f"{what} is not a list of ranges")
    ranges: dict[int, list[Range]] = {}
    for entry in entries:
        start, end, days = _entry(what, entry)
        for weekday in days:
            ranges.setdefault(weekday, []).append((start, end))
    try:
        return WeeklyHours.from_mapping({day: _merged(found) for day, found in ranges.items()})
    except ValueError as exc:
        raise CalendarError(f"{what}: {exc}") from None


def _entry(what: str, entry: Any) -> tuple[int, int, tuple[int, ...]]:
    if not isinstance(entry, Mapping):
        raise CalendarError(f"{what}: {entry!r} is not a range")
    days = DAY_SETS.get(str(entry.get("days", "")).upper())
    if days is None:
        raise CalendarError(f"{what}: unknown days {entry.get('days')!r}")
    try:
        start, end = int(entry["startMinute"]), int(entry["endMinute"])
    except (KeyError, TypeError, ValueError):
        raise CalendarError(f"{what}: {entry!r} needs startMinute and endMinute") from None
    if not 0 <= start < end <= MINUTES_PER_DAY:
        raise CalendarError(f"{what}: {start}-{end} is not a range within a day")
    return start, end, days


def _merged(ranges: list[Range]) -> list[Range]:
    """Overlapping or touching ranges of one day as one (EVERY_DAY plus a MONDAY entry)."""
    merged: list[Range] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged
