"""The SLA job through the real worker and store, with a Salesforce stand-in and a fake clock.

The integration tests (tests/integration/test_sla.py) drive the sandboxes; these pin the edges
that are awkward there: a Task by someone else, a touch only the deadline's re-read finds, a
reassignment, a queue taking the lead back, and a replayed Task counted once.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from connector import inbox
from connector.commands import System
from connector.config import default_config, with_changes
from connector.dispatcher import Dispatcher
from connector.events import ChangeEvent, EventKind, ObjectType, Source
from connector.jobs.runner import JobRunner
from connector.jobs.sla.calendar import BusinessTime
from connector.jobs.sla.job import SlaJob
from connector.ports import CrmRecord
from connector.store import Store
from connector.store.models import OutboxCommand, RecordLink, SlaBreach, SlaClock, Timer
from connector.worker import Worker

T0 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)  # a Monday
LEAD, REP, REP2 = "00Q7Q000001abcdUAA", "0057Q000002RmA1QAK", "0057Q000002RmA2QAK"
QUEUE = "00G7Q000000qqqqUAA"
BATON = "0057Q000009BaToNAAA"[:15]  # the integration user Baton writes as
DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_ids = itertools.count(1)


@dataclass
class Salesforce:
    """Answers the job's reads: the lead's Tasks and the users' managers."""

    tasks: list[dict[str, Any]] = field(default_factory=list)
    system: System = System.SALESFORCE

    def read(self, object_type: str, ids: Any, fields: Any) -> dict[str, CrmRecord]:
        return {
            i: CrmRecord("User", i, {"IsActive": True, "ManagerId": None, "Email": f"{i}@x.nl"})
            for i in ids
        }

    def find_by_email(self, object_type: str, email: str, fields: Any) -> list[CrmRecord]:
        return []

    def activities_of(self, who_id: str) -> list[CrmRecord]:
        return [CrmRecord("Task", t["Id"], t) for t in self.tasks if t["WhoId"] == who_id]


@dataclass
class HubSpot:
    """Answers the engagement reads: owners are ``<Salesforce user id>@x.nl`` by e-mail."""

    meetings: list[dict[str, Any]] = field(default_factory=list)
    system: System = System.HUBSPOT

    def read(self, object_type: str, ids: Any, fields: Any) -> dict[str, CrmRecord]:
        return {}

    def find_by_email(self, object_type: str, email: str, fields: Any) -> list[CrmRecord]:
        return []

    def owner_email(self, owner_id: str) -> str | None:
        return {"61": f"{REP.upper()}@X.NL", "62": f"{REP2}@x.nl"}.get(owner_id)

    def engagements_of(self, contact_id: str) -> list[CrmRecord]:
        return [CrmRecord("meeting", m["id"], m) for m in self.meetings]


HUBSPOT = HubSpot()


@dataclass
class Clock:
    now: datetime = T0

    def __call__(self) -> datetime:
        return self.now


def _world(store: Store, **changes: Any) -> tuple[Worker, Clock, Salesforce]:
    config = with_changes(
        default_config(),
        {
            "routing.teams": {"inbound": {"members": [REP, REP2]}},
            "routing.rules": [{"name": "everyone", "when": [], "team": "inbound"}],
            "sla.calendar": {
                "timezone": "UTC",
                "working_hours": {day: "00:00-24:00" for day in DAYS},
                "holidays": {"country": None},
            },
            "sla.policies": [
                {"name": "fast", "applies_to": "all", "first_response_business_hours": 1}
            ],
            "escalation.ladder": [
                {"after_business_hours": 0, "notify": "owner", "channels": ["crm_task"]}
            ],
            "salesforce.integration_user_id": BATON,
            **changes,
        },
    )
    salesforce, clock = Salesforce(), Clock()
    job = SlaJob(config, BusinessTime(config.sla.calendar))
    runner = JobRunner((job,), {System.SALESFORCE: salesforce, System.HUBSPOT: HUBSPOT})
    worker = Worker(store, runner, Dispatcher(store, {}, "t"), owner="t", clock=clock)
    return worker, clock, salesforce


def _event(store: Store, object_type: ObjectType, object_id: str, at: datetime, **fields: Any):
    event = ChangeEvent(
        source=Source.SALESFORCE,
        kind=EventKind.UPDATED,
        object_type=object_type,
        object_id=object_id,
        event_id=f"n{next(_ids)}",
        occurred_at=at,
        changes={"Id": object_id, **fields},
        is_snapshot=True,
    )
    with store.session() as session:
        inbox.append(session, [event])


def _lead(store: Store, at: datetime, owner: str = REP, **fields: Any) -> None:
    values = {"OwnerId": owner, "Status": "Open - Not Contacted", "IsConverted": "false"}
    values["HubSpot_Contact_Id__c"] = "101"
    _event(store, ObjectType.LEAD, LEAD, at, **{**values, **fields})


def _task(
    store: Store, task_id: str, at: datetime, owner: str = REP, created_by: str = REP
) -> None:
    fields = {"WhoId": LEAD, "OwnerId": owner, "CreatedDate": at.isoformat()}
    fields["CreatedById"] = created_by
    _event(store, ObjectType.TASK, task_id, at, **fields)


def _clock(store: Store) -> SlaClock:
    with store.session() as session:
        row = session.scalars(select(SlaClock).order_by(SlaClock.id.desc())).first()
        assert row is not None
        session.expunge(row)
        return row


def _run(worker: Worker) -> None:
    for _ in range(5):
        worker.run_once()


def test_a_task_by_someone_else_leaves_the_clock_running(sqlite_store: Store):
    worker, _, _ = _world(sqlite_store)
    _lead(sqlite_store, T0)
    _task(sqlite_store, "00T000000000001AAA", T0 + timedelta(minutes=5), owner=REP2)
    _run(worker)
    clock = _clock(sqlite_store)
    assert (clock.state, clock.touches) == ("running", 0)


def test_a_task_baton_created_is_no_touch_even_when_the_rep_completes_it(sqlite_store: Store):
    worker, clock, salesforce = _world(sqlite_store)
    _lead(sqlite_store, T0)
    _task(sqlite_store, "00T000000000003AAA", T0 + timedelta(minutes=5), created_by=BATON)
    _run(worker)
    assert (_clock(sqlite_store).state, _clock(sqlite_store).touches) == ("running", 0)
    salesforce.tasks.append(
        {"Id": "00T000000000003AAA", "WhoId": LEAD, "OwnerId": REP, "CreatedById": BATON,
         "CreatedDate": (T0 + timedelta(minutes=5)).isoformat()}
    )  # fmt: skip
    clock.now = T0 + timedelta(hours=1, seconds=1)
    _run(worker)
    assert _clock(sqlite_store).state == "breached", "nor does the deadline's re-read count it"


def test_a_touch_the_outbound_message_missed_is_found_at_the_deadline(sqlite_store: Store):
    worker, clock, salesforce = _world(sqlite_store)
    _lead(sqlite_store, T0)
    _run(worker)
    salesforce.tasks.append(
        {"Id": "00T000000000002AAA", "WhoId": LEAD, "OwnerId": REP,
         "CreatedDate": (T0 + timedelta(minutes=40)).isoformat()}
    )  # fmt: skip
    clock.now = T0 + timedelta(hours=1, seconds=1)
    _run(worker)
    row = _clock(sqlite_store)
    assert (row.state, row.stopped_by, row.touches) == ("met", "task", 1)
    assert row.stopped_at == T0 + timedelta(minutes=40)
    with sqlite_store.session() as session:
        assert session.scalars(select(SlaBreach)).all() == []


def test_the_default_ladder_queues_one_crm_task_for_the_owner(sqlite_store: Store):
    worker, clock, _ = _world(sqlite_store)
    _lead(sqlite_store, T0)
    _run(worker)
    clock.now = T0 + timedelta(hours=2)
    _run(worker)
    assert _clock(sqlite_store).state == "breached"
    with sqlite_store.session() as session:
        assert [b.kind for b in session.scalars(select(SlaBreach))] == ["first_response"]
        (task,) = session.scalars(select(OutboxCommand)).all()
        assert (task.system, task.payload["channel"], task.payload["to_user_id"]) == (
            "notify",
            "crm_task",
            REP,
        )
        steps = [t.status for t in session.scalars(select(Timer).where(Timer.kind == "sla.step"))]
        assert steps == [], "a step due at the breach goes out with it: no timer round trip"


def test_an_open_clock_follows_a_new_person_and_ends_in_a_queue(sqlite_store: Store):
    worker, _, _ = _world(sqlite_store)
    _lead(sqlite_store, T0)
    _lead(sqlite_store, T0 + timedelta(minutes=10), owner=REP2)
    _run(worker)
    clock = _clock(sqlite_store)
    assert (clock.owner_id, clock.state, clock.deadline_at) == (
        REP2,
        "running",
        T0 + timedelta(hours=1),
    )
    _lead(sqlite_store, T0 + timedelta(minutes=20), owner=QUEUE)
    _run(worker)
    assert (_clock(sqlite_store).state, _clock(sqlite_store).stopped_by) == ("ended", "queue")
    _lead(sqlite_store, T0 + timedelta(minutes=30), owner=REP)
    _run(worker)
    again = _clock(sqlite_store)
    assert (again.number, again.owner_id, again.state) == (2, REP, "running")
    assert again.deadline_at == T0 + timedelta(minutes=90)


def test_a_replayed_task_is_counted_once_and_a_lead_not_handed_off_has_no_clock(
    sqlite_store: Store,
):
    worker, _, _ = _world(sqlite_store)
    _event(sqlite_store, ObjectType.LEAD, "00Q7Q000001zzzzUAA", T0, OwnerId=REP, Status="Open")
    _lead(sqlite_store, T0)
    _task(sqlite_store, "00T000000000003AAA", T0 + timedelta(minutes=5))
    _task(sqlite_store, "00T000000000003AAA", T0 + timedelta(minutes=6))  # edited: sent again
    _run(worker)
    with sqlite_store.session() as session:
        leads = [c.lead_id for c in session.scalars(select(SlaClock))]
    assert leads == [LEAD], "the lead a Salesforce user made themselves has no clock"
    clock = _clock(sqlite_store)
    assert (clock.state, clock.touches) == ("met", 1)


def test_the_last_step_reassigns_the_lead_once_and_the_new_owner_gets_a_clock(
    sqlite_store: Store,
):
    worker, clock, _ = _world(sqlite_store, **{"escalation.reassign_at_last_step": True})
    _lead(sqlite_store, T0)
    _run(worker)
    clock.now = T0 + timedelta(hours=2)
    _run(worker)
    first = _clock(sqlite_store)
    assert (first.state, first.stopped_by) == ("ended", "reassigned")
    with sqlite_store.session() as session:
        commands = {c.kind: c for c in session.scalars(select(OutboxCommand))}
        move = commands["update_fields"]
        assert (move.system, move.payload["fields"]) == ("salesforce", {"OwnerId": REP2})
        assert [b.kind for b in session.scalars(select(SlaBreach))] == ["first_response"]
    _lead(sqlite_store, T0 + timedelta(hours=1, minutes=30))  # a late copy: the old owner
    _run(worker)
    assert _clock(sqlite_store).number == 1, "no new promise for the owner it was taken from"
    _lead(sqlite_store, T0 + timedelta(hours=2), owner=REP2)  # Salesforce reports the write
    _run(worker)
    second = _clock(sqlite_store)
    assert (second.number, second.owner_id, second.state) == (2, REP2, "running")
    assert second.started_at == T0 + timedelta(hours=2)
    with sqlite_store.session() as session:
        moves = session.scalars(select(OutboxCommand).where(OutboxCommand.kind == "update_fields"))
        assert len(moves.all()) == 1, "reassigned once"


def test_a_hubspot_meeting_the_webhook_missed_is_found_at_the_deadline(sqlite_store: Store):
    worker, clock, _ = _world(sqlite_store)
    with sqlite_store.session() as session:
        session.add(RecordLink(hubspot_contact_id="101", salesforce_lead_id=LEAD))
    _lead(sqlite_store, T0)
    _run(worker)
    logged = (T0 + timedelta(minutes=20)).isoformat()
    HUBSPOT.meetings[:] = [
        {"id": "901", "hubspot_owner_id": "62", "hs_createdate": logged},  # another rep's
        {
            "id": "902",
            "hubspot_owner_id": "61",
            "hs_createdate": (T0 - timedelta(hours=1)).isoformat(),
        },
        {"id": "903", "hubspot_owner_id": "61", "hs_createdate": logged},
    ]
    try:
        clock.now = T0 + timedelta(hours=1, seconds=1)
        _run(worker)
    finally:
        HUBSPOT.meetings.clear()
    row = _clock(sqlite_store)
    assert (row.state, row.stopped_by, row.touches) == ("met", "meeting", 1)
    assert row.stopped_at == T0 + timedelta(minutes=20)
    with sqlite_store.session() as session:
        assert session.scalars(select(SlaBreach)).all() == []


def test_steps_due_at_the_breach_go_out_with_it_and_later_ones_wait_for_their_timer(
    sqlite_store: Store,
):
    ladder = [
        {"after_business_hours": 0, "notify": "owner", "channels": ["crm_task"]},
        {"after_business_hours": 1, "notify": "owner", "channels": ["crm_task"]},
    ]
    worker, clock, _ = _world(sqlite_store, **{"escalation.ladder": ladder})
    _lead(sqlite_store, T0)
    _run(worker)
    clock.now = T0 + timedelta(hours=1, seconds=1)
    _run(worker)

    def sent() -> list[str]:
        with sqlite_store.session() as session:
            rows = session.scalars(select(OutboxCommand).order_by(OutboxCommand.id))
            return [row.idempotency_key.split(":")[2] for row in rows]

    with sqlite_store.session() as session:
        steps = [t.status for t in session.scalars(select(Timer).where(Timer.kind == "sla.step"))]
    assert (sent(), steps) == (["step0"], ["pending"])
    clock.now = T0 + timedelta(hours=2, seconds=1)
    _run(worker)
    assert sent() == ["step0", "step1"]
