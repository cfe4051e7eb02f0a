"""When the digest goes out, and which week it reports (pure: config values and instants)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from connector.config.models.fields import WEEKDAYS, Weekday
from connector.reports.scorecard.weeks import align


def next_send(now: datetime, send_on: Weekday, send_at: time, zone: str) -> datetime:
    """The first send moment (``send_on`` at ``send_at`` local) strictly after ``now``, in UTC.

    Wall times are resolved per day, so a DST change keeps the digest at the same local hour; a
    send time that does not exist that day (spring forward) moves to the zone's next valid time.
    """
    tz = ZoneInfo(zone)
    local = now.astimezone(tz)
    ahead = (WEEKDAYS.index(send_on) - local.weekday()) % 7
    for extra in (0, 7, 14):
        day = local.date() + timedelta(days=ahead + extra)
        moment = datetime.combine(day, send_at, tz).astimezone(UTC).astimezone(tz)
        if moment > local:
            return moment.astimezone(UTC)
    raise AssertionError("unreachable: a week ahead always has a send moment")


def reported_week(send_moment: datetime, week_starts: Weekday, zone: str) -> date:
    """The last complete reporting week before ``send_moment`` (its first day)."""
    local = send_moment.astimezone(ZoneInfo(zone)).date()
    return align(local, week_starts) - timedelta(days=7)
