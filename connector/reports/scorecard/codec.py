"""A scorecard as JSON and back, exactly: Decimals keep their digits, dates stay dates.

For the snapshots of closed weeks (:mod:`.snapshots`); JSON rather than pickle, so reading a
row never runs code from the store.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from decimal import Decimal
from typing import Any

from connector.reports.scorecard.model import Metric, Scorecard, ScorecardFilters, Table


def _tagged(value: object) -> Any:
    """Decimals and dates as tagged objects, tuples as lists, recursively."""
    if isinstance(value, Decimal):
        return {"d": str(value)}
    if isinstance(value, date):
        return {"date": value.isoformat()}
    if isinstance(value, tuple | list):
        return [_tagged(item) for item in value]
    if isinstance(value, dict):
        return {key: _tagged(item) for key, item in value.items()}
    return value


def _back(value: Any) -> Any:
    if isinstance(value, dict):
        return Decimal(value["d"]) if "d" in value else date.fromisoformat(value["date"])
    return value


def encode(card: Scorecard) -> dict[str, Any]:
    """The card's figures (not ``weeks_available``: it grows with time, the reader adds it)."""
    data = {k: v for k, v in asdict(card).items() if k not in ("filters", "weeks_available")}
    return _tagged(data)  # type: ignore[no-any-return]


def decode(
    data: dict[str, Any], filters: ScorecardFilters, weeks_available: tuple[date, ...]
) -> Scorecard:
    """The card :func:`encode` wrote, with today's ``weeks_available``."""
    metrics = tuple(
        Metric(**{**m, "value": _back(m["value"]), "target": _back(m["target"])})
        for m in data["metrics"]
    )
    tables = tuple(
        Table(
            key=t["key"],
            title=t["title"],
            columns=tuple(t["columns"]),
            rows=tuple(tuple(_back(v) for v in row) for row in t["rows"]),
            drill_keys=tuple(t["drill_keys"]),
            team=t["team"],
        )
        for t in data["tables"]
    )
    return Scorecard(
        week_start=_back(data["week_start"]),
        week_end=_back(data["week_end"]),
        timezone=data["timezone"],
        currency=data["currency"],
        filters=filters,
        metrics=metrics,
        tables=tables,
        weeks_available=weeks_available,
    )
