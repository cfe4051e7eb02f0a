"""A worker killed while a write was in flight: the restart takes its claims back at once and
reads back before sending again, so a write that had landed is not repeated (and one that had
not is sent). Real worker, dispatcher and store; the fake CRMs of tests/sync count the writes."""

from __future__ import annotations

import socket
import subprocess
import sys
from datetime import timedelta

import pytest
from sqlalchemy import select

from connector import heartbeats
from connector.commands import command_from_payload
from connector.dispatcher import Dispatcher
from connector.leases import claim_due_commands
from connector.metrics import Metrics
from connector.store.models import AuditEntry, OutboxCommand
from connector.worker import Worker
from tests.sync.harness import Loop


def _dead_owner() -> str:
    """The owner name a worker process of this machine had, after that process ended."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return f"{socket.gethostname()}:{child.pid}:1:dead"


def _killed_mid_write(loop: Loop, *, landed: bool) -> str:
    """A marketer moves the contact on; a worker claims the Lead's write and dies mid-call."""
    lead_id = loop.handed_off_pair("301")
    loop.hubspot.ui_set("301", lifecyclestage="salesqualifiedlead")
    loop.deliver(loop.hubspot.take_events())
    loop.worker.process_events()
    with loop.store.session() as session:
        (row,) = claim_due_commands(session, _dead_owner(), loop.clock(), timedelta(minutes=2), 10)
        command = command_from_payload(row.kind, row.payload)
    if landed:  # the CRM took the write; the answer never reached the store
        loop.salesforce.execute([command])
    return lead_id


def _restarted(loop: Loop, metrics: Metrics) -> Worker:
    readers = loop.worker.processor.readers
    dispatcher = Dispatcher(loop.store, readers, "restarted", metrics, readers=readers)
    return Worker(
        loop.store, loop.worker.processor, dispatcher, metrics, "restarted", clock=loop.clock
    )


@pytest.mark.parametrize("landed", [True, False])
def test_a_write_in_flight_at_a_kill_is_read_back_not_blindly_repeated(sqlite_store, landed):
    loop = Loop(sqlite_store)
    lead_id = _killed_mid_write(loop, landed=landed)
    writes_before = [w for w in loop.salesforce.writes if w[0] == lead_id]
    metrics = Metrics()
    worker = _restarted(loop, metrics)

    assert worker.take_back_claims() == 1, "the dead process's claim comes back at once"
    # ... and is read back once what the dead process had sent has had time to land
    assert worker.dispatcher.dispatch(loop.clock.now) == 0
    assert worker.dispatcher.dispatch(loop.clock.now + heartbeats.IN_FLIGHT_GRACE) == 1

    writes_after = [w for w in loop.salesforce.writes if w[0] == lead_id]
    assert loop.salesforce.records[lead_id]["Status"] == "Working - Contacted"
    assert len(writes_after) == len(writes_before) + (0 if landed else 1)
    result = "landed" if landed else "resent"
    counted = metrics.registry.get_sample_value(
        "baton_in_doubt_writes_total",
        {"system": "salesforce", "kind": "set_stage", "result": result},
    )
    assert counted == 1
    with loop.store.session() as session:
        row = session.scalars(select(OutboxCommand).where(OutboxCommand.status == "done")).all()
        assert all(r.lease_owner is None for r in row)
        lines = session.scalars(
            select(AuditEntry.summary).where(AuditEntry.summary.like("in doubt (%"))
        )
        (line,) = list(lines)
    assert ("not sent again" in line) is landed
    loop.settle()  # the echo of the landed write is Baton's own: nothing more is written
    assert len([w for w in loop.salesforce.writes if w[0] == lead_id]) == len(writes_after)


def test_a_live_workers_claims_stay_with_it(sqlite_store):
    loop = Loop(sqlite_store)
    loop.handed_off_pair("302")
    loop.hubspot.ui_set("302", lifecyclestage="salesqualifiedlead")
    loop.deliver(loop.hubspot.take_events())
    loop.worker.process_events()
    with loop.store.session() as session:
        (_row,) = claim_due_commands(
            session, "elsewhere:1:x", loop.clock(), timedelta(minutes=2), 9
        )
    worker = _restarted(loop, Metrics())
    assert worker.take_back_claims() == 0
    assert worker.dispatcher.dispatch(loop.clock()) == 0, "leased by a worker that may live"
