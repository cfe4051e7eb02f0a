"""The open pipeline (``pipeline_deals``): the credit job's step for deals that are not won.

On every deal read the credit job already makes, an open deal's row is written with its
amount, stage, dates and marketing flags (``pipeline_rules.flags`` on the same timeline the
credit uses); a won, lost or deleted deal leaves the pipeline (``left_at``), and an open one
enters again when re-opened. A read of the same change stamp as the row's costs no further CRM
reads: the timeline is gathered only when the deal changed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session

from connector.jobs.credit.currency import format_minor
from connector.jobs.credit.pipeline_rules import OPEN, Flags, Recorded, Step, state_of, step
from connector.jobs.credit.timeline import Money
from connector.jobs.credit.trigger import Deal
from connector.store.models import PipelineDeal


def record(
    session: Session,
    deal_id: str,
    deal: Deal | None,
    *,
    system: str,
    at: datetime,
    measure: Callable[[Deal], tuple[Money, Flags] | str],
    refresh: bool = False,
) -> str | None:
    """Apply the read ``deal`` to its row; the audit line, or None when nothing changed.

    ``measure`` gathers the open deal's amount and flags (CRM reads), or says why its amount
    cannot be counted; it is called only when the row is written: a read of the change stamp
    recorded is skipped unless ``refresh`` (the touches changed without the deal: a contact
    role)."""
    row = session.get(PipelineDeal, deal_id)
    state = state_of(deal)
    modified = (deal.modified_at if deal is not None else None) or at
    recorded = Recorded(row.state, row.modified_at) if row is not None else None
    what = step(recorded, state, modified)
    if what in (Step.NOTHING, Step.OLDER):
        return None
    if what is Step.LEAVE:
        assert row is not None
        was_open = row.state == OPEN
        row.state, row.modified_at, row.recorded_at = state, modified, at
        if not was_open:  # won → lost and the like: out of the pipeline already
            return None
        row.left_at = modified
        return f"pipeline: deal {deal_id} left the open pipeline ({state})"
    assert deal is not None
    if row is not None and what is Step.UPDATE and row.modified_at == modified and not refresh:
        return None  # the same change as recorded: no reads
    measured = measure(deal)
    if isinstance(measured, str):
        return f"pipeline: deal {deal_id} not counted: {measured}"
    amount, found = measured
    if row is None:
        row = PipelineDeal(deal_id=deal_id, opened_at=deal.created_at or at)
        session.add(row)
    elif what is Step.ENTER:  # re-opened: in the pipeline again from this change
        row.opened_at, row.left_at = modified, None
    row.system, row.state = system, OPEN
    row.amount_minor, row.currency = amount.minor, amount.currency
    row.stage, row.created_at, row.close_date = deal.stage, deal.created_at, deal.close_date
    row.sourced, row.influenced = found.sourced, found.influenced
    row.top_channel = found.top_channel
    row.modified_at, row.recorded_at = modified, at
    named = (("sourced", found.sourced), ("influenced", found.influenced))
    said = ", ".join(name for name, on in named if on) or "no marketing touch"
    total = format_minor(amount.minor, amount.currency)
    verb = "entered" if what is Step.ENTER else "updated in"
    return f"pipeline: deal {deal_id} {verb} the open pipeline, {total} {amount.currency} ({said})"
