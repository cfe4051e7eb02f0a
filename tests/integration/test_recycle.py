"""Recycling through both sandboxes: triggers, reasons, guards, nurture, and the way back.

Sales says "not now" in Salesforce (a Lead status and a reason) or in HubSpot (hs_lead_status);
Baton hands the person back to marketing (stage, status, reason, count, re-activation date,
nurture list, marketing queue) and brings them back by timer or buying behaviour, through the
MQL gate. Every assertion reads the sandboxes' own records or Baton's store.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from sqlalchemy import select
from sync_world import (
    LOSS_REASON_FIELD,
    MQL,
    OPEN,
    RECYCLE_HISTORY_FIELD,
    RECYCLE_REASON_FIELD,
    SyncWorld,
    hubspot_writes,
)

from adapters.hubspot.reader import HubSpotReader
from connector.jobs.base import JobSetupError
from connector.store.models import InboxEvent, RecycleEpisode, Timer

NOT_NOW = "Closed - Not Converted"  # the sandbox default's recycle trigger


@pytest.fixture
def recycling(world: SyncWorld) -> dict[str, Any]:
    """A nurture list, a marketing queue, a rep, and the history field switched on."""
    nurture = world.hs.add_list(f"Nurture {world.tag}", "MANUAL")
    queue = world.sf.add_queue(f"Marketing nurture {world.tag}")
    rep = world.sf.add_user("Rita Rep", f"rita-{world.tag}@example.com")
    world.configure(
        {
            "recycle.nurture_list_id": nurture,
            "recycle.marketing_queue_id": queue,
            "recycle.salesforce_history_field": RECYCLE_HISTORY_FIELD,
            "recycle.hubspot_lead_status": "BAD_TIMING",
        }
    )
    return {"nurture": nurture, "queue": queue, "rep": rep}


def _not_now(world: SyncWorld, lead_id: str, reason: str | None, user: str | None = None) -> None:
    fields: dict[str, Any] = {"Status": NOT_NOW}
    if reason is not None:
        fields[RECYCLE_REASON_FIELD] = reason
    world.sf.ui_update("Lead", lead_id, fields, user_id=user)
    world.settle()


def _episodes(world: SyncWorld) -> list[RecycleEpisode]:
    with world.runtime.store.session() as session:
        rows = list(session.scalars(select(RecycleEpisode).order_by(RecycleEpisode.id)))
        session.expunge_all()
        return rows


def _timers(world: SyncWorld) -> list[tuple[str, str, datetime]]:
    with world.runtime.store.session() as session:
        rows = session.scalars(select(Timer).where(Timer.job == "recycle").order_by(Timer.id))
        return [(t.kind, t.status, t.due_at) for t in rows]


def test_a_salesforce_not_now_hands_the_lead_back_to_marketing(world, recycling):
    contact_id, lead_id = world.hand_off("recycled")
    before = datetime.now(UTC)
    _not_now(world, lead_id, "no_budget")

    contact = world.contact(contact_id)
    assert contact["lifecyclestage"] == "lead", "moved back (cleared first, as HubSpot needs)"
    assert contact["hs_lead_status"] == "BAD_TIMING"
    assert contact["baton_recycle_reason"] == "no_budget"
    assert contact["baton_recycle_count"] == "1"
    due = (before + timedelta(days=90)).date()
    assert contact["baton_reactivation_date"] in (f"{due}", f"{due + timedelta(days=1)}")
    assert world.hs.list_members(recycling["nurture"]) == [contact_id]
    lead = world.lead(lead_id)
    assert lead["OwnerId"] == recycling["queue"]
    assert lead["Status"] == NOT_NOW
    assert lead[RECYCLE_HISTORY_FIELD] == f"Recycled once: No budget in {before:%B %Y}"
    ((kind, status, due_at),) = _timers(world)
    assert (kind, status) == ("recycle.reactivate", "pending")
    assert abs(due_at - (before + timedelta(days=90))) < timedelta(minutes=5)
    (episode,) = _episodes(world)
    assert (episode.state, episode.reason_code, episode.reason_flag) == (
        "recycled",
        "no_budget",
        None,
    )
    assert episode.hubspot_contact_id == contact_id and episode.salesforce_lead_id == lead_id
    world.assert_quiet()

    # the rep edits the recycled lead again: same status, a new outbound message — nothing moves
    world.hs.reset_request_log()
    world.sf.ui_update("Lead", lead_id, {"Company": "Acme Holding BV"})
    world.settle()
    assert hubspot_writes(world.hs) == []
    assert len(_episodes(world)) == 1 and len(_timers(world)) == 1


def test_a_missing_reason_recycles_and_is_flagged(world, recycling):
    contact_id, lead_id = world.hand_off("noreason")
    _not_now(world, lead_id, None)
    (episode,) = _episodes(world)
    assert (episode.state, episode.reason_flag) == ("recycled", "missing")
    assert world.contact(contact_id)["lifecyclestage"] == "lead"


def test_a_disqualifying_reason_ends_the_lead_without_nurture(world, recycling):
    contact_id, lead_id = world.hand_off("competitor")
    _not_now(world, lead_id, "competitor")
    contact = world.contact(contact_id)
    assert contact["hs_lead_status"] == "UNQUALIFIED"
    assert contact["baton_recycle_reason"] == "competitor"
    assert contact["lifecyclestage"] == MQL, "marketing's stage is left alone"
    assert world.hs.list_members(recycling["nurture"]) == []
    assert _timers(world) == []
    assert [e.state for e in _episodes(world)] == ["disqualified"]
    world.assert_quiet()


def test_disqualified_in_salesforce_then_not_now_in_hubspot_stays_disqualified(world, recycling):
    contact_id, lead_id = world.hand_off("twosides")
    _not_now(world, lead_id, "competitor")
    world.hs.ui_update("contacts", contact_id, {"hs_lead_status": "BAD_TIMING"}, user_id=7)
    world.settle()
    assert [e.state for e in _episodes(world)] == ["disqualified"]
    assert world.contact(contact_id)["lifecyclestage"] == MQL
    with world.runtime.store.session() as session:
        failed = session.scalars(select(InboxEvent).where(InboxEvent.status == "failed")).all()
    assert failed == []


def test_a_recycle_after_a_refusal_gets_its_own_episode(world, recycling):
    contact_id, lead_id = world.hand_off("refusedfirst")
    world.hs.ui_update("contacts", contact_id, {"lifecyclestage": "customer"}, user_id=7)
    world.settle()
    _not_now(world, lead_id, "bad_timing")
    # marketing corrects the stage (it was a mistake); the rep says "not now" from HubSpot
    world.hs.ui_update("contacts", contact_id, {"lifecyclestage": ""}, user_id=7)
    world.hs.ui_update("contacts", contact_id, {"lifecyclestage": MQL}, user_id=7)
    world.settle()
    world.hs.ui_update("contacts", contact_id, {"hs_lead_status": "BAD_TIMING"}, user_id=7)
    world.settle()
    assert [(e.number, e.state) for e in _episodes(world)] == [(1, "refused"), (2, "recycled")]
    assert world.contact(contact_id)["baton_recycle_count"] == "1", "the count counts recycles"


def test_a_repeat_without_the_reason_leaves_a_disqualified_lead_alone(world, recycling):
    # a later snapshot of the same status may lack the reason (a poll reads fewer fields, or a
    # rep clears the picklist): disqualified is terminal, not a fresh "no reason" recycle
    contact_id, lead_id = world.hand_off("dq-repeat")
    _not_now(world, lead_id, "competitor")
    world.sf.ui_update("Lead", lead_id, {RECYCLE_REASON_FIELD: None})
    world.settle()
    assert [e.state for e in _episodes(world)] == ["disqualified"]
    with world.runtime.store.session() as session:
        failed = session.scalars(select(InboxEvent.outcome).where(InboxEvent.status == "failed"))
        assert list(failed) == [], "the repeat must be skipped, not crash on the episode number"
    assert world.contact(contact_id)["lifecyclestage"] == MQL
    assert world.hs.list_members(recycling["nurture"]) == []
    assert _timers(world) == []
    world.assert_quiet()


def test_a_customer_is_never_recycled(world, recycling):
    contact_id, lead_id = world.hand_off("customer")
    world.hs.ui_update("contacts", contact_id, {"lifecyclestage": "customer"}, user_id=7)
    world.settle()
    _not_now(world, lead_id, "bad_timing")
    assert world.contact(contact_id)["lifecyclestage"] == "customer"
    assert world.lead(lead_id)["OwnerId"] != recycling["queue"]
    assert [e.state for e in _episodes(world)] == ["refused"]
    assert _timers(world) == []


def test_a_hubspot_not_now_recycles_the_salesforce_lead_too(world, recycling):
    contact_id, lead_id = world.hand_off("hsnotnow")
    world.hs.ui_update(
        "contacts",
        contact_id,
        {"baton_recycle_reason": "call_back_later", "hs_lead_status": "BAD_TIMING"},
        user_id=7,
    )
    world.settle()
    lead = world.lead(lead_id)
    assert (lead["Status"], lead[RECYCLE_REASON_FIELD]) == (NOT_NOW, "call_back_later")
    assert lead["OwnerId"] == recycling["queue"]
    assert world.contact(contact_id)["lifecyclestage"] == "lead"
    assert [(e.trigger_source, e.reason_code) for e in _episodes(world)] == [
        ("hubspot", "call_back_later")
    ]
    world.assert_quiet()


def test_reactivation_by_timer_offers_the_lead_to_sales_again_once(world, recycling):
    world.configure(
        {
            "routing.teams": {"inbound": {"members": [recycling["rep"]]}},
            "routing.rules": [{"name": "everyone", "when": [], "team": "inbound"}],
        }
    )
    contact_id, lead_id = world.hand_off("timer")
    _not_now(world, lead_id, "bad_timing")
    world._rebuild()  # a restart between the recycle and the re-activation

    with time_machine.travel(datetime.now(UTC) + timedelta(days=91), tick=True):
        world.settle()
        world._rebuild()  # and one after it fired
        world.settle()

    contact = world.contact(contact_id)
    assert contact["lifecyclestage"] == MQL and contact["hs_lead_status"] == "NEW"
    lead = world.lead(lead_id)
    assert lead["Status"] == OPEN
    assert lead["OwnerId"] == recycling["rep"], "routed again, like a first hand-off"
    assert [(k, s) for k, s, _ in _timers(world)] == [("recycle.reactivate", "done")]
    (episode,) = _episodes(world)
    assert (episode.state, episode.closed_by) == ("reactivated", "timer")


def test_a_buying_signal_reactivates_early_and_cancels_the_timer(world, recycling):
    contact_id, lead_id = world.hand_off("signal")
    _not_now(world, lead_id, "bad_timing")
    now_ms = int(datetime.now(UTC).timestamp() * 1000)
    world.hs.system_update(
        "contacts", contact_id, {"recent_conversion_date": now_ms}, change_source="FORM"
    )
    world.settle()
    assert world.contact(contact_id)["lifecyclestage"] == MQL
    assert world.lead(lead_id)["Status"] == OPEN
    assert [(k, s) for k, s, _ in _timers(world)] == [("recycle.reactivate", "cancelled")]
    (episode,) = _episodes(world)
    assert (episode.state, episode.closed_by) == ("reactivated", "behaviour")

    # the second "not now" is recycle #2, and the next rep reads both on the Lead
    _not_now(world, lead_id, "no_budget")
    assert world.contact(contact_id)["baton_recycle_count"] == "2"
    assert world.lead(lead_id)[RECYCLE_HISTORY_FIELD].startswith("Recycled twice: Bad timing in ")


def test_more_recycles_than_allowed_park_the_person(world, recycling):
    world.configure({"recycle.max_recycles": 1})
    contact_id, lead_id = world.hand_off("parked")
    _not_now(world, lead_id, "bad_timing")
    world.hs.system_update(
        "contacts", contact_id, {"recent_conversion_date": 1}, change_source="FORM"
    )
    world.settle()
    _not_now(world, lead_id, "no_budget")
    assert [e.state for e in _episodes(world)] == ["reactivated", "parked"]
    assert world.contact(contact_id)["baton_recycle_count"] == "1"


def test_a_conversion_wins_over_a_recycle(world, recycling):
    _, lead_id = world.hand_off("converts")
    _not_now(world, lead_id, "bad_timing")
    world.sf.ui_convert_lead(lead_id)
    world.settle()
    (episode,) = _episodes(world)
    assert (episode.state, episode.closed_by) == ("converted", "conversion")
    assert [s for _, s, _ in _timers(world)] == ["cancelled"]


def test_a_dynamic_nurture_list_is_refused_at_start(world, recycling):
    dynamic = world.hs.add_list(f"Smart list {world.tag}", "DYNAMIC")
    with pytest.raises(JobSetupError, match=f"HubSpot list {dynamic} is DYNAMIC"):
        world.configure({"recycle.nurture_list_id": dynamic})


def test_a_dynamic_list_unknown_at_start_is_refused_at_the_first_add(world, recycling, monkeypatch):
    def unreachable(self, list_id):  # type: ignore[no-untyped-def]
        raise ConnectionError("portal unreachable at start")

    monkeypatch.setattr(HubSpotReader, "list_processing_type", unreachable)
    dynamic = world.hs.add_list(f"Smart list {world.tag}", "DYNAMIC")
    world.configure({"recycle.nurture_list_id": dynamic})
    contact_id, lead_id = world.hand_off("dynamic")
    _not_now(world, lead_id, "bad_timing")
    assert world.contact(contact_id)["lifecyclestage"] == "lead", "the rest of the recycle lands"
    ((system, _, message),) = world.dead_letters()
    assert system == "hubspot" and "DYNAMIC" in message


def test_a_deal_lost_for_a_recyclable_reason_sends_its_contact_back(world, recycling):
    world.configure({"recycle.lost_opportunity_reason_field": LOSS_REASON_FIELD})
    contact_id, lead_id = world.hand_off("lostdeal")
    converted = world.sf.ui_convert_lead(lead_id, create_opportunity=True)
    world.settle()
    world.hs.ui_update("contacts", contact_id, {"lifecyclestage": "opportunity"}, user_id=7)
    world.settle()

    opportunity = str(converted["opportunity_id"])
    world.sf.ui_update(
        "Opportunity", opportunity, {"StageName": "Closed Lost", LOSS_REASON_FIELD: "no_budget"}
    )
    world.settle()
    contact = world.contact(contact_id)
    assert contact["lifecyclestage"] == "lead"
    assert contact["baton_recycle_reason"] == "no_budget"
    assert world.hs.list_members(recycling["nurture"]) == [contact_id]
    (episode,) = _episodes(world)
    assert (episode.state, episode.trigger_status) == ("recycled", "lost: Closed Lost")
    world.assert_quiet()


def test_a_deal_lost_to_a_competitor_moves_nobody(world, recycling):
    world.configure({"recycle.lost_opportunity_reason_field": LOSS_REASON_FIELD})
    contact_id, lead_id = world.hand_off("lostcompetitor")
    converted = world.sf.ui_convert_lead(lead_id, create_opportunity=True)
    world.settle()
    world.sf.ui_update(
        "Opportunity",
        str(converted["opportunity_id"]),
        {"StageName": "Closed Lost", LOSS_REASON_FIELD: "competitor"},
    )
    world.settle()
    assert world.contact(contact_id)["lifecyclestage"] != "lead"
    assert _episodes(world) == []
    with world.runtime.store.session() as session:  # the loss did reach the job, which said no
        outcomes = session.scalars(
            select(InboxEvent.outcome).where(InboxEvent.object_type == "opportunity")
        ).all()
    assert any("loss reason Competitor is not a recyclable one" in (o or "") for o in outcomes)
