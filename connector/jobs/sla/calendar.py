"""Business time on ``sla.calendar``: deadlines, elapsed business time, and the reasoning.

All instants in and out are aware datetimes (results in UTC); working hours are the local
wall clock of the calendar's (or the owner's) time zone, with the DST rule of ``wallclock``.
The walk goes day by day, never minute by minute, and gives up after a bounded horizon, so a
calendar with (almost) no working time fails with a clear error instead of looping.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from connector.config.models.calendar import BusinessCalendar
from connector.jobs.sla.days import CalendarError, HolidayRules
from connector.jobs.sla.hours import WEEKDAY_NAMES, OwnerCalendar, Range, WeeklyHours
from connector.jobs.sla.wallclock import wall_to_utc

__all__ = [
    "DEFAULT_HORIZON_DAYS",
    "BusinessTime",
    "CalendarError",
    "Day",
    "DayKind",
    "DayReport",
    "Explanation",
    "add_business_time",
    "business_hours",
    "business_time_between",
    "explain_deadline",
]

DEFAULT_HORIZON_DAYS = 5 * 366
"""How many local days a deadline may lie after its start: 1000 business hours need ~6 months
of an office week; a calendar needing more than five years is a misconfiguration."""

_ONE_DAY = timedelta(days=1)
_ZERO = timedelta(0)

Interval = tuple[datetime, datetime]
"""A working interval [start, end) as UTC instants."""


class DayKind(StrEnum):
    """What a local date is to the calendar."""

    WORKING = "working"
    WEEKEND = "weekend"
    CLOSED = "closed"  # a weekday without working hours
    HOLIDAY = "holiday"
    CLOSURE = "closure"


@dataclass(frozen=True)
class Day:
    """One local date: its kind, why (``note``), its configured hours and their UTC intervals."""

    date: date
    kind: DayKind
    note: str
    hours: tuple[Range, ...]
    intervals: tuple[Interval, ...]


@dataclass(frozen=True)
class DayReport:
    """A day of an explanation and the part of its intervals the deadline used."""

    day: Day
    counted: tuple[Interval, ...]

    @property
    def worked(self) -> timedelta:
        """Business time counted on this day."""
        return sum((end - begin for begin, end in self.counted), _ZERO)


@dataclass(frozen=True)
class Explanation:
    """A deadline with every local day from its start's to its own, for an admin to check."""

    start: datetime
    duration: timedelta
    deadline: datetime
    calendar: BusinessTime
    days: tuple[DayReport, ...]


def business_hours(hours: float) -> timedelta:
    """``hours`` (as in ``first_response_business_hours``) as a duration in whole seconds."""
    if not math.isfinite(hours) or hours < 0:
        raise CalendarError(f"business hours must be a number >= 0, not {hours}")
    return timedelta(seconds=round(hours * 3600))


class BusinessTime:
    """The business calendar of one team (or one owner): hours, zone, days off."""

    def __init__(
        self,
        calendar: BusinessCalendar,
        owner: OwnerCalendar | None = None,
        *,
        horizon_days: int = DEFAULT_HORIZON_DAYS,
        closures: Mapping[date, str] | None = None,
    ) -> None:
        if horizon_days < 1:
            raise ValueError("horizon_days must be at least 1")
        own_zone = owner.timezone if owner is not None else None
        own_hours = owner.hours if owner is not None else None
        self.zone = ZoneInfo(own_zone or calendar.timezone)
        self.hours = own_hours or WeeklyHours.from_config(calendar.working_hours)
        self.rules = HolidayRules(calendar.holidays, closures)
        self.owner = owner
        self.horizon_days = horizon_days

    def day(self, local: date) -> Day:
        """How the calendar treats the local date ``local``."""
        hours = self.hours.for_weekday(local.weekday())
        off = self.rules.day_off(local)
        if not hours:
            weekend = local.weekday() >= 5
            note = "weekend" if weekend else f"no working hours on {WEEKDAY_NAMES[local.weekday()]}"
            if off is not None:
                note += f" (also {off.name})"
            return Day(local, DayKind.WEEKEND if weekend else DayKind.CLOSED, note, hours, ())
        if off is not None:
            return Day(local, DayKind(off.kind), off.name, hours, ())
        worked = self.rules.worked_holiday(local)
        note = f"{worked}, worked (holidays.removed)" if worked else ""
        intervals = tuple(
            (
                wall_to_utc(local, start, self.zone, last=False),
                wall_to_utc(local, end, self.zone, last=True),
            )
            for start, end in hours
        )
        return Day(local, DayKind.WORKING, note, hours, intervals)

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The earliest instant when ``duration`` of business time has passed from ``start``."""
        with _representable():
            return self._walk_to_deadline(start, duration, None)

    def between(self, start: datetime, end: datetime) -> timedelta:
        """Business time in [start, end); ``end`` must not be before ``start``."""
        start, end = _utc(start, "start"), _utc(end, "end")
        if end < start:
            raise CalendarError(f"end {end.isoformat()} is before start {start.isoformat()}")
        total, floor = _ZERO, start
        with _representable():
            last = self._local_date(end) + _ONE_DAY
            for day in self._days(self._local_date(start) - _ONE_DAY, last):
                for begin, finish in day.intervals:
                    begin, finish = max(begin, floor), min(finish, end)
                    if finish > begin:
                        total += finish - begin
                        floor = finish
        return total

    def explain(self, start: datetime, duration: timedelta) -> Explanation:
        """The deadline with the days it was computed from (from the start's local date on)."""
        days: list[DayReport] = []
        with _representable():
            deadline = self._walk_to_deadline(start, duration, days)
        return Explanation(_utc(start, "start"), duration, deadline, self, tuple(days))

    def _walk_to_deadline(
        self, start: datetime, duration: timedelta, report: list[DayReport] | None
    ) -> datetime:
        start = _utc(start, "start")
        if duration < _ZERO:
            raise CalendarError(f"a business-time duration cannot be negative ({duration})")
        first = self._local_date(start)
        if duration == _ZERO:
            if report is not None:
                report.append(DayReport(self.day(first), ()))
            return start
        remaining, floor = duration, start
        last = first + timedelta(days=self.horizon_days)
        # The day before may reach past local midnight only in odd zones; it is cheap to look.
        for day in self._days(first - _ONE_DAY, last):
            counted: list[Interval] = []
            for begin, finish in day.intervals:
                begin = max(begin, floor)
                if finish <= begin:
                    continue
                floor = finish
                if remaining <= finish - begin:
                    deadline = begin + remaining
                    counted.append((begin, deadline))
                    if report is not None:
                        report.append(DayReport(day, tuple(counted)))
                    return deadline
                remaining -= finish - begin
                counted.append((begin, finish))
            if report is not None and (day.date >= first or counted):
                report.append(DayReport(day, tuple(counted)))
        raise CalendarError(
            f"no deadline within {self.horizon_days} days after {start.isoformat()}: only "
            f"{_in_hours(duration - remaining)} of {_in_hours(duration)} of working time in "
            "them (check the working hours, the closures and the number of business hours)"
        )

    def _days(self, first: date, last: date) -> Iterator[Day]:
        """Local days ``first`` … ``last`` inclusive."""
        current = first
        while current <= last:
            yield self.day(current)
            current += _ONE_DAY

    def _local_date(self, instant: datetime) -> date:
        return instant.astimezone(self.zone).date()


def add_business_time(
    calendar: BusinessCalendar,
    start: datetime,
    duration: timedelta,
    owner: OwnerCalendar | None = None,
) -> datetime:
    """The deadline ``duration`` of business time after ``start`` (aware; result in UTC)."""
    return BusinessTime(calendar, owner).add(start, duration)


def business_time_between(
    calendar: BusinessCalendar,
    start: datetime,
    end: datetime,
    owner: OwnerCalendar | None = None,
) -> timedelta:
    """Business time that passes from ``start`` to ``end`` (both aware)."""
    return BusinessTime(calendar, owner).between(start, end)


def explain_deadline(
    calendar: BusinessCalendar,
    start: datetime,
    duration: timedelta,
    owner: OwnerCalendar | None = None,
) -> Explanation:
    """The deadline and the days it was computed from."""
    return BusinessTime(calendar, owner).explain(start, duration)


@contextmanager
def _representable() -> Iterator[None]:
    """Turn a walk past year 1 or 9999 into a CalendarError rather than an OverflowError."""
    try:
        yield
    except OverflowError:
        raise CalendarError("the walk left the dates Python can represent (year 1-9999)") from None


def _in_hours(duration: timedelta) -> str:
    return f"{duration.total_seconds() / 3600:g} h"


def _utc(instant: datetime, what: str) -> datetime:
    """``instant`` in UTC; a naive datetime is refused (its zone would be a guess)."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise CalendarError(f"{what} {instant.isoformat()} has no UTC offset (naive datetime)")
    return instant.astimezone(UTC)
