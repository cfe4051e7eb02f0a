"""The credit ledger: each deal's shares per model, by revision, and their reversal.

A deal's live credit is its rows with ``reversed_at`` empty, all of one revision. A new
revision is written only when the inputs digest differs from the live one; it reverses the live
rows in the same transaction. Reversing (re-opened, lost, deleted) stamps the live rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from connector.jobs.credit.compute import Attribution
from connector.store.models import CreditLedgerRow


def live(session: Session, deal_id: str) -> list[CreditLedgerRow]:
    """The deal's live rows (one revision), by model and position."""
    return list(
        session.scalars(
            select(CreditLedgerRow)
            .where(CreditLedgerRow.deal_id == deal_id, CreditLedgerRow.reversed_at.is_(None))
            .order_by(CreditLedgerRow.model, CreditLedgerRow.position)
        )
    )


def last_revision(session: Session, deal_id: str) -> int:
    """The deal's highest revision so far (0 before its first credit)."""
    found = session.scalar(
        select(func.max(CreditLedgerRow.revision)).where(CreditLedgerRow.deal_id == deal_id)
    )
    return int(found or 0)


def reverse(rows: list[CreditLedgerRow], at: datetime) -> None:
    """Mark ``rows`` reversed at ``at``."""
    for row in rows:
        row.reversed_at = at


def write(
    session: Session,
    deal_id: str,
    revision: int,
    results: Mapping[str, Attribution],
    versions: Mapping[str, str],
    digest: str,
    at: datetime,
    histories: Mapping[str, dict[str, object]] | None = None,
) -> list[CreditLedgerRow]:
    """One row per share of every model's result, as revision ``revision``; a Markov model's
    rows carry the history it was fitted on (``histories``, by model name)."""
    rows = []
    for name, result in results.items():
        history = (histories or {}).get(name)
        for position, share in enumerate(result.shares):
            touch = share.touch
            rows.append(
                CreditLedgerRow(
                    deal_id=deal_id,
                    revision=revision,
                    model=name,
                    model_version=versions[name],
                    position=position,
                    touch_source=touch.source if touch else None,
                    touch_id=touch.touch_id[:128] if touch else None,
                    touched_at=touch.at if touch else None,
                    channel=share.channel[:64],
                    campaign=(touch.campaign or None) if touch else None,
                    amount_minor=share.minor,
                    currency=result.amount.currency,
                    inputs_digest=digest,
                    computed_at=at,
                    history=history,
                )
            )
    session.add_all(rows)
    return rows
