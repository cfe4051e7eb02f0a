"""Read-only views of the revenue pipeline as Baton knows it: funnel, hand-offs, held-back MQLs.

Everything here comes from Baton's own store (``record_states``, the outbox, links); nothing
calls a CRM, so the dashboard stays fast and works while a CRM is down. The results are plain
frozen values for templates, the CLI and tests.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from connector.commands import CreateLead, UpdateFields
from connector.config.models.lifecycle import DEFAULT_STAGE_ORDER
from connector.config.models.routing import RoutingConfig
from connector.jobs.lifecycle.processor import HOLD_REASON_PROPERTY
from connector.store.models import OutboxCommand, RecordLink, RecordState

#: how a converted lead is counted (the org's own converted status is not known to Baton)
CONVERTED = "(converted)"
#: record_states key prefix → the funnel it counts in
_FUNNELS = {
    "hubspot:contact:": "hubspot_contacts",
    "salesforce:lead:": "salesforce_leads",
    "salesforce:contact:": "salesforce_contacts",
}


@dataclass(frozen=True, slots=True)
class StageCount:
    """How many records sit in one stage (lifecycle stage or Lead status)."""

    stage: str
    count: int


@dataclass(frozen=True, slots=True)
class Funnel:
    """Records per stage in each CRM, as last seen by Baton."""

    hubspot_contacts: tuple[StageCount, ...]
    salesforce_leads: tuple[StageCount, ...]
    salesforce_contacts: tuple[StageCount, ...]

    def count(self, funnel: str, stage: str) -> int:
        """Records of ``funnel`` (an attribute name) in ``stage``; 0 when none."""
        return next((c.count for c in getattr(self, funnel) if c.stage == stage), 0)


def order_stages(counts: Counter[str], order: Sequence[str]) -> tuple[StageCount, ...]:
    """Stages in ``order`` first (skipping empty ones), then any others by size then name."""
    known = [StageCount(stage, counts[stage]) for stage in order if counts.get(stage)]
    others = sorted(
        (s for s in counts if s not in order), key=lambda s: (s == CONVERTED, -counts[s], s)
    )
    return (*known, *(StageCount(stage, counts[stage]) for stage in others))


def funnel(
    session: Session,
    *,
    lifecycle_order: Sequence[str] = DEFAULT_STAGE_ORDER,
    status_order: Sequence[str] = (),
) -> Funnel:
    """Count live records by their last known stage; records with no stage count as "(none)".

    A lead that became a Salesforce contact counts as ``CONVERTED``: Baton follows the person
    on the contact from then on, so the lead's last known status predates the conversion.
    """
    tallies: dict[str, Counter[str]] = {name: Counter() for name in _FUNNELS.values()}
    converted = {
        f"salesforce:lead:{lead_id}"
        for lead_id in session.scalars(
            select(RecordLink.salesforce_lead_id)
            .where(RecordLink.salesforce_lead_id.is_not(None))
            .where(RecordLink.salesforce_contact_id.is_not(None))
        )
    }
    rows = session.execute(
        select(RecordState.record_key, RecordState.stage).where(RecordState.deleted.is_(False))
    )
    for key, stage in rows:
        if key in converted:  # its last status is from before the conversion
            stage = CONVERTED
        for prefix, name in _FUNNELS.items():
            if key.startswith(prefix):
                tallies[name][stage or "(none)"] += 1
    return Funnel(
        hubspot_contacts=order_stages(tallies["hubspot_contacts"], lifecycle_order),
        salesforce_leads=order_stages(tallies["salesforce_leads"], status_order),
        salesforce_contacts=order_stages(tallies["salesforce_contacts"], status_order),
    )


@dataclass(frozen=True, slots=True)
class Handoff:
    """One contact handed to sales: the Lead Baton created (or is creating) and its owner."""

    hubspot_contact_id: str
    salesforce_lead_id: str | None
    owner_id: str | None
    name: str
    company: str
    status: str  # done | pending | dead
    at: datetime


def handoffs(session: Session, limit: int | None = None) -> list[Handoff]:
    """Hand-offs, newest first (``limit`` of them, or all)."""
    query = (
        select(OutboxCommand)
        .where(OutboxCommand.kind == CreateLead.kind)
        .where(OutboxCommand.status.in_(("done", "pending", "dead")))
        .order_by(OutboxCommand.id.desc())
    )
    if limit is not None:
        query = query.limit(limit)
    return [_handoff(row) for row in session.scalars(query)]


def handoff_count(session: Session) -> int:
    """Leads Baton has created in Salesforce so far."""
    return (
        session.scalar(
            select(func.count())
            .select_from(OutboxCommand)
            .where(OutboxCommand.kind == CreateLead.kind, OutboxCommand.status == "done")
        )
        or 0
    )


def _handoff(row: OutboxCommand) -> Handoff:
    payload = row.payload
    fields = payload.get("fields", {})
    name = " ".join(p for p in (fields.get("FirstName"), fields.get("LastName")) if p)
    lead_id = (row.result or {}).get("id")
    return Handoff(
        hubspot_contact_id=str(payload.get("hubspot_contact_id", "")),
        salesforce_lead_id=str(lead_id) if lead_id else None,
        owner_id=payload.get("owner_id"),
        name=name or "(no name)",
        company=fields.get("Company") or "(no company)",
        status=row.status,
        at=row.done_at or row.created_at,
    )


def owners_of(items: Iterable[Handoff]) -> Counter[str]:
    """Completed hand-offs per owner id (``"(org default)"`` when Salesforce chose)."""
    return Counter(h.owner_id or "(org default)" for h in items if h.status == "done")


@dataclass(frozen=True, slots=True)
class HeldBack:
    """A contact HubSpot called an MQL that Baton did not hand over, and why."""

    hubspot_contact_id: str
    reason: str
    at: datetime


def held_back(session: Session) -> list[HeldBack]:
    """Contacts whose latest hold reason is still set and that were never handed off.

    A reason is written to HubSpot (``baton_hold_reason``) when a contact fails the MQL
    definition; a later successful hand-off clears it, so those contacts are left out.
    """
    handed = {
        h.hubspot_contact_id
        for h in handoffs(session)
        if h.status in ("done", "pending") and h.hubspot_contact_id
    }
    rows = session.scalars(
        select(OutboxCommand)
        .where(OutboxCommand.kind == UpdateFields.kind, OutboxCommand.system == "hubspot")
        .where(OutboxCommand.status.in_(("done", "pending")))
        .order_by(OutboxCommand.id)
    )
    latest: dict[str, HeldBack] = {}
    for row in rows:
        fields = row.payload.get("fields", {})
        if HOLD_REASON_PROPERTY not in fields:
            continue
        contact_id = str(row.payload.get("object_id", ""))
        reason = fields[HOLD_REASON_PROPERTY]
        if reason:
            latest[contact_id] = HeldBack(contact_id, reason, row.done_at or row.created_at)
        else:
            latest.pop(contact_id, None)
    found = [item for cid, item in latest.items() if cid not in handed]
    return sorted(found, key=lambda item: item.at, reverse=True)


def team_of(routing: RoutingConfig, owner_id: str | None) -> str | None:
    """The routing team an owner belongs to, "fallback queue" for the queue, else None."""
    if not owner_id:
        return None
    if owner_id == routing.fallback_queue:
        return "fallback queue"
    return next(
        (
            name
            for name, team in routing.teams.items()
            if owner_id in team.members or owner_id in team.hubspot_owners
        ),
        None,
    )
