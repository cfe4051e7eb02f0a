"""Worker burst: how many inbox events per second (and per CPU-second) one worker handles.

The worker alone, without HTTP: a fresh SQLite store seeded with N linked pairs (a HubSpot contact
at MQL and its Lead, Open, both stages known), the real job runner, lifecycle job and dispatcher,
and the in-memory CRMs of the sync tests (``tests/sync/fakes.py``: every write comes back as an echo
event, as the integration user's writes do); by default every registered job
(``connector.jobs.registry``: the SLA job wants Salesforce Lead echoes too), as deployed. Half the
pairs move in HubSpot (MQL → SQL) and half in Salesforce (Open → Working); the events are put in the
inbox in batches of 100, as the receivers do. Then, timed phase by phase: the worker handles the
genuine changes, dispatches the writes, and handles the echoes the CRMs sent back. Each phase
reports wall time, CPU time of this process (SQLite runs inside it) and SQL statements per event
(counted by an engine listener: the load-independent figure).

``--baseline PATH`` runs the same measurement first with the code of another checkout (a
``git worktree`` of the commit to compare with), in a child process, and prints both.

    python bench/worker_burst.py                                   # N = 10,000
    python bench/worker_burst.py --changes 2000 --baseline /tmp/baton-e305228
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if __name__ == "__main__" and str(REPO) not in sys.path:  # the baseline child keeps its own tree
    sys.path.insert(0, str(REPO))

MQL, SQL = "marketingqualifiedlead", "salesqualifiedlead"
OPEN, WORKING = "Open - Not Contacted", "Working - Contacted"
DELIVERY_BATCH = 100


def _now() -> datetime:
    return datetime.now(UTC)


class Meter:
    """Wall time, CPU time and SQL statements of one phase."""

    def __init__(self, engine: Any) -> None:
        from sqlalchemy import event

        self.statements = 0

        def count(*_args: Any) -> None:
            self.statements += 1

        event.listen(engine, "before_cursor_execute", count)

    def measure(self, work: Callable[[], int]) -> dict[str, float]:
        """Run ``work`` (returns events or commands handled) and report what it cost."""
        before = self.statements
        wall, cpu = time.perf_counter(), time.process_time()
        done = work()
        return {
            "done": done,
            "wall_s": time.perf_counter() - wall,
            "cpu_s": time.process_time() - cpu,
            "statements": self.statements - before,
        }


def measure(n: int, jobs: str = "all") -> dict[str, dict[str, float]]:
    """Seed, burst, and time the three phases with the code on ``sys.path``; ``jobs`` is
    ``all`` (every registered job, as a deployment runs them) or ``lifecycle`` alone."""
    from connector import knowledge
    from connector.commands import System
    from connector.dispatcher import Dispatcher
    from connector.events import ObjectType, Source, record_key
    from connector.inbox import append
    from connector.jobs.lifecycle.job import LifecycleJob
    from connector.jobs.lifecycle.processor import SyncProcessor
    from connector.jobs.lifecycle.setup import build_stage_map
    from connector.jobs.registry import build_runner
    from connector.jobs.runner import JobRunner
    from connector.store import Store, upgrade
    from connector.worker import Worker
    from tests.sync.fakes import FakeHubSpot, FakeSalesforce
    from tests.sync.harness import loop_config

    logging.disable(logging.WARNING)
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.db"
        upgrade(url)
        store = Store(url)
        hubspot, salesforce = FakeHubSpot(_now), FakeSalesforce(_now)  # type: ignore[arg-type]
        readers = {System.HUBSPOT: hubspot, System.SALESFORCE: salesforce}
        config = loop_config()
        runner = (
            build_runner(config, readers)
            if jobs == "all"
            else JobRunner(
                (LifecycleJob(SyncProcessor(config, build_stage_map(config, readers), readers)),),
                readers,
            )
        )
        dispatcher = Dispatcher(store, readers, "bench-worker")
        worker = Worker(store, runner, dispatcher, owner="bench-worker")

        pairs = [(f"{1000 + i}", f"00Q{i:015d}") for i in range(n)]
        seeded = _now()
        with store.session() as session:
            for index, (contact, lead) in enumerate(pairs):
                hubspot.records[contact] = {"lifecyclestage": MQL, "email": f"p{index}@x.example"}
                salesforce.records[lead] = {"LastName": f"P{index}", "Status": OPEN}
                knowledge.upsert_link(session, hubspot_contact_id=contact, salesforce_lead_id=lead)
                hs_key = record_key(Source.HUBSPOT, ObjectType.CONTACT, contact)
                knowledge.remember(session, hs_key, {"lifecyclestage": MQL}, seeded)
                sf_key = record_key(Source.SALESFORCE, ObjectType.LEAD, lead)
                knowledge.remember(session, sf_key, {"Status": OPEN}, seeded)

        def deliver() -> int:
            events = hubspot.take_events() + salesforce.take_events()
            for start in range(0, len(events), DELIVERY_BATCH):
                with store.session() as session:
                    append(session, events[start : start + DELIVERY_BATCH])
            return len(events)

        for index, (contact, lead) in enumerate(pairs):
            if index < n // 2:
                hubspot.ui_set(contact, lifecyclestage=SQL)
            else:
                salesforce.ui_set(lead, Status=WORKING)
        genuine = deliver()

        def handle_events() -> int:
            handled = 0
            while True:
                step = worker.process_events()
                if step == 0:
                    return handled
                handled += step

        def dispatch_all() -> int:
            sent = 0
            while True:
                step = dispatcher.dispatch(_now())
                if step == 0:
                    return sent
                sent += step

        meter = Meter(store.engine)
        phases = {"genuine changes": meter.measure(handle_events)}
        phases["dispatch writes"] = meter.measure(dispatch_all)
        echoes = deliver()
        phases["echoes"] = meter.measure(handle_events)
        assert phases["genuine changes"]["done"] == genuine, phases
        assert phases["echoes"]["done"] == echoes, phases
        wrong = [c for c, _ in pairs[n // 2 :] if hubspot.records[c]["lifecyclestage"] != SQL]
        wrong += [
            lead for _, lead in pairs[: n // 2] if salesforce.records[lead]["Status"] != WORKING
        ]
        assert not wrong, f"{len(wrong)} records not synced"
        store.dispose()
    return phases


def table(label: str, phases: dict[str, dict[str, float]]) -> list[str]:
    """Markdown rows for one code version."""
    lines = []
    events = phases["genuine changes"]["done"] + phases["echoes"]["done"]
    total = {k: sum(p[k] for p in phases.values()) for k in ("wall_s", "cpu_s", "statements")}
    for name, p in [*phases.items(), ("whole burst (events)", {**total, "done": events})]:
        done = p["done"] or 1
        lines.append(
            f"| {label} | {name} | {int(p['done']):,} | {p['wall_s']:.2f} | {p['cpu_s']:.2f} "
            f"| {done / p['wall_s']:,.0f} | {done / max(p['cpu_s'], 1e-9):,.0f} "
            f"| {p['wall_s'] / done * 1000:.2f} | {p['statements'] / done:.1f} |"
        )
    return lines


def main(argv: list[str] | None = None) -> None:
    """Measure (and the baseline checkout first, if given); print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=10_000, help="stage changes (N)")
    parser.add_argument("--baseline", type=Path, help="a checkout to measure first, for comparison")
    parser.add_argument(
        "--jobs",
        choices=("all", "lifecycle"),
        default="all",
        help="every registered job (SLA, recycling, ...; the default) or the lifecycle job alone",
    )
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.json:
        print(json.dumps(measure(args.changes, args.jobs)))
        return
    rows = []
    if args.baseline:
        env = {**os.environ, "PYTHONPATH": str(args.baseline.resolve())}
        command = [
            sys.executable,
            "-c",
            _CHILD,
            str(Path(__file__).resolve()),
            str(args.changes),
            args.jobs,
        ]
        out = subprocess.run(
            command, env=env, cwd=args.baseline, check=True, capture_output=True, text=True
        )
        rows += table(f"baseline ({args.baseline.name})", json.loads(out.stdout.splitlines()[-1]))
    rows += table("this tree", measure(args.changes, args.jobs))
    print(
        f"\nworker burst: N={args.changes:,} changes (half each way), jobs: {args.jobs}, SQLite, "
        "one worker, "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}\n"
    )
    print(
        "| code | phase | events/commands | wall s | CPU s | per wall s | per CPU s "
        "| wall ms each | SQL statements each |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    print("\n".join(rows))


#: the baseline child: this file's measure() with the baseline checkout first on sys.path
_CHILD = """
import runpy, sys
path, n, jobs = sys.argv[1], sys.argv[2], sys.argv[3]
sys.path.insert(0, '.')
module = runpy.run_path(path, run_name='bench_worker_burst')
import json
print(json.dumps(module['measure'](int(n), jobs)))
"""


if __name__ == "__main__":
    main()
