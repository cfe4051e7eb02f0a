"""Privacy benchmark: erasing one person from a store of N people, and one retention run.

Seeds a fresh store with N people, each with the rows a hand-off leaves (a raw body, inbox
events, audit lines, the Lead's creation and a notice in the outbox, a link, known state, an
SLA clock). Measures ``erase_person`` for a few people (median): the search for mentions of
the person in *other* rows reads whole tables (a LIKE per needle), so the baseline in the same
run and store is the same erasure with that search switched off — the cost of the person's own
rows alone. Erasure and ``export_person`` are also timed with the raw-body SQL pre-filter off
(every body decoded in Python, as before it existed), in the same run. Then one retention run
with every period over (what the first run after an upgrade pays), with its row counts.

    python bench/privacy.py                      # SQLite file in a temp dir, 5,000 people
    python bench/privacy.py --people 1000
    python bench/privacy.py --body-bytes 3000     # raw bodies the size of an outbound message
    python bench/privacy.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test

Run from the repository root.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from unittest import mock

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from sqlalchemy import func, insert, select  # noqa: E402

from bench._stores import run_admin, scratch_store  # noqa: E402
from connector.config import default_config  # noqa: E402
from connector.privacy import email_hash  # noqa: E402
from connector.privacy import erasure as erasure_module  # noqa: E402
from connector.privacy import tables as privacy_tables  # noqa: E402
from connector.privacy.erasure import ErasureContext, erase_person  # noqa: E402
from connector.privacy.export import export_person  # noqa: E402
from connector.privacy.keys import erasure_key  # noqa: E402
from connector.privacy.retention import prune  # noqa: E402
from connector.privacy.subject import resolve  # noqa: E402
from connector.store import Store  # noqa: E402
from connector.store.models import (  # noqa: E402
    AuditEntry,
    InboxEvent,
    OutboxCommand,
    RawRequest,
    RecordLink,
    RecordState,
    SlaClock,
)

T0 = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)


def _person(i: int) -> dict[str, str]:
    return {
        "contact": str(100_000 + i),
        "lead": f"00Q{i:012d}AAA",
        "email": f"person{i}@example.org",
        "last": f"Lastname{i}",
    }


def seed(store: Store, people: int, body_bytes: int = 0) -> None:
    """N people's rows, inserted in bulk (each raw body padded to about ``body_bytes``: a
    Salesforce outbound message is 2-4 KB of SOAP around the fields)."""
    with store.session() as session:
        for start in range(0, people, 500):
            batch = [_person(i) for i in range(start, min(people, start + 500))]
            raws = [
                {
                    "source": "salesforce",
                    "received_at": T0,
                    "path": "/webhooks/salesforce",
                    "headers": {},
                    "body_sha256": "0" * 64,
                    "event_count": 1,
                    "body": json.dumps(
                        {"Id": p["lead"], "Email": p["email"], "LastName": p["last"]}
                        | ({"Envelope": "x" * body_bytes} if body_bytes else {})
                    ).encode(),
                }
                for p in batch
            ]
            raw_ids = list(session.scalars(insert(RawRequest).returning(RawRequest.id), raws))
            events, audits, commands = [], [], []
            for p, raw_id in zip(batch, raw_ids, strict=True):
                hs_key, lead_key = f"hubspot:contact:{p['contact']}", f"salesforce:lead:{p['lead']}"
                for n in range(5):
                    events.append(
                        {
                            "source": "hubspot",
                            "event_id": f"{p['contact']}-{n}",
                            "kind": "updated",
                            "object_type": "contact",
                            "object_id": p["contact"],
                            "record_key": hs_key,
                            "occurred_at": T0,
                            "received_at": T0,
                            "processed_at": T0,
                            "status": "done",
                            "changes": {"lifecyclestage": "marketingqualifiedlead"},
                            "related_ids": [],
                            "raw_request_id": raw_id if n == 0 else None,
                        }
                    )
                for n in range(8):
                    audits.append(
                        {
                            "at": T0,
                            "record_key": hs_key if n % 2 else lead_key,
                            "step": "rule",
                            "summary": f"rule {n} decided",
                            "detail": {},
                        }
                    )
                commands.append(
                    {
                        "idempotency_key": f"create_lead:{p['contact']}",
                        "system": "salesforce",
                        "kind": "create_lead",
                        "record_key": hs_key,
                        "status": "done",
                        "created_at": T0,
                        "done_at": T0,
                        "next_attempt_at": T0,
                        "attempts": 1,
                        "payload": {
                            "hubspot_contact_id": p["contact"],
                            "fields": {"LastName": p["last"], "Email": p["email"]},
                        },
                    }
                )
                commands.append(
                    {
                        "idempotency_key": f"notify:{p['lead']}",
                        "system": "notify",
                        "kind": "notify",
                        "record_key": f"notify:email:{lead_key}",
                        "status": "done",
                        "created_at": T0,
                        "next_attempt_at": T0,
                        "attempts": 1,
                        "payload": {"lead_id": p["lead"]},
                    }
                )
            session.execute(insert(InboxEvent), events)
            session.execute(insert(AuditEntry), audits)
            session.execute(insert(OutboxCommand), commands)
            session.execute(
                insert(RecordLink),
                [
                    {
                        "hubspot_contact_id": p["contact"],
                        "salesforce_lead_id": p["lead"],
                        "email_hash": email_hash(p["email"]),
                        "created_at": T0,
                        "updated_at": T0,
                    }
                    for p in batch
                ],
            )
            session.execute(
                insert(RecordState),
                [
                    {
                        "record_key": f"hubspot:contact:{p['contact']}",
                        "fields": {"values": {}},
                        "deleted": False,
                        "updated_at": T0,
                    }
                    for p in batch
                ],
            )
            session.execute(
                insert(SlaClock),
                [
                    {
                        "lead_id": p["lead"],
                        "number": 1,
                        "owner_id": "005000000000RepAAA",
                        "policy": "p",
                        "state": "met",
                        "started_at": T0,
                        "deadline_at": T0,
                        "touches": 1,
                    }
                    for p in batch
                ],
            )


def _erase(store: Store, who: str) -> tuple[float, float, int]:
    started, cpu = time.perf_counter(), time.process_time()
    with store.session() as session:
        rows = erase_person(session, who, "command", T0 + timedelta(days=1)).total
    return (time.perf_counter() - started) * 1000, (time.process_time() - cpu) * 1000, rows


def _export(store: Store, who: str) -> tuple[float, float, int]:
    started, cpu = time.perf_counter(), time.process_time()
    with store.session() as session:
        tables = export_person(session, who)["tables"]
    rows = sum(len(found) for found in tables.values())
    return (time.perf_counter() - started) * 1000, (time.process_time() - cpu) * 1000, rows


def _body_search(store: Store, who: str) -> tuple[float, float, int]:
    """The raw-body part of an erasure or export alone: which bodies carry the person."""
    with store.session() as session:
        ctx = ErasureContext(session, resolve(session, who), erasure_key(session))
        started, cpu = time.perf_counter(), time.process_time()
        found = privacy_tables.RawBodies()._ids(ctx)
    return (time.perf_counter() - started) * 1000, (time.process_time() - cpu) * 1000, len(found)


def _no_body_prefilter():  # type: ignore[no-untyped-def]
    """Every raw body decoded in Python, as before the SQL pre-filter."""
    return mock.patch.object(privacy_tables, "body_mentions", lambda *args: None)


def _line(label: str, runs: list[tuple[float, float, int]], unit: str) -> str:
    wall = statistics.median(t for t, _, _ in runs)
    cpu = statistics.median(c for _, c, _ in runs)
    return f"{label:<52}{wall:8.1f} ms wall {cpu:8.1f} ms CPU, {runs[0][2]} {unit}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--body-bytes", type=int, default=0, help="pad each raw body")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store, url, schema = scratch_store(args.database_url, Path(tmp) / "bench.db")
        try:
            began = time.perf_counter()
            seed(store, args.people, args.body_bytes)
            with store.session() as session:
                total = sum(
                    session.scalar(select(func.count()).select_from(model)) or 0
                    for model in (RawRequest, InboxEvent, AuditEntry, OutboxCommand)
                )
            print(
                f"engine {url.split(':', 1)[0]}, {args.people:,} people, {total:,} rows "
                f"(seeded in {time.perf_counter() - began:.1f} s)"
            )
            rounds = args.rounds
            people = iter(_person(i)["email"] for i in range(args.people))
            last = [_person(args.people - 1 - i)["email"] for i in range(rounds)]  # kept people
            bodies = [_body_search(store, who) for who in last]
            with _no_body_prefilter():
                bodies_all = [_body_search(store, who) for who in last]
            print(_line(f"raw bodies of one person (median of {rounds})", bodies, "found"))
            print(_line("  before: every raw body decoded (no pre-filter)", bodies_all, "found"))
            exported = [_export(store, who) for who in last]
            with _no_body_prefilter():
                exported_all = [_export(store, who) for who in last]
            full = [_erase(store, next(people)) for _ in range(rounds)]
            with _no_body_prefilter():
                decoded_all = [_erase(store, next(people)) for _ in range(rounds)]
            with mock.patch.object(erasure_module, "mentions", lambda ctx, policy: None):
                own = [_erase(store, next(people)) for _ in range(rounds)]
            print(_line(f"erase one person, full (median of {rounds})", full, "rows changed"))
            print(_line("  before: every raw body decoded (no pre-filter)", decoded_all, "rows"))
            print(_line("  baseline: own rows only, no mention search", own, "rows changed"))
            print(_line(f"export one person (median of {rounds})", exported, "rows"))
            print(_line("  before: every raw body decoded (no pre-filter)", exported_all, "rows"))
            started = time.perf_counter()
            with store.session() as session:
                counts = prune(session, default_config(), T0 + timedelta(days=120))
            elapsed = time.perf_counter() - started
            print(f"one retention run, every period over: {elapsed:8.2f} s  {counts}")
        finally:
            store.dispose()
            if schema:
                run_admin(args.database_url, f'DROP SCHEMA "{schema}" CASCADE')


if __name__ == "__main__":
    main()
