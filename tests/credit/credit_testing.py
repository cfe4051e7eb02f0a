"""Builders for credit tests: touches N days before a fixed close, amounts in minor units."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import get_args

from connector.config.models.credit import CreditModel, ModelType
from connector.jobs.credit.compute import Attribution, Unavailable, attribute, prepare_rules
from connector.jobs.credit.markov import Journey
from connector.jobs.credit.timeline import (
    Milestone,
    MilestoneAt,
    Money,
    Timeline,
    Touch,
    build_timeline,
)

CLOSE = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)
ALL_MODELS = tuple(name for name in get_args(ModelType) if name != "markov")


def touch(
    touch_id: str,
    days_before: float,
    channel: str = "email",
    *,
    source: str = "hubspot",
    campaign: str | None = None,
) -> Touch:
    """A touch ``days_before`` the close."""
    return Touch(CLOSE - timedelta(days=days_before), channel, campaign, source, touch_id)


def at(kind: Milestone, days_before: float, on: Touch | None = None) -> MilestoneAt:
    """Milestone ``kind`` reached ``days_before`` the close, optionally naming its touch."""
    return MilestoneAt(kind, CLOSE - timedelta(days=days_before), on.key if on else None)


def timeline(
    touches: list[Touch],
    milestones: Sequence[MilestoneAt] = (),
    minor: int = 100_001,
    currency: str = "EUR",
    lookback_days: int = 365,
    *,
    won: bool = True,
) -> Timeline:
    """A timeline closed-won at CLOSE (unless ``won`` is False) with the given touches."""
    reached = list(milestones)
    if won:
        reached.append(MilestoneAt(Milestone.CLOSED_WON, CLOSE))
    return build_timeline(touches, reached, Money(minor, currency), lookback_days=lookback_days)


def run(
    kind: str, line: Timeline, history: tuple[Journey, ...] = (), **options: object
) -> Attribution | Unavailable:
    """Run one model type (with its config defaults unless options say otherwise)."""
    (rule,) = prepare_rules([CreditModel.model_validate({"model": kind, **options})], history)
    return attribute(rule, line)


def minors(kind: str, line: Timeline, history: tuple[Journey, ...] = (), **options: object):
    """The shares of one model as a list of minor units, in timeline order."""
    result = run(kind, line, history, **options)
    assert isinstance(result, Attribution), result
    return [share.minor for share in result.shares]
