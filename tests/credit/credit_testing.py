"""Builders for credit tests: touches N days before a fixed close, amounts in minor units."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, get_args

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


def deal_handler(store: Any, config: Any, readers: dict[Any, Any], source: Any, now: datetime):
    """``handle(deal_id)``: the credit job on one fresh deal event at ``now``, committed."""
    from connector.events import ObjectType, Source, record_key
    from connector.jobs.base import JobContext, JobSetup
    from connector.jobs.credit.job import build
    from connector.store.models import InboxEvent

    job = build(JobSetup(config, readers))
    kind = ObjectType.OPPORTUNITY if source == Source.SALESFORCE else ObjectType.DEAL
    sent = iter(range(10_000))

    def handle(deal_id: str, changes: dict[str, Any] | None = None):  # type: ignore[no-untyped-def]
        with store.session() as session:
            event = InboxEvent(
                source=source, event_id=f"e{next(sent)}", kind="updated", object_type=kind,
                object_id=deal_id, record_key=record_key(source, kind, deal_id),
                occurred_at=now, changes=changes or {},
            )  # fmt: skip
            outcome = job.handle(JobContext(session, now, readers), event)
            session.commit()
            return outcome

    return handle
