"""Fixtures for the admin tools: a sync loop over the in-memory CRMs on a SQLite store."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from connector.store import Store
from connector.store.models import (
    AuditEntry,
    Cursor,
    DeadLetter,
    InboxEvent,
    OutboxCommand,
    OwnWrite,
    RecordLink,
    RecordState,
)
from tests.sync.harness import Loop


@pytest.fixture
def loop(store: Store) -> Loop:
    """Baton between the two fake CRMs, on a fresh store (SQLite, and PostgreSQL when set)."""
    return Loop(store)


def dead_letter_on_status(loop: Loop) -> str:
    """A handed-off pair whose next Salesforce Status write is refused; returns the lead id."""
    lead_id = loop.handed_off_pair("101")
    loop.salesforce.dead_fields = {"Status"}
    loop.hubspot.ui_set("101", lifecyclestage="salesqualifiedlead")
    loop.settle()
    return lead_id


def store_snapshot(store: Store) -> dict[str, Any]:
    """Every row Baton keeps that an admin command could change (to prove it changed none)."""
    with store.session() as session:

        def rows(model: Any, *columns: Any) -> list[tuple[Any, ...]]:
            return [tuple(r) for r in session.execute(select(*columns).order_by(*columns[:1]))]

        return {
            "inbox": rows(InboxEvent, InboxEvent.id, InboxEvent.status, InboxEvent.attempts),
            "outbox": rows(OutboxCommand, OutboxCommand.id, OutboxCommand.status),
            "links": rows(
                RecordLink,
                RecordLink.id,
                RecordLink.hubspot_contact_id,
                RecordLink.salesforce_lead_id,
                RecordLink.salesforce_contact_id,
            ),
            "states": rows(RecordState, RecordState.record_key, RecordState.fields),
            "own_writes": session.scalar(select(func.count()).select_from(OwnWrite)),
            "audit": session.scalar(select(func.count()).select_from(AuditEntry)),
            "dead": rows(DeadLetter, DeadLetter.id, DeadLetter.resolution),
            "cursors": rows(Cursor, Cursor.name, Cursor.value),
        }
