"""Identity changes through the real path: a Salesforce lead conversion and a HubSpot merge."""

from __future__ import annotations

from sync_world import (
    CONTACT_STAGE_FIELD,
    DEFAULT_STAGES,
    MQL,
    OPPORTUNITY,
    SQL,
    WORKING,
    SyncWorld,
    stage,
)

#: a converted person's stage is kept on a Contact field the admin names
CONTACT_STAGES = [
    stage(SQL, "Sales Qualified", "Contact"),
    stage(OPPORTUNITY, "Opportunity", "Contact"),
]


def test_conversion_moves_the_link_to_the_contact_and_later_changes_follow_it(
    world: SyncWorld,
) -> None:
    world.configure({"lifecycle.stages": DEFAULT_STAGES + CONTACT_STAGES})
    contact_id, lead_id = world.hand_off("convert")
    converted = world.sf.ui_convert_lead(lead_id, create_opportunity=False)
    world.settle()

    link = world.link_for(contact_id)
    assert link is not None
    assert link.salesforce_contact_id == converted["contact_id"]
    lead_before = world.lead(lead_id)
    assert lead_before["IsConverted"] is True

    world.hs.ui_update("contacts", contact_id, {"lifecyclestage": OPPORTUNITY}, user_id=7)
    world.settle()

    sf_contact = world.sf.get("Contact", converted["contact_id"])
    assert sf_contact[CONTACT_STAGE_FIELD] == "Opportunity"
    assert world.lead(lead_id) == lead_before  # the read-only lead was left alone
    assert world.dead_letters() == []
    world.assert_quiet()


def test_change_racing_a_conversion_is_written_to_the_converted_contact(
    world: SyncWorld,
) -> None:
    """HubSpot's change reaches Baton before the conversion's outbound message does."""
    world.configure({"lifecycle.stages": DEFAULT_STAGES + CONTACT_STAGES})
    contact_id, lead_id = world.hand_off("convert-race")
    with world.server.refusing("/webhooks/salesforce"):
        converted = world.sf.ui_convert_lead(lead_id, create_opportunity=False)
        lead_before = world.lead(lead_id)
        world.hs.ui_update("contacts", contact_id, {"lifecyclestage": SQL}, user_id=7)
        assert world.hs.flush_webhooks(timeout=10)
        world.worker.run_until_idle(timeout=20)
    world.settle()

    assert world.lead(lead_id) == lead_before  # converted leads are read-only
    sf_contact = world.sf.get("Contact", converted["contact_id"])
    assert sf_contact[CONTACT_STAGE_FIELD] == "Sales Qualified", world.dead_letters()
    assert world.dead_letters() == []


def test_hubspot_merge_repoints_the_link_to_the_surviving_contact(world: SyncWorld) -> None:
    merged_id, lead_id = world.hand_off("merge-loser")
    # the survivor is a duplicate marketing qualified too, held back for its missing company
    survivor_id = world.new_contact("merge-survivor", company="")
    world.settle()
    world.hs.ui_update("contacts", survivor_id, {"lifecyclestage": MQL}, user_id=7)
    world.settle()
    assert world.contact(survivor_id)["baton_hold_reason"] == "missing Company Name"

    world.hs.ui_merge_contacts(survivor_id, merged_id, user_id=7)
    world.settle()

    link = world.link_for(survivor_id)
    assert link is not None and link.salesforce_lead_id == lead_id
    assert world.link_for(merged_id) is None
    assert world.leads_for(survivor_id) == []  # no second lead was handed off

    world.sf.ui_update("Lead", lead_id, {"Status": WORKING})
    world.settle()
    assert world.contact(survivor_id)["lifecyclestage"] == SQL
    world.assert_quiet()


def test_merge_into_an_earlier_stage_contact_hands_off_no_second_lead(world: SyncWorld) -> None:
    merged_id, lead_id = world.hand_off("merge-early-loser")
    survivor_id = world.new_contact("merge-early-survivor")  # still at stage lead
    world.settle()

    world.hs.ui_merge_contacts(survivor_id, merged_id, user_id=7)
    world.settle()

    assert world.leads_for(survivor_id) == []
    link = world.link_for(survivor_id)
    assert link is not None and link.salesforce_lead_id == lead_id
