"""A scorecard as JSON and back, exactly: Decimals keep their digits, dates stay dates.

For the snapshots of closed weeks (:mod:`.snapshots`); JSON rather than pickle, so reading a
row never runs code from the store.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from connector.reports.scorecard.model import Metric, Scorecard, ScorecardFilters, Table


def _value(value: object) -> Any:
    if isinstance(value, Decimal):
        return {"d": str(value)}
    if isinstance(value, date):
        return {"date": value.isoformat()}
    return value


def _back(value: Any) -> Any:
    if isinstance(value, dict):
        return Decimal(value["d"]) if "d" in value else date.fromisoformat(value["date"])
    return value


def encode(card: Scorecard) -> dict[str, Any]:
    """The card's figures (not ``weeks_available``: it grows with time, the reader adds it)."""
    return {
        "week_start": card.week_start.isoformat(),
        "week_end": card.week_end.isoformat(),
        "timezone": card.timezone,
        "currency": card.currency,
        "metrics": [
            {
                "key": m.key,
                "team": m.team,
                "label": m.label,
                "definition": m.definition,
                "value": _value(m.value),
                "unit": m.unit,
                "target": _value(m.target),
                "status": m.status,
                "weeks_below_target": m.weeks_below_target,
                "drill_key": m.drill_key,
            }
            for m in card.metrics
        ],
        "tables": [
            {
                "key": t.key,
                "title": t.title,
                "columns": list(t.columns),
                "rows": [[_value(v) for v in row] for row in t.rows],
                "drill_keys": list(t.drill_keys),
                "team": t.team,
            }
            for t in card.tables
        ],
    }


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
        week_start=date.fromisoformat(data["week_start"]),
        week_end=date.fromisoformat(data["week_end"]),
        timezone=data["timezone"],
        currency=data["currency"],
        filters=filters,
        metrics=metrics,
        tables=tables,
        weeks_available=weeks_available,
    )
