"""A chunk of Salesforce Lead changes reads its SLA clocks once (``SlaJob.preload``) and decides
each one as the job does one by one, including a lead whose clock the chunk itself starts."""

from __future__ import annotations

from sqlalchemy import event, select

from connector import inbox
from connector.events import ChangeEvent, EventKind, ObjectType, Source
from connector.store import Store
from connector.store.models import InboxEvent, SlaClock
from tests.jobs.test_sla_bulk import CASES, HS_ID, WORKING, _seed
from tests.jobs.test_sla_job import REP, T0, _world

STARTED_TWICE = "00Q000000000003AAA"  # starts in its first change, is worked in its second


def _genuine(store: Store) -> None:
    """The echoes of ``test_sla_bulk`` as a rep's own changes, and a second change for one."""
    _seed(store)
    with store.session() as session:
        for row in session.scalars(select(InboxEvent)):
            row.is_echo, row.actor = False, REP
        second = ChangeEvent(
            Source.SALESFORCE,
            EventKind.UPDATED,
            ObjectType.LEAD,
            STARTED_TWICE,
            "worked",
            T0.replace(minute=5),
            {
                "Id": STARTED_TWICE,
                "IsConverted": "false",
                "OwnerId": REP,
                "Status": WORKING,
                HS_ID: "7",
            },
            is_snapshot=True,
            actor=REP,
            provider_type="Lead",
        )
        inbox.append(session, [second])


def _outcomes(store: Store) -> tuple[dict[str, tuple[str, str]], list[tuple[str, int, str]]]:
    with store.session() as session:
        ended = {e.event_id: (e.status, e.outcome) for e in session.scalars(select(InboxEvent))}
        clocks = [
            (c.lead_id, c.number, c.state)
            for c in session.scalars(select(SlaClock).order_by(SlaClock.lead_id, SlaClock.number))
        ]
    return ended, clocks


def test_a_chunk_reads_its_clocks_once_and_decides_as_one_by_one(tmp_path, monkeypatch) -> None:
    from connector import preload
    from connector.store import upgrade

    results = []
    # one chunk of every lead; one lead per chunk; one chunk read without any preload
    for chunk, preloaded in ((50, True), (1, True), (50, False)):
        if not preloaded:
            monkeypatch.setattr(preload, "preloadable", lambda _events: False)
        url = f"sqlite:///{tmp_path}/sla-{chunk}-{preloaded}.db"
        upgrade(url)
        store = Store(url)
        _genuine(store)
        worker, _clock, _sf = _world(store)
        worker.records_per_transaction = chunk
        seen: list[str] = []
        event.listen(store.engine, "before_cursor_execute", lambda *a, seen=seen: seen.append(a[2]))
        while worker.process_events():
            pass
        clock_reads = [s for s in seen if s.startswith("SELECT sla_clocks")]
        results.append((_outcomes(store), len(clock_reads)))
        store.dispose()
    (together, reads_together), (alone, reads_alone), (plain, reads_plain) = results
    assert together == alone == plain
    assert reads_together == 1 and reads_alone == len(CASES) and reads_plain > len(CASES)
    ended, clocks = together
    assert ended["worked"][0] == "done"
    assert [(n, state) for lead, n, state in clocks if lead == STARTED_TWICE] == [(1, "met")]
