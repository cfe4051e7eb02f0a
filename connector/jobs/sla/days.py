"""Which local dates are days off: public holidays (the ``holidays`` library), plus company
closures (``holidays.extra``), minus the public holidays the company works (``holidays.removed``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import holidays as holiday_library

from connector.config.models.calendar import Holidays


class CalendarError(ValueError):
    """The calendar cannot answer: bad input, an unknown holiday region, no working time."""


@dataclass(frozen=True)
class DayOff:
    """Why a date is off: ``kind`` is "holiday" or "closure"; ``name`` is what to show."""

    kind: str
    name: str


class HolidayRules:
    """Days off by local date, for one country/subdivision and the company's own lists."""

    def __init__(self, config: Holidays, crm_closures: Mapping[date, str] | None = None) -> None:
        self.country = config.country
        self.subdivision = _subdivision(config.country, config.subdivision)
        self.extra = frozenset(config.extra)
        self.removed = frozenset(config.removed)
        #: closures read from the CRM (Salesforce Holiday records), by date, with their names
        self.crm_closures = dict(crm_closures or {})

    def public_holiday(self, day: date) -> str | None:
        """The public holiday's name on ``day`` (whether or not the company works it)."""
        if self.country is None:
            return None
        return _year(self.country, self.subdivision, day.year).get(day)

    def day_off(self, day: date) -> DayOff | None:
        """Why ``day`` is off, or None for an ordinary working date."""
        if day in self.extra:
            return DayOff("closure", "company closure (holidays.extra)")
        if day in self.crm_closures:
            return DayOff("closure", self.crm_closures[day])
        name = self.public_holiday(day)
        if name is not None and day not in self.removed:
            return DayOff("holiday", name)
        return None

    def worked_holiday(self, day: date) -> str | None:
        """The public holiday's name when the company works it (``holidays.removed``)."""
        return self.public_holiday(day) if day in self.removed else None

    def describe(self) -> str:
        """One line for the explanation: where the days off come from."""
        region = self.country or "none"
        if self.subdivision:
            region += f"-{self.subdivision}"
        text = (
            f"public holidays {region}, {len(self.extra)} company closure(s), "
            f"{len(self.removed)} holiday(s) worked"
        )
        if self.crm_closures:
            text += f", {len(self.crm_closures)} Salesforce Holiday(s)"
        idle = sorted(day for day in self.removed if self.public_holiday(day) is None)
        if idle:
            listed = ", ".join(str(day) for day in idle)
            text += f" ({listed} in holidays.removed: no public holiday, so no change)"
        return text


@lru_cache(maxsize=64)
def _subdivision(country: str | None, subdivision: str | None) -> str | None:
    """The library's own spelling of ``subdivision`` (config upper-cases; NL uses "Noord")."""
    if country is None:
        return None
    try:
        known = holiday_library.country_holidays(country).subdivisions
    except NotImplementedError:
        raise CalendarError(
            f"the holidays library has no public holidays for {country!r}"
        ) from None
    if subdivision is None:
        return None
    for name in known:
        if name.upper() == subdivision.upper():
            return name
    raise CalendarError(
        f"{country} has no subdivision {subdivision!r}; known: {', '.join(known) or 'none'}"
    )


@lru_cache(maxsize=256)
def _year(country: str, subdivision: str | None, year: int) -> dict[date, str]:
    """One year's public holidays; the library computes them, so cache per year."""
    found = holiday_library.country_holidays(country, subdiv=subdivision, years=year)
    return dict(found.items())
