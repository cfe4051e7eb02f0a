"""The picklist values, people and HubSpot scopes a config names; and all needs in one call."""

from __future__ import annotations

from connector.config import BatonConfig
from connector.onboarding.needs import (
    LEAD_STATUS,
    LIFECYCLE,
    Needs,
    ValueNeed,
    hubspot_properties,
    salesforce_fields,
)

#: what the HubSpot token needs for Baton to run (reads and writes of contacts and properties)
BASE_SCOPES = (
    "crm.objects.contacts.read",
    "crm.objects.contacts.write",
    "crm.schemas.contacts.read",
)
#: only `baton setup` needs these (to create properties); Baton runs without them
SETUP_SCOPES = ("crm.schemas.contacts.write", "crm.schemas.deals.write")


def hubspot_values(config: BatonConfig) -> list[ValueNeed]:
    """lifecyclestage and hs_lead_status values named anywhere in the config."""
    lifecycle, recycle = config.lifecycle, config.recycle
    stages = [(m.hubspot, f"lifecycle.stages[{i}].hubspot") for i, m in enumerate(lifecycle.stages)]
    stages += [(v, "lifecycle.stage_order") for v in lifecycle.stage_order or ()]
    stages += [
        (config.handoff.stage, "handoff.stage"),
        (recycle.hubspot_stage, "recycle.hubspot_stage"),
    ]
    stages += [
        (m.hubspot, f"lifecycle.opportunity_stages[{i}].hubspot")
        for i, m in enumerate(lifecycle.opportunity_stages)
    ]
    statuses = [
        (m.hubspot, f"lifecycle.lead_status[{i}].hubspot")
        for i, m in enumerate(lifecycle.lead_status)
    ]
    statuses += [(v, "recycle.trigger_statuses.hubspot") for v in recycle.trigger_statuses.hubspot]
    for value, where in (
        (recycle.hubspot_lead_status, "recycle.hubspot_lead_status"),
        (recycle.disqualified_hubspot_lead_status, "recycle.disqualified_hubspot_lead_status"),
    ):
        if value:
            statuses.append((value, where))
    return [ValueNeed("hubspot", "contacts", LIFECYCLE, v, w) for v, w in stages] + [
        ValueNeed("hubspot", "contacts", LEAD_STATUS, v, w) for v, w in statuses
    ]


def salesforce_values(config: BatonConfig) -> list[ValueNeed]:
    """Lead.Status, Opportunity.StageName and mapped picklist values named in the config."""
    needs: list[ValueNeed] = []
    for key, mappings in (
        ("lifecycle.stages", config.lifecycle.stages),
        ("lifecycle.lead_status", config.lifecycle.lead_status),
    ):
        for index, mapping in enumerate(mappings):
            target = mapping.salesforce
            needs.append(
                ValueNeed(
                    "salesforce",
                    target.object,
                    target.field or "Status",
                    target.value,
                    f"{key}[{index}].salesforce.value",
                )
            )
    lead_status = [
        (v, "recycle.trigger_statuses.salesforce")
        for v in config.recycle.trigger_statuses.salesforce
    ]
    lead_status += [(v, "sla.working_statuses") for v in config.sla.working_statuses]
    needs += [ValueNeed("salesforce", "Lead", "Status", v, w) for v, w in lead_status]
    recycle = config.recycle
    codes = [*recycle.reasons, *recycle.disqualify_reasons]
    needs += [
        ValueNeed(
            "salesforce",
            "Lead",
            recycle.reason_field,
            code,
            f"recycle.reasons / disqualify_reasons ({code})",
        )
        for code in codes
    ]
    if recycle.lost_opportunity_reason_field:
        needs += [
            ValueNeed(
                "salesforce",
                "Opportunity",
                recycle.lost_opportunity_reason_field,
                code,
                f"recycle.reasons / disqualify_reasons ({code})",
            )
            for code in codes
        ]
    for index, mapping in enumerate(config.lifecycle.opportunity_stages):
        if mapping.stage_name:
            where = f"lifecycle.opportunity_stages[{index}].stage_name"
            needs.append(
                ValueNeed("salesforce", "Opportunity", "StageName", mapping.stage_name, where)
            )
    return needs


def people(
    config: BatonConfig,
) -> tuple[list[tuple[str, str]], list[tuple[str, str]], list[tuple[str, str]]]:
    """(Salesforce users, Salesforce queues, HubSpot owners) the config names, with their keys."""
    users: list[tuple[str, str]] = []
    if config.salesforce.integration_user_id:
        users.append((config.salesforce.integration_user_id, "salesforce.integration_user_id"))
    for team, spec in config.routing.teams.items():
        users += [(member, f"routing.teams.{team}.members") for member in spec.members]
    queues = [
        (q, k)
        for q, k in (
            (config.routing.fallback_queue, "routing.fallback_queue"),
            (config.recycle.marketing_queue_id, "recycle.marketing_queue_id"),
        )
        if q
    ]
    owners: list[tuple[str, str]] = []
    for person, boss in config.escalation.managers.items():
        for who in (person, boss):
            target = owners if who.isdigit() else users
            target.append((who, "escalation.managers"))
    return _unique(users), _unique(queues), _unique(owners)


def hubspot_scopes(config: BatonConfig) -> list[str]:
    """The scopes the HubSpot token needs for what this config switches on."""
    scopes = list(BASE_SCOPES)
    if config.recycle.nurture_list_id:
        scopes += ["crm.lists.read", "crm.lists.write"]
    if config.credit.writeback.hubspot:
        scopes += ["crm.objects.deals.read", "crm.objects.deals.write", "crm.schemas.deals.read"]
    if any(who.isdigit() for pair in config.escalation.managers.items() for who in pair):
        scopes.append("crm.objects.owners.read")
    return scopes


def needs_of(config: BatonConfig) -> Needs:
    """Everything the config needs, for the CRMs that are enabled only."""
    users, queues, owners = people(config)
    hubspot, salesforce = config.hubspot.enabled, config.salesforce.enabled
    return Needs(
        properties=tuple(hubspot_properties(config)) if hubspot else (),
        fields=tuple(salesforce_fields(config)) if salesforce else (),
        values=tuple(
            (hubspot_values(config) if hubspot else [])
            + (salesforce_values(config) if salesforce else [])
        ),
        users=tuple(users) if salesforce else (),
        queues=tuple(queues) if salesforce else (),
        hubspot_owners=tuple(owners) if hubspot else (),
        scopes=tuple(hubspot_scopes(config)) if hubspot else (),
    )


def _unique(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    seen: dict[str, tuple[str, str]] = {}
    for value, where in pairs:
        seen.setdefault(value[:15] if not value.isdigit() else value, (value, where))
    return list(seen.values())
