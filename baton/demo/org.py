"""The demo company's CRMs as an admin would set them up, and the Baton config that matches.

HubSpot gets the custom contact properties Baton writes hold reasons and recycles to, and the
manual nurture list recycled contacts join; Salesforce gets the sales team (users, a queue), a
marketing queue for recycled Leads, the custom Lead fields for the HubSpot id, the hand-off
context and the recycle reason and history, and outbound messages to Baton's receiver. The Baton
config is the built-in sandbox default with the team's MQL definition, routing and recycling
written over it through ``with_changes``, as an admin's file would.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from connector.config import BatonConfig, default_config, with_changes
from connector.config.defaults import SANDBOX_SALESFORCE_LOGIN, SANDBOX_SALESFORCE_OUTBOUND_TOKEN
from connector.config.models.recycle import RecycleConfig
from connector.jobs.lifecycle.processor import HOLD_REASON_PROPERTY

BENELUX = ("Netherlands", "Belgium", "Luxembourg")
DACH = ("Germany", "Austria", "Switzerland")
#: Countries the team sells to (an MQL elsewhere is held back); outside Benelux and DACH the
#: inbound queue picks leads up.
SELLING_COUNTRIES = (*BENELUX, *DACH, "France", "Denmark")

#: (name, e-mail, team) of the sales reps; the manager is created first.
SALES_MANAGER = ("Marieke de Vries", "marieke.devries@baton-demo.nl")
#: the manager's manager: the per-rep ladder tells her of a rep's second missed lead in a week
SALES_DIRECTOR = ("Ingrid Vos", "ingrid.vos@baton-demo.nl")
REPS: tuple[tuple[str, str, str], ...] = (
    ("Sanne Jansen", "sanne.jansen@baton-demo.nl", "benelux"),
    ("Daan Bakker", "daan.bakker@baton-demo.nl", "benelux"),
    ("Lukas Schneider", "lukas.schneider@baton-demo.nl", "dach"),
)
QUEUE_NAME = "Inbound Leads Queue"
#: The queue that owns Leads sales handed back to marketing.
MARKETING_QUEUE_NAME = "Marketing Nurture Queue"
#: The HubSpot list (manual: Baton adds to it) recycled contacts join.
NURTURE_LIST_NAME = "Nurture: not now (recycled by sales)"
#: The Lead picklist where a rep picks why a lead is "not now" (``recycle.reason_field``).
RECYCLE_REASON_FIELD = "Recycle_Reason__c"
#: The Lead text field where the next rep reads the recycle history.
RECYCLE_HISTORY_FIELD = "Baton_Recycle_History__c"
MARKETER = ("Fleur Visser", "fleur.visser@baton-demo.nl")
#: The marketer's HubSpot user id (HubSpot reports her UI changes with it).
MARKETER_USER_ID = 4_100_001

#: Lead fields Baton reads from outbound messages (Id is always sent).
OUTBOUND_LEAD_FIELDS = (
    "Status",
    "Email",
    "OwnerId",
    RECYCLE_REASON_FIELD,
    "IsConverted",
    "ConvertedContactId",
    "LastModifiedById",
    "SystemModstamp",
)
OUTBOUND_OPPORTUNITY_FIELDS = ("StageName", "IsWon", "Amount", "LastModifiedById", "SystemModstamp")

#: HubSpot webhook subscriptions Baton's docs ask for (docs/webhooks.md).
HUBSPOT_SUBSCRIPTIONS: tuple[Any, ...] = (
    "contact.creation",
    ("contact.propertyChange", "lifecyclestage"),
    ("contact.propertyChange", "hs_lead_status"),
    ("contact.propertyChange", "recent_conversion_date"),  # a new form fill re-activates
    "contact.deletion",
    "contact.privacyDeletion",
    "contact.merge",
    # SLA touches: a call, e-mail or meeting logged in HubSpot (generic subscriptions)
    *(
        {"subscriptionType": "object.creation", "objectName": kind}
        for kind in ("call", "email", "meeting")
    ),
)


@dataclass
class SalesTeam:
    """Who sells: Salesforce user and queue ids, by name, as the sandbox org issued them."""

    manager_id: str
    reps: dict[str, str] = field(default_factory=dict)  # user id → name
    teams: dict[str, list[str]] = field(default_factory=dict)  # team → user ids
    queue_id: str = ""
    queue_name: str = QUEUE_NAME
    marketing_queue_id: str = ""
    marketing_queue_name: str = MARKETING_QUEUE_NAME
    director_id: str = ""

    def owner_name(self, owner_id: str | None) -> str:
        """A person's or queue's display name, or the raw id when it is not on this team."""
        if not owner_id:
            return "(none)"
        return self.names().get(owner_id, owner_id)

    def names(self) -> dict[str, str]:
        """Every owner id this team knows, with its display name."""
        queues = {
            self.queue_id: self.queue_name,
            self.marketing_queue_id: self.marketing_queue_name,
        }
        return {**self.reps, **{k: v for k, v in queues.items() if k}}


@dataclass(frozen=True, slots=True)
class HubSpotSetup:
    """What the portal's admin created: the marketer's owner record and the nurture list."""

    marketer_owner_id: str
    nurture_list_id: str


def set_up_salesforce(
    sf: Any, hubspot_id_field: str, context_fields: dict[str, str], recycle: RecycleConfig
) -> SalesTeam:
    """Create the sales team, the marketing queue and the custom Lead fields, as the org's admin
    did once; the reason picklist offers exactly the ``recycle:`` reason codes."""
    director_id = sf.add_user(*SALES_DIRECTOR)
    manager_id = sf.add_user(*SALES_MANAGER, manager_id=director_id)
    team = SalesTeam(manager_id=manager_id, director_id=director_id)
    for name, email, team_name in REPS:
        user_id = sf.add_user(name, email, manager_id=manager_id)
        team.reps[user_id] = name
        team.teams.setdefault(team_name, []).append(user_id)
    team.queue_id = sf.add_queue(QUEUE_NAME)
    team.marketing_queue_id = sf.add_queue(MARKETING_QUEUE_NAME)
    # the org's active lead assignment rule: an API write without `Sforce-Auto-Assign: FALSE`
    # would hand the lead to the queue (so a missing header shows as a changed owner)
    sf.set_assignment_rule(lambda lead: team.queue_id)
    for sobject in ("Lead", "Contact"):
        sf.add_custom_field(sobject, hubspot_id_field, external_id=True, length=64)
    for lead_field in context_fields.values():
        if lead_field.endswith("__c"):
            sf.add_custom_field("Lead", lead_field)
    codes = (*recycle.reasons, *recycle.disqualify_reasons)
    sf.add_custom_field(
        "Lead", RECYCLE_REASON_FIELD, "picklist", picklist_values=codes, restricted=True
    )
    sf.add_custom_field("Lead", RECYCLE_HISTORY_FIELD)
    return team


def set_up_hubspot(hs: Any, recycle: RecycleConfig) -> HubSpotSetup:
    """Create the properties Baton writes hold reasons and recycles to, the nurture list and the
    marketer's owner record."""
    hs.add_property("contacts", HOLD_REASON_PROPERTY, "string", label="Baton: MQL hold reason")
    for name, label in (
        (recycle.hubspot_reason_property, "Baton: recycle reason"),
        (recycle.hubspot_count_property, "Baton: times recycled"),
        (recycle.hubspot_reactivation_property, "Baton: re-activation date"),
    ):
        hs.add_property("contacts", name, "string", label=label)
    nurture = hs.add_list(NURTURE_LIST_NAME, "MANUAL")
    first, _, last = MARKETER[0].partition(" ")
    owner = hs.add_owner(
        MARKETER[1], first, last, user_id=MARKETER_USER_ID, time_zone="Europe/Amsterdam"
    )
    return HubSpotSetup(str(owner), str(nurture))


def subscribe_to_baton(hs: Any, sf: Any, base_url: str) -> None:
    """Point both CRMs' webhooks at Baton's receivers (docs/webhooks.md)."""
    hs.subscribe(f"{base_url}/webhooks/hubspot", HUBSPOT_SUBSCRIPTIONS)
    endpoint = f"{base_url}/webhooks/salesforce/outbound/{SANDBOX_SALESFORCE_OUTBOUND_TOKEN}"
    sf.add_outbound_message("Lead", list(OUTBOUND_LEAD_FIELDS), endpoint, name="Baton_Lead")
    sf.add_outbound_message(
        "Opportunity", list(OUTBOUND_OPPORTUNITY_FIELDS), endpoint, name="Baton_Opportunity"
    )


def demo_changes(team: SalesTeam, nurture_list_id: str) -> dict[str, Any]:
    """The admin's choices for this team: MQL definition, routing and recycling; Baton logs
    in to the org through its connected app (sessions end mid-run, as in a real org)."""
    return {
        "salesforce.auth": SANDBOX_SALESFORCE_LOGIN,
        "recycle.reason_field": RECYCLE_REASON_FIELD,
        "recycle.salesforce_history_field": RECYCLE_HISTORY_FIELD,
        "recycle.nurture_list_id": nurture_list_id,
        "recycle.marketing_queue_id": team.marketing_queue_id,
        "handoff.mql_definition": {
            "required_properties": ["email", "company", "jobtitle", "country"],
            "criteria": [{"property": "country", "op": "in", "value": list(SELLING_COUNTRIES)}],
            "behaviour": [{"property": "hs_analytics_num_page_views", "min": 3}],
        },
        "routing": {
            "rules": [
                {
                    "name": "benelux",
                    "when": [{"property": "country", "op": "in", "value": list(BENELUX)}],
                    "team": "benelux",
                },
                {
                    "name": "dach",
                    "when": [{"property": "country", "op": "in", "value": list(DACH)}],
                    "team": "dach",
                },
            ],
            "teams": {
                name: {"members": members, "strategy": "round_robin"}
                for name, members in team.teams.items()
            },
            "fallback_queue": team.queue_id,
        },
    }


def demo_config(
    *,
    hubspot_base_url: str,
    salesforce_instance_url: str,
    public_base_url: str,
    database_url: str,
    team: SalesTeam,
    nurture_list_id: str,
    integration_user_id: str,
    poll_interval_s: int,
) -> BatonConfig:
    """The built-in sandbox config plus this team's MQL definition, routing, recycling and
    pollers."""
    base = default_config(
        hubspot_base_url=hubspot_base_url,
        salesforce_instance_url=salesforce_instance_url,
        public_base_url=public_base_url,
        database_url=database_url,
    )
    changes = demo_changes(team, nurture_list_id)
    changes.update(
        {
            "salesforce.integration_user_id": integration_user_id,
            "hubspot.poll_interval_s": poll_interval_s,
            "salesforce.poll_interval_s": poll_interval_s,
            "service.log_level": "WARNING",
        }
    )
    return with_changes(base, changes)
