"""Both directions through the real path: hand-off HubSpot → Salesforce, rep's status → HubSpot.

People act in the sandboxes; the sandboxes' own webhooks and outbound messages reach Baton; the
worker writes back through the official clients. Assertions read the sandboxes' state.
"""

from __future__ import annotations

from sync_world import (
    HUBSPOT_ID_FIELD,
    MQL,
    OPEN,
    SQL,
    WORKING,
    SyncWorld,
    hubspot_writes,
    salesforce_writes,
)


def test_mql_hand_off_creates_the_lead_with_context_owner_and_link(world: SyncWorld) -> None:
    rep = world.sf.add_user("Rita Rep", "rita.rep@example.com")
    world.configure(
        {
            "routing.teams": {"inbound": {"members": [rep]}},
            "routing.rules": [{"name": "everyone", "team": "inbound"}],
        }
    )
    contact_id = world.new_contact(
        "handoff",
        hs_analytics_source="ORGANIC_SEARCH",
        hs_latest_source="EMAIL_MARKETING",
        recent_conversion_event_name="Pricing page demo request",
        hs_analytics_first_url="https://acme.example/pricing",
    )
    world.sf.reset_request_log()  # the sandbox is shared: count only this hand-off's requests
    world.hs.ui_update("contacts", contact_id, {"lifecyclestage": MQL}, user_id=7)
    world.settle()

    (lead,) = world.leads_for(contact_id)
    contact = world.contact(contact_id)
    assert lead["Email"] == contact["email"]
    assert lead["LastName"] == contact["lastname"] and lead["Company"] == "Acme BV"
    assert lead["Status"] == OPEN
    assert lead["OwnerId"] == rep
    assert lead["HubSpot_Original_Source__c"] == "ORGANIC_SEARCH"
    assert lead["HubSpot_Latest_Source__c"] == "EMAIL_MARKETING"
    assert lead["HubSpot_Last_Conversion__c"] == "Pricing page demo request"
    assert lead["HubSpot_First_Page__c"] == "https://acme.example/pricing"
    link = world.link_for(contact_id)
    assert link is not None
    assert link.salesforce_lead_id[:15] == lead["Id"][:15]
    assert lead[HUBSPOT_ID_FIELD] == contact_id
    creates = [r for r in salesforce_writes(world.sf) if r.method == "POST" and r.n_records]
    assert creates and all(r.headers.get("Sforce-Auto-Assign") == "FALSE" for r in creates)
    assert contact["lifecyclestage"] == MQL  # nothing was written back over the person's move


def test_rep_moves_the_lead_status_and_hubspot_follows(world: SyncWorld) -> None:
    contact_id, lead_id = world.hand_off("rep-moves")
    world.sf.ui_update("Lead", lead_id, {"Status": WORKING})
    world.settle()

    contact = world.contact(contact_id)
    assert contact["lifecyclestage"] == SQL
    assert contact["hs_lead_status"] == "IN_PROGRESS"
    assert world.lead(lead_id)["Status"] == WORKING


def test_marketing_moves_the_stage_and_salesforce_follows(world: SyncWorld) -> None:
    contact_id, lead_id = world.hand_off("marketing-moves")
    world.hs.reset_request_log()
    world.sf.reset_request_log()
    world.hs.ui_update("contacts", contact_id, {"lifecyclestage": SQL}, user_id=7)
    world.settle()

    assert world.lead(lead_id)["Status"] == WORKING
    assert world.contact(contact_id)["lifecyclestage"] == SQL
    assert len(salesforce_writes(world.sf)) == 1  # the one update; its echo wrote nothing
    assert hubspot_writes(world.hs) == []


def test_rep_moves_the_status_back_and_hubspot_clears_then_sets(world: SyncWorld) -> None:
    contact_id, lead_id = world.hand_off("backwards")
    world.sf.ui_update("Lead", lead_id, {"Status": WORKING})
    world.settle()
    assert world.contact(contact_id)["lifecyclestage"] == SQL

    world.hs.reset_request_log()
    world.sf.ui_update("Lead", lead_id, {"Status": OPEN})
    world.settle()

    contact = world.contact(contact_id)
    assert contact["lifecyclestage"] == MQL
    assert contact["hs_lead_status"] == "NEW"
    history = [h["value"] for h in world.hs.history("contacts", contact_id, "lifecyclestage")]
    assert history[:3] == [MQL, "", SQL]  # newest first: set after a separate clear
    updates = [r for r in hubspot_writes(world.hs) if r.path.endswith("/batch/update")]
    assert len(updates) == 2  # clear and set never share a request
    world.assert_quiet()
