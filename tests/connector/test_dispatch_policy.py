"""When queued writes go out: a full batch at once, a small one after a short wait."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from connector.dispatch_policy import LingerPolicy

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def queued(seconds_ago: float) -> datetime:
    return NOW - timedelta(seconds=seconds_ago)


@pytest.mark.parametrize(
    ("due", "idle", "expected"),
    [
        ({"salesforce": (200, queued(0))}, False, True),  # a full collection goes at once
        ({"salesforce": (120, queued(0.5))}, True, False),  # waits for company...
        ({"salesforce": (120, queued(1.0))}, True, True),  # ...for one idle second
        ({"salesforce": (120, queued(0.9))}, False, False),  # busy: up to a second as well
        ({"salesforce": (120, queued(1.0))}, False, True),
        ({"hubspot": (100, queued(0))}, False, True),  # HubSpot's batch is 100
        ({"notify": (1, queued(0))}, False, True),  # kinds without batches go at once
        ({}, True, False),
    ],
)
def test_full_batches_go_at_once_small_ones_after_a_short_wait(due, idle, expected):
    assert LingerPolicy().is_due(due, NOW, idle) is expected


@pytest.mark.parametrize(
    ("due", "expected"),
    [
        # while more are coming, full batches only: the remainder waits for company
        ({"hubspot": (263, queued(0.2)), "salesforce": (150, queued(0.2))}, {"hubspot": 200}),
        ({"salesforce": (401, queued(0.5))}, {"salesforce": 400}),
        # a remainder that waited its second goes, and so does a full batch beside it
        (
            {"hubspot": (63, queued(1.2)), "salesforce": (200, queued(0))},
            {"hubspot": 63, "salesforce": 200},
        ),
        ({"hubspot": (99, queued(0.1))}, {}),
    ],
)
def test_a_burst_is_sent_in_full_batches(due, expected):
    assert LingerPolicy().quotas(due, NOW, idle=False) == expected


def test_only_the_systems_due_are_claimed_and_only_their_quota(sqlite_store):
    from connector.commands import SetStage, System
    from connector.outbox import enqueue
    from connector.store.models import OutboxCommand
    from tests.sync.harness import Loop

    loop = Loop(sqlite_store)
    with sqlite_store.session() as s:
        for index in range(5):
            for system, key in (
                (System.HUBSPOT, "hubspot:contact"),
                (System.SALESFORCE, "salesforce:lead"),
            ):
                enqueue(
                    s,
                    SetStage(
                        system,
                        f"{key}:{index}",
                        f"k-{system}-{index}",
                        NOW.isoformat(),
                        object_type="x",
                        object_id=str(index),
                        field_name="f",
                        value="v",
                    ),
                )
    assert loop.worker.dispatcher.dispatch(datetime.now(UTC), quotas={"hubspot": 3}) == 3
    with sqlite_store.session() as s:
        touched = (
            s.execute(select(OutboxCommand.system).where(OutboxCommand.attempts > 0))
            .scalars()
            .all()
        )
    assert touched == ["hubspot"] * 3


def test_the_long_running_loop_holds_a_small_batch_back_and_then_sends_it(sqlite_store):
    from tests.sync.harness import Loop

    loop = Loop(sqlite_store)
    lead_id = loop.handed_off_pair("101")
    offset = [timedelta(0)]  # real time (the outbox stamps rows with it), moved on at will
    loop.worker.clock = lambda: datetime.now(UTC) + offset[0]
    loop.hubspot.ui_set("101", lifecyclestage="salesqualifiedlead")
    loop.deliver(loop.hubspot.take_events())
    loop.worker.run_once(flush=False)  # handles the event, queues one write, holds it
    loop.worker.run_once(flush=False)
    assert loop.salesforce.records[lead_id]["Status"] == "Open - Not Contacted"
    offset[0] += timedelta(seconds=1.5)  # the write has waited an idle second
    loop.worker.run_once(flush=False)
    assert loop.salesforce.records[lead_id]["Status"] == "Working - Contacted"
