"""The demo company's CRMs as an admin would set them up, and the Baton config that matches.

HubSpot gets the custom contact property Baton writes hold reasons to; Salesforce gets the sales
team (users, a queue), the custom Lead fields for the HubSpot id and the hand-off context, and
outbound messages to Baton's receiver. The Baton config is the built-in sandbox default with the
team's MQL definition and routing written over it through ``with_changes``, as an admin's file
would.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from connector.config import BatonConfig, default_config, with_changes
from connector.config.defaults import SANDBOX_SALESFORCE_OUTBOUND_TOKEN
from connector.jobs.lifecycle.processor import HOLD_REASON_PROPERTY

BENELUX = ("Netherlands", "Belgium", "Luxembourg")
DACH = ("Germany", "Austria", "Switzerland")
#: Countries the team sells to (an MQL elsewhere is held back); outside Benelux and DACH the
#: inbound queue picks leads up.
SELLING_COUNTRIES = (*BENELUX, *DACH, "France", "Denmark")

#: (name, e-mail, team) of the sales reps; the manager is created first.
SALES_MANAGER = ("Marieke de Vries", "marieke.devries@baton-demo.nl")
REPS: tuple[tuple[str, str, str], ...] = (
    ("Sanne Jansen", "sanne.jansen@baton-demo.nl", "benelux"),
    ("Daan Bakker", "daan.bakker@baton-demo.nl", "benelux"),
    ("Lukas Schneider", "lukas.schneider@baton-demo.nl", "dach"),
)
QUEUE_NAME = "Inbound Leads Queue"
MARKETER = ("Fleur Visser", "fleur.visser@baton-demo.nl")
#: The marketer's HubSpot user id (HubSpot reports her UI changes with it).
MARKETER_USER_ID = 4_100_001

#: Lead fields Baton reads from outbound messages (Id is always sent).
OUTBOUND_LEAD_FIELDS = (
    "Status",
    "Email",
    "OwnerId",
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
    "contact.deletion",
    "contact.privacyDeletion",
    "contact.merge",
    ("deal.propertyChange", "dealstage"),
)


@dataclass
class SalesTeam:
    """Who sells: Salesforce user and queue ids, by name, as the sandbox org issued them."""

    manager_id: str
    reps: dict[str, str] = field(default_factory=dict)  # user id → name
    teams: dict[str, list[str]] = field(default_factory=dict)  # team → user ids
    queue_id: str = ""
    queue_name: str = QUEUE_NAME
    marketing_owner_id: str = ""

    def owner_name(self, owner_id: str | None) -> str:
        """A person's or queue's display name, or the raw id when it is not on this team."""
        if not owner_id:
            return "(none)"
        if owner_id == self.queue_id:
            return self.queue_name
        return self.reps.get(owner_id, owner_id)

    def names(self) -> dict[str, str]:
        """Every owner id this team knows, with its display name."""
        return {**self.reps, self.queue_id: self.queue_name}


def set_up_salesforce(sf: Any, hubspot_id_field: str, context_fields: dict[str, str]) -> SalesTeam:
    """Create the sales team and the custom Lead fields, as the org's admin did once."""
    manager_id = sf.add_user(*SALES_MANAGER)
    team = SalesTeam(manager_id=manager_id)
    for name, email, team_name in REPS:
        user_id = sf.add_user(name, email, manager_id=manager_id)
        team.reps[user_id] = name
        team.teams.setdefault(team_name, []).append(user_id)
    team.queue_id = sf.add_queue(QUEUE_NAME)
    for sobject in ("Lead", "Contact"):
        sf.add_custom_field(sobject, hubspot_id_field, external_id=True, length=64)
    for lead_field in context_fields.values():
        if lead_field.endswith("__c"):
            sf.add_custom_field("Lead", lead_field)
    return team


def set_up_hubspot(hs: Any) -> str:
    """Create the property Baton writes hold reasons to and the marketer's owner record."""
    hs.add_property("contacts", HOLD_REASON_PROPERTY, "string", label="Baton: MQL hold reason")
    first, _, last = MARKETER[0].partition(" ")
    owner = hs.add_owner(
        MARKETER[1], first, last, user_id=MARKETER_USER_ID, time_zone="Europe/Amsterdam"
    )
    return str(owner)


def subscribe_to_baton(hs: Any, sf: Any, base_url: str) -> None:
    """Point both CRMs' webhooks at Baton's receivers (docs/webhooks.md)."""
    hs.subscribe(f"{base_url}/webhooks/hubspot", HUBSPOT_SUBSCRIPTIONS)
    endpoint = f"{base_url}/webhooks/salesforce/outbound/{SANDBOX_SALESFORCE_OUTBOUND_TOKEN}"
    sf.add_outbound_message("Lead", list(OUTBOUND_LEAD_FIELDS), endpoint, name="Baton_Lead")
    sf.add_outbound_message(
        "Opportunity", list(OUTBOUND_OPPORTUNITY_FIELDS), endpoint, name="Baton_Opportunity"
    )


def demo_changes(team: SalesTeam) -> dict[str, Any]:
    """The admin's choices for this team: MQL definition and routing."""
    return {
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
    integration_user_id: str,
    poll_interval_s: int,
) -> BatonConfig:
    """The built-in sandbox config plus this team's MQL definition, routing and pollers."""
    base = default_config(
        hubspot_base_url=hubspot_base_url,
        salesforce_instance_url=salesforce_instance_url,
        public_base_url=public_base_url,
        database_url=database_url,
    )
    changes = demo_changes(team)
    changes.update(
        {
            "salesforce.integration_user_id": integration_user_id,
            "hubspot.poll_interval_s": poll_interval_s,
            "salesforce.poll_interval_s": poll_interval_s,
            "service.log_level": "WARNING",
        }
    )
    return with_changes(base, changes)
