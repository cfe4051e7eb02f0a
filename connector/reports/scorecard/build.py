"""Assemble a :class:`Scorecard` from the store (placeholder until the metrics land)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from connector.reports.scorecard.model import LeadRef, Scorecard, ScorecardFilters

if TYPE_CHECKING:
    from connector.config.models.root import BatonConfig
    from connector.store.db import Store


def build(
    store: Store, config: BatonConfig, week_start: date, filters: ScorecardFilters
) -> Scorecard:
    """An empty scorecard of the week: the metrics are being filled in on branch scorecard."""
    return Scorecard(
        week_start=week_start,
        week_end=week_start + timedelta(days=6),
        timezone=config.sla.calendar.timezone,
        currency="EUR",
        filters=filters,
        metrics=(),
        tables=(),
    )


def drill(
    store: Store, config: BatonConfig, week_start: date, drill_key: str, filters: ScorecardFilters
) -> tuple[LeadRef, ...]:
    """No drill keys exist yet."""
    raise ValueError(f"unknown drill key {drill_key!r}")
