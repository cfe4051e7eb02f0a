"""Credit from the ledger, for ``baton credit show`` and the scorecard (ids and codes only).

- :func:`deal_credit`: one deal's latest revision, touch by touch per model, and whether it is
  live or was reversed (re-opened, lost, deleted).
- :func:`revenue_by_source`: live credit summed per model, channel and campaign, in minor units
  per currency — won revenue only: the ledger holds won deals, not open pipeline.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from connector.store.models import CreditLedgerRow


@dataclass(frozen=True, slots=True)
class TouchCredit:
    """One touch's share under one model (touch None: the no-marketing-touch bucket)."""

    source: str | None
    touch_id: str | None
    at: datetime | None
    channel: str
    campaign: str | None
    minor: int


@dataclass(frozen=True, slots=True)
class ModelCredit:
    """One model's shares of the deal, in timeline order."""

    model: str
    version: str
    touches: tuple[TouchCredit, ...]
    #: Markov: the journey history the fit used (counts, window, fingerprint); else None
    history: dict[str, object] | None = None

    @property
    def total(self) -> int:
        """The shares' sum: the deal amount, to the minor unit."""
        return sum(touch.minor for touch in self.touches)


@dataclass(frozen=True, slots=True)
class DealCredit:
    """A deal's latest credit revision."""

    deal_id: str
    revision: int
    currency: str
    computed_at: datetime
    reversed_at: datetime | None
    models: tuple[ModelCredit, ...]


def deal_credit(session: Session, deal_id: str) -> DealCredit | None:
    """The deal's latest revision from the ledger; None when it was never credited."""
    revision = session.scalar(
        select(func.max(CreditLedgerRow.revision)).where(CreditLedgerRow.deal_id == deal_id)
    )
    if revision is None:
        return None
    rows = list(
        session.scalars(
            select(CreditLedgerRow)
            .where(CreditLedgerRow.deal_id == deal_id, CreditLedgerRow.revision == revision)
            .order_by(CreditLedgerRow.id)
        )
    )
    models: dict[str, list[CreditLedgerRow]] = {}
    for row in rows:
        models.setdefault(row.model, []).append(row)
    first = rows[0]
    return DealCredit(
        deal_id=deal_id,
        revision=revision,
        currency=first.currency,
        computed_at=first.computed_at,
        reversed_at=first.reversed_at,
        models=tuple(
            ModelCredit(
                name,
                group[0].model_version,
                tuple(
                    TouchCredit(
                        r.touch_source,
                        r.touch_id,
                        r.touched_at,
                        r.channel,
                        r.campaign,
                        r.amount_minor,
                    )
                    for r in sorted(group, key=lambda r: r.position)
                ),
                history=group[0].history,
            )
            for name, group in models.items()
        ),
    )


@dataclass(frozen=True, slots=True)
class SourceRevenue:
    """Live credit of one model for one channel and campaign, in one currency."""

    model: str
    channel: str
    campaign: str | None
    currency: str
    minor: int
    deals: int


def revenue_by_source(
    session: Session, since: datetime | None = None, until: datetime | None = None
) -> list[SourceRevenue]:
    """Live credit computed in [since, until), per model, channel, campaign and currency."""
    columns = (
        CreditLedgerRow.model,
        CreditLedgerRow.channel,
        CreditLedgerRow.campaign,
        CreditLedgerRow.currency,
    )
    query = (
        select(
            *columns,
            func.sum(CreditLedgerRow.amount_minor),
            func.count(func.distinct(CreditLedgerRow.deal_id)),
        )
        .where(CreditLedgerRow.reversed_at.is_(None))
        .group_by(*columns)
        .order_by(*(column.asc().nulls_first() for column in columns))
    )
    if since is not None:
        query = query.where(CreditLedgerRow.computed_at >= since)
    if until is not None:
        query = query.where(CreditLedgerRow.computed_at < until)
    return [
        SourceRevenue(model, channel, campaign, currency, int(minor), int(deals))
        for model, channel, campaign, currency, minor, deals in session.execute(query)
    ]
