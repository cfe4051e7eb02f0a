"""The worker handles many records per transaction and settles echoes set-based (issue 14).

These pin what batching must not change: every event ends as it would one record at a time
(status, outcome, audit line, own-write memory spent), a record that needs a CRM read is
handled alone with the read outside the transaction, and the leases are exclusive.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import event, func, select

from connector.leases import release_records, try_lease_records
from connector.store.models import AuditEntry, InboxEvent, OwnWrite, RecordLease
from tests.sync.fakes import FakeHubSpot
from tests.sync.harness import Loop

SQL = "salesqualifiedlead"


def _linked_pairs(loop: Loop, count: int) -> list[tuple[str, str]]:
    pairs = []
    for index in range(count):
        contact = str(500 + index)
        known = set(loop.salesforce.records)
        loop.hubspot.ui_set(contact, email=f"{contact}@acme.nl", lastname="Visser", company="Acme")
        loop.hubspot.ui_set(contact, lifecyclestage="marketingqualifiedlead")
        loop.settle()
        (lead,) = set(loop.salesforce.records) - known
        pairs.append((contact, lead))
    return pairs


def test_echoes_are_settled_in_bulk_as_one_by_one_would(sqlite_store):
    loop = Loop(sqlite_store)
    pairs = _linked_pairs(loop, 3)
    for contact, _ in pairs:
        loop.hubspot.ui_set(contact, lifecyclestage=SQL)
    loop.deliver(loop.hubspot.take_events())
    assert loop.worker.run_until_idle()
    echoes = loop.salesforce.take_events()
    assert len(echoes) == 3 and all(e.is_echo for e in echoes)
    with sqlite_store.session() as s:
        remembered = s.scalar(select(func.count()).select_from(OwnWrite)) or 0
    loop.deliver(echoes)
    statements = []
    event.listen(sqlite_store.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    assert loop.worker.process_events() == 3
    with sqlite_store.session() as s:
        rows = s.scalars(select(InboxEvent).where(InboxEvent.is_echo.is_(True))).all()
        settled = [r for r in rows if r.event_id in {e.event_id for e in echoes}]
        assert {(r.status, r.outcome, r.attempts) for r in settled} == {
            ("skipped", "echo of Baton's own write", 1)
        }
        lines = s.scalars(
            select(AuditEntry.summary).where(AuditEntry.event_id.in_([r.id for r in settled]))
        ).all()
        assert lines == ["salesforce Lead -> skipped: echo of Baton's own write"] * 3
        # the memories of the three Status writes are spent, nothing else
        left = s.scalar(select(func.count()).select_from(OwnWrite)) or 0
        assert left == remembered - 3
    # one UPDATE and one audit insert for the three, not a pass per record
    assert sum(st.startswith("UPDATE inbox_events") for st in statements) == 1
    assert sum(st.startswith("SAVEPOINT") for st in statements) == 1
    assert loop.settle() == 1  # and nothing left to do: no ping-pong


def test_a_genuine_change_among_echoes_is_still_decided(sqlite_store):
    loop = Loop(sqlite_store)
    (contact, lead), (other, _) = _linked_pairs(loop, 2)
    loop.hubspot.ui_set(contact, lifecyclestage=SQL)
    loop.deliver(loop.hubspot.take_events())
    assert loop.worker.run_until_idle()
    # the echo of the write to the lead, and a rep's change of that same lead, together
    loop.salesforce.ui_set(lead, Status="Qualified")
    loop.deliver(loop.salesforce.take_events())
    loop.settle()
    assert loop.hubspot.records[contact]["lifecyclestage"] == "opportunity"
    assert loop.hubspot.records[other]["lifecyclestage"] == "marketingqualifiedlead"


def test_a_record_needing_a_crm_read_is_handled_alone_beside_a_batch(sqlite_store):
    loop = Loop(sqlite_store)
    ((contact, _),) = _linked_pairs(loop, 1)
    loop.hubspot.ui_set(contact, lifecyclestage=SQL)
    loop.hubspot.ui_set("900", email="900@acme.nl", lastname="Jansen", company="Acme BV")
    loop.hubspot.ui_set("900", lifecyclestage="marketingqualifiedlead")  # a hand-off: reads
    reads_in_transaction = []
    hubspot: FakeHubSpot = loop.hubspot
    read = hubspot.read

    def watched(*args):
        reads_in_transaction.append(sqlite_store.engine.pool.checkedout())
        return read(*args)

    hubspot.read = watched  # type: ignore[method-assign]
    loop.settle()
    assert reads_in_transaction and not any(reads_in_transaction)  # no connection held
    assert len(loop.salesforce.records) == 2  # the new lead was created
    lead = next(r for r in loop.salesforce.records.values() if r.get("Email") == "900@acme.nl")
    assert lead["Status"] == "Open - Not Contacted"


def test_records_are_leased_in_bulk_exclusively(store):
    from datetime import UTC, datetime

    now, ttl = datetime(2026, 12, 3, 9, 0, tzinfo=UTC), timedelta(seconds=30)
    keys = ["hubspot:contact:1", "hubspot:contact:2", "hubspot:contact:3"]
    with store.session() as s:
        assert try_lease_records(s, keys[:2], "w1", now, ttl) == keys[:2]
    with store.session() as s:  # w2 wins only the free one; w1 renews its own
        assert try_lease_records(s, keys, "w2", now, ttl) == keys[2:]
        assert try_lease_records(s, keys, "w1", now, ttl) == keys[:2]
    with store.session() as s:  # w1's leases run out: w2 takes them over
        later = now + timedelta(seconds=31)
        assert try_lease_records(s, keys, "w2", later, ttl) == keys
        release_records(s, keys[:1], "w1")  # not w1's any more: nothing released
        assert s.scalar(select(func.count()).select_from(RecordLease)) == 3
        release_records(s, keys, "w2")
        assert s.scalar(select(func.count()).select_from(RecordLease)) == 0


def test_one_result_that_cannot_be_recorded_does_not_lose_the_others(sqlite_store, monkeypatch):
    from connector.dispatcher import Dispatcher
    from connector.store.models import OutboxCommand

    loop = Loop(sqlite_store)
    (bad, bad_lead), (good, good_lead) = _linked_pairs(loop, 2)
    for contact in (bad, good):
        loop.hubspot.ui_set(contact, lifecyclestage=SQL)
    loop.deliver(loop.hubspot.take_events())
    loop.worker.process_events()
    footprint = Dispatcher._leave_footprint

    def broken(self, session, command, result, now):
        if command.record_key.endswith(bad_lead):
            raise RuntimeError("store trouble")
        return footprint(self, session, command, result, now)

    monkeypatch.setattr(Dispatcher, "_leave_footprint", broken)
    assert loop.worker.dispatcher.dispatch(loop.clock()) == 2
    with sqlite_store.session() as s:
        rows = s.scalars(select(OutboxCommand).where(OutboxCommand.kind == "set_stage")).all()
        status = {row.record_key.rsplit(":", 1)[1]: row.status for row in rows}
    assert status == {bad_lead: "pending", good_lead: "done"}


def test_a_leased_record_whose_events_another_worker_took_is_passed_over(sqlite_store):
    """Found on PostgreSQL with two workers: the record was leased, its events were gone."""
    loop = Loop(sqlite_store)
    ((contact, _),) = _linked_pairs(loop, 1)
    loop.hubspot.ui_set(contact, lifecyclestage=SQL)
    loop.deliver(loop.hubspot.take_events())
    key = f"hubspot:contact:{contact}"
    assert loop.worker._process_chunk(["hubspot:contact:gone", key]) == 1


def test_genuine_changes_of_a_chunk_share_one_savepoint(sqlite_store):
    loop = Loop(sqlite_store)
    pairs = _linked_pairs(loop, 4)
    for contact, _ in pairs:
        loop.hubspot.ui_set(contact, lifecyclestage=SQL)
    loop.deliver(loop.hubspot.take_events())
    statements: list[str] = []
    event.listen(sqlite_store.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    assert loop.worker.process_events() == 4
    assert sum(st.startswith("SAVEPOINT") for st in statements) == 1
    loop.settle()
    for _, lead in pairs:
        assert loop.salesforce.records[lead]["Status"] == "Working - Contacted"


def test_a_failing_record_in_a_chunk_fails_alone_and_the_others_are_kept(sqlite_store, monkeypatch):
    from connector.jobs.runner import JobRunner
    from connector.metrics import Metrics

    loop = Loop(sqlite_store)
    pairs = _linked_pairs(loop, 4)
    for contact, _ in pairs:
        loop.hubspot.ui_set(contact, lifecyclestage=SQL)
    loop.deliver(loop.hubspot.take_events())
    bad = f"hubspot:contact:{pairs[2][0]}"
    handle = JobRunner.handle

    def broken(self, session, event, now):
        if event.record_key == bad:
            raise RuntimeError("rule trouble")
        return handle(self, session, event, now)

    monkeypatch.setattr(JobRunner, "handle", broken)
    metrics = Metrics()
    loop.worker.metrics = metrics
    assert loop.worker.process_events() == 3
    with sqlite_store.session() as s:
        rows = s.scalars(select(InboxEvent).where(InboxEvent.status != "skipped")).all()
        by_key = {r.record_key: r for r in rows if r.record_key.startswith("hubspot:contact:")}
        assert by_key[bad].status == "pending" and by_key[bad].attempts == 1
        assert "rule trouble" in by_key[bad].outcome
        done = [k for k, r in by_key.items() if k != bad and r.processed_at is not None]
        assert len(done) >= 3
        errors = s.scalars(select(AuditEntry).where(AuditEntry.step == "error")).all()
        assert [e.record_key for e in errors] == [bad]
    counted = {
        sample.labels["outcome"]: sample.value
        for family in metrics.events_processed.collect()
        for sample in family.samples
        if sample.name.endswith("_total")
    }
    assert counted.get("error") == 1
    assert counted.get("done", 0) + counted.get("skipped", 0) == 3


def _dispatch_statements(store, pairs: int) -> int:  # type: ignore[no-untyped-def]
    loop = Loop(store)
    for contact, _ in _linked_pairs(loop, pairs):
        loop.hubspot.ui_set(contact, lifecyclestage=SQL)
    loop.deliver(loop.hubspot.take_events())
    loop.worker.process_events()
    statements: list[str] = []
    listener = lambda *a: statements.append(a[2])  # noqa: E731
    event.listen(store.engine, "before_cursor_execute", listener)
    assert loop.worker.dispatcher.dispatch(loop.clock()) == pairs
    event.remove(store.engine, "before_cursor_execute", listener)
    return len(statements)


def test_a_dispatch_batch_records_its_results_in_statements_that_do_not_grow_with_it(tmp_path):
    from connector.store import Store, upgrade

    counts = []
    for pairs in (2, 6):
        url = f"sqlite:///{tmp_path}/dispatch-{pairs}.db"
        upgrade(url)
        store = Store(url)
        counts.append(_dispatch_statements(store, pairs))
        store.dispose()
    assert counts[0] == counts[1], counts


def test_a_record_needing_a_read_leaves_the_rest_of_its_chunk_at_once(sqlite_store):
    """One hand-off in a chunk of changes: set aside for its reads, the others stay batched."""
    loop = Loop(sqlite_store)
    pairs = _linked_pairs(loop, 6)
    for contact, _ in pairs[:3]:
        loop.hubspot.ui_set(contact, lifecyclestage=SQL)
    loop.hubspot.ui_set("900", email="900@acme.nl", lastname="Jansen", company="Acme BV")
    loop.hubspot.ui_set("900", lifecyclestage="marketingqualifiedlead")  # a hand-off: reads
    for contact, _ in pairs[3:]:
        loop.hubspot.ui_set(contact, lifecyclestage=SQL)
    loop.deliver(loop.hubspot.take_events())
    statements: list[str] = []
    listener = lambda *a: statements.append(a[2])  # noqa: E731
    event.listen(sqlite_store.engine, "before_cursor_execute", listener)
    with sqlite_store.session() as s:
        waiting = s.scalar(select(func.count()).where(InboxEvent.status == "pending"))
    assert loop.worker.process_events() == waiting
    event.remove(sqlite_store.engine, "before_cursor_execute", listener)
    # the chunk, the three before the hand-off again, the three after it at once (before: one
    # savepoint per record after the hand-off); then the hand-off's own passes as its reads
    # come in (its contact, then the Contact and the Lead looked up by e-mail)
    assert sum(st.startswith("SAVEPOINT") for st in statements) == 3 + 3
    loop.settle()
    for _, lead in pairs:
        assert loop.salesforce.records[lead]["Status"] == "Working - Contacted"
    assert any(r.get("Email") == "900@acme.nl" for r in loop.salesforce.records.values())
