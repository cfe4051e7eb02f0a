"""The worker: process inbox events per record, in order, then dispatch the outbox.

Any number of workers may run against PostgreSQL: a record's events are taken under an expiring
lease (``connector.leases``), so one record is handled by one worker at a time. A running worker
beats (``connector.heartbeats``); a killed worker's records and commands are taken back once its
heartbeat expires (seconds), or at once when it was a process of this machine (a restart).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, or_, select, update
from sqlalchemy.orm import Session

from connector import audit, heartbeats, preload, timers
from connector.dispatch_policy import LingerPolicy, due_writes
from connector.dispatcher import Dispatcher
from connector.events import EventKind, utcnow
from connector.jobs.runner import JobRunner, Result
from connector.leases import records_with_pending_events, release_records, try_lease_records
from connector.metrics import Metrics
from connector.prefetch import NeedsRead, fetch_together, prefetching
from connector.privacy.fields import pseudonymize_text
from connector.runtime import Runtime
from connector.store import Store, batched
from connector.store.models import InboxEvent, OutboxCommand, Timer
from connector.store.strong import keep_loaded

log = logging.getLogger(__name__)

#: an event that keeps failing is parked after this many tries (kept for `baton explain`)
MAX_EVENT_ATTEMPTS = 5
DEFER = timedelta(seconds=2)
#: at equal occurrence times, identity changes (a merge) apply before property changes: HubSpot
#: stamps a merge and the property changes it causes with the same occurredAt
_IDENTITY_FIRST = case((InboxEvent.kind == EventKind.MERGED.value, 0), else_=1)
#: CRM reads one record pass may need (hand-off: contact, then the e-mail lookups)
MAX_READS_PER_PASS = 8
#: how often a worker makes sure the standing timers exist (one SELECT per job timer)
STANDING_EVERY = timedelta(minutes=1)


@dataclass
class Worker:
    """One worker loop; construct with :meth:`from_runtime` or directly in tests."""

    store: Store
    #: the registered jobs (``connector.jobs.registry``); every event of a record goes through it
    processor: JobRunner
    dispatcher: Dispatcher
    metrics: Metrics | None = None
    owner: str = field(default_factory=heartbeats.owner_name)
    lease_ttl: timedelta = timedelta(seconds=60)
    clock: Callable[[], datetime] = utcnow
    linger: LingerPolicy = field(default_factory=LingerPolicy)
    _standing_checked: datetime | None = field(default=None, init=False, repr=False)
    #: how often the loop takes back the claims of dead workers
    take_back_every_s: float = 1.0
    #: records handled in one transaction (each in its own savepoint); 1 = one per transaction
    records_per_transaction: int = 50

    def __post_init__(self) -> None:
        heartbeats.register_live(self.owner)
        heartbeats.register_live(self.dispatcher.owner)

    @classmethod
    def from_runtime(cls, runtime: Runtime) -> Worker:
        """Wire adapters and the registered jobs from the runtime's config."""
        from adapters.registry import build_readers, build_writers
        from connector.jobs.registry import build_runner

        clients = runtime.clients()
        readers = build_readers(runtime.config, runtime.metrics, clients=clients)
        writers = build_writers(runtime.config, runtime.metrics, clients=clients)
        owner = heartbeats.owner_name(threading.get_ident())
        processor = build_runner(runtime.config, readers)
        dispatcher = Dispatcher(
            runtime.store,
            writers,
            owner,
            runtime.metrics,
            observe=runtime.config.service.observe,
            readers=readers,
        )
        return cls(runtime.store, processor, dispatcher, runtime.metrics, owner)

    def process_events(self, limit: int = 100) -> int:
        """Handle due events of up to ``limit`` records; return how many events were handled.

        The records are leased in one transaction (two statements, ``leases.try_lease_records``)
        and handled ``records_per_transaction`` at a time, each record in its own savepoint of
        the chunk's transaction: per-record BEGIN/COMMIT and lease statements were most of the
        cost of an event (docs/BENCHMARKS.md, worker burst).
        """
        now = self.clock()
        with self.store.session() as session:
            keys = records_with_pending_events(session, now, limit, self.owner)
            leased = try_lease_records(session, keys, self.owner, now, self.lease_ttl)
        handled = 0
        try:
            step = max(1, self.records_per_transaction)
            for start in range(0, len(leased), step):
                handled += self._process_chunk(leased[start : start + step])
        finally:
            with self.store.session() as session:
                release_records(session, leased, self.owner)
        return handled

    def _process_chunk(self, keys: list[str]) -> int:
        """Handle several records in one transaction; a record that needs a CRM read is rolled
        back to its savepoint and handled on its own afterwards, outside this transaction."""
        processor = replace(self.processor, readers=prefetching(self.processor.readers, {}))
        handled = 0
        with self.store.session() as session:
            keep_loaded(session)  # each record's state is read several times in its pass
            now = self.clock()
            pending = self._pending_events(session, keys, now)
            # a record whose events another worker took meanwhile has none here: not in bulk
            bulk = [
                k
                for k in keys
                if pending.get(k) and all(map(processor.settles_in_bulk, pending[k]))
            ]
            if bulk:
                settled = self._settle_in_bulk(session, [e for k in bulk for e in pending[k]], now)
                handled += sum(len(pending[k]) for k in settled)
                keys = [k for k in keys if k not in settled]
            done, needs = self._apply_at_once(session, keys, pending, processor, now)
            handled += done
        return handled + self._process_records_with_reads(needs)

    def _apply_at_once(
        self,
        session: Session,
        keys: list[str],
        pending: dict[str, list[InboxEvent]],
        processor: JobRunner,
        now: datetime,
    ) -> tuple[int, list[tuple[str, NeedsRead]]]:
        """Every record of the chunk in one savepoint: per-record and per-event savepoints were
        most of the statements of a genuine change (docs/BENCHMARKS.md, worker burst).

        When a record needs a CRM read or one of its events fails, the savepoint is undone and
        the records before it are applied again at once (they went through). A record that
        needs a read is set aside (returned: its reads are fetched with the others', outside the
        transaction); one whose event failed goes alone in its own savepoint, where the failure
        stays the failing event's own. The records after it go on at once: one hand-off in ten
        changes had sent the rest of its chunk one by one. Each record is applied at most twice.
        Metrics are counted only for what is kept.
        """
        if not keys:
            return 0, []
        tally: list[str] = []
        reached = 0
        try:
            with session.begin_nested(), self._batched(session, keys, pending):
                handled = 0
                for key in keys:
                    handled += self._apply_events(
                        session, key, pending.get(key, []), processor, now, tally, at_once=True
                    )
                    reached += 1
        except Exception as failure:  # NeedsRead, or a failing event: see above
            reached = min(reached, len(keys) - 1)  # a failure at release: the last one alone
            kept, needs = self._apply_at_once(session, keys[:reached], pending, processor, now)
            if isinstance(failure, NeedsRead):
                alone, needs = 0, [*needs, (keys[reached], failure)]
            else:
                alone, more = self._apply_one_by_one(
                    session, keys[reached : reached + 1], pending, processor, now
                )
                needs += more
            rest, more = self._apply_at_once(session, keys[reached + 1 :], pending, processor, now)
            return kept + alone + rest, needs + more
        self._count(tally)
        return handled, []

    @contextmanager
    def _batched(
        self, session: Session, keys: list[str], pending: dict[str, list[InboxEvent]]
    ) -> Iterator[None]:
        """For a chunk of plain changes: what its records read, loaded in four SELECTs
        (``connector.preload``), and the audit lines they add written in one INSERT at the end
        (``store.batched``). Other events (a merge, an erasure) read and rewrite more: they
        run against the store as it is."""
        events = [event for key in keys for event in pending.get(key, [])]
        if not preload.preloadable(events):
            yield
            return
        with preload.installed(session, keys), batched.inserts(session):
            self.processor.preload(session, events)
            yield

    def _apply_one_by_one(
        self,
        session: Session,
        keys: list[str],
        pending: dict[str, list[InboxEvent]],
        processor: JobRunner,
        now: datetime,
    ) -> tuple[int, list[tuple[str, NeedsRead]]]:
        """Each record in its own savepoint; those that need a CRM read are returned."""
        handled = 0
        needs: list[tuple[str, NeedsRead]] = []
        for key in keys:
            tally: list[str] = []
            try:
                with session.begin_nested():
                    handled += self._apply_events(
                        session, key, pending.get(key, []), processor, now, tally
                    )
            except NeedsRead as need:
                needs.append((key, need))
                continue
            self._count(tally)
        return handled, needs

    def _count(self, tally: list[str]) -> None:
        if self.metrics is not None:
            for status, times in Counter(tally).items():
                self.metrics.events_processed.labels(status).inc(times)

    def _settle_in_bulk(
        self, session: Session, events: list[InboxEvent], now: datetime
    ) -> set[str]:
        """Echoes and the like (``JobRunner.settles_in_bulk``): a few statements for all of them.

        Each event ends as :meth:`_finish` would leave it (status, outcome, one audit line).
        Returns the records settled (a job may leave some to be handled one by one); none (and
        nothing kept) if anything failed: the records then go one by one.
        """
        settled: set[str] = set()
        try:
            with session.begin_nested():
                for group, result in self.processor.settle_in_bulk(session, events, now):
                    self._finish_many(session, group, result, now)
                    settled.update(event.record_key for event in group)
        except Exception:
            log.exception("settling events in bulk failed; handling them one by one")
            return set()
        return settled

    def _finish_many(
        self, session: Session, events: list[InboxEvent], result: Result, now: datetime
    ) -> None:
        session.execute(
            update(InboxEvent)
            .where(InboxEvent.id.in_([event.id for event in events]))
            .values(
                status=result.status,
                processed_at=now,
                outcome=result.summary[:2000],
                attempts=InboxEvent.attempts + 1,
            )
            .execution_options(synchronize_session=False)
        )
        audit.record_many(
            session,
            [
                (event.record_key, "event", _event_line(event, result), {"event_id": event.id})
                for event in events
            ],
        )
        if self.metrics is not None:
            self.metrics.events_processed.labels(result.status).inc(len(events))

    def _pending_events(
        self, session: Session, keys: list[str], now: datetime
    ) -> dict[str, list[InboxEvent]]:
        """The due events of these records in one SELECT, each record's in processing order."""
        rows = session.scalars(
            select(InboxEvent)
            .where(InboxEvent.record_key.in_(keys), InboxEvent.status == "pending")
            .where(or_(InboxEvent.available_at.is_(None), InboxEvent.available_at <= now))
            .order_by(InboxEvent.record_key, InboxEvent.occurred_at, _IDENTITY_FIRST, InboxEvent.id)
        ).all()
        grouped: dict[str, list[InboxEvent]] = defaultdict(list)
        for event in rows:
            grouped[event.record_key].append(event)
        return grouped

    def _process_records_with_reads(self, needs: list[tuple[str, NeedsRead]]) -> int:
        """Process records that need CRM reads; the reads happen between passes, never inside
        a transaction, and those of all the records waiting are fetched together.

        See ``connector.prefetch``: a cache miss rolls the record's pass back, the reads run
        with no transaction open (so webhook intake is never blocked behind a CRM call), merged
        where they can be (``fetch_together``: one batch read for a chunk's hand-offs, not one
        each), and each pass is replayed with the answers cached.
        """
        cache: dict[tuple[Any, ...], Any] = {}
        processor = replace(self.processor, readers=prefetching(self.processor.readers, cache))
        handled = 0
        waiting = needs
        for _ in range(MAX_READS_PER_PASS):
            if not waiting:
                return handled
            failed = fetch_together([need for _, need in waiting], cache)
            again: list[tuple[str, NeedsRead]] = []
            for key, need in waiting:
                if need.key in failed:  # the CRM is unreachable: retry the record later
                    self._read_failed(key, failed[need.key])
                    continue
                try:
                    with self.store.session() as session:
                        handled += self._process_record(session, key, processor)
                except NeedsRead as missed:
                    again.append((key, missed))
            waiting = again
        for key, _ in waiting:
            self._read_failed(key, RuntimeError(f"needed more than {MAX_READS_PER_PASS} reads"))
        return handled

    def _read_failed(self, key: str, exc: Exception) -> None:
        log.warning(
            "CRM read failed", extra={"record": key, "error": pseudonymize_text(str(exc))[:200]}
        )
        with self.store.session() as session:
            self._defer_first_event(session, key, exc)

    def _defer_first_event(self, session: Session, key: str, exc: Exception) -> None:
        event = session.scalars(
            select(InboxEvent)
            .where(InboxEvent.record_key == key, InboxEvent.status == "pending")
            .order_by(InboxEvent.occurred_at, InboxEvent.id)
            .limit(1)
        ).first()
        if event is not None:
            event.attempts += 1
            self._fail(session, event, exc, self.clock())

    def _process_record(self, session: Session, key: str, processor: JobRunner) -> int:
        now = self.clock()
        events = self._pending_events(session, [key], now).get(key, [])
        tally: list[str] = []
        handled = self._apply_events(session, key, events, processor, now, tally)
        self._count(tally)
        return handled

    def _apply_events(
        self,
        session: Session,
        key: str,
        events: list[InboxEvent],
        processor: JobRunner,
        now: datetime,
        tally: list[str],
        *,
        at_once: bool = False,
    ) -> int:
        """Run one record's due events in order; stop at the first that fails or defers.

        ``at_once``: the caller's savepoint holds the whole chunk, so an event gets none of its
        own and a failure is raised to the caller, which undoes the chunk (``_apply_at_once``).
        """
        handled = 0
        for event in events:
            try:
                if at_once:
                    result = processor.handle(session, event, now)
                else:
                    with session.begin_nested():  # the event's savepoint, for its jobs' effects
                        result = processor.handle(session, event, now)
            except NeedsRead:
                raise  # the whole pass is replayed once the read is done
            except Exception as exc:  # keep order: stop this record, try again later
                if at_once:
                    raise
                log.exception("event failed", extra={"event": event.id, "record": key})
                event.attempts += 1
                self._fail(session, event, exc, now, tally)
                return handled
            # counted after the savepoint, so it goes out with the event's status in one UPDATE
            event.attempts += 1
            if result.status == "deferred":
                event.available_at = now + DEFER
                return handled
            self._finish(session, event, result, now, tally)
            handled += 1
        return handled

    def _finish(
        self, session: Session, event: InboxEvent, result: Result, now: datetime, tally: list[str]
    ) -> None:
        event.status = result.status
        event.processed_at = now
        event.outcome = result.summary[:2000]
        audit.record(
            session, event.record_key, "event", _event_line(event, result), event_id=event.id
        )
        tally.append(result.status)

    def _fail(
        self,
        session: Session,
        event: InboxEvent,
        exc: Exception,
        now: datetime,
        tally: list[str] | None = None,
    ) -> None:
        message = pseudonymize_text(f"{type(exc).__name__}: {exc}")[:2000]
        if event.attempts >= MAX_EVENT_ATTEMPTS:
            event.status = "failed"
            event.processed_at = now
        else:
            event.available_at = now + DEFER * event.attempts
        event.outcome = message
        audit.record(
            session, event.record_key, "error", f"event failed: {message}", event_id=event.id
        )
        if tally is not None:
            tally.append("error")
        else:
            self._count(["error"])

    def fire_timers(self, limit: int = 500) -> int:
        """Turn due timers into events of their records (each fires once; connector.timers).

        Standing timers (the digest's next send) are made sure of first, at most once a minute.
        """
        now = self.clock()
        with self.store.session() as session:
            checked = self._standing_checked
            if checked is None or abs(now - checked) >= STANDING_EVERY:
                self.processor.ensure_standing_timers(session, now)
                self._standing_checked = now
            fired = timers.fire_due(session, now, self.owner, limit)
        if fired and self.metrics is not None:
            self.metrics.timers_fired.inc(len(fired))
        return len(fired)

    def run_once(self, *, flush: bool = True) -> int:
        """One pass: due timers, events, then due commands. Returns the amount of work done.

        ``flush=False`` (the long-running loop) holds small batches back for a moment
        (``connector.dispatch_policy``); callers that want everything out now flush.
        """
        work = self.fire_timers()
        work += self.process_events()
        now = self.clock()
        if flush:
            return work + self.dispatcher.dispatch(now)
        quotas = self._writes_due(now, idle=work == 0)
        if quotas:
            work += self.dispatcher.dispatch(now, quotas=quotas)
        return work

    def _writes_due(self, now: datetime, *, idle: bool) -> dict[str, int]:
        with self.store.session() as session:
            due = due_writes(session, now)
        return self.linger.quotas(due, now, idle)

    def has_open_work(self) -> bool:
        """True while any event or command is pending (due now or later) or a timer is due."""
        with self.store.session() as session:
            event = session.scalar(
                select(InboxEvent.id).where(InboxEvent.status == "pending").limit(1)
            )
            command = session.scalar(
                select(OutboxCommand.id).where(OutboxCommand.status == "pending").limit(1)
            )
            timer = session.scalar(
                select(Timer.id)
                .where(Timer.status == "pending", Timer.due_at <= self.clock())
                .limit(1)
            )
        return event is not None or command is not None or timer is not None

    def run_until_idle(self, timeout: float = 30.0, poll: float = 0.05) -> bool:
        """Work until nothing is pending (True) or ``timeout`` seconds pass (False)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.run_once() == 0:
                if not self.has_open_work():
                    return True
                time.sleep(poll)
        return False

    def take_back_claims(self) -> int:
        """Free the records and commands of dead workers (``connector.heartbeats``)."""
        with self.store.session() as session:
            alive = frozenset({self.owner, self.dispatcher.owner})
            taken = heartbeats.take_back_claims(session, self.clock(), alive)
        if taken:
            log.info("took back claims of stopped workers", extra={"count": taken})
            if self.metrics is not None:
                self.metrics.claims_taken_back.inc(taken)
        return taken

    def run_forever(self, stop: threading.Event | None = None, idle_sleep: float = 0.25) -> None:
        """Work until ``stop`` is set; sleep briefly when there is nothing to do.

        A heartbeat thread says this worker lives; the loop takes back dead workers' claims
        first (a restart gets its own back at once) and then every ``take_back_every_s``.
        """
        from connector.jobs.privacy.job import ensure_scheduled

        stop = stop or threading.Event()
        with self.store.session() as session:  # the retention run's first timer, once
            ensure_scheduled(session, self.clock())
        log.info("worker started", extra={"owner": self.owner})
        beating = threading.Thread(
            target=self._beat_until, args=(stop,), name="baton-heartbeat", daemon=True
        )
        beating.start()
        next_take_back = 0.0
        while not stop.is_set():
            try:
                if time.monotonic() >= next_take_back:
                    self.take_back_claims()
                    next_take_back = time.monotonic() + self.take_back_every_s
                busy = self.run_once(flush=False)
            except Exception:  # the store was briefly unavailable, etc.: keep the loop alive
                log.exception("worker pass failed")
                busy = 0
            if not busy:
                stop.wait(idle_sleep)
        beating.join(timeout=5)
        with self.store.session() as session:
            heartbeats.retire(session, self.owner)

    def _beat_until(self, stop: threading.Event) -> None:
        every = heartbeats.HEARTBEAT_TTL.total_seconds() / 5
        while not stop.is_set():
            try:
                with self.store.session() as session:
                    heartbeats.beat(session, self.owner, self.clock())
            except Exception:  # the loop itself reports a store outage
                log.warning("heartbeat failed", exc_info=True)
            stop.wait(every)


def _event_line(event: InboxEvent, result: Result) -> str:
    """The audit line of a handled event."""
    return (
        f"{event.source} {event.provider_type or event.kind} -> {result.status}: {result.summary}"
    )
