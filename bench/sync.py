"""Sync benchmark: N lifecycle changes through the real path, API calls against the batch floor.

Baton runs as ``baton serve`` does (gunicorn 1 x 8, buffering worker, worker thread, SQLite), in its
own process; both sandbox CRMs run in this one. Seeding (not measured): N contacts at MQL in
HubSpot and N matching Leads in Salesforce, linked by ``baton backfill``. Then half the pairs
move in HubSpot (MQL → SQL, a person in the UI) and half in Salesforce (Open → Working, a rep),
and Baton carries each change across. Reported per CRM: the API calls Baton made (from the
sandboxes' request logs, writes and reads apart) against the floor the batch limits allow
(ceil(n/100) for HubSpot, ceil(n/200) for Salesforce), and the latency from Baton receiving the
webhook to the value being visible in the other CRM (p50/p95). Baseline in the same run: fresh
sandboxes delivering the same kind of changes to a no-op endpoint in Baton's server.

    python bench/sync.py            # N = 10,000
    python bench/sync.py --quick    # N = 1,000

Run from the repository root. Bounded in time (``--max-seconds`` per phase); prints a table.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

HUBSPOT_ID_FIELD = "HubSpot_Contact_Id__c"
MQL, SQL = "marketingqualifiedlead", "salesqualifiedlead"
OPEN, WORKING = "Open - Not Contacted", "Working - Contacted"
HUBSPOT_BATCH, SALESFORCE_BATCH = 100, 200
NOOP = "/bench/noop"
ENV = "BENCH_SYNC_PARAMS"


# ---------------------------------------------------------------------------- Baton's process


def bench_config(params: dict[str, Any]) -> Any:
    """The sandbox default config for these URLs, with the integration user, the lead-status
    mapping (so a rep's move shows in both HubSpot fields) and the pollers off."""
    from connector.config import default_config, with_changes

    config = default_config(
        hubspot_base_url=params["hubspot"],
        salesforce_instance_url=params["salesforce"],
        public_base_url=params["public"],
        database_url=params["database"],
    )
    return with_changes(
        config,
        {
            "service.log_level": "WARNING",
            "salesforce.integration_user_id": params["integration_user"],
            "salesforce.hubspot_id_field": HUBSPOT_ID_FIELD,
            "salesforce.poll_interval_s": 0,
            "hubspot.poll_interval_s": 0,
            "lifecycle.lead_status": [
                {"hubspot": "NEW", "salesforce": {"object": "Lead", "value": OPEN}},
                {"hubspot": "IN_PROGRESS", "salesforce": {"object": "Lead", "value": WORKING}},
            ],
        },
    )


def __getattr__(name: str) -> Any:
    """``bench.sync:app`` for gunicorn: Baton's app and worker thread, plus no-op receivers."""
    if name != "app":
        raise AttributeError(name)
    from baton.serve import start_worker_thread
    from connector.runtime import Runtime
    from webhooks.app import create_app

    params = json.loads(os.environ[ENV])
    runtime = Runtime.open(bench_config(params))
    if params.get("dispatch_every_pass"):  # the old policy, measured for comparison
        from connector.worker import Worker

        every_pass = Worker.run_once
        Worker.run_once = lambda self, flush=True: every_pass(self, flush=True)  # type: ignore[method-assign]
    start_worker_thread(runtime)
    app = create_app(runtime)
    _add_noop_receivers(app)
    globals()["app"] = app
    return app


def _add_noop_receivers(app: Any) -> None:
    """Endpoints that only note when each change arrived (first delivery) and acknowledge."""
    from defusedxml import ElementTree
    from flask import Response, jsonify, request

    from webhooks.soap import ACK_ENVELOPE, SOAP_CONTENT_TYPE

    seen: dict[str, float] = {}
    lock = threading.Lock()

    def note(key: str, occurred_s: float) -> None:
        with lock:
            seen.setdefault(key, time.time() - occurred_s)

    def hubspot() -> Any:
        for event in json.loads(request.get_data()):
            note(f"hubspot:{event['objectId']}", event["occurredAt"] / 1000)
        return jsonify(status="ok")

    def salesforce() -> Any:
        root = ElementTree.fromstring(request.get_data())
        for sobject in root.iter("{http://soap.sforce.com/2005/09/outbound}sObject"):
            values = {child.tag.rsplit("}", 1)[-1]: child.text for child in sobject}
            note(f"salesforce:{values['Id']}", parse_time(values["SystemModstamp"]))
        return Response(ACK_ENVELOPE, content_type=SOAP_CONTENT_TYPE)

    def arrivals() -> Any:
        with lock:
            return jsonify(seen)

    app.add_url_rule(NOOP + "/hubspot", "noop_hubspot", hubspot, methods=["POST"])
    app.add_url_rule(NOOP + "/salesforce", "noop_salesforce", salesforce, methods=["POST"])
    app.add_url_rule(NOOP + "/arrivals", "noop_arrivals", arrivals, methods=["GET"])


def parse_time(text: str) -> float:
    """Seconds since the epoch of a CRM timestamp ("…Z" or "…+0000")."""
    text = text.replace("Z", "+00:00")
    if text[-5] in "+-" and text[-3] != ":":
        text = text[:-2] + ":" + text[-2:]
    return datetime.fromisoformat(text).timestamp()


def start_baton(params: dict[str, Any], port: int) -> subprocess.Popen[bytes]:
    """gunicorn 1 x 8, buffering worker (the ``baton serve`` shape); waits for /healthz."""
    env = {**os.environ, ENV: json.dumps(params), "BATON_SALESFORCE_CA_BUNDLE": params["ca"]}
    env.pop("BATON_DATABASE_URL", None)
    command = [
        sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}",
        "--worker-class", "baton.intake_worker.BufferingThreadWorker", "--keep-alive", "0",
        "--workers", "1", "--threads", "8",
        "--log-level", "warning", "bench.sync:app",
    ]  # fmt: skip
    server = subprocess.Popen(command, cwd=REPO, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=10).ok:
                return server
        except requests.RequestException:  # not listening yet, or still loading the app
            time.sleep(0.2)
    server.terminate()
    server.wait(timeout=30)
    raise SystemExit("Baton did not start within 60 s")


# ---------------------------------------------------------------------------- the CRMs


@contextmanager
def sandboxes() -> Iterator[tuple[Any, Any]]:
    """A HubSpot portal and a Salesforce org as the demo runs them (``REALISTIC_*``: search index
    delay, duplicate and reordered deliveries, the integration user's writes firing outbound,
    sessions that expire mid-run, renamed Lead status labels) and a lead assignment rule."""
    from baton.demo.stack import REALISTIC_HUBSPOT, REALISTIC_SALESFORCE
    from connector.config.defaults import SANDBOX_SALESFORCE_ORG_ID
    from sandbox.hubspot import HubSpotSandbox, HubSpotSandboxConfig
    from sandbox.salesforce import SalesforceSandbox
    from sandbox.salesforce.config import SalesforceSandboxConfig

    hs_config = HubSpotSandboxConfig(**REALISTIC_HUBSPOT)
    sf_config = SalesforceSandboxConfig(org_id=SANDBOX_SALESFORCE_ORG_ID, **REALISTIC_SALESFORCE)
    with HubSpotSandbox(hs_config) as hs, SalesforceSandbox(sf_config) as sf:
        sf.add_custom_field("Lead", HUBSPOT_ID_FIELD)
        # an active assignment rule: a write without `Sforce-Auto-Assign: FALSE` would move the
        # Lead to this queue
        queue = sf.add_queue("Assignment Rule Queue")
        sf.set_assignment_rule(lambda lead: queue)
        yield hs, sf


def email_of(tag: str, index: int) -> str:
    """The seeded person's address."""
    return f"{tag}{index}@bench.example"


def seed_pairs(hs: Any, sf: Any, n: int, tag: str) -> list[tuple[str, str]]:
    """N contacts at MQL and their Leads (Open, carrying the contact id), as people made them."""
    pairs = []
    for i in range(n):
        email = email_of(tag, i)
        properties = {"email": email, "lastname": f"P{i}", "company": "Acme", "lifecyclestage": MQL}
        contact = hs.ui_create("contacts", properties)
        lead_fields = {"LastName": f"P{i}", "Company": "Acme", "Email": email}
        lead = sf.ui_create("Lead", {**lead_fields, HUBSPOT_ID_FIELD: contact})
        pairs.append((contact, lead))
    return pairs


def make_changes(hs: Any, sf: Any, pairs: list[tuple[str, str]], rate: float | None) -> int:
    """Move the first half in HubSpot, the rest in Salesforce; return how many go each way."""
    n_hubspot = len(pairs) // 2
    pause = 1.0 / rate if rate else 0.0
    for index, (contact, lead) in enumerate(pairs):
        if index < n_hubspot:
            hs.ui_update("contacts", contact, {"lifecyclestage": SQL})
        else:
            sf.ui_update("Lead", lead, {"Status": WORKING})
        if pause:
            time.sleep(pause)
    return n_hubspot


def wait_until(check: Callable[[], bool], seconds: float, step: float = 0.5) -> bool:
    """Poll ``check`` until it holds or ``seconds`` pass."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(step)
    return check()


# ---------------------------------------------------------------------------- figures


def hubspot_calls(hs: Any) -> tuple[list[int], int]:
    """(inputs of each write call, number of read calls) from the HubSpot request log."""
    writes, reads = [], 0
    for r in hs.requests:
        is_read = r.method == "GET" or r.path.endswith("/batch/read") or "/search" in r.path
        if is_read:
            reads += 1
        else:
            writes.append(r.n_inputs)
    return writes, reads


def salesforce_calls(sf: Any) -> tuple[list[int], int]:
    """(records of each write call, number of read calls) from the Salesforce request log."""
    writes = [r.n_records for r in sf.requests if r.method != "GET"]
    return writes, sum(1 for r in sf.requests if r.method == "GET")


def percentiles(values: list[float]) -> tuple[float, float]:
    """p50 and p95 in milliseconds."""
    if not values:
        return math.nan, math.nan
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, math.ceil(len(ordered) * 0.95) - 1)]
    return statistics.median(ordered) * 1000, p95 * 1000


def inbox_counts(database_url: str) -> tuple[int, int]:
    """(genuine, echo) events Baton took in during the measurement (backfill excluded)."""
    from sqlalchemy import func, select

    from connector.store import Store
    from connector.store.models import InboxEvent

    store = Store(database_url)
    with store.session() as session:
        rows = dict(
            session.execute(
                select(InboxEvent.is_echo, func.count()).group_by(InboxEvent.is_echo)
            ).all()
        )
    store.dispose()
    return int(rows.get(False, 0)), int(rows.get(True, 0))


def received_times(database_url: str) -> dict[str, tuple[float, float]]:
    """Per source record: (occurred, received) of Baton's genuine inbox event, first one."""
    from sqlalchemy import select

    from connector.store import Store
    from connector.store.models import InboxEvent

    store = Store(database_url)
    found: dict[str, tuple[float, float]] = {}
    with store.session() as session:
        query = (
            select(InboxEvent.object_id, InboxEvent.occurred_at, InboxEvent.received_at)
            .where(InboxEvent.is_echo.is_(False), InboxEvent.event_id.not_like("backfill:%"))
            .where(InboxEvent.kind == "updated")
            .order_by(InboxEvent.id)
        )
        for object_id, occurred, received in session.execute(query):
            found.setdefault(object_id, (occurred.timestamp(), received.timestamp()))
    store.dispose()
    return found


def visible_at(hs: Any, sf: Any, target: tuple[str, str]) -> float | None:
    """When Baton's write of the new stage became visible in the target CRM (its own stamp)."""
    system, record_id = target
    if system == "salesforce":
        lead = sf.get("Lead", record_id)
        return parse_time(lead["SystemModstamp"]) if lead["Status"] == WORKING else None
    for entry in hs.history("contacts", record_id, "lifecyclestage"):
        if entry["value"] == SQL and entry.get("sourceType") == "INTEGRATION":
            return parse_time(entry["timestamp"])
    return None


# ---------------------------------------------------------------------------- phases


def run_baseline(n: int, port: int, budget: float) -> dict[str, list[float]]:
    """Fresh sandboxes deliver the same changes to the no-op endpoints; delivery latencies."""
    base = f"http://127.0.0.1:{port}{NOOP}"
    with sandboxes() as (hs, sf):
        pairs = seed_pairs(hs, sf, n, "base")
        hs.subscribe(base + "/hubspot", [("contact.propertyChange", "lifecyclestage")])
        sf.add_outbound_message("Lead", ["Status", "SystemModstamp"], base + "/salesforce")
        make_changes(hs, sf, pairs, None)
        hs.flush_webhooks(timeout=budget)
        sf.flush_outbound(timeout=budget)
    seen = requests.get(base + "/arrivals", timeout=30).json()
    return {
        "hubspot": [v for k, v in seen.items() if k.startswith("hubspot:")],
        "salesforce": [v for k, v in seen.items() if k.startswith("salesforce:")],
    }


def pending_work(database_url: str) -> int:
    """Inbox events and outbox commands not finished yet."""
    from sqlalchemy import func, select

    from connector.store import Store
    from connector.store.models import InboxEvent, OutboxCommand

    store = Store(database_url)
    with store.session() as session:
        events = session.scalar(
            select(func.count()).select_from(InboxEvent).where(InboxEvent.status == "pending")
        )
        commands = session.scalar(
            select(func.count()).select_from(OutboxCommand).where(OutboxCommand.status == "pending")
        )
    store.dispose()
    return int(events or 0) + int(commands or 0)


def link_pairs(database_url: str, pairs: list[tuple[str, str]], emails: list[str]) -> None:
    """Seed Baton's knowledge: each pair linked, both sides' stages known (what ``baton
    backfill`` leaves behind, written directly: backfilling 10,000 pairs through the worker
    would take longer than the measurement)."""
    from connector import knowledge
    from connector.events import ObjectType, Source, record_key
    from connector.store import Store

    store = Store(database_url)
    seeded_at = datetime.now(UTC)
    with store.session() as session:
        for (contact, lead), email in zip(pairs, emails, strict=True):
            knowledge.upsert_link(
                session, hubspot_contact_id=contact, salesforce_lead_id=lead, email=email
            )
            hubspot_key = record_key(Source.HUBSPOT, ObjectType.CONTACT, contact)
            knowledge.remember(session, hubspot_key, {"lifecyclestage": MQL}, seeded_at)
            lead_key = record_key(Source.SALESFORCE, ObjectType.LEAD, lead)
            knowledge.remember(session, lead_key, {"Status": OPEN}, seeded_at)
    store.dispose()


def row(label: str, *cells: Any) -> str:
    """One Markdown table row."""
    return "| " + " | ".join([label, *(str(c) for c in cells)]) + " |"


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=10_000, help="stage changes (N)")
    parser.add_argument("--quick", action="store_true", help="N = 1,000")
    parser.add_argument("--rate", type=float, help="changes per second (default: as fast as UI)")
    parser.add_argument("--max-seconds", type=float, default=600, help="budget per phase")
    parser.add_argument("--database-url", help="default: a SQLite file in a temp directory")
    parser.add_argument(
        "--dispatch-every-pass",
        action="store_true",
        help="measure the old dispatch policy (send after every worker pass) for comparison "
        "with the default (connector.dispatch_policy: full batches, or after a short wait)",
    )
    args = parser.parse_args(argv)
    n = 1_000 if args.quick else args.changes
    if n < 2:
        parser.error("--changes must be at least 2")

    from connector.config.defaults import SANDBOX_SALESFORCE_OUTBOUND_TOKEN
    from connector.store import upgrade

    port = free_port()
    public = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as workdir, ExitStack() as stack:
        hs, sf = stack.enter_context(sandboxes())
        database = args.database_url or f"sqlite:///{Path(workdir) / 'bench.db'}"
        params = {
            "hubspot": hs.base_url, "salesforce": sf.instance_url, "public": public,
            "database": database, "integration_user": sf.integration_user_id,
            "ca": sf.ca_bundle_path, "dispatch_every_pass": args.dispatch_every_pass,
        }  # fmt: skip
        upgrade(database)
        started = time.monotonic()
        pairs = seed_pairs(hs, sf, n, "sync")
        link_pairs(database, pairs, [email_of("sync", i) for i in range(n)])
        print(f"seeding: {time.monotonic() - started:.1f} s", file=sys.stderr)

        server = start_baton(params, port)
        stack.callback(lambda: (server.terminate(), server.wait(timeout=30)))
        started = time.monotonic()
        baseline = run_baseline(n, port, args.max_seconds)
        print(f"baseline: {time.monotonic() - started:.1f} s", file=sys.stderr)

        hs.subscribe(
            public + "/webhooks/hubspot",
            ["contact.creation", ("contact.propertyChange", "lifecyclestage"),
             ("contact.propertyChange", "hs_lead_status"), "contact.merge"],
        )  # fmt: skip
        fields = ["Status", "Email", "IsConverted", "ConvertedContactId", HUBSPOT_ID_FIELD]
        endpoint = f"{public}/webhooks/salesforce/outbound/{SANDBOX_SALESFORCE_OUTBOUND_TOKEN}"
        sf.add_outbound_message("Lead", [*fields, "LastModifiedById", "SystemModstamp"], endpoint)
        hs.reset_request_log()
        sf.reset_request_log()
        started = time.monotonic()
        n_hubspot = make_changes(hs, sf, pairs, args.rate)
        made = time.monotonic() - started
        targets = [("salesforce", lead) for _, lead in pairs[:n_hubspot]]
        targets += [("hubspot", contact) for contact, _ in pairs[n_hubspot:]]
        done = wait_until(
            lambda: (
                pending_work(database) == 0
                and all(visible_at(hs, sf, t) is not None for t in targets[-50:])
            ),
            args.max_seconds,
        )
        done = done and all(visible_at(hs, sf, t) is not None for t in targets)
        elapsed = time.monotonic() - started
        time.sleep(2.0)  # anything still coming (a ping-pong) would show in the logs now
        hs.flush_webhooks(timeout=10)
        sf.flush_outbound(timeout=10)
        wait_until(lambda: pending_work(database) == 0, 30)
        report(args, n, n_hubspot, made, elapsed, done, hs, sf, pairs, targets, baseline, database)


def report(
    args: argparse.Namespace,
    n: int,
    n_hubspot: int,
    made: float,
    elapsed: float,
    done: bool,
    hs: Any,
    sf: Any,
    pairs: list[tuple[str, str]],
    targets: list[tuple[str, str]],
    baseline: dict[str, list[float]],
    database: str,
) -> None:
    """Print the calls table and the latency table."""
    received = received_times(database)
    sources = [c for c, _ in pairs[:n_hubspot]] + [lead for _, lead in pairs[n_hubspot:]]
    e2e: dict[str, list[float]] = {"hubspot": [], "salesforce": []}
    delivery: dict[str, list[float]] = {"hubspot": [], "salesforce": []}
    total: dict[str, list[float]] = {"hubspot": [], "salesforce": []}
    for source_id, target in zip(sources, targets, strict=True):
        seen = visible_at(hs, sf, target)
        times = received.get(source_id)
        if seen is None or times is None:
            continue
        origin = "hubspot" if target[0] == "salesforce" else "salesforce"
        occurred, arrived = times
        e2e[origin].append(seen - arrived)
        delivery[origin].append(arrived - occurred)
        total[origin].append(seen - occurred)
    hs_writes, hs_reads = hubspot_calls(hs)
    sf_writes, sf_reads = salesforce_calls(sf)
    n_salesforce = n - n_hubspot
    engine = "PostgreSQL" if args.database_url else "SQLite"
    pace = f"{args.rate:g}/s" if args.rate else f"burst ({n / made:,.0f}/s)"
    policy = "dispatch every pass" if args.dispatch_every_pass else "batch-filling dispatch"
    genuine, echoes = inbox_counts(database)
    print(
        f"\nsync: N={n:,} stage changes ({n_hubspot:,} in HubSpot, {n_salesforce:,} in "
        f"Salesforce), made {pace}; Baton gunicorn gthread 1x8 + worker thread ({policy}), "
        f"{engine}, {os.cpu_count()} CPUs; all visible: {done} after {elapsed:.1f} s; "
        f"inbox: {genuine:,} changes + {echoes:,} echoes of Baton's writes "
        f"({(genuine + echoes) / elapsed:,.0f} events/s)\n"
    )
    print("| CRM written | changes | write calls | records written | floor | x floor "
          "| mean batch | read calls |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, changes, writes, reads, limit in (
        ("HubSpot", n_salesforce, hs_writes, hs_reads, HUBSPOT_BATCH),
        ("Salesforce", n_hubspot, sf_writes, sf_reads, SALESFORCE_BATCH),
    ):
        floor = math.ceil(changes / limit)
        mean = sum(writes) / len(writes) if writes else 0.0
        print(
            row(name, f"{changes:,}", len(writes), f"{sum(writes):,}", floor,
                f"{len(writes) / floor:.1f}", f"{mean:.1f}", reads)
        )  # fmt: skip
    print("\n| path | changes | p50 (ms) | p95 (ms) |")
    print("|---|---:|---:|---:|")
    lines = [
        ("baseline: HubSpot webhook → no-op (delivery)", baseline["hubspot"]),
        ("baseline: Salesforce outbound → no-op (delivery)", baseline["salesforce"]),
        ("HubSpot change → Baton (delivery)", delivery["hubspot"]),
        ("Salesforce change → Baton (delivery)", delivery["salesforce"]),
        ("Baton: webhook in → visible in Salesforce", e2e["hubspot"]),
        ("Baton: outbound in → visible in HubSpot", e2e["salesforce"]),
        ("total: HubSpot change → visible in Salesforce", total["hubspot"]),
        ("total: Salesforce change → visible in HubSpot", total["salesforce"]),
    ]
    for label, values in lines:
        p50, p95 = percentiles(values)
        print(row(label, f"{len(values):,}", f"{p50:,.0f}", f"{p95:,.0f}"))


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


if __name__ == "__main__":
    main()
