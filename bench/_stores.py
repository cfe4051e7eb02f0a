"""A throw-away migrated store for a benchmark: a SQLite file, or a fresh PostgreSQL schema.

Shared by the benchmarks that seed the store directly (timers, SLA clocks); the leading
underscore keeps ``python -m bench`` from running it as a benchmark.
"""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import create_engine, text

from connector.store import Store, upgrade


def scratch_store(url: str | None, sqlite_file: Path) -> tuple[Store, str, str | None]:
    """(store, its URL, the PostgreSQL schema to drop afterwards or None)."""
    schema = None
    if url is None:
        url = f"sqlite:///{sqlite_file}"
    elif url.startswith("postgresql"):
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        run_admin(url, f'CREATE SCHEMA "{schema}"')
        url = f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"
    upgrade(url)
    return Store(url), url, schema


def run_admin(url: str, statement: str) -> None:
    """One statement on the server outside the benchmark's schema (create or drop it)."""
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(statement))
    admin.dispose()


def on_scratch_store(url: str | None, run: Callable[[Store, str], int]) -> int:
    """``run(store, url)`` on a fresh scratch store, dropped afterwards whatever happens."""
    with tempfile.TemporaryDirectory() as scratch:
        store, store_url, schema = scratch_store(url, Path(scratch) / "bench.db")
        try:
            return run(store, store_url)
        finally:
            store.dispose()
            if schema is not None and url is not None:
                run_admin(url, f'DROP SCHEMA "{schema}" CASCADE')
