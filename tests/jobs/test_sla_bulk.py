"""Salesforce Lead echoes settled in bulk end exactly as the SLA job's one-by-one handling.

An echo of Baton's own write still reaches the SLA job (Baton's routing assigns owners), so an
echo that starts, stops, follows or closes a clock must be handled one by one; every other one
is settled set-based. Same events, same store, both ways: the outcomes must match.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from connector import inbox
from connector.events import ChangeEvent, EventKind, ObjectType, Source
from connector.store import Store
from connector.store.models import InboxEvent, SlaClock, Timer
from tests.jobs.test_sla_job import BATON, QUEUE, REP, REP2, T0, _world

HS_ID = "HubSpot_Contact_Id__c"
OPEN, WORKING = "Open - Not Contacted", "Working - Contacted"
#: lead → (its latest clock's state and stopped_by, or None; the echo's snapshot)
CASES = {
    "00Q000000000001AAA": (("running", None), {"OwnerId": REP, "Status": OPEN}),  # unchanged
    "00Q000000000002AAA": (("running", None), {"OwnerId": REP2, "Status": OPEN}),  # follows
    "00Q000000000003AAA": (None, {"OwnerId": REP, "Status": OPEN, HS_ID: "7"}),  # starts
    "00Q000000000004AAA": (None, {"OwnerId": QUEUE, "Status": OPEN, HS_ID: "8"}),  # a queue
    "00Q000000000005AAA": (("met", "status"), {"OwnerId": REP, "Status": WORKING}),  # met
    "00Q000000000006AAA": (None, {"OwnerId": REP, "Status": OPEN}),  # not handed off
    "00Q000000000007AAA": (("breached", None), {"OwnerId": REP, "Status": WORKING}),  # stops
    "00Q000000000008AAA": (None, {"OwnerId": REP, "IsConverted": "true"}),  # converted
    "00Q000000000009AAA": (("running", None), {"OwnerId": QUEUE, "Status": OPEN}),  # to a queue
}
DECIDED = {"00Q000000000002AAA", "00Q000000000003AAA", "00Q000000000007AAA", "00Q000000000009AAA"}


def _seed(store: Store) -> None:
    with store.session() as session:
        for number, (lead, (clock, snapshot)) in enumerate(CASES.items()):
            if clock is not None:
                state, stopped_by = clock
                session.add(
                    SlaClock(
                        lead_id=lead,
                        number=1,
                        owner_id=REP,
                        team="inbound",
                        policy="fast",
                        state=state,
                        started_at=T0 - timedelta(minutes=30),
                        deadline_at=T0 + timedelta(minutes=30),
                        stopped_at=T0 if stopped_by else None,
                        stopped_by=stopped_by,
                        touches=0,
                    )
                )
            echo = ChangeEvent(
                Source.SALESFORCE,
                EventKind.UPDATED,
                ObjectType.LEAD,
                lead,
                f"echo-{number}",
                T0,
                {"Id": lead, "IsConverted": "false", **snapshot},
                is_snapshot=True,
                actor=BATON,
                is_echo=True,
                provider_type="Lead",
            )
            inbox.append(session, [echo])


def test_sla_lead_echoes_settle_in_bulk_as_one_by_one(store: Store) -> None:
    _seed(store)
    worker, _clock, _sf = _world(store)
    runner = worker.processor
    with store.session() as session:
        events = session.scalars(select(InboxEvent).order_by(InboxEvent.id)).all()
        assert all(map(runner.settles_in_bulk, events))
        one_by_one = {}
        for event in events:
            with session.begin_nested() as savepoint:
                one_by_one[event.id] = runner.handle(session, event, T0)
                savepoint.rollback()
        bulk = dict.fromkeys([e.id for e in events])
        for group, result in runner.settle_in_bulk(session, events, T0):
            bulk.update(dict.fromkeys([e.id for e in group], result))
        # nothing written by the bulk decision: no clock moved, no timer set
        assert session.scalar(select(func.count()).select_from(Timer)) == 0
        assert [c.state for c in session.scalars(select(SlaClock).order_by(SlaClock.id))] == [
            "running",
            "running",
            "met",
            "breached",
            "running",
        ]
        by_lead = {e.object_id: e.id for e in events}
    left_out = {lead for lead, id_ in by_lead.items() if bulk[id_] is None}
    assert left_out == DECIDED
    assert {lead for lead, id_ in by_lead.items() if one_by_one[id_].status == "done"} == DECIDED
    for lead, id_ in by_lead.items():
        if lead not in DECIDED:
            assert bulk[id_] == one_by_one[id_], lead
    assert (
        one_by_one[by_lead["00Q000000000001AAA"]].summary == "SLA clock #1 running; nothing changed"
    )

    # and through the worker: the same outcomes, the decided ones handled one by one
    worker.process_events()
    with store.session() as session:
        ended = {e.id: (e.status, e.outcome) for e in session.scalars(select(InboxEvent))}
        started = session.scalar(select(func.count()).where(SlaClock.number == 1))
    for id_, result in one_by_one.items():
        assert ended[id_] == (result.status, result.summary)
    assert started == 6  # the five seeded and the one the echo of an owner assignment started
