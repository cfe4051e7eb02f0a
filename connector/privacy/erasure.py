"""Erase one person from every table the registry names, and record that it happened.

Idempotent: a second run finds nothing of the person left and changes no row (the erasure
record's time moves). Aggregates survive: rows that scorecard, recycle and credit figures count
are kept with the person's ids replaced by a tombstone, so totals do not move. Works the same in
observe mode: it writes only to Baton's store, never to a CRM.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Table, Text, cast, delete, func, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from connector.jobs.credit.touches import HUBSPOT_TOUCH_KINDS
from connector.privacy.fields import ERASED
from connector.privacy.keys import erasure_key, keyed_hash, tombstone
from connector.privacy.redaction import Redactor
from connector.privacy.registry import TablePolicy, entries
from connector.privacy.subject import Subject, resolve
from connector.store.models import Base, Erasure


@dataclass
class ErasureContext:
    """One erasure's subject and redactors, and the rows matched so far (for ``parents``)."""

    session: Session
    subject: Subject
    key: bytes
    #: for the person's own rows: ids → tombstones, addresses and names → [erased]
    own: Redactor = field(init=False)
    #: for other rows that mention the person: ids and addresses only (names are too common)
    others: Redactor = field(init=False)
    matched: dict[str, set[Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        ids = {i: tombstone(self.key, i) for i in self.subject.ids}
        addresses = dict.fromkeys(self.subject.emails | self.subject.pseudonyms, ERASED)
        names = dict.fromkeys(self.subject.names, ERASED)
        self.own = Redactor({**names, **addresses, **ids}, drop_personal=True)
        self.others = Redactor({**addresses, **self._mentions()})

    def _mentions(self) -> dict[str, str]:
        """How other rows name the person: a Salesforce id is unique across objects, a HubSpot
        contact id is not (deal 1001 and contact 1001 both exist), so only its qualified forms."""
        subject, key = self.subject, self.key
        found = {i: tombstone(key, i) for i in subject.lead_ids | subject.contact_ids}
        for contact in subject.hubspot_ids:
            stone = tombstone(key, contact)
            found[f"contact:{contact}"] = f"contact:{stone}"
            found[f"create_lead:{contact}"] = f"create_lead:{stone}"
            for kind in HUBSPOT_TOUCH_KINDS:  # credit touch ids
                found[f"{contact}:{kind}"] = f"{stone}:{kind}"
        return found

    @property
    def match_values(self) -> set[str]:
        """Values an ``ids`` column may hold for the person."""
        return self.subject.ids | self.subject.email_hashes | self.subject.pseudonyms


@dataclass(frozen=True, slots=True)
class ErasureReport:
    """What an erasure did: rows changed per table (0 everywhere on a repeat)."""

    known: bool
    rows: dict[str, int]

    @property
    def total(self) -> int:
        """Rows changed in all tables."""
        return sum(self.rows.values())


def erase_person(session: Session, who: str, origin: str, now: datetime) -> ErasureReport:
    """Erase the person known by ``who`` (address or CRM id) in the caller's transaction.

    ``known`` in the report: the store knew the person, or an earlier erasure did (an id that
    matched nobody is still recorded, so its later deletion is recognised: ``was_erased``).
    """
    ctx = ErasureContext(session, resolve(session, who), erasure_key(session))
    rows: dict[str, int] = {}
    for entry in entries():
        changed = _apply(ctx, entry) if isinstance(entry, TablePolicy) else entry.erase(ctx)
        if changed:
            rows[entry.table] = changed
    erased_before = _record(ctx, origin, now, sum(rows.values()))
    return ErasureReport(ctx.subject.found or bool(rows) or erased_before, rows)


def was_erased(session: Session, kind: str, identifier: str) -> bool:
    """True when this id (or e-mail hash) was erased before (a late event of it arrives)."""
    digest = keyed_hash(erasure_key(session), f"{kind}:{identifier}")
    return session.scalar(select(Erasure.id).where(Erasure.identifier_hash == digest)) is not None


def table_of(name: str) -> Table:
    """The store table called ``name``."""
    return Base.metadata.tables[name]


def own_rows(ctx: ErasureContext, policy: TablePolicy) -> ColumnElement[bool] | None:
    """The condition that selects the person's rows of a table (None: none can be)."""
    table = table_of(policy.table)
    conditions: list[ColumnElement[bool]] = []
    for column in (table.c[c] for c in policy.keys):
        conditions.append(column.in_(ctx.subject.record_keys))
        # a key built on the person's ("notify:email:salesforce:lead:00Q…") is theirs too
        conditions += [column.endswith(f":{k}", autoescape=True) for k in ctx.subject.record_keys]
    if ctx.match_values:
        conditions += [table.c[c].in_(ctx.match_values) for c in policy.ids]
    for column, parent in policy.parents:
        if ctx.matched.get(parent):
            conditions.append(table.c[column].in_(ctx.matched[parent]))
    return or_(*conditions) if conditions else None


def mentions(ctx: ErasureContext, policy: TablePolicy) -> ColumnElement[bool] | None:
    """The condition that pre-selects other rows whose ``redact`` columns mention the person."""
    table = table_of(policy.table)
    needles = [n.lower() for n in ctx.others.needles]
    if not needles or not policy.redact:
        return None
    return or_(
        *(
            func.lower(cast(table.c[column], Text)).contains(needle, autoescape=True)
            for column in policy.redact
            for needle in needles
        )
    )


def _apply(ctx: ErasureContext, policy: TablePolicy) -> int:
    table = table_of(policy.table)
    pk = list(table.primary_key.columns)
    changed = 0
    condition = own_rows(ctx, policy)
    if condition is not None:
        rows = ctx.session.execute(select(table).where(condition)).mappings().all()
        ctx.matched[policy.table] = {row[pk[0].name] for row in rows}
        if policy.delete:
            if rows:
                ctx.session.execute(delete(table).where(condition))
            return len(rows)
        for row in rows:
            values = {c: ctx.own.value(row[c]) for c in (*policy.keys, *policy.ids, *policy.redact)}
            values.update(policy.clear)
            status = row.get(policy.status_column)
            if status in policy.close:
                values[policy.status_column] = policy.close[status]
            changed += _update(ctx.session, table, pk, row, values)
    search = mentions(ctx, policy)
    if search is not None:
        for row in ctx.session.execute(select(table).where(search)).mappings().all():
            values = {c: ctx.others.value(row[c]) for c in policy.redact}
            changed += _update(ctx.session, table, pk, row, values)
    return changed


def _update(session: Session, table: Table, pk: list, row: Any, values: dict[str, Any]) -> int:  # type: ignore[type-arg]
    """Write the changed columns of one row; 1 if anything changed."""
    new = {c: v for c, v in values.items() if row[c] != v}
    if not new:
        return 0
    where = [column == row[column.name] for column in pk]
    session.execute(update(table).where(*where).values(**new))
    return 1


def _record(ctx: ErasureContext, origin: str, now: datetime, changed: int) -> bool:
    """One erasure row per identifier: keyed hashes, the time, the count; never the values.

    Keyed by the kinds ``was_erased`` looks up (email, hubspot, salesforce): ``resolve`` files
    even an id that matched nobody under its CRM. True when one was recorded before.
    """
    before = False
    for kind, value in ctx.subject.identifiers:
        digest = keyed_hash(ctx.key, f"{kind}:{value}")
        row = ctx.session.scalar(select(Erasure).where(Erasure.identifier_hash == digest))
        if row is None:
            ctx.session.add(
                Erasure(
                    identifier_hash=digest,
                    kind=kind,
                    origin=origin[:32],
                    first_erased_at=now,
                    last_erased_at=now,
                    rows_changed=changed,
                )
            )
        else:
            before = True
            row.last_erased_at, row.rows_changed = now, changed
    ctx.session.flush()
    return before
