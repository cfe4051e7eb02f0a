"""What the week's recycling left behind, read where it lives (for the summary's Recycling block).

Baton's store says what the recycle job decided (``recycle_episodes``, its re-activation timers);
the sandboxes say what the people now see: the contact's stage, reason, count and re-activation
date and its nurture-list membership in HubSpot, the Lead's owner and history in Salesforce. Both
are read, so the summary never reports a recycle the CRMs do not show.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from connector.config.models.recycle import RecycleConfig
from connector.jobs.lifecycle.mapping import LEAD_STATUS, LIFECYCLE
from connector.reports import recycling


@dataclass(frozen=True, slots=True)
class RecycledPerson:
    """One episode of the week and what both CRMs hold for that person now."""

    episode: recycling.Episode
    hubspot_stage: str | None = None
    hubspot_lead_status: str | None = None
    hubspot_reason: str | None = None
    hubspot_count: str | None = None
    hubspot_reactivation: str | None = None
    in_nurture: bool = False
    lead_owner_id: str | None = None
    lead_owner: str | None = None  # the owner's display name
    lead_reason: str | None = None
    lead_history: str | None = None


@dataclass
class RecycleFacts:
    """The week's recycling: episodes with CRM state, timers, and the config's words for them."""

    people: list[RecycledPerson] = field(default_factory=list)
    #: reasons of the episodes that went back to marketing (recycled, later re-activated …)
    reasons: list[recycling.ReasonCount] = field(default_factory=list)
    disqualify_reasons: list[recycling.ReasonCount] = field(default_factory=list)
    pending_reactivations: list[datetime] = field(default_factory=list)
    #: reason codes → labels, recyclable and disqualifying
    labels: dict[str, str] = field(default_factory=dict)
    hubspot_stage: str = "lead"
    disqualified_lead_status: str | None = None
    nurture_list: str | None = None  # "name (id N)", None when no list is configured
    nurture_members: int = 0
    marketing_queue: str | None = None  # display name, None when no queue is configured
    marketing_queue_id: str | None = None
    reactivation_after_days: int = 0

    def in_state(self, *states: str) -> list[RecycledPerson]:
        """The people whose episode is in one of ``states``."""
        return [p for p in self.people if p.episode.state in states]


def collect_recycling(
    session: Any,
    recycle: RecycleConfig,
    *,
    contacts: dict[str, dict[str, Any]],
    leads: dict[str, dict[str, Any]],
    nurture_members: list[str],
    nurture_list_name: str | None,
    owner_names: dict[str, str],
) -> RecycleFacts:
    """Join the store's episodes with the contacts' and Leads' current fields.

    ``contacts`` are HubSpot properties by contact id, ``leads`` Salesforce Lead fields by id.
    """
    found = recycling.episodes(session)
    labels = {**recycle.reasons, **recycle.disqualify_reasons}
    members = set(nurture_members)
    people = [_person(e, recycle, contacts, leads, members, owner_names) for e in found]
    counted = [e for e in found if e.state in recycling.BACK_TO_MARKETING]
    queue = recycle.marketing_queue_id
    return RecycleFacts(
        people=people,
        reasons=recycling.by_reason(counted, labels),
        disqualify_reasons=recycling.by_reason(
            [e for e in found if e.state == "disqualified"], labels
        ),
        pending_reactivations=recycling.pending_reactivations(session),
        labels=labels,
        hubspot_stage=recycle.hubspot_stage,
        disqualified_lead_status=recycle.disqualified_hubspot_lead_status,
        nurture_list=(
            f"“{nurture_list_name or 'list'}” (id {recycle.nurture_list_id})"
            if recycle.nurture_list_id
            else None
        ),
        nurture_members=len(members),
        marketing_queue=owner_names.get(queue, queue) if queue else None,
        marketing_queue_id=queue,
        reactivation_after_days=recycle.reactivation_after_days,
    )


def _person(
    episode: recycling.Episode,
    recycle: RecycleConfig,
    contacts: dict[str, dict[str, Any]],
    leads: dict[str, dict[str, Any]],
    members: set[str],
    owner_names: dict[str, str],
) -> RecycledPerson:
    contact = contacts.get(episode.hubspot_contact_id or "", {})
    lead = leads.get(episode.salesforce_lead_id or "", {})
    history = recycle.salesforce_history_field
    return RecycledPerson(
        episode=episode,
        hubspot_stage=contact.get(LIFECYCLE),
        hubspot_lead_status=contact.get(LEAD_STATUS),
        hubspot_reason=contact.get(recycle.hubspot_reason_property) or None,
        hubspot_count=contact.get(recycle.hubspot_count_property) or None,
        hubspot_reactivation=contact.get(recycle.hubspot_reactivation_property) or None,
        in_nurture=episode.hubspot_contact_id in members,
        lead_owner_id=lead.get("OwnerId"),
        lead_owner=owner_names.get(lead.get("OwnerId") or "", lead.get("OwnerId")),
        lead_reason=lead.get(recycle.reason_field),
        lead_history=lead.get(history) if history else None,
    )
