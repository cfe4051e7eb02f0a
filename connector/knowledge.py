"""What Baton knows: per-record synced values and the links between the two CRMs (store I/O)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, or_, select, tuple_
from sqlalchemy.orm import Session

from connector import preload
from connector.jobs.lifecycle.rules import SideState
from connector.privacy import email_hash
from connector.privacy.fields import minimize
from connector.store import batched
from connector.store.models import OwnWrite, RecordLink, RecordState

#: bulk statements find the session's objects they touched by the rows they changed
#: (RETURNING), not by evaluating every object a long session holds (``store.strong``)
BY_ROWS = "fetch"


def _row(session: Session, record_key: str) -> RecordState | None:
    """The record's state row: from the batch's preload when it covers the key (``preload``)."""
    loaded = preload.of(session)
    if loaded is not None and loaded.covers(record_key):
        return loaded.states[record_key]
    return session.get(RecordState, record_key)


def load_side(session: Session, record_key: str) -> SideState:
    """The known synced values of one record (empty when Baton has never seen it)."""
    row = _row(session, record_key)
    if row is None:
        return SideState()
    data = row.fields
    written_at = data.get("written_at")
    return SideState(
        values=dict(data.get("values", {})),
        at=row.stage_changed_at,
        written_at=datetime.fromisoformat(written_at) if written_at else None,
        written=dict(data.get("written", {})),
    )


def _state(session: Session, record_key: str) -> RecordState:
    row = _row(session, record_key)
    if row is None:
        row = RecordState(record_key=record_key, fields={"values": {}})
        session.add(row)
        loaded = preload.of(session)
        if loaded is not None:  # found again by key without a flush and a SELECT
            loaded.states[record_key] = row
    return row


def remember(session: Session, record_key: str, values: dict[str, Any], at: datetime) -> None:
    """Record values a side holds (or will hold, for a queued write) at logical time ``at``."""
    values = minimize(values)  # the rules compare stages and codes, never names
    row = _state(session, record_key)
    data = dict(row.fields)
    data["values"] = {**data.get("values", {}), **values}
    row.fields = data
    if row.stage_changed_at is None or at > row.stage_changed_at:
        row.stage_changed_at = at
    stage = values.get("lifecyclestage") or values.get("Status")
    if stage:
        row.stage = stage


def observed(session: Session, record_key: str) -> dict[str, Any]:
    """The values last *seen* on the record (events, landed writes), never merely queued ones.

    A snapshot (outbound message, poll) must be compared with these: while Baton's write is
    queued, a snapshot sent for an unrelated edit still shows the old value, which is no change.
    """
    row = _row(session, record_key)
    return dict(row.fields.get("observed", {})) if row is not None else {}


def observe(
    session: Session, record_key: str, values: dict[str, Any], at: datetime | None = None
) -> None:
    """Record what a side showed at ``at`` (None: now, e.g. a write that just landed).

    Every snapshot is recorded by its own time, whatever the rules make of it: a snapshot the
    rules found stale still tells what the side showed then, and the next one is compared to it.
    """
    values = minimize(values)
    row = _state(session, record_key)
    data = dict(row.fields)
    seen_at = data.get("observed_at")
    if at is not None and seen_at and at < datetime.fromisoformat(seen_at):
        return
    data["observed"] = {**data.get("observed", {}), **values}
    if at is not None:
        data["observed_at"] = at.isoformat()
    row.fields = data


def remember_genuine(
    session: Session, record_key: str, values: dict[str, Any], at: datetime
) -> None:
    """Record a person's (or another system's) change; it supersedes Baton's write memory."""
    remember(session, record_key, values, at)
    observe(session, record_key, values, at)
    forget_own_writes(session, record_key, list(values))


def forget_own_writes(session: Session, record_key: str, names: list[str]) -> None:
    """Drop Baton's memories of its writes of these fields on the record (no echo is expected).

    Under a preload the memories are known, so nothing is sent when there are none (the usual
    case); otherwise one DELETE.
    """
    loaded = preload.of(session)
    if loaded is None or not loaded.covers(record_key):
        session.execute(
            delete(OwnWrite)
            .where(OwnWrite.record_key == record_key, OwnWrite.field.in_(names))
            .execution_options(synchronize_session=BY_ROWS)
        )
        return
    for name in names:
        for memory in loaded.own_writes.pop((record_key, name), []):
            _spend(session, memory)


def remember_own_write(
    session: Session, record_key: str, name: str, value: Any, now: datetime, expires_at: datetime
) -> None:
    """Remember that Baton wrote ``name=value`` on the record, to recognise its echo.

    Inside a batch (``store.batched.inserts``) the memory is held and written with the batch's.
    """
    row = {
        "record_key": record_key,
        "field": name,
        "value": _as_text(value),
        "written_at": now,
        "expires_at": expires_at,
    }
    memory: OwnWrite | HeldMemory
    if batched.hold(session, OwnWrite, row):
        memory = HeldMemory(row)
    else:
        memory = OwnWrite(**row)
        session.add(memory)
    loaded = preload.of(session)
    if loaded is not None and loaded.covers(record_key):
        loaded.own_writes[(record_key, name)].append(memory)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class HeldMemory:
    """An own-write memory held for the batch's INSERT (``store.batched``), not yet a row."""

    row: dict[str, Any]

    @property
    def value(self) -> str | None:
        return self.row["value"]

    @property
    def expires_at(self) -> datetime:
        return self.row["expires_at"]


def remember_written(
    session: Session, record_key: str, values: dict[str, Any], landed_at: datetime
) -> None:
    """Record that Baton's write of ``values`` landed at ``landed_at`` (wall clock)."""
    values = minimize(values)
    observe(session, record_key, values, landed_at)
    row = _state(session, record_key)
    data = dict(row.fields)
    data["written"] = {**data.get("written", {}), **values}
    data["written_at"] = landed_at.isoformat()
    row.fields = data


def forget(session: Session, record_key: str, names: list[str]) -> None:
    """Mark fields as unknown (a write was refused, so Baton no longer knows their value)."""
    row = _row(session, record_key)
    if row is None:
        return
    data = dict(row.fields)
    data["values"] = {**data.get("values", {}), **dict.fromkeys(names)}
    row.fields = data


def consume_own_write(
    session: Session, record_key: str, field: str, value: Any, now: datetime
) -> bool:
    """True (and forget it) when ``field=value`` on the record is Baton's own unexpired write."""
    loaded = preload.of(session)
    if loaded is not None and loaded.covers(record_key):
        memories = loaded.own_writes.get((record_key, field), [])
        text = _as_text(value)
        spent = next((m for m in memories if m.value == text and m.expires_at > now), None)
        if spent is None:
            return False
        memories.remove(spent)
        _spend(session, spent)
        return True
    match = (
        select(OwnWrite.id)
        .where(OwnWrite.record_key == record_key, OwnWrite.field == field)
        .where(OwnWrite.value == _as_text(value), OwnWrite.expires_at > now)
        .limit(1)
        .scalar_subquery()
    )
    spent = session.execute(
        delete(OwnWrite)
        .where(OwnWrite.id == match)
        .returning(OwnWrite.id)
        .execution_options(synchronize_session=BY_ROWS)
    ).first()
    return spent is not None


def consume_own_writes(
    session: Session, remembered: list[tuple[str, str, Any]], now: datetime
) -> int:
    """Forget every unexpired own write among ``(record_key, field, value)``, in one DELETE.

    The set-based twin of :func:`consume_own_write` for echoes settled in bulk: only Baton's
    latest write of a field is remembered (``Dispatcher._remember_written``), so deleting every
    match is deleting the one match. Returns how many memories were spent.
    """
    wanted = {(key, name, _as_text(value)) for key, name, value in remembered if value is not None}
    if not wanted:
        return 0
    return session.execute(
        delete(OwnWrite)
        .where(tuple_(OwnWrite.record_key, OwnWrite.field, OwnWrite.value).in_(sorted(wanted)))
        .where(OwnWrite.expires_at > now)
        .execution_options(synchronize_session=BY_ROWS)
    ).rowcount


def _spend(session: Session, memory: OwnWrite | HeldMemory) -> None:
    """Delete a memory at the next flush (one remembered in this batch is never written)."""
    if isinstance(memory, HeldMemory):
        batched.discard(session, OwnWrite, memory.row)
    elif memory in session.new:
        session.expunge(memory)
    else:
        session.delete(memory)


def _as_text(value: Any) -> str | None:
    return None if value is None else str(value)


def link_for_hubspot(session: Session, contact_id: str) -> RecordLink | None:
    """The link of a HubSpot contact, if any."""
    loaded = preload.of(session)
    if loaded is not None and contact_id in loaded.hubspot_ids:
        return loaded.link_by_hubspot(contact_id)
    return session.scalars(
        select(RecordLink).where(RecordLink.hubspot_contact_id == contact_id)
    ).first()


def link_for_salesforce(session: Session, record_id: str) -> RecordLink | None:
    """The link holding a Salesforce Lead or Contact id, if any."""
    loaded = preload.of(session)
    if loaded is not None and record_id in loaded.salesforce_ids:
        return loaded.link_by_salesforce(record_id)
    return session.scalars(
        select(RecordLink).where(
            or_(
                RecordLink.salesforce_lead_id == record_id,
                RecordLink.salesforce_contact_id == record_id,
            )
        )
    ).first()


def links_for_salesforce(session: Session, record_ids: Sequence[str]) -> dict[str, RecordLink]:
    """The links holding these Salesforce Lead or Contact ids (as :func:`link_for_salesforce`,
    in one SELECT), by id."""
    ids = set(record_ids)
    found: dict[str, RecordLink] = {}
    query = select(RecordLink).where(
        or_(RecordLink.salesforce_lead_id.in_(ids), RecordLink.salesforce_contact_id.in_(ids))
    )
    for link in session.scalars(query):
        for record_id in (link.salesforce_lead_id, link.salesforce_contact_id):
            if record_id in ids:
                found.setdefault(record_id, link)
    return found


def link_for_email(session: Session, email: str | None) -> RecordLink | None:
    """The link whose person has this e-mail address (by hash), if exactly one exists."""
    digest = email_hash(email)
    if digest is None:
        return None
    links = session.scalars(select(RecordLink).where(RecordLink.email_hash == digest)).all()
    return links[0] if len(links) == 1 else None


def upsert_link(
    session: Session,
    *,
    hubspot_contact_id: str | None = None,
    salesforce_lead_id: str | None = None,
    salesforce_contact_id: str | None = None,
    email: str | None = None,
) -> RecordLink:
    """Create or complete the link that holds any of the given ids.

    Ids already on the link are never overwritten: a link is re-pointed only by the explicit
    merge and conversion steps. A second Lead for an already-linked person (a race Salesforce
    cannot prevent) stays unlinked and is reported by the caller.
    """
    link = None
    if hubspot_contact_id:
        link = link_for_hubspot(session, hubspot_contact_id)
    if link is None and (salesforce_lead_id or salesforce_contact_id):
        link = link_for_salesforce(session, salesforce_lead_id or salesforce_contact_id or "")
    if link is None:
        link = RecordLink()
        session.add(link)
    link.hubspot_contact_id = link.hubspot_contact_id or hubspot_contact_id
    link.salesforce_lead_id = link.salesforce_lead_id or salesforce_lead_id
    link.salesforce_contact_id = link.salesforce_contact_id or salesforce_contact_id
    link.email_hash = link.email_hash or email_hash(email)
    session.flush()
    loaded = preload.of(session)
    if loaded is not None:
        loaded.add_link(link)
    return link
