"""Pure parts of the reconciliation pollers: translation, SOQL bounds, pacing, cursors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from itertools import pairwise

import pytest

from connector.config import default_config, with_changes
from connector.events import EventKind, ObjectType, Source
from connector.pollers import PollScheduler, pollers_from_config
from connector.pollers.base import Pacer, PollResult, read_cursor, write_cursor
from connector.pollers.hubspot import TARGETS, hubspot_snapshot_event, parse_hubspot_ms
from connector.pollers.salesforce import (
    modstamp_query,
    salesforce_snapshot_event,
    soql_datetime,
)
from connector.runtime import Runtime
from connector.store import Store


class TestHubSpotTranslation:
    def test_snapshot_event_has_a_stable_id_and_the_modified_time(self) -> None:
        props = {"lifecyclestage": "lead", "lastmodifieddate": "2024-05-01T10:00:00.123Z"}
        event = hubspot_snapshot_event(TARGETS[ObjectType.CONTACT], "77", props, "62515")
        assert event is not None
        assert (event.source, event.kind, event.object_type, event.object_id) == (
            Source.HUBSPOT,
            EventKind.UPDATED,
            ObjectType.CONTACT,
            "77",
        )
        assert event.event_id == "poll:contacts:77:1714557600123"
        assert event.occurred_at == datetime(2024, 5, 1, 10, 0, 0, 123000, tzinfo=UTC)
        assert event.is_snapshot and event.changes["lifecyclestage"] == "lead"
        assert event.changes["hs_lead_status"] is None  # asked for, not set: an explicit None
        again = hubspot_snapshot_event(TARGETS[ObjectType.CONTACT], "77", props, "62515")
        assert again is not None and again.event_id == event.event_id

    def test_deals_use_hs_lastmodifieddate(self) -> None:
        event = hubspot_snapshot_event(
            TARGETS[ObjectType.DEAL], "9", {"hs_lastmodifieddate": "1714557600000"}, None
        )
        assert event is not None and event.object_type is ObjectType.DEAL

    def test_record_without_modified_stamp_is_skipped(self) -> None:
        assert hubspot_snapshot_event(TARGETS[ObjectType.CONTACT], "1", {}, None) is None

    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("1714557600000", 1714557600000),
            ("2024-05-01T10:00:00Z", 1714557600000),
            ("2024-05-01T12:00:00+02:00", 1714557600000),
            ("2024-05-01T10:00:00", None),  # naive: refuse to guess
            ("soon", None),
            (None, None),
            ("", None),
        ],
    )
    def test_parse_hubspot_ms(self, value: str | None, expected: int | None) -> None:
        assert parse_hubspot_ms(value) == expected


class TestSoqlBounds:
    def test_aware_bounds_become_whole_second_utc_literals(self) -> None:
        start = datetime(2024, 5, 1, 12, 0, 0, 500000, tzinfo=timezone(timedelta(hours=2)))
        assert soql_datetime(start) == "2024-05-01T10:00:00Z"
        assert soql_datetime(start, round_up=True) == "2024-05-01T10:00:01Z"

    def test_naive_bound_is_refused(self) -> None:
        with pytest.raises(ValueError, match="timezone-aware"):
            soql_datetime(datetime(2024, 5, 1, 10, 0))

    def test_query_shape(self) -> None:
        start = datetime(2024, 5, 1, 10, tzinfo=UTC)
        query = modstamp_query("Lead", ["Status", "Id"], start, start + timedelta(minutes=5))
        assert query == (
            "SELECT Id, SystemModstamp, LastModifiedById, IsDeleted, Status FROM Lead "
            "WHERE SystemModstamp >= 2024-05-01T10:00:00Z "
            "AND SystemModstamp <= 2024-05-01T10:05:00Z ORDER BY SystemModstamp ASC"
        )

    @pytest.mark.parametrize(("sobject", "fields"), [("Lead;", []), ("Lead", ["Status, Name"])])
    def test_names_are_checked(self, sobject: str, fields: list[str]) -> None:
        with pytest.raises(ValueError):
            modstamp_query(sobject, fields, datetime.now(UTC), datetime.now(UTC))


class TestSalesforceTranslation:
    ROW = {
        "attributes": {"type": "Lead"},
        "Id": "00Q000000000001EAA",
        "SystemModstamp": "2024-05-01T10:00:00.000+0000",
        "LastModifiedById": "005000000000001AAA",
        "IsDeleted": False,
        "Status": "Abierto",
    }

    def test_snapshot(self) -> None:
        event = salesforce_snapshot_event(
            "Lead", self.ROW, organization_id="00D000000000001EAA", integration_user_id=None
        )
        assert event is not None
        assert event.event_id == "poll:Lead:00Q000000000001EAA:2024-05-01T10:00:00.000+0000"
        assert (event.kind, event.object_type) == (EventKind.UPDATED, ObjectType.LEAD)
        assert event.occurred_at == datetime(2024, 5, 1, 10, tzinfo=UTC)
        assert "attributes" not in event.changes and event.changes["Status"] == "Abierto"

    def test_deleted_row_and_echo(self) -> None:
        row = {**self.ROW, "IsDeleted": True}
        event = salesforce_snapshot_event(
            "Lead", row, organization_id=None, integration_user_id="005000000000001"
        )
        assert event is not None and event.kind is EventKind.DELETED and event.is_echo

    def test_row_without_stamp_is_skipped(self) -> None:
        row = {**self.ROW, "SystemModstamp": None}
        assert (
            salesforce_snapshot_event("Lead", row, organization_id=None, integration_user_id=None)
            is None
        )


class FakeTime:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_pacer_spaces_calls_at_the_rate() -> None:
    fake = FakeTime()
    pacer = Pacer(5, clock=fake.clock, sleep=fake.sleep)
    starts = []
    for _ in range(11):
        pacer.wait()
        starts.append(fake.now)
    assert starts[0] == 100.0
    assert all(b - a == pytest.approx(0.2) for a, b in pairwise(starts))
    assert starts[-1] - starts[0] == pytest.approx(2.0)  # 11 calls span 2 s: never over 5/s


def test_pacer_needs_a_positive_rate() -> None:
    with pytest.raises(ValueError):
        Pacer(0)


def test_cursor_round_trip(sqlite_store: Store) -> None:
    with sqlite_store.session() as session:
        assert read_cursor(session, "x") is None
        write_cursor(session, "x", "1")
    with sqlite_store.session() as session:
        write_cursor(session, "x", "2")
    with sqlite_store.session() as session:
        assert read_cursor(session, "x") == "2"


class FakePoller:
    def __init__(self, name: str, interval_s: float, fail: bool = False) -> None:
        self.name = name
        self.interval_s = interval_s
        self.fail = fail
        self.calls: list[datetime] = []

    def poll_once(self, now: datetime) -> PollResult:
        self.calls.append(now)
        if self.fail:
            raise ConnectionError("CRM down")
        return PollResult(self.name, 1, 1, 0, "c")


def test_scheduler_runs_due_pollers_and_survives_failures() -> None:
    fake = FakeTime()
    broken, steady = FakePoller("broken", 10, fail=True), FakePoller("steady", 30)
    off = FakePoller("off", 0)
    scheduler = PollScheduler([broken, steady, off], clock=fake.clock)

    assert [r.name for r in scheduler.run_due()] == ["steady"]
    assert scheduler.last_errors == {"broken": "ConnectionError"}
    fake.now += 10
    scheduler.run_due()
    assert (len(broken.calls), len(steady.calls), len(off.calls)) == (2, 1, 0)
    fake.now += 20
    scheduler.run_due()
    assert (len(broken.calls), len(steady.calls)) == (3, 2)
    assert all(call.tzinfo is not None for call in steady.calls)


def test_pollers_from_config(sqlite_store: Store) -> None:
    config = default_config(database_url=sqlite_store.url)
    runtime = Runtime(config=config, store=sqlite_store)
    names = [
        p.name
        for p in pollers_from_config(runtime, hubspot_client=object(), salesforce_client=object())
    ]
    assert names == [
        "hubspot:contacts", "hubspot:deals",
        "hubspot:calls", "hubspot:emails", "hubspot:meetings", "hubspot:tasks",  # SLA touches
        "salesforce:Lead", "salesforce:Contact", "salesforce:Opportunity", "salesforce:Task",
        "salesforce:Event", "salesforce:OpportunityContactRole",
    ]  # fmt: skip
    assert pollers_from_config(runtime) == []
    no_sla = with_changes(config, {"sla.policies": []})
    hubspot_only_basics = pollers_from_config(
        Runtime(config=no_sla, store=sqlite_store), hubspot_client=object()
    )
    assert [p.name for p in hubspot_only_basics] == ["hubspot:contacts", "hubspot:deals"]
    alone = with_changes(config, {"salesforce.enabled": False})
    hubspot_alone = pollers_from_config(
        Runtime(config=alone, store=sqlite_store), hubspot_client=object()
    )
    assert [p.name for p in hubspot_alone][2:] == [
        "hubspot:calls", "hubspot:emails", "hubspot:meetings", "hubspot:tasks"
    ], "HubSpot alone polls the touches too: its clocks count them"  # fmt: skip
    quiet = with_changes(config, {"hubspot.poll_interval_s": 0})
    only_salesforce = pollers_from_config(
        Runtime(config=quiet, store=sqlite_store),
        hubspot_client=object(),
        salesforce_client=object(),
    )
    assert [p.name.split(":")[0] for p in only_salesforce] == ["salesforce"] * 6
