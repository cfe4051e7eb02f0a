"""One real sync path for every test here: both sandboxes, Baton on loopback, a worker.

The HubSpot and Salesforce stand-ins run once per session (starting them is the slow part);
Baton gets a fresh migrated SQLite store, runtime and worker per test, swapped into one werkzeug
server the sandboxes are subscribed to. Each test uses fresh records (unique e-mails), so what
earlier tests left in the sandboxes cannot match. Everything goes through the official clients:
the sandboxes post signed webhooks / SOAP outbound messages to Baton's receivers, the worker
writes back through hubspot-api-client and simple-salesforce.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sync_world import (
    BatonServer,
    SyncWorld,
    base_config,
    hubspot_sandbox,
    salesforce_sandbox,
)

from connector.store import upgrade


@pytest.fixture(scope="session")
def baton_server() -> Iterator[BatonServer]:
    """Baton's receivers served on loopback; each test mounts its own app."""
    server = BatonServer()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def sandboxes(baton_server: BatonServer) -> Iterator[tuple[Any, Any]]:
    """The two CRMs, subscribed to ``baton_server`` (integration-user loops switched on)."""
    with (
        hubspot_sandbox(baton_server.base_url) as hs,
        salesforce_sandbox(baton_server.base_url) as sf,
    ):
        yield hs, sf


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated empty store to copy per test (migrating takes most of a second)."""
    path = tmp_path_factory.mktemp("template") / "baton.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def world(
    baton_server: BatonServer,
    sandboxes: tuple[Any, Any],
    migrated_template: Path,
    tmp_path: Path,
) -> Iterator[SyncWorld]:
    """A fresh Baton (store, runtime, worker) wired to the shared sandboxes."""
    hs, sf = sandboxes
    path = tmp_path / "baton.db"
    shutil.copyfile(migrated_template, path)
    config = base_config(hs, sf, baton_server.base_url, f"sqlite:///{path}")
    world = SyncWorld.open(hs, sf, baton_server, config)
    yield world
    world.close()
