"""The business calendar: time zone, working hours per weekday and public holidays."""

from __future__ import annotations

import re
from datetime import date
from functools import cache
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import BeforeValidator, Field, field_validator, model_validator

from connector.config.issues import ProblemCollector, did_you_mean
from connector.config.models.base import ConfigModel
from connector.config.models.fields import WEEKDAYS, find_duplicates

_RANGE = re.compile(r"\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*")
_CLOSED = ("closed", "")


class TimeRange(ConfigModel):
    """Working time within one day, in minutes after local midnight (end may be 1440)."""

    start_minute: int = Field(ge=0, le=1440, description="Start, minutes after midnight.")
    end_minute: int = Field(ge=0, le=1440, description="End, minutes after midnight.")


def _minutes(hours: str, minutes: str, text: str) -> int:
    total = int(hours) * 60 + int(minutes)
    if int(minutes) >= 60 or total > 24 * 60:
        raise ValueError(f"{text!r} is not a time of day")
    return total


def _parse_day(value: Any) -> Any:
    """Turn "09:00-17:30", "09:00-12:00, 13:00-17:30" or "closed" into a list of ranges."""
    if value is None or value is False:
        return []
    if not isinstance(value, str):
        return value
    if value.strip().lower() in _CLOSED:
        return []
    ranges = []
    for part in value.split(","):
        match = _RANGE.fullmatch(part)
        if match is None:
            raise ValueError(f"{value!r} is not like 09:00-17:30 (or 'closed')")
        start = _minutes(match[1], match[2], part.strip())
        end = _minutes(match[3], match[4], part.strip())
        if end <= start:
            raise ValueError(f"{part.strip()!r} ends before it starts")
        if ranges and start < ranges[-1]["end_minute"]:
            raise ValueError(f"{part.strip()!r} overlaps or precedes the range before it")
        ranges.append({"start_minute": start, "end_minute": end})
    return ranges


DayHours = Annotated[tuple[TimeRange, ...], BeforeValidator(_parse_day)]
_OFFICE_DAY = "09:00-17:30"


class WorkingHours(ConfigModel):
    """Working hours per weekday: "09:00-17:30", several ranges split by commas, or closed."""

    monday: DayHours = Field(default=_OFFICE_DAY, description="Monday's hours.")
    tuesday: DayHours = Field(default=_OFFICE_DAY, description="Tuesday's hours.")
    wednesday: DayHours = Field(default=_OFFICE_DAY, description="Wednesday's hours.")
    thursday: DayHours = Field(default=_OFFICE_DAY, description="Thursday's hours.")
    friday: DayHours = Field(default=_OFFICE_DAY, description="Friday's hours.")
    saturday: DayHours = Field(default="closed", description="Saturday's hours.")
    sunday: DayHours = Field(default="closed", description="Sunday's hours.")

    def for_weekday(self, weekday: int) -> tuple[TimeRange, ...]:
        """Ranges for ``date.weekday()`` (0 = Monday); empty when closed."""
        return getattr(self, WEEKDAYS[weekday])

    @model_validator(mode="after")
    def _some_day_open(self) -> WorkingHours:
        if not any(self.for_weekday(day) for day in range(7)):
            raise ValueError("every day is closed: SLA clocks would never run")
        return self


class Holidays(ConfigModel):
    """Days off: the country's public holidays, plus or minus the company's own."""

    country: str | None = Field(
        default="NL", description="ISO 3166 country whose public holidays apply; none = none."
    )
    subdivision: str | None = Field(
        default=None, description="Province/state code when holidays differ by region."
    )
    extra: tuple[date, ...] = Field(default=(), description="Company days off (YYYY-MM-DD).")
    removed: tuple[date, ...] = Field(
        default=(), description="Public holidays the company works on (YYYY-MM-DD)."
    )

    @field_validator("country", "subdivision", mode="before")
    @classmethod
    def _code(cls, value: object) -> object:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("country")
    @classmethod
    def _country_shape(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"[A-Z]{2}", value):
            raise ValueError(f"{value!r} is not a two-letter ISO 3166 country code such as NL")
        return value

    @model_validator(mode="after")
    def _dates_consistent(self) -> Holidays:
        problems = ProblemCollector()
        if self.subdivision is not None and self.country is None:
            problems.add(("subdivision",), "a subdivision needs a country")
        for key in ("extra", "removed"):
            dates = list(getattr(self, key))
            for index, first in find_duplicates(dates).items():
                problems.add((key, index), f"{dates[index]} is already listed at {key}[{first}]")
        for index, day in enumerate(self.removed):
            if day in self.extra:
                problems.add(("removed", index), f"{day} is both in extra and in removed")
        problems.raise_if_any()
        return self


@cache
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def known_zone(value: str) -> str:
    """``value`` when it is an IANA time zone name; else a ValueError with a suggestion."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {value!r}{did_you_mean(value, _zone_names())}"
        ) from None
    return value


class BusinessCalendar(ConfigModel):
    """When the SLA clock runs: working hours in one time zone, minus holidays."""

    timezone: str = Field(default="Europe/Amsterdam", description="IANA time zone name.")
    working_hours: WorkingHours = Field(
        default_factory=WorkingHours, description="Hours per weekday."
    )
    holidays: Holidays = Field(default_factory=Holidays, description="Days the clock stops.")
    salesforce_business_hours: str | None = Field(
        default=None,
        description="Name of a Salesforce BusinessHours record whose hours and time zone replace "
        "timezone and working_hours (read when a clock starts; none = the config's).",
    )
    salesforce_holidays: bool = Field(
        default=False,
        description="Also close on the org's all-day, non-recurring Salesforce Holiday records.",
    )

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        return known_zone(value)

    @property
    def zone(self) -> ZoneInfo:
        """The calendar's time zone."""
        return ZoneInfo(self.timezone)
