"""The deadline explanation as text for admins: every local day, why it counted or not."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from connector.jobs.sla.calendar import DayReport, Explanation
from connector.jobs.sla.hours import Range, WeeklyHours, format_minute
from connector.jobs.sla.wallclock import day_length

_SHORT_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def format_duration(duration: timedelta) -> str:
    """``timedelta(hours=27, seconds=5)`` → ``"27:00:05"`` (hours may exceed 24)."""
    seconds = int(duration.total_seconds())
    sign, seconds = ("-", -seconds) if seconds < 0 else ("", seconds)
    return f"{sign}{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def format_instant(instant: datetime, zone: ZoneInfo) -> str:
    """``2026-04-28 09:30:00 UTC = Tue 2026-04-28 11:30 CEST``."""
    local = instant.astimezone(zone)
    return (
        f"{instant:%Y-%m-%d %H:%M:%S} UTC = "
        f"{_SHORT_DAYS[local.weekday()]} {local:%Y-%m-%d} {_clock(local)} {local:%Z}"
    )


def describe_hours(hours: WeeklyHours) -> str:
    """``Mon-Thu 09:00-17:30; Fri 09:00-17:00; Sat-Sun closed``: equal neighbours grouped."""
    groups: list[tuple[int, int, tuple[Range, ...]]] = []
    for weekday in range(7):
        ranges = hours.for_weekday(weekday)
        if groups and groups[-1][2] == ranges:
            groups[-1] = (groups[-1][0], weekday, ranges)
        else:
            groups.append((weekday, weekday, ranges))
    parts = []
    for first, last, ranges in groups:
        days = _SHORT_DAYS[first] if first == last else f"{_SHORT_DAYS[first]}-{_SHORT_DAYS[last]}"
        parts.append(f"{days} {_ranges(ranges) or 'closed'}")
    return "; ".join(parts)


def explanation_text(explanation: Explanation, *, what: str = "") -> str:
    """The deadline, its inputs, the calendar and the day-by-day reasoning, as lines of text."""
    calendar = explanation.calendar
    zone = calendar.zone
    owner = calendar.owner
    lines = [
        f"Deadline       {format_instant(explanation.deadline, zone)}",
        f"Start          {format_instant(explanation.start, zone)}",
        f"Business time  {format_duration(explanation.duration)}{f' ({what})' if what else ''}",
        f"Time zone      {zone.key}"
        + (f" (owner's, from {owner.source})" if owner and owner.timezone else ""),
        f"Working hours  {describe_hours(calendar.hours)}"
        + (f" (owner's, from {owner.source})" if owner and owner.hours else ""),
        f"Days off       {calendar.rules.describe()}",
        "",
        f"Day by day (local dates, {zone.key}):",
    ]
    running = timedelta(0)
    for report in explanation.days:
        running += report.worked
        lines.append(_day_line(report, zone, running))
    lines.append(f"Counted {format_duration(running)} of {format_duration(explanation.duration)}.")
    return "\n".join(lines) + "\n"


def _day_line(report: DayReport, zone: ZoneInfo, running: timedelta) -> str:
    day = report.day
    head = f"  {_SHORT_DAYS[day.date.weekday()]} {day.date}  {day.kind.value:<8}"
    notes = [day.note] if day.note else []
    length = day_length(day.date, zone)
    if length != timedelta(days=1):
        direction = "forward" if length < timedelta(days=1) else "back"
        notes.append(f"DST: clocks go {direction}, a {format_duration(length)} day")
    if day.kind != "working":
        return f"{head}  {'; '.join(notes)}".rstrip()
    counted = ", ".join(
        f"{_local(begin, day.date, zone)}-{_local(end, day.date, zone)}"
        for begin, end in report.counted
    )
    body = f"hours {_ranges(day.hours)}  counted {counted or 'nothing'}"
    if report.counted:
        body += f" = {format_duration(report.worked)} (total {format_duration(running)})"
    elif not notes:
        notes.append("outside the counted span")
    return f"{head}  {body}" + (f"  [{'; '.join(notes)}]" if notes else "")


def _ranges(ranges: tuple[Range, ...]) -> str:
    return ", ".join(f"{format_minute(start)}-{format_minute(end)}" for start, end in ranges)


def _local(instant: datetime, day: date, zone: ZoneInfo) -> str:
    """Local clock time of ``instant``; midnight ending ``day`` reads 24:00, not 00:00."""
    local = instant.astimezone(zone)
    if local.date() > day and local.hour == local.minute == local.second == 0:
        return "24:00"
    return _clock(local) + ("" if local.utcoffset() == _usual_offset(day, zone) else f" {local:%Z}")


def _usual_offset(day: date, zone: ZoneInfo) -> timedelta | None:
    """The UTC offset at local noon of ``day``; a time with another offset shows its zone."""
    return datetime(day.year, day.month, day.day, 12, tzinfo=zone).utcoffset()


def _clock(local: datetime) -> str:
    return f"{local:%H:%M}" + (f":{local:%S}" if local.second else "")
