"""Shared fixtures: a migrated store on SQLite, and on PostgreSQL when one is configured.

PostgreSQL tests read ``BATON_TEST_POSTGRES_URL`` (CI sets it to the local server) and skip with
a reason elsewhere. Each PostgreSQL test gets its own schema, so tests never see each other's rows.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text

from connector.store import Store, upgrade

POSTGRES_URL = os.environ.get("BATON_TEST_POSTGRES_URL")
ENGINES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def _postgres_store() -> Iterator[Store]:
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL not configured: set BATON_TEST_POSTGRES_URL to run these tests")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://", 1))
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in POSTGRES_URL else "?"
    url = f"{POSTGRES_URL}{sep}options=-csearch_path%3D{schema}"
    upgrade(url)
    store = Store(url)
    try:
        yield store
    finally:
        store.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=ENGINES)
def store(request: pytest.FixtureRequest, tmp_path) -> Iterator[Store]:  # type: ignore[no-untyped-def]
    """A freshly migrated store, once per engine."""
    if request.param == "postgresql":
        yield from _postgres_store()
        return
    url = f"sqlite:///{tmp_path / 'baton.db'}"
    upgrade(url)
    store = Store(url)
    yield store
    store.dispose()


@pytest.fixture
def pg_store() -> Iterator[Store]:
    """A freshly migrated PostgreSQL store (for what only PostgreSQL does: row locks …)."""
    yield from _postgres_store()


@pytest.fixture
def sqlite_store(tmp_path) -> Iterator[Store]:  # type: ignore[no-untyped-def]
    """A freshly migrated SQLite store (for tests that are not about the engine)."""
    url = f"sqlite:///{tmp_path / 'baton.db'}"
    upgrade(url)
    store = Store(url)
    yield store
    store.dispose()
