"""Scaling bench: 1, 2 and 4 ``baton worker`` processes on PostgreSQL, CRMs answering in 50 ms.

The fault harness's world (bench/faults.py: both stand-ins with the demo's org, realistic
settings, Baton as real processes: ``baton serve --no-worker`` plus N ``baton worker``), with
no faults and no kills: seeded linked pairs, then a burst of changes on both sides (even pairs
in HubSpot, odd ones in Salesforce, every tenth a new contact Baton hands to sales). Every API
answer of both stand-ins takes ``--crm-latency-ms``. It measures, per worker count: the seconds
from the first change to every change visible in the other CRM with nothing pending, inbox
events per second over that time, the CPU seconds of Baton's processes, and whether the CRMs'
rate limits held in total: the most HubSpot calls in any 10 s (sampled every 0.25 s) beside
Baton's share of HubSpot's burst limit, and the 429 answers HubSpot gave.

    python bench/scaling.py --database-url postgresql://postgres@127.0.0.1:5432/test
    python bench/scaling.py --database-url … --workers 1 2 4 --changes 600 --crm-latency-ms 50
    python bench/scaling.py --database-url … --workers 4 --hubspot-share 0.06  # the limit binds
    python bench/scaling.py --database-url … --changes 2000 --drain   # workers alone: the burst
                                                                      # waits, then is worked off
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench._fleet import Fleet, children_of, write_config  # noqa: E402
from bench.faults import crms, expected_state, make_changes, prepare_database  # noqa: E402
from bench.sync import email_of, free_port, link_pairs, pending_work, seed_pairs  # noqa: E402

WINDOW_S = 10.0


@dataclass
class ScalingRow:
    """One worker count's figures."""

    workers: int
    changes: int
    events: int
    seconds: float
    events_per_s: float
    baton_cpu_s: float
    hubspot_peak_calls_per_10s: int
    hubspot_share_per_10s: int
    hubspot_429s: int
    salesforce_calls: int
    settled: bool
    #: the most frequent calls of both CRMs (ids folded): what the seconds were spent on
    call_mix: str = ""
    #: share of the machine's CPU time busy during the run (every process: Baton, the
    #: stand-ins in this process, PostgreSQL): near 100 % the CPUs, not Baton, bound the ratio
    machine_busy_pct: float = 0.0


class CallSampler:
    """Samples the stand-ins' request counts, to find the busiest 10 s afterwards."""

    def __init__(self, hs: Any, sf: Any) -> None:
        self.hs, self.sf = hs, sf
        self.samples: list[tuple[float, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.samples.append((time.monotonic(), len(self.hs.requests)))
            self._stop.wait(0.25)

    def __enter__(self) -> CallSampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def peak(self, window_s: float = WINDOW_S) -> int:
        """The most calls in any ``window_s`` between two samples."""
        best, start = 0, 0
        for t, count in self.samples:
            while self.samples[start][0] < t - window_s:
                start += 1
            best = max(best, count - self.samples[start][1])
        return best


ID_IN_PATH = r"/[0-9A-Za-z]{15,18}(?=/|$)|/[0-9]+(?=/|$)"


def call_mix(requests: list[Any], top: int = 6) -> str:
    """``count x METHOD path`` of the most frequent calls, record ids folded to ``{id}``."""
    import re
    from collections import Counter

    folded = Counter(f"{r.method} {re.sub(ID_IN_PATH, '/{id}', r.path)}" for r in requests)
    return "; ".join(f"{n} x {call}" for call, n in folded.most_common(top))


def machine_cpu() -> tuple[int, int]:
    """(busy, total) jiffies of all CPUs since boot (/proc/stat)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return sum(values) - idle, sum(values)


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU of these processes and their live children (from /proc)."""
    import os

    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for proc in {p for pid in pids for p in (pid, *children_of(pid))}:
        try:
            fields = Path(f"/proc/{proc}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total


def run_one(args: argparse.Namespace, workers: int) -> ScalingRow:
    """One run with ``workers`` worker processes (fresh stand-ins and schema)."""
    from sqlalchemy import func, select

    from baton.demo import org
    from connector.store import Store
    from connector.store.models import InboxEvent

    with tempfile.TemporaryDirectory() as workdir, ExitStack() as stack:
        hs, sf, _team, portal = stack.enter_context(crms(args))
        database = prepare_database(args.database_url, Path(workdir))
        port = free_port()
        public = f"http://127.0.0.1:{port}"
        config = org.demo_config(
            hubspot_base_url=str(hs.base_url), salesforce_instance_url=str(sf.instance_url),
            public_base_url=public, database_url=database, team=_team,
            nurture_list_id=portal.nurture_list_id,
            integration_user_id=sf.integration_user_id, poll_interval_s=0,
        )  # fmt: skip
        if args.hubspot_share is not None:  # a small share makes the limit bind
            from connector.config import with_changes

            config = with_changes(config, {"hubspot.rate_limit.share": args.hubspot_share})
        config_path, env = write_config(Path(workdir), config)
        env["BATON_SALESFORCE_CA_BUNDLE"] = sf.ca_bundle_path
        env.pop("BATON_DATABASE_URL", None)
        log = Path(args.log or Path(workdir) / "baton.log")
        repo = Path(args.baton_repo).resolve() if args.baton_repo else REPO
        fleet = Fleet(config_path, env, port, workers, log, repo=repo)
        stack.callback(fleet.stop)
        fleet.migrate()
        pairs = seed_pairs(hs, sf, args.changes, "pair")
        link_pairs(database, pairs, [email_of("pair", i) for i in range(len(pairs))])
        fleet.start(workers=not args.drain)
        org.subscribe_to_baton(hs, sf, public)
        hs.reset_request_log()
        sf.reset_request_log()
        newcomers: list[str] = []
        if args.drain:  # the whole burst waits in the inbox before any worker starts
            make_changes(hs, sf, pairs, args.rate, newcomers)
            hs.flush_webhooks(timeout=args.max_seconds)
            sf.flush_outbound(timeout=args.max_seconds)
        with CallSampler(hs, sf) as sampler:
            started, cpu_before = time.monotonic(), machine_cpu()
            if args.drain:
                fleet.start()
            else:
                make_changes(hs, sf, pairs, args.rate, newcomers)
            settled = False
            deadline = started + args.max_seconds
            while time.monotonic() < deadline:
                if expected_state(hs, sf, pairs) == 0 and pending_work(database) == 0:
                    settled = True
                    break
                time.sleep(0.2)
            elapsed = time.monotonic() - started
            cpu_after = machine_cpu()
        pids = [p.pid for p in [fleet.web, *fleet.worker_processes] if p is not None]
        cpu = cpu_seconds(pids)
        store = Store(database)
        with store.session() as session:
            events = int(session.scalar(select(func.count()).select_from(InboxEvent)) or 0)
        store.dispose()
        share = config.hubspot.rate_limit
        hubspot_share = max(1, int(share.burst_limit * share.share))
        return ScalingRow(
            workers=workers,
            changes=len(pairs),
            events=events,
            seconds=round(elapsed, 1),
            events_per_s=round(events / elapsed, 1),
            baton_cpu_s=round(cpu, 1),
            hubspot_peak_calls_per_10s=sampler.peak(),
            hubspot_share_per_10s=hubspot_share,
            hubspot_429s=sum(1 for r in hs.requests if r.status == 429),
            salesforce_calls=len(sf.requests),
            settled=settled,
            call_mix=call_mix([*hs.requests, *sf.requests]),
            machine_busy_pct=round(
                100 * (cpu_after[0] - cpu_before[0]) / max(1, cpu_after[1] - cpu_before[1]), 1
            ),
        )


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The bench's options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True, help="PostgreSQL URL")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--changes", type=int, default=600, help="pair changes in the burst")
    parser.add_argument("--rate", type=float, default=200.0, help="changes per second")
    parser.add_argument("--crm-latency-ms", type=float, default=50.0)
    parser.add_argument("--max-seconds", type=float, default=600.0)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--log", help="where Baton's processes log (default: a temp file)")
    parser.add_argument(
        "--baton-repo", help="run Baton's processes from this checkout (e.g. before a change)"
    )
    parser.add_argument(
        "--drain",
        action="store_true",
        help="let the burst wait in the inbox, then time the workers working it off (what "
        "the worker count changes, without the CRMs' delivery of the burst in the figure)",
    )
    parser.add_argument(
        "--hubspot-share",
        type=float,
        help="Baton's share of HubSpot's limits (default: the config's); small: the limit binds",
    )
    args = parser.parse_args(argv)
    if not args.database_url.startswith("postgresql"):
        parser.error("the scaling bench runs on PostgreSQL")
    # what bench.faults.crms reads: no duplicates, sessions as in the demo
    args.duplicate_rate, args.session_lifetime = 0.0, 180.0
    return args


def main(argv: list[str] | None = None) -> None:
    """Run each worker count and print the table (the first row is the baseline)."""
    args = parse_args(argv)
    rows = [run_one(args, n) for n in args.workers]
    base = rows[0].events_per_s or 1.0
    mode = "backlog drained" if args.drain else "burst"
    print(f"\nscaling: CRMs answer in {args.crm_latency_ms:g} ms; {args.changes} changes ({mode})")
    print(
        "| workers | events | seconds | events/s | x first | Baton CPU s "
        "| HubSpot calls, busiest 10 s | Baton's share / 10 s | HubSpot 429s "
        "| Salesforce calls | machine CPU busy | settled |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for r in rows:
        print(
            f"| {r.workers} | {r.events} | {r.seconds} | {r.events_per_s} | "
            f"{r.events_per_s / base:.2f} | {r.baton_cpu_s} | {r.hubspot_peak_calls_per_10s} | "
            f"{r.hubspot_share_per_10s} | {r.hubspot_429s} | {r.salesforce_calls} | "
            f"{r.machine_busy_pct} % | {r.settled} |"
        )
    for r in rows:
        print(f"calls with {r.workers} worker(s): {r.call_mix}")


if __name__ == "__main__":
    main()
