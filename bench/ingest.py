"""Ingest benchmark: signed HubSpot batches posted concurrently to Baton under gunicorn.

Baton's app (the real receivers, store and migrations, from ``webhooks.wsgi``) plus one no-op
Flask endpoint run in the same gunicorn server. The same signed batches are posted first to the
no-op endpoint (the ceiling: HTTP + Flask + the client on this machine) and then to
``/webhooks/hubspot`` (verify, parse, store in one transaction, acknowledge). Bounded in count
and time. Prints one table row per endpoint: accepted events/s and p50/p99 acknowledgement
latency as seen by the sender.

    python bench/ingest.py                       # SQLite, gunicorn 1 x 8 as baton serve runs it
    python bench/ingest.py --database-url postgresql+psycopg://postgres@127.0.0.1/bench --workers 2
    python bench/ingest.py --baseline /tmp/base-main   # plus a row for Baton from that checkout

Run from the repository root. The client shares the machine with the server, so both figures
include its CPU use; compare the two rows, not absolute numbers across machines.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from webhooks.signatures import sign_hubspot_v3  # noqa: E402

SECRET = "bench-client-secret"
PORTAL_ID = 62515
NOOP_PATH = "/bench/noop"
HUBSPOT_PATH = "/webhooks/hubspot"


def __getattr__(name: str) -> Any:
    """``bench.ingest:app`` for gunicorn: Baton's app plus the no-op endpoint."""
    if name != "app":
        raise AttributeError(name)
    from flask import jsonify, request

    from webhooks.wsgi import build_app

    app = build_app()

    def noop() -> Any:
        request.get_data()
        return jsonify(status="stored", accepted=0, duplicates=0)

    app.add_url_rule(NOOP_PATH, "bench_noop", noop, methods=["POST"])
    globals()["app"] = app
    return app


@dataclass
class Result:
    """One endpoint's run."""

    name: str
    requests: int
    events: int
    failures: int
    stored: int | None
    seconds: float
    latencies: list[float]

    def row(self) -> str:
        lat = sorted(self.latencies) or [0.0]
        p50 = statistics.median(lat) * 1000
        p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000
        rate = self.events / self.seconds if self.seconds else 0.0
        stored = "-" if self.stored is None else str(self.stored)
        return (
            f"| {self.name:<23} | {self.requests:>8} | {self.failures:>8} | {stored:>7} "
            f"| {rate:>14.0f} | {p50:>8.1f} | {p99:>8.1f} |"
        )


def make_batches(count: int, size: int, salt: int) -> list[bytes]:
    """``count`` distinct HubSpot batches of ``size`` property-change events each."""
    batches = []
    for b in range(count):
        events = [
            {
                "eventId": salt * 100_000_000 + b * size + i,
                "subscriptionId": 686627,
                "portalId": PORTAL_ID,
                "appId": 54321,
                "occurredAt": 1_700_000_000_000 + i,
                "subscriptionType": "contact.propertyChange",
                "attemptNumber": 0,
                "objectId": 100_000 + b * size + i,
                "propertyName": "lifecyclestage",
                "propertyValue": "marketingqualifiedlead",
                "changeSource": "CRM_UI",
                "sourceId": "userId:1",
            }
            for i in range(size)
        ]
        batches.append(json.dumps(events, separators=(",", ":")).encode())
    return batches


def run(name: str, url: str, batches: list[bytes], size: int, concurrency: int, budget: float):
    """Post every batch (or until ``budget`` seconds pass) with ``concurrency`` senders."""
    local = threading.local()
    deadline = time.monotonic() + budget
    latencies: list[float] = []
    failures = 0
    sent = 0
    stored = 0
    lock = threading.Lock()

    def post(body: bytes) -> None:
        nonlocal failures, sent, stored
        if time.monotonic() > deadline:
            return
        session = getattr(local, "session", None) or requests.Session()
        local.session = session
        timestamp = str(int(time.time() * 1000))
        headers = {
            "Content-Type": "application/json",
            "X-HubSpot-Request-Timestamp": timestamp,
            "X-HubSpot-Signature-v3": sign_hubspot_v3(SECRET, "POST", url, body, timestamp),
        }
        started = time.perf_counter()
        try:
            response = session.post(url, data=body, headers=headers, timeout=30)
            ok = response.status_code == 200
            accepted = response.json().get("accepted", 0) if ok else 0
        except requests.RequestException:
            ok, accepted = False, 0
        elapsed = time.perf_counter() - started
        with lock:
            sent += 1
            stored += accepted
            latencies.append(elapsed)
            failures += 0 if ok else 1

    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(post, batches))
    seconds = time.perf_counter() - started
    counted = stored if name.startswith("Baton") else None
    return Result(name, sent, (sent - failures) * size, failures, counted, seconds, latencies)


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(
    args: argparse.Namespace, workdir: Path, port: int, repo: Path = REPO
) -> subprocess.Popen[bytes]:
    """gunicorn as baton serve runs it (buffering gthread, no keep-alive), serving the app of
    the checkout ``repo``; waits for /healthz."""
    database_url = args.database_url or f"sqlite:///{workdir / 'bench.db'}"
    config = workdir / "baton.yaml"
    config.write_text(
        "version: 1\n"
        f'service: {{public_base_url: "http://127.0.0.1:{port}", log_level: WARNING}}\n'
        f'store: {{database_url: "{database_url}"}}\n'
        f"hubspot: {{portal_id: {PORTAL_ID}, app_id: 54321, access_token: '${{BENCH_TOKEN}}', "
        "client_secret: '${BENCH_SECRET}'}\n"
        "salesforce: {enabled: false}\n"
    )
    env = {**os.environ, "BATON_CONFIG": str(config), "BENCH_TOKEN": "x", "BENCH_SECRET": SECRET}
    env.pop("BATON_DATABASE_URL", None)
    command = [
        sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}",
        "--worker-class", "baton.intake_worker.BufferingThreadWorker", "--keep-alive", "0",
        "--workers", str(args.workers), "--threads", str(args.threads), "--preload",
        "--log-level", "warning",
        "bench.ingest:app",
    ]  # fmt: skip
    server = subprocess.Popen(command, cwd=repo, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).ok:
                return server
        except requests.ConnectionError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not start within 60 s")


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=400, help="batches per endpoint")
    parser.add_argument("--events-per-batch", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=10, help="HubSpot sends <= 10")
    parser.add_argument("--workers", type=int, default=1, help="gunicorn processes")
    parser.add_argument("--threads", type=int, default=8, help="threads per process")
    parser.add_argument("--max-seconds", type=float, default=60, help="time budget per endpoint")
    parser.add_argument("--database-url", help="default: a SQLite file in a temp directory")
    parser.add_argument(
        "--baseline", type=Path, help="also run Baton from this checkout (e.g. a worktree of main)"
    )
    args = parser.parse_args(argv)
    if args.baseline and args.database_url:  # one database would hold both runs' events
        parser.error("--baseline runs on SQLite only: each server gets a file of its own")

    size = args.events_per_batch
    salt = int(time.time()) % 100_000  # fresh event ids on every run (reused databases)
    servers = [(REPO, "Baton /webhooks/hubspot")]
    if args.baseline:
        servers.append((args.baseline.resolve(), "Baton, baseline checkout"))
    rows: list[Result] = []
    for index, (repo, name) in enumerate(servers):  # one server at a time: no CPU shared
        port = free_port()
        with tempfile.TemporaryDirectory() as workdir:
            server = start_server(args, Path(workdir), port, repo)
            try:
                base = f"http://127.0.0.1:{port}"
                run("warm-up", base + NOOP_PATH, make_batches(20, size, 9), size, 2, 10)
                if index == 0:
                    ceiling = make_batches(args.batches, size, salt * 3)
                    rows.append(
                        run("no-op Flask (ceiling)", base + NOOP_PATH, ceiling, size,
                            args.concurrency, args.max_seconds)
                    )  # fmt: skip
                batches = make_batches(args.batches, size, salt * 3 + 1 + index)
                rows.append(
                    run(name, base + HUBSPOT_PATH, batches, size, args.concurrency,
                        args.max_seconds)
                )  # fmt: skip
            finally:
                server.terminate()
                server.wait(timeout=30)
    engine = "PostgreSQL" if args.database_url else "SQLite"
    print(
        f"\ningest: {args.batches} batches x {args.events_per_batch} events, concurrency "
        f"{args.concurrency}, gunicorn buffering gthread {args.workers}x{args.threads}, {engine}, "
        f"{os.cpu_count()} CPUs\n"
    )
    print(
        "| endpoint                | requests | failures |  stored | acked events/s "
        "| p50 (ms) | p99 (ms) |"
    )
    print(
        "|-------------------------|---------:|---------:|--------:|---------------:"
        "|---------:|---------:|"
    )
    for row in rows:
        print(row.row())
    ceiling_rate = rows[0].events / rows[0].seconds if rows[0].seconds else 0.0
    for row in rows[1:]:
        rate = row.events / row.seconds if row.seconds else 0.0
        print(f"{row.name}: {rate / ceiling_rate:.2f} x the ceiling" if ceiling_rate else "")


if __name__ == "__main__":
    main()
