"""Reporting weeks: which local dates one scorecard week covers (``scorecard.week_starts``)."""

from __future__ import annotations

from datetime import date, timedelta

from connector.config.models.fields import WEEKDAYS


def week_start_of(day: date, week_starts: str) -> date:
    """The first day of the reporting week ``day`` falls in (``week_starts``: "monday", …)."""
    first = WEEKDAYS.index(week_starts)  # type: ignore[arg-type]
    return day - timedelta(days=(day.weekday() - first) % 7)
