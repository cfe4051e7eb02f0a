"""Observe mode through the real path: both sandboxes send, Baton decides, nothing is written.

The sandboxes record every API call Baton makes; a would-be write must appear in the audit and
``baton explain`` but not in either request log. Switching observe off replays nothing until
an admin asks (``replay_observed``, what ``baton observe replay`` runs).
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sync_world import MQL, SQL, WORKING, SyncWorld, hubspot_writes, salesforce_writes

from baton.serve import check_jobs
from connector.admin.explain import explain
from connector.admin.explain_format import explain_text
from connector.admin.lookup import parse_query
from connector.events import utcnow
from connector.observing import OBSERVED, replay_observed, summarize_observed
from connector.store.models import AuditEntry, OutboxCommand, Timer


def _observed(world: SyncWorld) -> list[OutboxCommand]:
    with world.runtime.store.session() as session:
        rows = session.scalars(select(OutboxCommand).where(OutboxCommand.status == OBSERVED))
        return [(r.system, r.kind, r.record_key, dict(r.payload)) for r in rows]  # type: ignore[misc]


def _reset_logs(world: SyncWorld) -> None:
    world.hs.reset_request_log()
    world.sf.reset_request_log()


def test_observe_writes_nothing_to_either_crm_and_keeps_the_would_be_writes(
    world: SyncWorld,
) -> None:
    contact_id, lead_id = world.hand_off("observed-pair")  # a live pair, before observing
    world.configure({"service.observe": True})
    check_jobs(world.runtime)  # what `baton serve --observe` does before serving
    started = utcnow()
    _reset_logs(world)

    world.sf.ui_update("Lead", lead_id, {"Status": WORKING})  # would move HubSpot to SQL
    world.settle()
    newcomer = world.new_contact("observed-handoff")
    world.settle()
    world.hs.ui_update("contacts", newcomer, {"lifecyclestage": MQL}, user_id=7)  # a hand-off
    world.settle()

    assert hubspot_writes(world.hs) == []
    assert salesforce_writes(world.sf) == []
    assert world.contact(contact_id)["lifecyclestage"] == MQL
    assert world.leads_for(newcomer) == []
    kept = {(system, kind) for system, kind, _, _ in _observed(world)}
    assert ("hubspot", "set_stage") in kept and ("salesforce", "create_lead") in kept

    with world.runtime.store.session() as session:
        lines = session.scalars(select(AuditEntry).where(AuditEntry.step == "observed")).all()
        assert any("would write hubspot set_stage" in line.summary for line in lines)
        assert any("lifecyclestage='salesqualifiedlead'" in line.summary for line in lines)
        lead_line = next(line.summary for line in lines if "create_lead" in line.summary)
        text = explain_text(contact_id, explain(session, parse_query(contact_id)))
        handoff = explain_text(newcomer, explain(session, parse_query(newcomer)))
        summary = summarize_observed(session, started - timedelta(minutes=1), utcnow())
    assert "WOULD" in text and "observe mode, not sent: would write hubspot set_stage" in text
    assert "Ada" not in lead_line and "FirstName" in lead_line  # the audit keeps names out …
    assert "FirstName='Ada'" in handoff and "Email='<hidden>'" in handoff  # … explain shows them
    assert summary.counts[("hubspot", "set_stage")] >= 1
    assert summary.counts[("salesforce", "create_lead")] == 1
    with world.runtime.store.session() as session:
        timer = session.scalars(select(Timer).where(Timer.job == "observe")).one()
        assert (timer.kind, timer.status) == ("observe_daily_summary", "pending")
    world.assert_quiet()


def test_switching_observe_off_replays_nothing_until_asked(world: SyncWorld) -> None:
    contact_id, lead_id = world.hand_off("observed-then-live")
    world.configure({"service.observe": True})
    started = utcnow() - timedelta(seconds=1)
    world.sf.ui_update("Lead", lead_id, {"Status": WORKING})
    world.settle()
    assert world.contact(contact_id)["lifecyclestage"] == MQL

    world.configure({"service.observe": False})
    _reset_logs(world)
    world.settle()
    world.assert_quiet()  # off: the observed decision stays a decision
    assert world.contact(contact_id)["lifecyclestage"] == MQL

    with world.runtime.store.session() as session:
        report = replay_observed(session, started, utcnow())
    assert report.queued >= 1
    world.settle()
    assert world.contact(contact_id)["lifecyclestage"] == SQL
    assert world.contact(contact_id)["hs_lead_status"] == "IN_PROGRESS"
    assert _observed(world) == []
    world.assert_quiet()


def test_an_observed_hand_off_is_made_for_real_once_observe_is_off(world: SyncWorld) -> None:
    """The create-lead key is per contact: kept under it, the observed one would block it."""
    world.configure({"service.observe": True})
    contact_id = world.new_contact("observed-first")
    world.settle()
    world.hs.ui_update("contacts", contact_id, {"lifecyclestage": MQL}, user_id=7)
    world.settle()
    assert world.leads_for(contact_id) == []

    world.configure({"service.observe": False})
    world.hs.ui_update("contacts", contact_id, {"lifecyclestage": ""}, user_id=7)  # cleared,
    world.settle()
    world.hs.ui_update("contacts", contact_id, {"lifecyclestage": MQL}, user_id=7)  # then MQL
    world.settle()
    assert len(world.leads_for(contact_id)) == 1
