"""Both CRMs: HubSpot's Leads object as an optional mirror of the Salesforce Lead.

Its own pair of stand-ins (the portal here subscribes to Leads-object stage changes, which the
shared portal does not): marketing qualifies in HubSpot, the rep works the Lead in Salesforce,
and the contact's one HubSpot lead follows — created at hand-off, moved by the Lead's Status,
closed at conversion — while the webhooks Baton's own lead writes cause stay echoes.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sync_world import (
    MQL,
    OPEN,
    RECYCLE_REASON_FIELD,
    WORKING,
    BatonServer,
    SyncWorld,
    base_config,
    hubspot_sandbox,
    salesforce_sandbox,
    unique_email,
)

from connector.config import with_changes
from connector.events import ObjectType
from connector.store.models import InboxEvent, RecycleEpisode

NEW, ATTEMPTING = "new-stage-id", "attempting-stage-id"
QUALIFIED, DISQUALIFIED = "qualified-stage-id", "unqualified-stage-id"
NOT_NOW = "Closed - Not Converted"


@pytest.fixture(scope="module")
def pair(baton_server: BatonServer) -> Iterator[tuple[Any, Any]]:
    with (
        hubspot_sandbox(baton_server.base_url) as hs,
        salesforce_sandbox(baton_server.base_url) as sf,
    ):
        hs.subscribe(baton_server.base_url + "/webhooks/hubspot", [
            ("object.propertyChange", "hs_pipeline_stage")
        ])  # fmt: skip
        yield hs, sf


@pytest.fixture
def world(
    baton_server: BatonServer, pair: tuple[Any, Any], migrated_template: Path, tmp_path: Path
) -> Iterator[SyncWorld]:
    hs, sf = pair
    path = tmp_path / "baton.db"
    shutil.copyfile(migrated_template, path)
    config = with_changes(
        base_config(hs, sf, baton_server.base_url, f"sqlite:///{path}"),
        {
            "hubspot.leads_object": {
                "mirror_salesforce_lead": True,
                # labels, as the admin reads them in HubSpot: resolved from the portal at start
                "salesforce_status_stages": {WORKING: "Attempting", NOT_NOW: "Disqualified"},
            },
            "recycle.trigger_statuses.salesforce": [NOT_NOW],
            "recycle.reason_field": RECYCLE_REASON_FIELD,
        },
    )
    world = SyncWorld.open(hs, sf, baton_server, config)
    yield world
    world.close()


def _mirrors(world: SyncWorld, contact_id: str) -> list[dict[str, Any]]:
    ids = world.hs.associations("contacts", contact_id, "leads")
    return [world.hs.get("leads", lead_id)["properties"] for lead_id in ids]


def _lead_events(world: SyncWorld) -> list[bool]:
    with world.runtime.store.session() as session:
        rows = session.scalars(
            select(InboxEvent).where(InboxEvent.object_type == ObjectType.HUBSPOT_LEAD.value)
        )
        return [row.is_echo for row in rows]


def test_the_mirror_is_created_at_hand_off_follows_the_status_and_closes_at_conversion(
    world: SyncWorld,
) -> None:
    contact_id, lead_id = world.hand_off("mirror")
    (mirror,) = _mirrors(world, contact_id)
    assert (mirror["hs_pipeline_stage"], mirror["hs_lead_name"]) == (NEW, "Ada Mirror")

    rep = world.sf.add_user("Rita Rep", f"rita-{world.tag}@example.com")
    world.sf.ui_update("Lead", lead_id, {"Status": WORKING}, user_id=rep)
    world.settle()
    (mirror,) = _mirrors(world, contact_id)
    assert mirror["hs_pipeline_stage"] == ATTEMPTING

    world.sf.ui_update("Lead", lead_id, {"Company": "Acme Holding BV"}, user_id=rep)
    world.settle()  # a snapshot for another edit repeats the Status: nothing to move
    world.sf.ui_convert_lead(lead_id, user_id=rep)
    world.settle()
    (mirror,) = _mirrors(world, contact_id)  # never a second one
    assert mirror["hs_pipeline_stage"] == QUALIFIED
    events = _lead_events(world)
    assert events and all(events), "Baton's own lead writes must come back as echoes"
    assert world.dead_letters() == []
    world.assert_quiet()


def test_a_not_now_closes_the_mirror_as_disqualified_and_recycles_once(world: SyncWorld) -> None:
    contact_id, lead_id = world.hand_off("mirror-no")
    rep = world.sf.add_user("Ray Rep", f"ray-{world.tag}@example.com")
    world.sf.ui_update(
        "Lead", lead_id, {"Status": NOT_NOW, RECYCLE_REASON_FIELD: "bad_timing"}, user_id=rep
    )
    world.settle()
    (mirror,) = _mirrors(world, contact_id)
    assert mirror["hs_pipeline_stage"] == DISQUALIFIED
    with world.runtime.store.session() as session:
        episodes = session.scalars(select(RecycleEpisode)).all()
        # the Lead's "not now" recycles; the mirror's disqualification is Baton's echo, not a
        # second "not now" from HubSpot
        assert [(e.state, e.salesforce_lead_id) for e in episodes] == [("recycled", lead_id)]
    assert all(_lead_events(world))
    assert world.dead_letters() == []


def test_a_lead_linked_by_e_mail_at_hand_off_gets_its_mirror_too(world: SyncWorld) -> None:
    email = unique_email("mirror-linked")
    lead_id = world.sf.ui_create(
        "Lead", {"LastName": "Linked", "Company": "Acme BV", "Email": email, "Status": OPEN}
    )
    contact_id = world.new_contact("mirror-linked", email=email)
    world.settle()
    world.hs.ui_update("contacts", contact_id, {"lifecyclestage": MQL}, user_id=7)
    world.settle()
    link = world.link_for(contact_id)
    assert link is not None and link.salesforce_lead_id == lead_id  # linked, not created
    (mirror,) = _mirrors(world, contact_id)
    assert mirror["hs_pipeline_stage"] == NEW
    assert world.dead_letters() == []


def test_without_the_flag_no_hubspot_lead_is_made(world: SyncWorld) -> None:
    world.configure({"hubspot.leads_object": {"mirror_salesforce_lead": False}})
    contact_id, _ = world.hand_off("mirror-off")
    assert _mirrors(world, contact_id) == []
