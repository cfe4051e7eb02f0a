"""Scorecard benchmark: build one week's scorecard over N handed-off leads, beside the dashboard's
operations report on the same store.

Seeds a fresh store with N hand-offs in one week (with Lead states, one SLA clock each, HubSpot
stage events, a recycle episode for one in five, a hold-back for one in ten, escalations for one
in twenty, a won deal with three ledger shares for one in twenty and an open pipeline deal for
one in ten), plus the same again spread
over the three weeks before (the weeks-below-target history). Measures over several rounds:
``build_scorecard`` for the week, one ``drill_down``, and the baseline — the operations report
the dashboard already builds from the same store (``reports.backlog``, ``funnel``, ``handoffs``,
``held_back``). Memory: tracemalloc peak of one build.

    python bench/scorecard.py                    # SQLite file in a temp dir, 10,000 leads
    python bench/scorecard.py --leads 2000       # smaller
    python bench/scorecard.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test

The rows are written straight into the store (no CRM is involved, so the sandboxes' realistic
settings do not apply). Run from the repository root.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import tracemalloc
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from sqlalchemy import insert  # noqa: E402

from bench._stores import on_scratch_store  # noqa: E402
from connector import reports  # noqa: E402
from connector.config import default_config  # noqa: E402
from connector.reports.scorecard import ScorecardFilters, build_scorecard, drill_down  # noqa: E402
from connector.store import Store  # noqa: E402
from connector.store.models import (  # noqa: E402
    CreditLedgerRow,
    InboxEvent,
    OutboxCommand,
    PipelineDeal,
    RecordState,
    RecycleEpisode,
    ScorecardSnapshot,
    SlaClock,
)

WEEK = date(2026, 11, 23)
START = datetime(2026, 11, 23, 8, tzinfo=UTC)
REPS = [f"0057Q00000{n:04d}AAA" for n in range(12)]
SOURCES = ["ORGANIC_SEARCH", "PAID_SEARCH", "SOCIAL_MEDIA", "REFERRALS", "EMAIL_MARKETING"]


def seed(store: Store, leads: int, weeks: int = 4) -> None:
    """``leads`` hand-offs per week for ``weeks`` weeks ending with WEEK."""
    n = 0
    for back in range(weeks):
        base = START - timedelta(days=7 * back)
        rows: dict[tuple[type, tuple[str, ...]], list[dict[str, Any]]] = {}
        for i in range(leads):
            n += 1
            _lead(rows, n, i, base + timedelta(seconds=i * 7 * 86400 // leads // 2))
        with store.session() as session:
            for (model, _), values in rows.items():
                session.execute(insert(model), values)


def _lead(
    rows: dict[tuple[type, tuple[str, ...]], list[dict[str, Any]]], n: int, i: int, at: datetime
) -> None:
    lead_id, rep, source = f"00Q7Q{n:010d}AAA"[:18], REPS[i % len(REPS)], SOURCES[i % 5]
    add = lambda cls, **values: rows.setdefault((cls, tuple(sorted(values))), []).append(values)  # noqa: E731
    fields = {"LastName": "x", "HubSpot_Original_Source__c": source,
              "HubSpot_Last_Conversion__c": f"Form {i % 7}"}  # fmt: skip
    add(OutboxCommand, idempotency_key=f"create_lead:{n}", system="salesforce", kind="create_lead",
        record_key=f"hubspot:contact:{n}", status="done", created_at=at, done_at=at,
        next_attempt_at=at, result={"id": lead_id},
        payload={"hubspot_contact_id": str(n), "fields": fields, "owner_id": rep})  # fmt: skip
    add(RecordState, record_key=f"salesforce:lead:{lead_id}", fields={},
        stage="Working - Contacted" if i % 3 else "Open - Not Contacted")  # fmt: skip
    stopped = at + timedelta(hours=1 + i % 9)
    add(SlaClock, lead_id=lead_id, number=1, owner_id=rep, team=None, policy="standard",
        state="met" if i % 4 else "acted", started_at=at, deadline_at=at + timedelta(hours=4),
        stopped_at=stopped, stopped_by="task", touches=i % 8)  # fmt: skip
    for k, stage in enumerate(("marketingqualifiedlead", "salesqualifiedlead")[: 1 + i % 2]):
        add(InboxEvent, source="hubspot", event_id=f"s{n}-{k}", kind="property_change",
            object_type="contact", object_id=str(n), record_key=f"hubspot:contact:{n}",
            occurred_at=at + timedelta(days=k), received_at=at,
            changes={"lifecyclestage": stage}, is_snapshot=False, is_echo=False,
            related_ids=[], status="done", attempts=0)  # fmt: skip
    if i % 5 == 0:
        add(RecycleEpisode, person_key=f"hubspot:contact:{n}", hubspot_contact_id=str(n),
            salesforce_lead_id=lead_id, number=1, state="recycled" if i % 2 else "disqualified",
            reason_code=None if i % 3 == 0 else "too_small", reason_flag="missing" if i % 3 == 0
            else None, trigger_source="salesforce", trigger_status="Recycled",
            previous_owner_id=rep, recycled_at=stopped + timedelta(days=1))  # fmt: skip
    if i % 10 == 0:
        add(OutboxCommand, idempotency_key=f"hold:h{n}", system="hubspot", kind="update_fields",
            record_key=f"hubspot:contact:h{n}", status="done", created_at=at, done_at=at,
            next_attempt_at=at, payload={"object_type": "contacts", "object_id": f"h{n}",
            "fields": {"baton_hold_reason": ["no_company", "far_away"][i % 2]}})  # fmt: skip
    if i % 20 == 0:
        add(OutboxCommand, idempotency_key=f"sla:{n}:step0:email", system="notify",
            kind="notify", record_key=f"notify:email:{lead_id}", status="done", created_at=at,
            done_at=at, next_attempt_at=at,
            payload={"step": 1, "lead_id": lead_id, "owner_id": rep})  # fmt: skip
    if i % 10 == 5:  # an open deal for one in ten, half of them opened weeks earlier
        opened = at - timedelta(days=30 * (i % 2))
        add(PipelineDeal, deal_id=f"0067Q{n:010d}OPN"[:18], system="salesforce",
            state="won" if i % 6 == 0 else "open",
            amount_minor=50_000 + i, currency="EUR" if i % 4 else "USD", stage="Prospecting",
            created_at=opened, close_date=None, sourced=i % 3 != 0, influenced=i % 7 != 0,
            top_channel=source.lower(), opened_at=opened,
            left_at=None if i % 6 else stopped + timedelta(days=2), modified_at=opened,
            recorded_at=opened)  # fmt: skip
    if i % 20 == 0:
        for position in range(3):
            add(CreditLedgerRow, deal_id=f"0067Q{n:010d}AAA"[:18], revision=1, model="linear",
                model_version="1", position=position, touch_source="hubspot" if position else None,
                touch_id=f"t{n}-{position}" if position else None, channel=source.lower(),
                campaign=None, amount_minor=100_000, currency="EUR", inputs_digest="d" * 64,
                computed_at=stopped + timedelta(days=1), reversed_at=None)  # fmt: skip


def _timed(rounds: int, call: Any) -> tuple[float, float, float]:
    """(median wall ms, best wall ms, median CPU ms of this process) over ``rounds`` calls.

    CPU time is printed beside wall time because the machine is shared: wall time includes
    waiting for a CPU, process time does not (SQLite runs in this process; PostgreSQL's own
    work is not in it).
    """
    walls, cpus = [], []
    for _ in range(rounds):
        began, cpu = time.perf_counter(), time.process_time()
        call()
        walls.append(time.perf_counter() - began)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls) * 1000, min(walls) * 1000, statistics.median(cpus) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=10_000, help="hand-offs per week")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    return on_scratch_store(args.database_url, lambda store, url: _run(store, url, args))


def _run(store: Store, url: str, args: argparse.Namespace) -> int:
    config = default_config(public_base_url="https://baton.example.com", database_url=url)
    began = time.perf_counter()
    seed(store, args.leads)
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"seeded {args.leads:,} leads/week x 4 weeks on {store.dialect} in "
          f"{time.perf_counter() - began:.1f} s")  # fmt: skip
    filters = ScorecardFilters()
    card = build_scorecard(store, config, WEEK, filters)
    assert card.metric("mqls_delivered").value == args.leads, card.metric("mqls_delivered")

    def operations() -> None:
        with store.session() as session:
            reports.backlog(session)
            reports.funnel(session)
            reports.handoffs(session, 25)
            reports.held_back(session)

    def counted(chosen: ScorecardFilters) -> None:
        """A count: the closed week's snapshot is dropped first (what every build cost before)."""
        with store.session() as session:
            session.query(ScorecardSnapshot).delete()
        build_scorecard(store, config, WEEK, chosen)

    results = [
        ("operations report (baseline)", _timed(args.rounds, operations)),
        ("build_scorecard, week + 2 weeks' history", _timed(
            args.rounds, lambda: counted(filters))),
        ("build_scorecard, rep filter", _timed(args.rounds, lambda: counted(
            ScorecardFilters(rep=REPS[0])))),
        ("build_scorecard, closed week kept", _timed(
            args.rounds, lambda: build_scorecard(store, config, WEEK, filters))),
        ("drill_down mqls_delivered", _timed(
            args.rounds, lambda: drill_down(store, config, WEEK, "mqls_delivered", filters))),
    ]  # fmt: skip
    tracemalloc.start()
    counted(filters)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    print(f"{'what':<44} {'median ms':>10} {'best ms':>10} {'CPU ms':>10}")
    for name, (median, best, cpu) in results:
        print(f"{name:<44} {median:>10.0f} {best:>10.0f} {cpu:>10.0f}")
    print(f"tracemalloc peak of one build: {peak:.0f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
