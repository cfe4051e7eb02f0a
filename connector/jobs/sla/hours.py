"""Weekly working hours as a plain value, and an owner's own time zone and/or hours.

The config's ``WorkingHours`` is one source of weekly hours; a CRM is another (HubSpot user
working hours, a Salesforce ``BusinessHours`` record). Both become a :class:`WeeklyHours`, so
the arithmetic never depends on where the hours came from.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from connector.config.models.calendar import WorkingHours

MINUTES_PER_DAY = 24 * 60
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

Range = tuple[int, int]
"""Wall-clock working time within one day: (start, end) in minutes after local midnight."""


def format_minute(minute: int) -> str:
    """``540`` → ``"09:00"``; the end of the day is ``"24:00"``."""
    return f"{minute // 60:02d}:{minute % 60:02d}"


@dataclass(frozen=True)
class WeeklyHours:
    """Working ranges per weekday (index 0 = Monday), sorted and non-overlapping."""

    days: tuple[tuple[Range, ...], ...]

    def __post_init__(self) -> None:
        if len(self.days) != 7:
            raise ValueError(f"weekly hours need 7 days (Monday first), got {len(self.days)}")
        for weekday, ranges in enumerate(self.days):
            previous_end = 0
            for start, end in ranges:
                if not 0 <= start < end <= MINUTES_PER_DAY or start < previous_end:
                    raise ValueError(
                        f"{WEEKDAY_NAMES[weekday]}: {start}-{end} is not a range within the day "
                        "after the one before it"
                    )
                previous_end = end
        if not any(self.days):
            raise ValueError("every day is closed: business time would never pass")

    @classmethod
    def from_config(cls, hours: WorkingHours) -> WeeklyHours:
        """The config's ``working_hours`` (already validated) as weekly hours."""
        return cls(
            tuple(
                tuple((r.start_minute, r.end_minute) for r in hours.for_weekday(weekday))
                for weekday in range(7)
            )
        )

    @classmethod
    def from_mapping(cls, ranges: Mapping[int, Sequence[Range]]) -> WeeklyHours:
        """Weekly hours from ``{weekday: [(start_minute, end_minute), ...]}``; missing = closed.

        The shape a CRM reader fills: a Salesforce ``BusinessHours`` has one range per weekday,
        HubSpot user working hours may have several.
        """
        unknown = sorted(set(ranges) - set(range(7)))
        if unknown:
            raise ValueError(f"weekdays are 0 (Monday) to 6 (Sunday), not {unknown}")
        return cls(tuple(tuple(sorted(ranges.get(weekday, ()))) for weekday in range(7)))

    def for_weekday(self, weekday: int) -> tuple[Range, ...]:
        """Ranges for ``date.weekday()``; empty when closed."""
        return self.days[weekday]


@dataclass(frozen=True)
class OwnerCalendar:
    """An owner's own time zone and/or working hours; what is None comes from ``sla.calendar``.

    Holidays and company closures stay the company's: they apply to the owner's local dates.
    ``source`` names where the override came from (shown in the explanation).
    """

    timezone: str | None = None
    hours: WeeklyHours | None = None
    source: str = "owner"

    def __post_init__(self) -> None:
        if self.timezone is not None:
            try:
                ZoneInfo(self.timezone)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError(f"unknown time zone {self.timezone!r}") from None
