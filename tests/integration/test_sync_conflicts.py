"""Both sides change the same person before Baton syncs either: each conflict policy decides.

Marketing moves the contact to SQL in HubSpot while the rep moves the lead to Qualified in
Salesforce (mapped to opportunity). The two changes are a few milliseconds apart, so their
occurrence times order them; Baton sees both before writing anything.
"""

from __future__ import annotations

import time

import pytest
from sync_world import (
    DEFAULT_STAGES,
    OPPORTUNITY,
    QUALIFIED,
    SQL,
    WORKING,
    SyncWorld,
    stage,
)

STAGES = [*DEFAULT_STAGES, stage(OPPORTUNITY, QUALIFIED)]


def _conflict(world: SyncWorld, policy: str, first: str, tag: str) -> tuple[str, str]:
    """Hand off a contact, then change both sides (``first`` side earlier); settle."""
    world.configure({"lifecycle.stages": STAGES, "lifecycle.conflict_policy": policy})
    contact_id, lead_id = world.hand_off(tag)
    hubspot = lambda: world.hs.ui_update(  # noqa: E731
        "contacts", contact_id, {"lifecyclestage": SQL}, user_id=7
    )
    salesforce = lambda: world.sf.ui_update("Lead", lead_id, {"Status": QUALIFIED})  # noqa: E731
    earlier, later = (hubspot, salesforce) if first == "hubspot" else (salesforce, hubspot)
    earlier()
    time.sleep(0.05)  # distinct occurrence times (both CRMs stamp in milliseconds)
    later()
    world.settle()
    return contact_id, lead_id


def test_newest_wins_salesforce_changed_last(world: SyncWorld) -> None:
    contact_id, lead_id = _conflict(world, "newest_wins", "hubspot", "newest-sf")
    assert world.contact(contact_id)["lifecyclestage"] == OPPORTUNITY
    assert world.lead(lead_id)["Status"] == QUALIFIED
    assert world.dead_letters() == []
    world.assert_quiet()


def test_newest_wins_hubspot_changed_last(world: SyncWorld) -> None:
    contact_id, lead_id = _conflict(world, "newest_wins", "salesforce", "newest-hs")
    assert world.lead(lead_id)["Status"] == WORKING
    assert world.contact(contact_id)["lifecyclestage"] == SQL, world.dead_letters()
    assert world.dead_letters() == []
    world.assert_quiet()


def test_hubspot_wins_even_when_salesforce_changed_last(world: SyncWorld) -> None:
    contact_id, lead_id = _conflict(world, "hubspot_wins", "hubspot", "hs-wins")
    assert world.contact(contact_id)["lifecyclestage"] == SQL
    assert world.lead(lead_id)["Status"] == WORKING
    assert world.dead_letters() == []
    world.assert_quiet()


def test_salesforce_wins_even_when_hubspot_changed_last(world: SyncWorld) -> None:
    contact_id, lead_id = _conflict(world, "salesforce_wins", "salesforce", "sf-wins")
    assert world.lead(lead_id)["Status"] == QUALIFIED
    assert world.contact(contact_id)["lifecyclestage"] == OPPORTUNITY
    assert world.dead_letters() == []
    world.assert_quiet()


@pytest.mark.parametrize("policy", ["hubspot_wins", "salesforce_wins"])
def test_source_of_truth_change_alone_is_carried_across(world: SyncWorld, policy: str) -> None:
    """Outside a conflict, either policy still carries the truth side's change."""
    world.configure({"lifecycle.stages": STAGES, "lifecycle.conflict_policy": policy})
    contact_id, lead_id = world.hand_off(f"alone-{policy}")
    if policy == "hubspot_wins":
        world.hs.ui_update("contacts", contact_id, {"lifecyclestage": SQL}, user_id=7)
    else:
        world.sf.ui_update("Lead", lead_id, {"Status": WORKING})
    world.settle()
    assert world.contact(contact_id)["lifecyclestage"] == SQL
    assert world.lead(lead_id)["Status"] == WORKING
