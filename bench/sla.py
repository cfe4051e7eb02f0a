"""SLA benchmark: 100,000 open first-response clocks — due-scan, escalation lag, worker RSS.

Seeds a fresh store with N running clocks and their deadline timers (due over the next 30 days),
with D of them due a few seconds from now. Then one worker runs the real SLA job and the real
notify writer against a real SMTP server on loopback (aiosmtpd), on the wall clock: each due
deadline is re-checked (a Salesforce stand-in answers "no activities"), recorded as a breach, its
first ladder step (owner, at the breach, by e-mail) is scheduled, fired and mailed. Measured:

- the due-scan when nothing is due (median of 20; what every idle worker pass pays), and the
  ``baton sla status`` query (20 running clocks nearest to breach);
- escalation lag: from each deadline to the moment its mail reached the SMTP server (median,
  95th percentile, max);
- the worker process's max RSS (the seeding runs in a child process, so it is not counted).

    python bench/sla.py                          # SQLite file in a temp dir, 100,000 open
    python bench/sla.py --open 20000 --due 100   # smaller
    python bench/sla.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test

Run from the repository root.
"""

from __future__ import annotations

import argparse
import multiprocessing
import re
import resource
import socket
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from aiosmtpd.controller import Controller  # noqa: E402
from sqlalchemy import insert, select  # noqa: E402

from adapters.notify.email import SmtpSender  # noqa: E402
from adapters.notify.writer import NotifyWriter  # noqa: E402
from bench._stores import run_admin, scratch_store  # noqa: E402
from connector.commands import System  # noqa: E402
from connector.config import default_config, with_changes  # noqa: E402
from connector.config.models.notifiers import EmailNotifier  # noqa: E402
from connector.dispatcher import Dispatcher  # noqa: E402
from connector.jobs.runner import JobRunner  # noqa: E402
from connector.jobs.sla.calendar import BusinessTime  # noqa: E402
from connector.jobs.sla.job import BREACH, SlaJob  # noqa: E402
from connector.jobs.sla.report import open_clocks  # noqa: E402
from connector.ports import CrmRecord  # noqa: E402
from connector.store import Store  # noqa: E402
from connector.store.models import SlaClock, Timer  # noqa: E402
from connector.timers import timer_key  # noqa: E402
from connector.worker import Worker  # noqa: E402

OWNER = "005000000000001AAA"
#: --per-rep spreads the clocks over this many reps (400 open clocks each at 100,000), as a sales
#: team would: the rep's context is counted over that rep's clocks
REPS = 250
MANAGER = "005000000000999AAA"  # digits only: the checksum suffix is AAA


def _rep(n: int) -> str:
    return f"0050000000{n % REPS:05d}AAA"  # reps 0 … 249


DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class Salesforce:
    """The reads the SLA job and the writer make: no activities on any lead; the owner's address."""

    system = System.SALESFORCE

    def read(self, object_type: str, ids: Any, fields: Any) -> dict[str, CrmRecord]:
        return {
            i: CrmRecord("User", i, {"Email": "rep@example.com", "IsActive": True}) for i in ids
        }

    def find_by_email(self, object_type: str, email: str, fields: Any) -> list[CrmRecord]:
        return []

    def activities_of(self, who_id: str) -> list[CrmRecord]:
        return []


class Inbox:
    """The SMTP server's handler: when each clock's mail arrived (wall clock)."""

    def __init__(self) -> None:
        self.arrived: dict[int, float] = {}
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        found = re.search(rb"sla\.(\d+)\.step0", envelope.content)
        if found:
            with self.lock:
                self.arrived.setdefault(int(found.group(1)), time.time())
        return "250 OK"


def _cpu_s() -> float:
    """This process's CPU time (user + system), the SMTP server's thread included."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _deadline(n: int, count: int, due: int, first_due: datetime) -> datetime:
    """The first ``due`` clocks fall due within a second from ``first_due``; the rest later."""
    if n < due:
        return first_due + timedelta(microseconds=(n * 1_000_000) // max(due, 1))
    return first_due + timedelta(seconds=3600 + (n * 2_592_000) // count)


def _seed(url: str, count: int, due: int, first_due: datetime, per_rep: bool) -> None:
    """N running clocks and their deadline timers (run in a child process: its memory is not
    the worker's)."""
    store = Store(url)
    now = datetime.now(UTC)
    deadlines = [_deadline(n, count, due, first_due) for n in range(count)]
    clocks = [
        {
            "id": n + 1,
            "lead_id": f"00Q{n:015d}",
            "number": 1,
            "owner_id": _rep(n) if per_rep else OWNER,
            "team": None,
            "policy": "default",
            "state": "running",
            "started_at": now,
            "deadline_at": deadlines[n],
            "touches": 0,
        }
        for n in range(count)
    ]
    timers = [
        {
            "idempotency_key": timer_key("sla", f"salesforce:lead:00Q{n:015d}", "clock-1-deadline"),
            "job": "sla",
            "kind": BREACH,
            "record_key": f"salesforce:lead:00Q{n:015d}",
            "due_at": deadlines[n],
            "payload": {"clock": n + 1},
            "status": "pending",
            "created_at": now,
        }
        for n in range(count)
    ]
    with store.session() as session:
        for start in range(0, count, 10_000):
            session.execute(insert(SlaClock), clocks[start : start + 10_000])
            session.execute(insert(Timer), timers[start : start + 10_000])
    store.dispose()


def _median_ms(store: Store, rounds: int, query: Any) -> float:
    samples = []
    for _ in range(rounds):
        with store.session() as session:
            started = time.perf_counter()
            query(session)
            samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def _due_scan(session: Any) -> None:
    now = datetime.now(UTC)
    found = session.scalars(
        select(Timer.id)
        .where(Timer.status == "pending", Timer.due_at <= now)
        .order_by(Timer.due_at, Timer.id)
        .limit(500)
    ).all()
    assert not found


def _worker(store: Store, port: int, per_rep: bool) -> Worker:
    settings = EmailNotifier(
        smtp_host="127.0.0.1", smtp_port=port, from_address="baton@example.com", starttls=False
    )
    config = with_changes(
        default_config(),
        {
            "sla.calendar": {
                "timezone": "UTC",
                "working_hours": {day: "00:00-24:00" for day in DAYS},
                "holidays": {"country": None},
            },
            "escalation.ladder": [
                {"after_business_hours": 0, "notify": "owner", "channels": ["email"]}
            ],
            "notifiers.email": settings.model_dump(),
            # --per-rep: each breach also takes its place among the rep's misses this week and
            # mails the manager with the rep's numbers (its cost is what this option measures)
            **(
                {
                    "escalation.per_rep": {"steps": ["manager"]},
                    "escalation.managers": {_rep(n): MANAGER for n in range(REPS)},
                }
                if per_rep
                else {}
            ),
        },
    )
    job = SlaJob(config, BusinessTime(config.sla.calendar))
    readers = {System.SALESFORCE: Salesforce()}
    writer = NotifyWriter(email=SmtpSender(settings), users=Salesforce())
    dispatcher = Dispatcher(store, {System.NOTIFY: writer}, "bench")
    return Worker(store, JobRunner((job,), readers), dispatcher, owner="bench")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--open", type=int, default=100_000, help="open clocks (default 100,000)")
    parser.add_argument("--due", type=int, default=100, help="of which breach now (default 100)")
    parser.add_argument("--rounds", type=int, default=20, help="scan repetitions (default 20)")
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    parser.add_argument("--per-rep", action="store_true", help="turn the per-rep ladder on")
    args = parser.parse_args()

    inbox, port = Inbox(), _port()
    smtp = Controller(inbox, hostname="127.0.0.1", port=port)
    smtp.start()
    with tempfile.TemporaryDirectory() as tmp:
        store, url, schema = scratch_store(args.database_url, Path(tmp) / "sla.db")
        engine = url.split("://", 1)[0]
        started = time.perf_counter()
        first_due = datetime.now(UTC) + timedelta(seconds=30 + args.open / 10_000)
        seeder = multiprocessing.Process(
            target=_seed, args=(url, args.open, args.due, first_due, args.per_rep)
        )
        seeder.start()
        seeder.join()
        assert seeder.exitcode == 0, "seeding failed"
        deadlines = {n + 1: _deadline(n, args.open, args.due, first_due) for n in range(args.due)}
        print(
            f"seeded {args.open:,} open clocks on {engine} in {time.perf_counter() - started:.1f} s"
        )

        idle_scan = _median_ms(store, args.rounds, _due_scan)
        status_ms = _median_ms(store, args.rounds, lambda s: open_clocks(s, 20))

        worker = _worker(store, port, args.per_rep)
        wait = (first_due - datetime.now(UTC)).total_seconds()
        assert wait > 0, "seeding took longer than the head start: raise it"
        time.sleep(wait)
        cpu_before = _cpu_s()
        give_up = time.monotonic() + 120
        while len(inbox.arrived) < args.due and time.monotonic() < give_up:
            if worker.run_once(flush=False) == 0:  # as in `baton worker`'s loop
                time.sleep(0.05)
        worker_cpu = _cpu_s() - cpu_before
        rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        store.dispose()
        if schema is not None:
            run_admin(args.database_url, f'DROP SCHEMA "{schema}" CASCADE')
    smtp.stop()

    lags = sorted(inbox.arrived[c] - deadlines[c].timestamp() for c in inbox.arrived)
    assert len(lags) == args.due, f"only {len(lags)} of {args.due} escalations arrived"
    p95 = lags[min(len(lags) - 1, round(0.95 * (len(lags) - 1)))]
    print()
    ladder = ", per-rep ladder on" if args.per_rep else ""
    print(
        f"| figure ({args.open:,} open clocks, {args.due} breaching at once, {engine}{ladder}) "
        "| value |"
    )
    print("|---|---:|")
    print(f"| due-scan, nothing due (median of {args.rounds}) | {idle_scan:.2f} ms |")
    print(f"| `baton sla status` query: 20 nearest to breach | {status_ms:.2f} ms |")
    print(
        f"| escalation lag, deadline → mail at the SMTP server: median / p95 / max | "
        f"{statistics.median(lags):.2f} s / {p95:.2f} s / {lags[-1]:.2f} s |"
    )
    print(f"| worker CPU (user + system), first deadline to last mail | {worker_cpu:.2f} s |")
    print(f"| worker process max RSS (seeded in a child process) | {rss_mb:.0f} MB |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
