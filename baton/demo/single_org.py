"""The demo's org beside one CRM: only that stand-in is started, and the config says so.

HubSpot alone: the same reps become HubSpot owners in two routed teams, the portal works leads
in the Leads object, Leads and deal stages move the lifecycle, won deals are credited on the
deal. Salesforce alone: the same reps as users, leads arrive from marketing automation owned by
a queue, the lifecycle lives in a Lead/Contact field, Baton routes the owner by Lead.Country.
The other CRM's section is disabled: Baton builds no client for it and calls nothing there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from baton.demo import org
from connector.config import BatonConfig, default_config, with_changes
from connector.config.defaults import SANDBOX_SALESFORCE_ORG_ID, SANDBOX_SALESFORCE_OUTBOUND_TOKEN

#: the Lead and Contact field holding the lifecycle stage when Salesforce is alone
LIFECYCLE_FIELD = "Lifecycle_Stage__c"
#: the campaign whose responders the Salesforce-alone credit finds
INFLUENCE_MODEL = "Baton_Attribution"
DEAL_PROPERTIES = ("baton_credit_summary", "baton_top_channel", "baton_credit_computed_at")
SALESFORCE_LEAD_FIELDS = (*org.OUTBOUND_LEAD_FIELDS, "Country", LIFECYCLE_FIELD)
SALESFORCE_OPPORTUNITY_FIELDS = (*org.OUTBOUND_OPPORTUNITY_FIELDS, "CloseDate")
HUBSPOT_SUBSCRIPTIONS = (
    *org.HUBSPOT_SUBSCRIPTIONS,
    ("contact.propertyChange", "hubspot_owner_id"),
    ("object.propertyChange", "hs_pipeline_stage"),  # the Leads object (0-136)
    ("deal.propertyChange", "dealstage"),  # HubSpot alone: won deals move stages and earn credit
)


@dataclass
class SingleOrg:
    """One started stand-in, its team and Baton's config for it."""

    hubspot: Any
    salesforce: Any
    team: org.SalesTeam
    marketer_owner_id: str
    config: BatonConfig


def build_single(
    crm: str,
    *,
    seed: int,
    hubspot_settings: dict[str, Any],
    salesforce_settings: dict[str, Any],
    public_base_url: str,
    database_url: str,
    poll_interval_s: int,
) -> SingleOrg:
    """Start the one stand-in ``crm`` names, set it up as its admin would, configure Baton."""
    if crm == "hubspot":
        return _hubspot_alone(
            seed, hubspot_settings, public_base_url, database_url, poll_interval_s
        )
    return _salesforce_alone(
        seed, salesforce_settings, public_base_url, database_url, poll_interval_s
    )


def subscribe_single(single: SingleOrg, base_url: str) -> None:
    """Point the one CRM's webhooks at Baton."""
    if single.hubspot is not None:
        single.hubspot.subscribe(f"{base_url}/webhooks/hubspot", HUBSPOT_SUBSCRIPTIONS)
        return
    endpoint = f"{base_url}/webhooks/salesforce/outbound/{SANDBOX_SALESFORCE_OUTBOUND_TOKEN}"
    sf = single.salesforce
    sf.add_outbound_message("Lead", list(SALESFORCE_LEAD_FIELDS), endpoint, name="Baton_Lead")
    sf.add_outbound_message(
        "Opportunity", list(SALESFORCE_OPPORTUNITY_FIELDS), endpoint, name="Baton_Opportunity"
    )


def _hubspot_alone(
    seed: int, settings: dict[str, Any], base_url: str, database_url: str, poll_s: int
) -> SingleOrg:
    from sandbox.hubspot import HubSpotSandbox, HubSpotSandboxConfig

    hs = HubSpotSandbox(HubSpotSandboxConfig(**settings, seed=seed))
    hs.start()
    try:
        defaults = default_config()
        portal = org.set_up_hubspot(hs, defaults.recycle)
        for name in DEAL_PROPERTIES:
            hs.add_property("deals", name, "string")
        team = org.SalesTeam(manager_id="")
        for name, email, team_name in org.REPS:
            first, _, last = name.partition(" ")
            owner = str(hs.add_owner(email, first, last, time_zone="Europe/Amsterdam"))
            team.reps[owner] = name
            team.teams.setdefault(team_name, []).append(owner)
        changes = org.demo_changes(team, portal.nurture_list_id)
        routing = changes["routing"]
        routing["teams"] = {n: {"hubspot_owners": m} for n, m in team.teams.items()}
        routing.pop("fallback_queue")
        changes.pop("recycle.marketing_queue_id")
        changes.update(
            {
                "salesforce.enabled": False,
                "hubspot.poll_interval_s": poll_s,
                "hubspot.leads_object": {"enabled": True, "lead_type": "NEW_BUSINESS"},
                "lifecycle.within_hubspot": {
                    "lead_stages": {"connected-stage-id": "salesqualifiedlead"},
                    "deal_stages": {"closedwon": "customer"},
                },
                "service.log_level": "WARNING",
            }
        )
        config = _config(changes, base_url, database_url, hubspot_url=str(hs.base_url))
    except BaseException:
        hs.stop()
        raise
    return SingleOrg(hs, None, team, portal.marketer_owner_id, config)


def _salesforce_alone(
    seed: int, settings: dict[str, Any], base_url: str, database_url: str, poll_s: int
) -> SingleOrg:
    from sandbox.salesforce import SalesforceSandbox
    from sandbox.salesforce.config import SalesforceSandboxConfig

    sf = SalesforceSandbox(
        SalesforceSandboxConfig(org_id=SANDBOX_SALESFORCE_ORG_ID, **settings, seed=seed)
    )
    sf.start()
    try:
        defaults = default_config()
        team = org.set_up_salesforce(sf, defaults.salesforce.hubspot_id_field, {}, defaults.recycle)
        for sobject in ("Lead", "Contact"):
            sf.add_custom_field(sobject, LIFECYCLE_FIELD)
        sf.add_influence_model(INFLUENCE_MODEL, "Baton attribution")
        changes = org.demo_changes(team, "")
        changes.pop("recycle.nurture_list_id")
        changes.pop("handoff.mql_definition")  # its properties are HubSpot's
        changes.update(
            {
                "hubspot.enabled": False,
                "salesforce.integration_user_id": sf.integration_user_id,
                "salesforce.poll_interval_s": poll_s,
                "salesforce.lifecycle_field": LIFECYCLE_FIELD,
                "credit.writeback.salesforce_influence_model": INFLUENCE_MODEL,
                "service.log_level": "WARNING",
            }
        )
        config = _config(changes, base_url, database_url, salesforce_url=str(sf.instance_url))
    except BaseException:
        sf.stop()
        raise
    return SingleOrg(None, sf, team, "", config)


def _config(
    changes: dict[str, Any],
    base_url: str,
    database_url: str,
    *,
    hubspot_url: str = "http://127.0.0.1:9",
    salesforce_url: str = "https://127.0.0.1:9",
) -> BatonConfig:
    """The sandbox defaults with the other CRM switched off (its URL is never called)."""
    base = default_config(
        hubspot_base_url=hubspot_url,
        salesforce_instance_url=salesforce_url,
        public_base_url=base_url,
        database_url=database_url,
    )
    return with_changes(base, changes)
