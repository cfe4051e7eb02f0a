"""Helpers for the privacy tests: read every column of every table, find a person's values."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, func, select, text

from connector.store import Store
from connector.store.models import Base, CreditLedgerRow, RecycleEpisode, SlaBreach, SlaClock

POSTGRES_URL = os.environ.get("BATON_TEST_POSTGRES_URL")


def every_value(store: Store) -> Iterator[tuple[str, str, str]]:
    """(table, column, value as text) for every column of every row of every table."""
    with store.session() as session:
        for table in Base.metadata.sorted_tables:
            for row in session.execute(select(table)).mappings():
                for column, value in row.items():
                    if value is None:
                        continue
                    if isinstance(value, bytes | memoryview):
                        value = bytes(value).decode("utf-8", errors="replace")
                    yield table.name, column, str(value)


def token(value: str) -> re.Pattern[str]:
    """``value`` as a whole token (an id 1008 is not found inside 10080)."""
    return re.compile(rf"(?<![\w.+-]){re.escape(value)}(?![\w-])", re.IGNORECASE)


def where_found(store: Store, values: Iterable[str]) -> dict[str, set[str]]:
    """Each value → the ``table.column`` places it appears in (empty: nowhere)."""
    patterns = {value: token(value) for value in values if value}
    found: dict[str, set[str]] = {value: set() for value in patterns}
    for table, column, text_value in every_value(store):
        for value, pattern in patterns.items():
            if pattern.search(text_value):
                found[value].add(f"{table}.{column}")
    return {value: places for value, places in found.items() if places}


def aggregates(store: Store) -> dict[str, object]:
    """The figures the scorecard, recycle and credit reports count: must survive an erasure."""
    with store.session() as session:
        return {
            "credit": sorted(
                session.execute(
                    select(
                        CreditLedgerRow.deal_id,
                        CreditLedgerRow.model,
                        func.sum(CreditLedgerRow.amount_minor),
                        func.count(),
                    ).group_by(CreditLedgerRow.deal_id, CreditLedgerRow.model)
                ).all()
            ),
            "clocks": sorted(
                session.execute(
                    select(SlaClock.state, SlaClock.owner_id, func.count()).group_by(
                        SlaClock.state, SlaClock.owner_id
                    )
                ).all()
            ),
            "breaches": sorted(
                session.execute(
                    select(SlaBreach.kind, SlaBreach.owner_id, func.count()).group_by(
                        SlaBreach.kind, SlaBreach.owner_id
                    )
                ).all()
            ),
            "recycles": sorted(
                session.execute(
                    select(
                        RecycleEpisode.state,
                        RecycleEpisode.reason_code,
                        RecycleEpisode.previous_owner_id,
                        func.count(),
                    ).group_by(
                        RecycleEpisode.state,
                        RecycleEpisode.reason_code,
                        RecycleEpisode.previous_owner_id,
                    )
                ).all(),
                key=str,
            ),
        }


@contextmanager
def postgres_schema_url() -> Iterator[str]:
    """A URL whose search path is a fresh schema (dropped afterwards); skips without PostgreSQL."""
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL not configured: set BATON_TEST_POSTGRES_URL to run these tests")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://", 1))
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in POSTGRES_URL else "?"
    try:
        yield f"{POSTGRES_URL}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
