"""Baton's processes for the fault harness: started as an operator would, SIGKILLed, started
again; and what the store shows of their claims and backlog (``bench/faults.py``)."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from bench.sync import wait_until

REPO = Path(__file__).resolve().parents[1]


def write_config(directory: Path, config: Any) -> tuple[Path, dict[str, str]]:
    """``baton.yaml`` for ``config`` with every secret as ``${VARIABLE}``; and those variables."""
    import yaml
    from pydantic import SecretStr

    env: dict[str, str] = {}

    def walk(plain: Any, typed: Any, path: str) -> Any:
        if isinstance(typed, SecretStr):
            name = "FAULTS_" + path.upper().replace(".", "_")
            env[name] = typed.get_secret_value()
            return "${" + name + "}"
        if isinstance(plain, dict) and isinstance(typed, dict):
            return {k: walk(v, typed.get(k), f"{path}.{k}".strip(".")) for k, v in plain.items()}
        if isinstance(plain, list) and isinstance(typed, list):
            return [
                walk(p, t, f"{path}.{i}") for i, (p, t) in enumerate(zip(plain, typed, strict=True))
            ]
        return plain

    plain = config.model_dump(mode="json", exclude_unset=True)
    typed = config.model_dump(mode="python", exclude_unset=True)
    data = {"version": 1, **walk(plain, typed, "")}
    path = directory / "baton.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path, env


def children_of(pid: int) -> list[int]:
    """Process ids whose parent is ``pid`` (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


@dataclass
class Fleet:
    """The Baton processes of one run, started, killed and started again."""

    config: Path
    env: dict[str, str]
    port: int
    workers: int
    log: Path
    web: subprocess.Popen[bytes] | None = None
    worker_processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    kills: Counter[str] = field(default_factory=Counter)
    #: what the killed worker held just before the last kill (see ``claimed_ids``)
    last_claimed: set[str] = field(default_factory=set)

    #: the checkout Baton's processes run from (another one measures older code)
    repo: Path = REPO

    def _spawn(self, *args: str) -> subprocess.Popen[bytes]:
        with self.log.open("ab") as sink:
            return subprocess.Popen(
                [sys.executable, "-m", "baton.cli", *args, "--config", str(self.config)],
                cwd=self.repo, env={**os.environ, **self.env}, stdout=sink,
                stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip

    def migrate(self) -> None:
        """``baton migrate`` of the checkout that runs (its schema, its revisions)."""
        if self._spawn("migrate").wait() != 0:
            raise SystemExit(f"baton migrate failed; see {self.log}")

    def start(self, *, workers: bool = True) -> None:
        """Start whatever is not running and wait for the receivers' /healthz.

        ``workers=False``: only the receivers (``--no-worker``), so a backlog builds up.
        """
        if self.web is None or self.web.poll() is not None:
            serve = ["serve", "--port", str(self.port)]
            no_worker = self.workers or not workers
            self.web = self._spawn(*serve, *(["--no-worker"] if no_worker else []))
        for index in range(self.workers if workers else 0):
            if index >= len(self.worker_processes):
                self.worker_processes.append(self._spawn("worker"))
            elif self.worker_processes[index].poll() is not None:
                self.worker_processes[index] = self._spawn("worker")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(f"http://127.0.0.1:{self.port}/healthz", timeout=2).ok:
                    return
            except requests.RequestException:
                time.sleep(0.05)
        raise SystemExit(f"Baton did not come back within 60 s; see {self.log}")

    def kill_at_random(self, rng: random.Random, database: str) -> str:
        """SIGKILL one part of Baton, preferably while it holds claims; return what was killed."""
        assert self.web is not None
        wait_until(lambda: claims_held(database) > 0, 1.0, step=0.02)
        self.last_claimed = claimed_ids(database)
        if self.workers:
            choice = rng.randrange(self.workers + 1)
            if choice < self.workers:
                victim = self.worker_processes[choice]
                os.killpg(victim.pid, signal.SIGKILL)
                victim.wait()
                self.kills["baton worker"] += 1
                return "baton worker"
        elif rng.random() < 0.5:
            # the gunicorn worker process runs the receivers' threads and the Baton worker
            for child in children_of(self.web.pid):
                os.kill(child, signal.SIGKILL)
            self.kills["serve's worker process"] += 1
            time.sleep(0.2)  # gunicorn's master notices and forks a new one
            return "serve's worker process"
        os.killpg(self.web.pid, signal.SIGKILL)
        self.web.wait()
        self.kills["baton serve (all)"] += 1
        return "baton serve (all)"

    def stop(self) -> None:
        for process in [self.web, *self.worker_processes]:
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()


# ---------------------------------------------------------------------------- the store


def pending_ids(database: str) -> set[str]:
    """The inbox events and outbox commands still pending."""
    from sqlalchemy import select

    from connector.store import Store
    from connector.store.models import InboxEvent, OutboxCommand

    store = Store(database)
    with store.session() as session:
        events = session.scalars(select(InboxEvent.id).where(InboxEvent.status == "pending"))
        found = {f"event:{i}" for i in events}
        commands = session.scalars(
            select(OutboxCommand.id).where(OutboxCommand.status == "pending")
        )
        found |= {f"command:{i}" for i in commands}
    store.dispose()
    return found


def claimed_ids(database: str) -> set[str]:
    """Pending events of leased records and leased pending commands (as ``pending_ids``)."""
    from datetime import UTC, datetime

    from sqlalchemy import select

    from connector.store import Store
    from connector.store.models import InboxEvent, OutboxCommand, RecordLease

    store = Store(database)
    now = datetime.now(UTC)
    with store.session() as session:
        leased = select(RecordLease.record_key)
        events = select(InboxEvent.id).where(
            InboxEvent.status == "pending", InboxEvent.record_key.in_(leased)
        )
        found = {f"event:{i}" for i in session.scalars(events)}
        commands = select(OutboxCommand.id).where(
            OutboxCommand.status == "pending", OutboxCommand.lease_until > now
        )
        found |= {f"command:{i}" for i in session.scalars(commands)}
    store.dispose()
    return found


def claims_held(database: str) -> int:
    """Records and commands some worker holds a live claim on right now."""
    from datetime import UTC, datetime

    from sqlalchemy import func, select

    from connector.store import Store
    from connector.store.models import OutboxCommand, RecordLease

    store = Store(database)
    now = datetime.now(UTC)
    with store.session() as session:
        records = session.scalar(select(func.count()).select_from(RecordLease))
        commands = session.scalar(
            select(func.count())
            .select_from(OutboxCommand)
            .where(OutboxCommand.status == "pending", OutboxCommand.lease_until > now)
        )
    store.dispose()
    return int(records or 0) + int(commands or 0)


def backlog_profile(database: str, ids: set[str]) -> Counter[str]:
    """What holds back the ``ids`` (``pending_ids``) still pending: due, deferred, retry, claim.

    Tells time spent working off a backlog from time spent waiting (an event deferred until
    ``available_at``, a command whose retry is scheduled later, a claim not yet taken back).
    """
    from datetime import UTC, datetime

    from sqlalchemy import select

    from connector.store import Store
    from connector.store.models import InboxEvent, OutboxCommand, RecordLease

    event_ids = [int(i.split(":")[1]) for i in ids if i.startswith("event:")]
    command_ids = [int(i.split(":")[1]) for i in ids if i.startswith("command:")]
    store = Store(database)
    now = datetime.now(UTC)  # the store hands back aware UTC on both engines (UTCDateTime)
    found: Counter[str] = Counter()
    with store.session() as session:
        live = select(RecordLease.record_key).where(RecordLease.lease_until > now)
        leased = set(session.scalars(live))
        events = select(InboxEvent.record_key, InboxEvent.available_at).where(
            InboxEvent.status == "pending", InboxEvent.id.in_(event_ids)
        )
        for key, available_at in session.execute(events):
            waiting = available_at is not None and available_at > now
            found["event leased" if key in leased else
                  "event deferred" if waiting else "event due"] += 1  # fmt: skip
        commands = select(
            OutboxCommand.system, OutboxCommand.next_attempt_at, OutboxCommand.lease_until
        ).where(OutboxCommand.status == "pending", OutboxCommand.id.in_(command_ids))
        for system, next_at, lease_until in session.execute(commands):
            state = (
                "claimed" if lease_until is not None and lease_until > now
                else "retry later" if next_at > now else "due"
            )  # fmt: skip
            found[f"{system} command {state}"] += 1
    store.dispose()
    return found
