"""What each CRM mode does and does not do, in the words `baton check-config` prints.

Kept beside the code it describes: a line here claims a job is live only where the job acts in
that mode (``tests/integration/test_hubspot_alone.py``, ``test_salesforce_alone.py``), and says
"not yet" for the rest.
"""

from __future__ import annotations

from connector.config.models import BatonConfig


def mode_lines(config: BatonConfig) -> list[str]:
    """The mode, then what it does and does not do."""
    mode = config.crm_mode
    if mode == "hubspot":
        return _hubspot_alone(config)
    if mode == "salesforce":
        return _salesforce_alone()
    mirror = (
        "  HubSpot Leads mirror: one open lead per handed-off contact follows the Salesforce "
        "Lead's Status (hubspot.leads_object.salesforce_status_stages), closed at conversion"
        if config.hubspot.leads_object.mirror_salesforce_lead
        else "  HubSpot Leads mirror: off (hubspot.leads_object.mirror_salesforce_lead)"
    )
    return [
        "mode: beside HubSpot and Salesforce — stages sync both ways, hand-off creates the "
        "Salesforce Lead, recycle/SLA/credit as below",
        mirror,
    ]


def _hubspot_alone(config: BatonConfig) -> list[str]:
    within = config.lifecycle.within_hubspot
    leads = config.hubspot.leads_object
    work_item = (
        f"and creates a Leads record (pipeline {leads.pipeline}, stage {leads.stage})"
        if leads.enabled
        else "(no Leads record: hubspot.leads_object.enabled is off)"
    )
    sources = [
        f"{len(within.lead_stages)} Leads stage(s)",
        f"{len(within.lead_status)} lead status(es)",
        f"{len(within.deal_stages)} deal stage(s)",
    ]
    return [
        "mode: HubSpot alone — Salesforce is not contacted (no client, poller or receiver)",
        f"  hand-off: the MQL gate and routing assign the contact owner {work_item}",
        f"  stages: {', '.join(sources)} move lifecyclestage forward (lifecycle.within_hubspot)",
        f"  recycle: on lead status {', '.join(config.recycle.trigger_statuses.hubspot) or '-'}"
        f" or a Leads record in {leads.disqualified_stage}, with its disqualification reason",
        "  sla: a clock on each routed contact; met by the owner's call, e-mail, meeting or "
        "completed task, its Leads record leaving its first stage or a lead status in "
        "sla.hubspot_working_statuses; breaches by e-mail/Slack and HubSpot tasks (crm_task) "
        "to HubSpot owners (managers from escalation.managers)",
        "  credit: won HubSpot deals, from their contacts' HubSpot touches, written to the deal",
        "  re-activation: a recycled contact that qualifies again goes back to its previous "
        "owner while active (recycle.hand_back_to_previous_owner), else round robin, with a "
        "new Leads record",
        "  lead stages: read from the portal's lead pipelines at start (ids or labels)",
        "  owners' working hours: from their HubSpot users with "
        "sla.owner_calendars_from_hubspot, else sla.calendar and sla.owner_calendars",
        "  not yet: owners' out-of-office time (an owner away still has a running clock)",
    ]


def _salesforce_alone() -> list[str]:
    return [
        "mode: Salesforce alone — HubSpot is not contacted (no client, poller or receiver)",
        "  stages: Lead status, conversion and opportunity stage set salesforce.lifecycle_field "
        "on Lead and Contact (lifecycle.stages read from Salesforce's side)",
        "  hand-off: a lead reaching the hand-off stage must meet the MQL definition, read "
        "from Lead fields (handoff.salesforce_lead_fields), or is held with reasons by field "
        "label; a qualifying one gets its owner by the routing rules (or Salesforce's "
        "assignment rules)",
        "  recycle on Lead status with its reason; SLA clocks on person-owned Leads with the "
        "ladder by e-mail/Slack through the manager chain; credit from CampaignMember "
        "responses to CampaignInfluence",
        "  escalation tasks: a Salesforce Task (crm_task) for the owner or manager escalated to",
    ]
