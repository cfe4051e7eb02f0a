"""E-mail addresses are kept only as pseudonyms (SHA-256 of the normalized address)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from sqlalchemy import select

from connector.events import ChangeEvent, EventKind, ObjectType, Source
from connector.inbox import append
from connector.privacy import email_hash
from connector.store.models import InboxEvent

DIGEST = hashlib.sha256(b"anna.visser@acme.nl").hexdigest()


def test_hash_normalizes_and_is_stable_through_a_pseudonym():
    assert email_hash("  Anna.Visser@ACME.nl ") == DIGEST
    assert email_hash(f"sha256:{DIGEST}") == DIGEST
    assert email_hash("not an address") is None
    assert email_hash(None) is None


def test_the_inbox_stores_no_address(store):
    event = ChangeEvent(
        Source.SALESFORCE, EventKind.UPDATED, ObjectType.LEAD, "00Q000000000001AAA", "04l1",
        datetime.now(UTC), {"Email": "Anna.Visser@acme.nl", "Status": "Open - Not Contacted"},
        is_snapshot=True,
    )  # fmt: skip
    with store.session() as session:
        append(session, [event])
    with store.session() as session:
        row = session.scalars(select(InboxEvent)).one()
        assert row.changes == {"Email": f"sha256:{DIGEST}", "Status": "Open - Not Contacted"}
