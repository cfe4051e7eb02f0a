"""Crash test: SIGKILL Baton while signed batches stream in; nothing acknowledged is ever lost.

Baton runs as a real process (``python -m webhooks.wsgi``, one process, threaded) on loopback
with a SQLite file. Four sender threads post signed HubSpot batches; once some are acknowledged
the process is killed with SIGKILL mid-stream. After a restart on the same file the senders
retry every batch that was not acknowledged (as HubSpot would, with a higher attemptNumber and a
fresh signature). Then every acknowledged event is in the inbox exactly once and every retried
batch was accepted.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
from intake_helpers import HUBSPOT_SECRET, hubspot_event

from adapters.hubspot.events import dedupe_key
from webhooks.signatures import sign_hubspot_v3

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
BATCHES = 200
EVENTS_PER_BATCH = 10
KILL_AFTER_ACKS = 40
SENDERS = 4


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def write_config(directory: Path, port: int) -> Path:
    path = directory / "baton.yaml"
    path.write_text(
        "version: 1\n"
        f'service: {{public_base_url: "http://127.0.0.1:{port}", log_format: text}}\n'
        f'store: {{database_url: "sqlite:///{directory / "baton.db"}"}}\n'
        "hubspot: {portal_id: 62515, app_id: 54321, access_token: '${HS_TOKEN}', "
        "client_secret: '${HS_SECRET}'}\n"
        "salesforce: {enabled: false}\n"
    )
    return path


@dataclass
class Baton:
    """A Baton process on loopback."""

    config: Path
    port: int
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        env = {
            **os.environ,
            "BATON_CONFIG": str(self.config),
            "HS_TOKEN": "pat-unused",
            "HS_SECRET": HUBSPOT_SECRET,
        }
        env.pop("BATON_DATABASE_URL", None)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "webhooks.wsgi", "--port", str(self.port)],
            cwd=REPO,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if requests.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except requests.ConnectionError:
                time.sleep(0.1)
        raise AssertionError("Baton did not start within 30 s")

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@dataclass
class Ledger:
    """What the senders know: which batches were acknowledged."""

    batches: list[list[dict[str, Any]]]
    acked: set[int] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def ack(self, index: int) -> None:
        with self.lock:
            self.acked.add(index)

    def count(self) -> int:
        with self.lock:
            return len(self.acked)


def post_batch(session: requests.Session, url: str, events: list[dict[str, Any]]) -> bool:
    body = json.dumps(events, separators=(",", ":")).encode()
    timestamp = str(int(time.time() * 1000))
    headers = {
        "Content-Type": "application/json",
        "X-HubSpot-Request-Timestamp": timestamp,
        "X-HubSpot-Signature-v3": sign_hubspot_v3(HUBSPOT_SECRET, "POST", url, body, timestamp),
    }
    try:
        response = session.post(url, data=body, headers=headers, timeout=10)
    except requests.RequestException:
        return False
    return response.status_code == 200


def stream(ledger: Ledger, url: str, indexes: list[int], stop: threading.Event) -> None:
    with requests.Session() as session:
        for index in indexes:
            if stop.is_set():
                return
            if post_batch(session, url, ledger.batches[index]):
                ledger.ack(index)
            elif stop.wait(0.01):
                return


@pytest.fixture
def baton(tmp_path: Path) -> Iterator[Baton]:
    port = free_port()
    server = Baton(write_config(tmp_path, port), port)
    yield server
    server.stop()


def test_sigkill_mid_stream_loses_no_acknowledged_event(baton: Baton, tmp_path: Path) -> None:
    batches = [
        [
            hubspot_event(b * EVENTS_PER_BATCH + i, 10_000 + b, occurredAt=1_700_000_000_000 + i)
            for i in range(EVENTS_PER_BATCH)
        ]
        for b in range(BATCHES)
    ]
    ledger = Ledger(batches)
    baton.start()
    url = baton.url + "/webhooks/hubspot"
    stop = threading.Event()
    senders = [
        threading.Thread(target=stream, args=(ledger, url, list(range(n, BATCHES, SENDERS)), stop))
        for n in range(SENDERS)
    ]
    for sender in senders:
        sender.start()
    deadline = time.monotonic() + 60
    while ledger.count() < KILL_AFTER_ACKS and time.monotonic() < deadline:
        time.sleep(0.005)
    baton.kill()  # mid-stream: requests are in flight on every sender thread
    time.sleep(0.2)
    stop.set()
    for sender in senders:
        sender.join(timeout=30)
    acked_before_crash = set(ledger.acked)
    assert KILL_AFTER_ACKS <= len(acked_before_crash) < BATCHES

    baton.start()
    unacked = [index for index in range(BATCHES) if index not in acked_before_crash]

    def retry(index: int) -> bool:
        with requests.Session() as session:
            return post_batch(session, url, [{**e, "attemptNumber": 1} for e in batches[index]])

    with ThreadPoolExecutor(SENDERS) as pool:
        refused = [i for i, ok in zip(unacked, pool.map(retry, unacked), strict=True) if not ok]
    assert refused == []
    baton.stop()

    connection = sqlite3.connect(tmp_path / "baton.db")
    try:
        rows = connection.execute("SELECT event_id, COUNT(*) FROM inbox_events GROUP BY event_id")
        stored = dict(rows.fetchall())
    finally:
        connection.close()
    acknowledged = {dedupe_key(e) for index in acked_before_crash for e in batches[index]}
    retried = {dedupe_key(e) for index in unacked for e in batches[index]}
    assert acknowledged <= stored.keys()
    assert retried <= stored.keys()
    assert set(stored.values()) == {1}
    assert len(stored) == BATCHES * EVENTS_PER_BATCH
