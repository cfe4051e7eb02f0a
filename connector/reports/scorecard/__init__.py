"""The weekly scorecard both teams trust: metrics, breakdowns and the leads behind them.

``build_scorecard`` and ``drill_down`` are the entry points; :mod:`.model` is the contract.
"""

from __future__ import annotations

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


def drill_down(
    store: Store, config: BatonConfig, week_start: date, drill_key: str, filters: ScorecardFilters
) -> tuple[LeadRef, ...]:
    """The leads behind ``drill_key`` in that week (ValueError for an unknown key)."""
    from connector.reports.scorecard.build import drill

    return drill(store, config, week_start, drill_key, filters)


__all__ = ["LeadRef", "Scorecard", "ScorecardFilters", "build_scorecard", "drill_down"]
