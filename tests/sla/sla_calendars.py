"""Calendars and helpers shared by the SLA business-time tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from connector.config.models.calendar import BusinessCalendar


def calendar(**changes: Any) -> BusinessCalendar:
    """``sla.calendar`` as an admin would write it: Europe/Amsterdam, NL holidays by default."""
    return BusinessCalendar.model_validate(changes)


def utc(*parts: int) -> datetime:
    """An aware UTC datetime: ``utc(2026, 4, 24, 14)``."""
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def hours(value: float) -> timedelta:
    return timedelta(hours=value)


OFFICE = calendar()  # Mon-Fri 09:00-17:30, Europe/Amsterdam, NL public holidays
LUNCH = calendar(
    working_hours={day: "09:00-12:00, 13:00-17:30" for day in ("monday", "tuesday", "wednesday")}
    | {"thursday": "09:00-12:00, 13:00-17:30", "friday": "09:00-12:00, 13:00-17:30"}
)
