"""``baton serve`` as a real process on a loopback port, for tests of the server itself.

The process runs exactly as an operator starts it (embedded gunicorn, buffering gthread worker,
event worker thread) on a fresh SQLite file. Its stderr (gunicorn's and Baton's logs) goes to a
file the test can read. Pollers are off and the CRMs point at a closed loopback port, so nothing
leaves the machine.
"""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[2]
HUBSPOT_SECRET = "live-hubspot-client-secret"
OUTBOUND_TOKEN = "Live-Outbound-Token-7f3a9c2e51"
ORG_ID = "00D000000000001EAA"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class LiveBaton:
    """A running ``baton serve``: where it listens, its database and its log."""

    port: int
    database: Path
    log: Path
    process: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def count(self, table: str) -> int:
        with sqlite3.connect(self.database) as db:
            return int(db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def write_config(directory: Path, port: int, service: str = "") -> Path:
    path = directory / "baton.yaml"
    path.write_text(
        "version: 1\n"
        f"service: {{public_base_url: 'http://127.0.0.1:{port}', log_format: text, "
        f"max_body_bytes: 65536{service}}}\n"
        f"store: {{database_url: 'sqlite:///{directory / 'baton.db'}'}}\n"
        "hubspot: {portal_id: 62515, app_id: 54321, base_url: 'http://127.0.0.1:9', "
        "access_token: '${LIVE_HS_TOKEN}', client_secret: '${LIVE_HS_SECRET}', "
        "poll_interval_s: 0}\n"
        "salesforce: {instance_url: 'https://127.0.0.1:9', "
        "auth: {session_id: '${LIVE_SF_SESSION}'}, "
        f"organization_ids: [{ORG_ID}], outbound_path_token: '${{LIVE_SF_TOKEN}}', "
        "json_webhook_secret: '${LIVE_SF_JSON}', integration_user_id: 005000000000001AAA, "
        "poll_interval_s: 0}\n"
    )
    return path


@contextmanager
def live_baton(
    directory: Path, *, service: str = "", args: tuple[str, ...] = (), wsgi: bool = False
) -> Iterator[LiveBaton]:
    """Start ``baton serve`` (or, with ``wsgi``, gunicorn on ``webhooks.wsgi:app`` with the
    intake worker, as docs/INSTALL.md shows) and stop it afterwards."""
    port = free_port()
    config = write_config(directory, port, service)
    log = directory / "baton.log"
    env = {
        **os.environ,
        "LIVE_HS_TOKEN": "pat-unused",
        "LIVE_HS_SECRET": HUBSPOT_SECRET,
        "LIVE_SF_SESSION": "00D000000000001!unused-session",
        "LIVE_SF_TOKEN": OUTBOUND_TOKEN,
        "LIVE_SF_JSON": "live-json-secret",
    }
    env.pop("BATON_DATABASE_URL", None)
    env.pop("BATON_CONFIG", None)
    command = [sys.executable, "-m", "baton.cli", "serve", "--config", str(config),
               "--port", str(port), *args]  # fmt: skip
    if wsgi:
        env["BATON_CONFIG"] = str(config)
        command = [sys.executable, "-m", "gunicorn", "webhooks.wsgi:app", "--worker-class",
                   "baton.intake_worker.BufferingThreadWorker", "--keep-alive", "0",
                   "--bind", f"127.0.0.1:{port}", *args]  # fmt: skip
    with log.open("wb") as sink:
        process = subprocess.Popen(
            command,
            cwd=REPO,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own group: the gunicorn worker stops with it
        )  # fmt: skip
    baton = LiveBaton(port, directory / "baton.db", log, process)
    try:
        _wait_until_healthy(baton)
        yield baton
    finally:
        _stop(process)


def _wait_until_healthy(baton: LiveBaton) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if baton.process.poll() is not None:
            raise AssertionError(f"baton serve exited:\n{baton.log_text()}")
        try:
            if requests.get(baton.url + "/healthz", timeout=1).status_code == 200:
                return
        except requests.RequestException:
            time.sleep(0.1)
    raise AssertionError(f"baton serve did not answer /healthz within 30 s:\n{baton.log_text()}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
