"""The erasure key: keyed hashes that record an erasure, and the tombstones that replace ids.

A plain SHA-256 of an address can be reversed by hashing a list of addresses; a keyed hash
cannot without the key. The key is made once per store (random, 32 bytes) and kept with the
poller cursors, so every worker derives the same tombstone for the same id.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy.orm import Session

from connector.store.models import Cursor

KEY_CURSOR = "privacy:erasure_key"
#: ``erased_`` + 11 hex digits: 18 characters, the width of a Salesforce id column
TOMBSTONE_PREFIX = "erased_"


def erasure_key(session: Session) -> bytes:
    """This store's erasure key, created on first use."""
    row = session.get(Cursor, KEY_CURSOR)
    if row is None:
        row = Cursor(name=KEY_CURSOR, value=secrets.token_hex(32))
        session.add(row)
        session.flush()
    return bytes.fromhex(row.value)


def keyed_hash(key: bytes, identifier: str) -> str:
    """HMAC-SHA256 of a normalized identifier: the same person gives the same hash."""
    return hmac.new(key, identifier.strip().lower().encode(), hashlib.sha256).hexdigest()


def tombstone(key: bytes, identifier: str) -> str:
    """The stand-in for an erased id (stable, so rows of one person still count as one)."""
    return TOMBSTONE_PREFIX + keyed_hash(key, f"id:{identifier}")[:11]
