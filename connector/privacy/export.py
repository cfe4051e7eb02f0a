"""A subject-access export: everything Baton holds about one person, as JSON-safe data."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from connector.privacy.erasure import ErasureContext, mentions, own_rows, table_of
from connector.privacy.keys import erasure_key
from connector.privacy.registry import TablePolicy, entries
from connector.privacy.subject import resolve


def export_person(session: Session, who: str) -> dict[str, Any]:
    """Every row of every registered table that is about, or mentions, the person."""
    ctx = ErasureContext(session, resolve(session, who), erasure_key(session))
    subject = ctx.subject
    tables: dict[str, list[dict[str, Any]]] = {}
    for entry in entries():
        rows = _rows(ctx, entry) if isinstance(entry, TablePolicy) else entry.export(ctx)
        if rows:
            tables[entry.table] = rows
    return {
        "subject": {
            "hubspot_contact_ids": sorted(subject.hubspot_ids),
            "salesforce_lead_ids": sorted(subject.lead_ids),
            "salesforce_contact_ids": sorted(subject.contact_ids),
            "emails": sorted(subject.emails),
            "email_sha256": sorted(subject.email_hashes),
        },
        "tables": tables,
    }


def _rows(ctx: ErasureContext, policy: TablePolicy) -> list[dict[str, Any]]:
    table = table_of(policy.table)
    pk = next(iter(table.primary_key.columns))
    found: dict[Any, dict[str, Any]] = {}
    own = own_rows(ctx, policy)
    if own is not None:
        for row in ctx.session.execute(select(table).where(own)).mappings():
            found[row[pk.name]] = dict(row)
    ctx.matched[policy.table] = set(found)
    search = mentions(ctx, policy)
    if search is not None:  # the SQL filter matches substrings: keep rows that name the person
        for row in ctx.session.execute(select(table).where(search)).mappings():
            if any(ctx.others.value(row[c]) != row[c] for c in policy.redact):
                found.setdefault(row[pk.name], dict(row))
    return [{k: _json_safe(v) for k, v in found[key].items()} for key in sorted(found)]


def _json_safe(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode()
    return value
