"""Closed weeks are counted once: a finished week's scorecard is kept until late data for it.

A week whose window has ended is stored as a snapshot (``scorecard_snapshots``), keyed by
week, filters and the definitions version (:func:`definitions_version`: this code's version and
a digest of the config sections the figures follow). Reading it again costs one indexed look at
the events processed since it was last checked (``inbox_events.processed_at``): the snapshot is
stale when one of them

- happened inside the weeks the card counted (its own week and its ``escalate_after_weeks``
  history): an event of that week arriving late, or
- is about a record the count read (a lead, contact, clock's lead or credited deal, also as a
  Task's ``WhoId``/``WhatId``): a later acceptance, conversion, stage, touch, breach timer or
  reversal of a week's lead.

Everything the scorecard counts is written while Baton processes an event (the jobs run in the
event's transaction), so this is the trigger that sees all late data. ``MARGIN`` covers events
whose transaction was still open at the last check: events processed within it are looked at
again, except those the row already took in (``seen_events``: matching events that were
committed before it was counted or checked). The events are read before the count, in its
transaction, so what they changed is in the count. A stale or missing week is recounted, with
the others asked at the same time, in one read pass, and stored again. The open week is always
counted live.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from connector.events import utcnow
from connector.reports.scorecard import codec, weeks
from connector.reports.scorecard.model import Scorecard, ScorecardFilters
from connector.store.models import InboxEvent, ScorecardSnapshot

if TYPE_CHECKING:
    from connector.config import BatonConfig
    from connector.store.db import Store

#: bump when a rule, definition or the snapshot's shape changes: old snapshots stop matching
CODE_VERSION = "2"  # 2: the open pipeline figures and table
#: config sections whose values the figures follow (a change there makes a new version)
SECTIONS = ("scorecard", "sla", "lifecycle", "handoff", "routing", "recycle", "credit")
#: events whose transaction may still have been open at a check are looked at again
MARGIN = timedelta(minutes=15)
#: the event fields that name a record besides the event's own (a Task's lead or deal)
LINK_FIELDS = ("WhoId", "WhatId")

Compute = Callable[
    [Session, Sequence[date], ScorecardFilters], tuple[list[Scorecard], frozenset[str]]
]
Available = Callable[[Session], tuple[date, ...]]


def definitions_version(config: BatonConfig) -> str:
    """This code's version and a digest of the config the figures follow."""
    sections = {name: getattr(config, name).model_dump(mode="json") for name in SECTIONS}
    text = json.dumps([CODE_VERSION, sections], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


#: a kept week nobody has read for this long is dropped by the retention run (counted again if
#: asked for): filters are free text, so without it the rows would only ever grow
UNREAD_FOR = timedelta(days=30)


def prune_snapshots(session: Session, now: datetime, config: BatonConfig) -> int:
    """Drop kept weeks unread for ``UNREAD_FOR`` and those of other definitions (a retention
    step: nothing is lost, a dropped week is counted again when someone asks for it)."""
    stale = or_(
        ScorecardSnapshot.checked_at < now - UNREAD_FOR,
        ScorecardSnapshot.definitions_version != definitions_version(config),
    )
    return session.execute(delete(ScorecardSnapshot).where(stale)).rowcount or 0


def filters_key(filters: ScorecardFilters) -> str:
    """The filters as one stable string (part of the snapshot's key)."""
    return json.dumps(asdict(filters), sort_keys=True)[:600]


def mark(record_id: str) -> str:
    """A short digest of a CRM record id: the snapshot keeps these, not the ids."""
    return hashlib.blake2b(record_id.encode(), digest_size=8, person=b"baton-sc").hexdigest()


def cards(
    store: Store,
    config: BatonConfig,
    starts: Sequence[date],
    filters: ScorecardFilters,
    compute: Compute,
    available: Available,
) -> list[Scorecard]:
    """The scorecards of ``starts`` (aligned week starts), from fresh snapshots where the week
    is closed, the rest counted by ``compute`` in one pass (and kept when closed)."""
    now = utcnow()
    zone = config.sla.calendar.timezone
    history = max(config.scorecard.escalate_after_weeks, 1)
    version, key = definitions_version(config), filters_key(filters)
    wanted = list(dict.fromkeys(starts))
    closed = {w for w in wanted if weeks.window(w, zone)[1] <= now}
    found: dict[date, Scorecard] = {}
    with store.session() as session:
        kept = _snapshots(session, closed, key, version)
        recent: _Recent = []
        if closed:  # read before the count: what these events wrote is in it
            oldest = min((row.checked_at for row in kept.values()), default=now)
            recent = _recent(session, min(oldest, now) - MARGIN)
        shown = available(session) if kept else ()
        for week, row in kept.items():
            seen = _matching(row.checked_at, row.since, row.until, row.record_marks, recent)
            if seen <= set(row.seen_events):
                found[week] = codec.decode(row.payload, filters, shown)
                row.checked_at, row.seen_events = now, sorted(seen)
        missing = [w for w in wanted if w not in found]
        if missing:
            built, ids = compute(session, missing, filters)
            marks = sorted({mark(i) for i in ids})
            for card in built:
                found[card.week_start] = card
                if card.week_start in closed:
                    since = weeks.window(card.week_start - timedelta(days=7 * (history - 1)), zone)
                    until = weeks.window(card.week_start, zone)[1]
                    seen = _matching(now, since[0], until, marks, recent)
                    values = {
                        "payload": codec.encode(card),
                        "record_marks": marks,
                        "since": since[0],
                        "until": until,
                        "computed_at": now,
                        "checked_at": now,
                        "seen_events": sorted(seen),
                    }
                    _keep(session, card.week_start, key, version, values, kept)
    return [found[w] for w in starts]


def _snapshots(
    session: Session, closed: Iterable[date], key: str, version: str
) -> dict[date, ScorecardSnapshot]:
    isos = [w.isoformat() for w in closed]
    if not isos:
        return {}
    rows = session.scalars(
        select(ScorecardSnapshot).where(
            ScorecardSnapshot.week_start.in_(isos),
            ScorecardSnapshot.filters_key == key,
            ScorecardSnapshot.definitions_version == version,
        )
    )
    return {date.fromisoformat(row.week_start): row for row in rows}


_Recent = list[tuple[int, datetime, datetime, frozenset[str]]]


def _recent(session: Session, after: datetime) -> _Recent:
    """(id, processed at, occurred at, marks of the records named) of the events processed
    since ``after``."""
    query = select(
        InboxEvent.id,
        InboxEvent.processed_at,
        InboxEvent.occurred_at,
        InboxEvent.object_id,
        InboxEvent.record_key,
        InboxEvent.related_ids,
        InboxEvent.changes,
    ).where(InboxEvent.processed_at >= after)
    found: _Recent = []
    for event_id, processed, occurred, object_id, record_key, related, changes in session.execute(
        query
    ):
        named = {object_id, record_key.rpartition(":")[2], *(str(x) for x in related or ())}
        named |= {str(changes[f]) for f in LINK_FIELDS if (changes or {}).get(f)}
        found.append((event_id, processed, occurred, frozenset(mark(x) for x in named if x)))
    return found


def _matching(
    checked: datetime, since: datetime, until: datetime, marks: Sequence[str], recent: _Recent
) -> set[int]:
    """Ids of the events processed since ``checked`` (less the margin) that touch the counted
    weeks [since, until) or one of the counted records."""
    after, counted = checked - MARGIN, set(marks)
    return {
        event_id
        for event_id, processed, occurred, named in recent
        if processed >= after and (since <= occurred < until or not named.isdisjoint(counted))
    }


def _keep(
    session: Session,
    week: date,
    key: str,
    version: str,
    values: dict[str, Any],
    kept: dict[date, ScorecardSnapshot],
) -> None:
    """Store (or replace) the week's snapshot; a concurrent writer's equal row wins quietly."""
    row = kept.get(week)
    if row is not None:
        for name, value in values.items():
            setattr(row, name, value)
        return
    iso = week.isoformat()
    session.execute(
        delete(ScorecardSnapshot).where(
            ScorecardSnapshot.week_start == iso,
            ScorecardSnapshot.filters_key == key,
            ScorecardSnapshot.definitions_version != version,
        )
    )
    try:
        with session.begin_nested():
            session.add(
                ScorecardSnapshot(
                    week_start=iso, filters_key=key, definitions_version=version, **values
                )
            )
    except IntegrityError:
        pass  # another process counted the same week at the same moment
