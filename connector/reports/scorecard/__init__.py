"""The weekly scorecard both teams trust: metrics, breakdowns and the leads behind them.

``build_scorecard`` and ``drill_down`` are the entry points; :mod:`.model` is the contract.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from connector.reports.scorecard.model import LeadRef, Scorecard, ScorecardFilters

if TYPE_CHECKING:
    from connector.config.models.root import BatonConfig
    from connector.store.db import Store


def build_scorecard(
    store: Store, config: BatonConfig, week_start: date, filters: ScorecardFilters
) -> Scorecard:
    """The scorecard of the week starting ``week_start`` narrowed by ``filters``."""
    from connector.reports.scorecard.build import build

    return build(store, config, week_start, filters)


def build_scorecards(
    store: Store, config: BatonConfig, week_starts: Sequence[date], filters: ScorecardFilters
) -> list[Scorecard]:
    """The scorecards of several weeks (a trend) in one read pass; closed weeks from their
    snapshots."""
    from connector.reports.scorecard.build import build_weeks

    return build_weeks(store, config, week_starts, filters)


def drill_figure(
    store: Store, config: BatonConfig, week_start: date, drill_key: str, filters: ScorecardFilters
) -> tuple[tuple[LeadRef, ...], Scorecard]:
    """The leads behind ``drill_key`` and that week's figures (no history), from one count."""
    from connector.reports.scorecard.build import drill_figure as figure

    return figure(store, config, week_start, drill_key, filters)


def drill_down(
    store: Store, config: BatonConfig, week_start: date, drill_key: str, filters: ScorecardFilters
) -> tuple[LeadRef, ...]:
    """The leads behind ``drill_key`` in that week (ValueError for an unknown key)."""
    from connector.reports.scorecard.build import drill

    return drill(store, config, week_start, drill_key, filters)


__all__ = [
    "LeadRef",
    "Scorecard",
    "ScorecardFilters",
    "build_scorecard",
    "build_scorecards",
    "drill_down",
    "drill_figure",
]
