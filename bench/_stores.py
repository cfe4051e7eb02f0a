"""A throw-away migrated store for a benchmark: a SQLite file, or a fresh PostgreSQL schema.

Shared by the benchmarks that seed the store directly (timers, SLA clocks); the leading
underscore keeps ``python -m bench`` from running it as a benchmark.
"""

from __future__ import annotations

import uuid
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
