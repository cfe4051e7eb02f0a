"""Timer benchmark: the due-scan and the firing with 100,000 open timers, beside a no-index scan.

Seeds a fresh store with N open timers (due over the next 30 days) and then makes D of them due.
Measures, over several rounds: the due-scan when nothing is due (what every idle worker pass
pays), one ``connector.timers.fire_due`` pass that fires D timers into the inbox, the worker
delivering them to a job, and memory (tracemalloc peak of the fire pass; process max RSS). The
baseline, in the same run and the same database: the same scan after dropping the
``ix_timers_due`` (status, due_at) index — what the scan would cost without it.

    python bench/timers.py                         # SQLite file in a temp dir, 100,000 open
    python bench/timers.py --open 20000 --due 500  # smaller
    python bench/timers.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test

Run from the repository root.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from sqlalchemy import insert, select, text, update  # noqa: E402

from bench._stores import run_admin, scratch_store  # noqa: E402
from connector import timers  # noqa: E402
from connector.dispatcher import Dispatcher  # noqa: E402
from connector.jobs.base import Outcome  # noqa: E402
from connector.jobs.runner import JobRunner  # noqa: E402
from connector.store import Store  # noqa: E402
from connector.store.models import InboxEvent, Timer  # noqa: E402
from connector.worker import Worker  # noqa: E402

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


class CountingJob:
    """Receives the fired timers; does nothing else, so the figure is the machinery's."""

    name = "bench"

    def __init__(self) -> None:
        self.delivered = 0

    def wants(self, event: InboxEvent) -> bool:
        return False

    def handle(self, ctx, event):  # type: ignore[no-untyped-def]
        self.delivered += 1
        return Outcome(summary="delivered")


def _seed(store: Store, count: int) -> None:
    rows = [
        {
            "idempotency_key": f"bench|salesforce:lead:00Q{n:015d}|first",
            "job": "bench",
            "kind": "bench.due",
            "record_key": f"salesforce:lead:00Q{n:015d}",
            "due_at": NOW + timedelta(seconds=60 + (n * 2_592_000) // count),
            "payload": {"n": n},
            "status": "pending",
            "created_at": NOW,
        }
        for n in range(count)
    ]
    with store.session() as session:
        for start in range(0, count, 10_000):
            session.execute(insert(Timer), rows[start : start + 10_000])


def _scan_ms(store: Store, rounds: int) -> float:
    """Median time of the due-scan query when nothing is due."""
    samples = []
    for _ in range(rounds):
        with store.session() as session:
            started = time.perf_counter()
            found = session.scalars(
                select(Timer.id)
                .where(Timer.status == "pending", Timer.due_at <= NOW)
                .order_by(Timer.due_at, Timer.id)
                .limit(500)
            ).all()
            samples.append((time.perf_counter() - started) * 1000)
        assert not found
    return statistics.median(samples)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--open", type=int, default=100_000, help="open timers (default 100,000)")
    parser.add_argument("--due", type=int, default=1_000, help="of which come due (default 1,000)")
    parser.add_argument("--rounds", type=int, default=20, help="scan repetitions (default 20)")
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        store, url, schema = scratch_store(args.database_url, Path(tmp) / "timers.db")
        engine = url.split("://", 1)[0]
        started = time.perf_counter()
        _seed(store, args.open)
        print(
            f"seeded {args.open:,} open timers on {engine} in {time.perf_counter() - started:.1f} s"
        )

        idle_scan = _scan_ms(store, args.rounds)

        with store.session() as session:  # the first D timers come due
            session.execute(
                update(Timer).where(Timer.id <= args.due).values(due_at=NOW - timedelta(seconds=1))
            )
        tracemalloc.start()
        started = time.perf_counter()
        fired = 0
        while True:
            with store.session() as session:
                batch = timers.fire_due(session, NOW, "bench")
            if not batch:
                break
            fired += len(batch)
        fire_s = time.perf_counter() - started
        _, fire_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()

        job = CountingJob()
        worker = Worker(store, JobRunner((job,)), Dispatcher(store, {}, "bench"), clock=lambda: NOW)
        started = time.perf_counter()
        while worker.process_events(limit=200):
            pass
        deliver_s = time.perf_counter() - started

        with store.engine.begin() as conn:
            conn.execute(text("DROP INDEX ix_timers_due"))
        no_index_scan = _scan_ms(store, args.rounds)
        rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        store.dispose()
        if schema is not None:
            run_admin(args.database_url, f'DROP SCHEMA "{schema}" CASCADE')

    assert fired == args.due and job.delivered == args.due, (fired, job.delivered)
    print()
    print(f"| figure ({args.open:,} open timers, {engine}) | value |")
    print("|---|---:|")
    scan = f"due-scan, nothing due, with ix_timers_due (median of {args.rounds})"
    print(f"| {scan} | {idle_scan:.2f} ms |")
    print(f"| due-scan, nothing due, index dropped (baseline) | {no_index_scan:.2f} ms |")
    print(
        f"| fire {args.due:,} due timers into the inbox | {fire_s * 1000:.0f} ms "
        f"({args.due / fire_s:,.0f} timers/s) |"
    )
    print(
        f"| deliver them to a job through the worker | {deliver_s * 1000:.0f} ms "
        f"({args.due / deliver_s:,.0f} timers/s) |"
    )
    print(f"| peak Python memory of the fire passes (tracemalloc) | {fire_peak / 1e6:.1f} MB |")
    print(f"| process max RSS (seeding included) | {rss_mb:.0f} MB |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
