"""Do the two CRMs tell the same story? Compare each handed-off person across them (pure).

For every Salesforce lead that carries a HubSpot contact id, the admin's mapping says which
HubSpot lifecycle stage its status (or, once converted, its opportunity) stands for. The check
puts that next to the contact's actual stage: *agree*, *disagree*, or *unmapped* — a status the
mapping does not carry, which Baton reports and leaves alone by design.

A status that means "not now" (``recycle.trigger_statuses``) is the recycle job's, not the
mapping's: the person is *recycled* when the contact is back at ``recycle.hubspot_stage``, and
*disqualified* when HubSpot shows the disqualified lead status with a disqualifying reason. A
"not now" the job did not act on (parked, refused) stays *unmapped*.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from connector.config.models.lifecycle import OpportunityStageMapping
from connector.config.models.recycle import RecycleConfig
from connector.jobs.lifecycle.mapping import LEAD_STATUS, LIFECYCLE, StageMap


@dataclass(frozen=True, slots=True)
class PersonCheck:
    """One person: the contact's stage, what Salesforce implies, and the verdict."""

    hubspot_contact_id: str
    salesforce_id: str
    salesforce_state: str
    hubspot_stage: str | None
    expected_stage: str | None
    verdict: str  # agree | disagree | unmapped | recycled | disqualified


@dataclass(frozen=True, slots=True)
class StageCheck:
    """Every linked person's verdict."""

    people: tuple[PersonCheck, ...] = field(default_factory=tuple)

    def by_verdict(self, verdict: str) -> list[PersonCheck]:
        """The people with ``verdict``."""
        return [p for p in self.people if p.verdict == verdict]

    @property
    def converged(self) -> bool:
        """True when no mapped pair disagrees."""
        return not self.by_verdict("disagree")


def expected_from_opportunity(
    mappings: Sequence[OpportunityStageMapping], stage_name: str, is_won: bool
) -> str | None:
    """The lifecycle stage an opportunity implies for its contacts (first match wins)."""
    for mapping in mappings:
        if (mapping.is_won and is_won) or (mapping.stage_name and mapping.stage_name == stage_name):
            return mapping.hubspot
    return None


def compare_stages(
    *,
    contacts: Iterable[Mapping[str, Any]],
    leads: Iterable[Mapping[str, Any]],
    opportunities: Iterable[Mapping[str, Any]],
    stage_map: StageMap,
    opportunity_stages: Sequence[OpportunityStageMapping],
    hubspot_id_field: str,
    recycle: RecycleConfig | None = None,
) -> StageCheck:
    """Check every lead that carries a HubSpot id against that contact's lifecycle stage.

    ``contacts`` are HubSpot records (``{"id", "properties"}``); ``leads`` and
    ``opportunities`` Salesforce records in REST JSON form. Without ``recycle`` a "not now"
    status is judged like any other status.
    """
    properties = {str(c["id"]): c.get("properties") or {} for c in contacts}
    by_id = {str(o["Id"]): o for o in opportunities}
    checks = []
    for lead in leads:
        contact_id = lead.get(hubspot_id_field)
        if not contact_id or str(contact_id) not in properties:
            continue
        contact = properties[str(contact_id)]
        state, expected = _implied(lead, by_id, stage_map, opportunity_stages)
        actual = contact.get(LIFECYCLE)
        verdict = _verdict(actual, expected)
        if recycle is not None and _says_not_now(lead, recycle):
            expected, verdict = _recycle_verdict(contact, recycle, expected, verdict)
        checks.append(
            PersonCheck(str(contact_id), str(lead["Id"]), state, actual, expected, verdict)
        )
    return StageCheck(tuple(checks))


def _verdict(actual: str | None, expected: str | None) -> str:
    if expected is None:
        return "unmapped"
    return "agree" if actual == expected else "disagree"


def _says_not_now(lead: Mapping[str, Any], recycle: RecycleConfig) -> bool:
    """An unconverted lead whose status is one of the recycle triggers."""
    return not lead.get("IsConverted") and lead.get("Status") in recycle.trigger_statuses.salesforce


def _recycle_verdict(
    contact: Mapping[str, Any], recycle: RecycleConfig, expected: str | None, verdict: str
) -> tuple[str | None, str]:
    """(expected stage, verdict) of a "not now": recycled, disqualified, or as mapped."""
    if contact.get(LIFECYCLE) == recycle.hubspot_stage:
        return recycle.hubspot_stage, "recycled"
    disqualified = recycle.disqualified_hubspot_lead_status
    reason = contact.get(recycle.hubspot_reason_property)
    if (
        disqualified
        and contact.get(LEAD_STATUS) == disqualified
        and reason in (recycle.disqualify_reasons)
    ):
        return None, "disqualified"
    return expected, verdict


def _implied(
    lead: Mapping[str, Any],
    opportunities: Mapping[str, Mapping[str, Any]],
    stage_map: StageMap,
    opportunity_stages: Sequence[OpportunityStageMapping],
) -> tuple[str, str | None]:
    """(what Salesforce shows, the lifecycle stage it stands for)."""
    opportunity = opportunities.get(str(lead.get("ConvertedOpportunityId") or ""))
    if lead.get("IsConverted") and opportunity is not None:
        stage_name = str(opportunity.get("StageName"))
        won = bool(opportunity.get("IsWon"))
        return f"opportunity {stage_name}", expected_from_opportunity(
            opportunity_stages, stage_name, won
        )
    status = str(lead.get("Status"))
    entries = stage_map.to_hubspot("Lead", "Status", status)
    stage = next((e.hubspot_value for e in entries if e.hubspot_field == LIFECYCLE), None)
    return f"lead {status}", stage
