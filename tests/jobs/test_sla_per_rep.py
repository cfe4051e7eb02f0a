"""The per-rep ladder through the real worker and store, with a Salesforce stand-in and a fake
clock: the place of each miss in its period, who it reaches, the numbers it carries, a replay,
and the reset at a new period. The sandbox-driven journey is in tests/integration/test_sla.py.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from connector import inbox
from connector.commands import Notify, System, command_from_payload
from connector.config import default_config, with_changes
from connector.dispatcher import Dispatcher
from connector.events import ChangeEvent, EventKind, ObjectType, Source
from connector.jobs.runner import JobRunner
from connector.jobs.sla.calendar import BusinessTime
from connector.jobs.sla.job import SlaJob
from connector.jobs.sla.rules import period_of
from connector.ports import CrmRecord
from connector.store import Store
from connector.store.models import OutboxCommand, SlaRepMiss
from connector.worker import Worker

MONDAY = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
REP, MANAGER, DIRECTOR = "0057Q000002RmA1QAK", "0057Q000002RmM1QAK", "0057Q000002RmD1QAK"
DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_ids = itertools.count(1)


class Salesforce:
    """Users without ManagerId (escalation.managers names the chain); no activities."""

    system = System.SALESFORCE

    def read(self, object_type: str, ids: Any, fields: Any) -> dict[str, CrmRecord]:
        return {i: CrmRecord("User", i, {"IsActive": True, "ManagerId": None}) for i in ids}

    def find_by_email(self, object_type: str, email: str, fields: Any) -> list[CrmRecord]:
        return []

    def activities_of(self, who_id: str) -> list[CrmRecord]:
        return []


class Clock:
    def __init__(self) -> None:
        self.now = MONDAY

    def __call__(self) -> datetime:
        return self.now


def _world(store: Store, steps: list[str] | None = None) -> tuple[Worker, Clock]:
    config = with_changes(
        default_config(),
        {
            "hubspot.enabled": False,
            "routing.teams": {"inbound": {"members": [REP]}},
            "routing.rules": [{"name": "everyone", "when": [], "team": "inbound"}],
            "sla.calendar": {
                "timezone": "Europe/Amsterdam",
                "working_hours": {day: "00:00-24:00" for day in DAYS},
                "holidays": {"country": None},
            },
            "sla.policies": [
                {"name": "fast", "applies_to": "all", "first_response_business_hours": 1}
            ],
            "escalation.ladder": [],
            "escalation.managers": {REP: MANAGER, MANAGER: DIRECTOR},
            "escalation.per_rep": {"steps": steps or ["manager", "director"]},
        },
    )
    clock = Clock()
    job = SlaJob(config, BusinessTime(config.sla.calendar))
    runner = JobRunner((job,), {System.SALESFORCE: Salesforce()})
    return Worker(store, runner, Dispatcher(store, {}, "t"), owner="t", clock=clock), clock


def _lead(store: Store, lead_id: str, at: datetime) -> None:
    event = ChangeEvent(
        source=Source.SALESFORCE,
        kind=EventKind.UPDATED,
        object_type=ObjectType.LEAD,
        object_id=lead_id,
        event_id=f"n{next(_ids)}",
        occurred_at=at,
        changes={"Id": lead_id, "OwnerId": REP, "Status": "Open - Not Contacted"},
        is_snapshot=True,
    )
    with store.session() as session:
        inbox.append(session, [event])


def _lead_id(n: int) -> str:
    return f"00Q7Q00000{n:04d}aUAA"


def _miss_at(store: Store, worker: Worker, clock: Clock, n: int, at: datetime) -> None:
    """Lead ``n`` handed to the rep at ``at``; its deadline (1 h) passes without a touch."""
    clock.now = at
    _lead(store, _lead_id(n), at)
    for _ in range(3):
        worker.run_once()
    clock.now = at + timedelta(hours=1, seconds=1)
    for _ in range(3):
        worker.run_once()


def _rep_notices(store: Store) -> list[Notify]:
    with store.session() as session:
        rows = session.scalars(
            select(OutboxCommand)
            .where(OutboxCommand.idempotency_key.like("%:rep:%"))
            .order_by(OutboxCommand.id)
        )
        return [command_from_payload(row.kind, row.payload) for row in rows]  # type: ignore[misc]


def test_first_miss_tells_the_manager_second_the_director_third_the_director_again(store: Store):
    worker, clock = _world(store)
    for n, hours in enumerate((0, 2, 4)):
        _miss_at(store, worker, clock, n, MONDAY + timedelta(hours=hours))
    notices = _rep_notices(store)
    assert [(n.rep_miss, n.role, n.to_user_id) for n in notices] == [
        (1, "manager", MANAGER),
        (2, "director", DIRECTOR),
        (3, "director", DIRECTOR),
    ]
    assert {n.period for n in notices} == {"2026-W50"}
    assert [n.idempotency_key for n in notices] == [f"sla:{i}:rep:email" for i in (1, 2, 3)], (
        "one notice per missed clock and channel"
    )
    third = notices[-1]
    # three clocks this week, none met, three missed; the third's own clock is still open
    assert (third.period_leads, third.period_met, third.period_missed, third.open_leads) == (
        3,
        0,
        3,
        3,
    )
    assert third.owner_id == REP and third.lead_id == _lead_id(2)


def test_a_new_week_starts_the_count_again_on_the_calendars_clock(store: Store):
    worker, clock = _world(store)
    _miss_at(store, worker, clock, 1, MONDAY)
    _miss_at(store, worker, clock, 2, MONDAY + timedelta(hours=3))
    # Sunday 21:30 UTC is 22:30 CET: its deadline, 23:30 CET, is still in week 50
    sunday_late = datetime(2026, 12, 13, 21, 30, tzinfo=UTC)
    _miss_at(store, worker, clock, 3, sunday_late)  # deadline Sunday 23:30 CET: week 50
    _miss_at(store, worker, clock, 4, sunday_late + timedelta(hours=1))  # Monday 00:30 CET
    got = [(n.period, n.rep_miss, n.role) for n in _rep_notices(store)]
    assert got == [
        ("2026-W50", 1, "manager"),
        ("2026-W50", 2, "director"),
        ("2026-W50", 3, "director"),
        ("2026-W51", 1, "manager"),
    ]


def test_a_replayed_deadline_keeps_the_place_it_took(store: Store):
    worker, clock = _world(store)
    _miss_at(store, worker, clock, 1, MONDAY)
    with store.session() as session:
        (row,) = session.scalars(select(SlaRepMiss)).all()
        assert (row.owner_id, row.period, row.ordinal) == (REP, "2026-W50", 1)
    for _ in range(3):
        worker.run_once()  # nothing left to do: no second place, no second notice
    assert len(_rep_notices(store)) == 1


def test_a_missing_director_is_skipped_and_an_address_step_is_reached(sqlite_store: Store):
    worker, clock = _world(sqlite_store, steps=["manager", "revops@example.com"])
    _miss_at(sqlite_store, worker, clock, 1, MONDAY)
    _miss_at(sqlite_store, worker, clock, 2, MONDAY + timedelta(hours=2))
    notices = _rep_notices(sqlite_store)
    assert [(n.role, n.to_user_id, n.to_address) for n in notices] == [
        ("manager", MANAGER, None),
        ("address", None, "revops@example.com"),
    ]


def test_periods_are_weeks_or_months_on_the_local_clock():
    zone = ZoneInfo("Europe/Amsterdam")
    week = period_of(datetime(2026, 12, 13, 23, 30, tzinfo=UTC), zone, "week")
    assert (week.code, week.start, week.end) == (
        "2026-W51",
        datetime(2026, 12, 13, 23, 0, tzinfo=UTC),
        datetime(2026, 12, 20, 23, 0, tzinfo=UTC),
    )
    month = period_of(datetime(2026, 3, 31, 22, 30, tzinfo=UTC), zone, "month")
    assert (month.code, month.start, month.end) == (
        "2026-04",
        datetime(2026, 3, 31, 22, 0, tzinfo=UTC),  # CEST: April starts at 22:00 UTC
        datetime(2026, 4, 30, 22, 0, tzinfo=UTC),
    )
    change = period_of(datetime(2026, 10, 22, 12, 0, tzinfo=UTC), zone, "week")
    assert (change.code, change.start, change.end) == (
        "2026-W43",
        datetime(2026, 10, 18, 22, 0, tzinfo=UTC),  # Monday 00:00 CEST
        datetime(2026, 10, 25, 23, 0, tzinfo=UTC),  # the next Monday 00:00 CET: a 169-hour week
    )
