"""The store's tables: one schema for SQLite (embedded default) and PostgreSQL (many workers).

Each table serves one job named in ARCHITECTURE.md. Later features (SLA cases, touchpoints,
credit ledger) arrive as their own Alembic revisions; the shapes here leave room for them:
commands and timers are generic (kind + JSON payload + idempotency key), and every write and
decision lands in ``audit`` keyed by record.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from connector.events import ObjectType, Source, record_key, utcnow
from connector.store.types import UTCDateTime

# SQLite only auto-increments INTEGER PRIMARY KEY; PostgreSQL wants BIGINT for busy tables.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    """Declarative base with a JSON type that works on both engines."""

    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON, datetime: UTCDateTime}


class RawRequest(Base):
    """A verified webhook request exactly as received (body bytes kept for replay and audits).

    Headers are stored without signatures or tokens; bodies are dropped after the configured
    retention (privacy), the normalized events stay.
    """

    __tablename__ = "raw_requests"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(32))
    received_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    path: Mapped[str] = mapped_column(String(512))
    content_type: Mapped[str | None] = mapped_column(String(128))
    headers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    body: Mapped[bytes | None] = mapped_column(LargeBinary)
    body_sha256: Mapped[str] = mapped_column(String(64))
    event_count: Mapped[int] = mapped_column(Integer, default=0)


class InboxEvent(Base):
    """One normalized change, unique per (source, event_id): the durable inbox.

    Status: ``pending`` → ``done`` | ``skipped`` (echo, stale, unknown) | ``failed`` (after
    retries; kept for ``baton explain``). Workers take whole records (see ``RecordLease``) so
    per-record order holds across processes.
    """

    __tablename__ = "inbox_events"
    __table_args__ = (
        UniqueConstraint("source", "event_id", name="uq_inbox_source_event"),
        Index("ix_inbox_pending", "status", "record_key", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(32))
    event_id: Mapped[str] = mapped_column(String(255))
    account_id: Mapped[str | None] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    provider_type: Mapped[str | None] = mapped_column(String(128))
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[str] = mapped_column(String(64))
    record_key: Mapped[str] = mapped_column(String(160), index=True)
    occurred_at: Mapped[datetime] = mapped_column()
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    changes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    is_snapshot: Mapped[bool] = mapped_column(Boolean, default=False)
    actor: Mapped[str | None] = mapped_column(String(128))
    is_echo: Mapped[bool] = mapped_column(Boolean, default=False)
    related_ids: Mapped[list[Any]] = mapped_column(default=list)
    #: indexed: retention and erasure find a raw request's events by it
    raw_request_id: Mapped[int | None] = mapped_column(ForeignKey("raw_requests.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    #: a deferred event (e.g. waiting for the lead it belongs to be created) waits until then
    available_at: Mapped[datetime | None] = mapped_column()
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    #: indexed: a closed week's scorecard snapshot checks the events processed since it
    processed_at: Mapped[datetime | None] = mapped_column(index=True)
    outcome: Mapped[str | None] = mapped_column(Text)
    #: jobs that already finished this event, so a deferral by one job replays only that job
    jobs_done: Mapped[list[Any] | None] = mapped_column(JSON)


class RecordLease(Base):
    """Who is working on a record right now; a lease that expires frees a killed worker's record.

    Taking a lease is one conditional UPDATE/INSERT, so it is atomic on SQLite and PostgreSQL
    alike and needs no engine-specific locking.
    """

    __tablename__ = "record_leases"

    record_key: Mapped[str] = mapped_column(String(160), primary_key=True)
    owner: Mapped[str] = mapped_column(String(128))
    lease_until: Mapped[datetime] = mapped_column()


class RecordLink(Base):
    """One person across both CRMs: HubSpot contact ⇄ Salesforce Lead and/or Contact.

    ``email_hash`` (SHA-256 of the normalized address) is the fallback match key; Baton keeps no
    plain e-mail address.
    """

    __tablename__ = "record_links"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    hubspot_contact_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    salesforce_lead_id: Mapped[str | None] = mapped_column(String(18), unique=True)
    salesforce_contact_id: Mapped[str | None] = mapped_column(String(18), unique=True)
    email_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    def record_keys(self) -> tuple[str, ...]:
        """The record keys of everyone the link joins, HubSpot first."""
        keys = []
        if self.hubspot_contact_id:
            keys.append(record_key(Source.HUBSPOT, ObjectType.CONTACT, self.hubspot_contact_id))
        if self.salesforce_lead_id:
            keys.append(record_key(Source.SALESFORCE, ObjectType.LEAD, self.salesforce_lead_id))
        if self.salesforce_contact_id:
            keys.append(
                record_key(Source.SALESFORCE, ObjectType.CONTACT, self.salesforce_contact_id)
            )
        return tuple(keys)


class RecordState(Base):
    """The last known lifecycle state of one record in one system (what the rules compare to)."""

    __tablename__ = "record_states"

    record_key: Mapped[str] = mapped_column(String(160), primary_key=True)
    stage: Mapped[str | None] = mapped_column(String(128))
    stage_changed_at: Mapped[datetime | None] = mapped_column()
    fields: Mapped[dict[str, Any]] = mapped_column(default=dict)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class OwnWrite(Base):
    """A value Baton wrote, remembered until it echoes back (or expires), to stop ping-pong."""

    __tablename__ = "own_writes"
    __table_args__ = (Index("ix_own_writes_lookup", "record_key", "field"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    record_key: Mapped[str] = mapped_column(String(160))
    field: Mapped[str] = mapped_column(String(128))
    value: Mapped[str | None] = mapped_column(Text)
    written_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()


class OutboxCommand(Base):
    """A command the rules decided (SetStage, CreateLead, AddToList …) waiting to be written.

    ``idempotency_key`` makes a replayed event produce the same command once; ``record_key``
    keeps writes for one record in order.
    """

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "system", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    idempotency_key: Mapped[str] = mapped_column(String(255), unique=True)
    system: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(64))
    record_key: Mapped[str] = mapped_column(String(160), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    lease_owner: Mapped[str | None] = mapped_column(String(128))
    lease_until: Mapped[datetime | None] = mapped_column()
    #: indexed: deleting a pruned event checks its referrers (the FK) on both engines
    cause_event_id: Mapped[int | None] = mapped_column(ForeignKey("inbox_events.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column()
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    last_error: Mapped[str | None] = mapped_column(Text)


class DeadLetter(Base):
    """A command a CRM refused for good, with the CRM's own error text, for an admin to act on."""

    __tablename__ = "dead_letters"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    command_id: Mapped[int] = mapped_column(ForeignKey("outbox.id"), index=True)
    system: Mapped[str] = mapped_column(String(32))
    error_code: Mapped[str | None] = mapped_column(String(128))
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column()
    resolution: Mapped[str | None] = mapped_column(String(16))  # retried | dropped


class Timer(Base):
    """A future action of one job on one record (SLA deadline, escalation step, re-activation).

    Status: ``pending`` → ``fired`` (an inbox event of the record was written in the same
    transaction, see ``connector.timers``) → ``done`` (its job handled it) | ``cancelled``.
    ``idempotency_key`` is ``job|record|key``: scheduling the same key twice is one timer.
    """

    __tablename__ = "timers"
    __table_args__ = (Index("ix_timers_due", "status", "due_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    idempotency_key: Mapped[str] = mapped_column(String(255), unique=True)
    job: Mapped[str] = mapped_column(String(64), default="", server_default="")
    kind: Mapped[str] = mapped_column(String(64))
    record_key: Mapped[str] = mapped_column(String(160), index=True)
    due_at: Mapped[datetime] = mapped_column()
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    #: the worker that fired it (the claim itself is the conditional status change)
    lease_owner: Mapped[str | None] = mapped_column(String(128))
    lease_until: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    fired_at: Mapped[datetime | None] = mapped_column()


class RecycleEpisode(Base):
    """One time sales said "not now" about a person, and what became of it (the recycle job).

    Ids only: the person is their HubSpot contact and/or Salesforce lead id, the rep an owner id.
    ``state``: ``recycled`` (in nurture, re-activation timer set) → ``reactivated`` |
    ``converted`` (a conversion won the race); or at once ``disqualified`` (a reason that ends
    the lead), ``parked`` (more than ``max_recycles``) or ``refused`` (a guard said no).
    """

    __tablename__ = "recycle_episodes"
    __table_args__ = (
        UniqueConstraint("person_key", "number", name="uq_recycle_person_number"),
        Index("ix_recycle_state", "state", "recycled_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    #: the HubSpot contact's record key when linked, else the Salesforce lead's
    person_key: Mapped[str] = mapped_column(String(160), index=True)
    hubspot_contact_id: Mapped[str | None] = mapped_column(String(64))
    salesforce_lead_id: Mapped[str | None] = mapped_column(String(18))
    #: 1 for the first recycle of this person, 2 for the second …
    number: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16))
    reason_code: Mapped[str | None] = mapped_column(String(64))
    #: ``missing`` or ``unknown`` when the trigger carried no usable reason (feedback metric)
    reason_flag: Mapped[str | None] = mapped_column(String(16))
    trigger_source: Mapped[str] = mapped_column(String(16))
    trigger_status: Mapped[str] = mapped_column(String(128))
    trigger_event_id: Mapped[int | None] = mapped_column(
        ForeignKey("inbox_events.id"), index=True
    )  # indexed: deleting a pruned event checks its referrers
    #: the rep who had the lead (a Salesforce user id), for "recycled by rep" counts
    previous_owner_id: Mapped[str | None] = mapped_column(String(18))
    recycled_at: Mapped[datetime] = mapped_column()
    reactivate_at: Mapped[datetime | None] = mapped_column()
    closed_at: Mapped[datetime | None] = mapped_column()
    #: what ended the episode: timer, behaviour, conversion
    closed_by: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)


class SlaClock(Base):
    """One first-response clock of one Salesforce lead (the SLA job). Ids and codes only.

    ``state``: ``running`` (deadline timer set) → ``met`` (a touch before the deadline) |
    ``breached`` (the deadline passed; the escalation ladder walks) → ``acted`` (the rep touched
    the lead after the breach: the ladder stopped); or ``ended`` (converted, or handed to a queue
    before anyone touched it). ``number`` counts the lead's clocks (a recycled lead comes back).
    """

    __tablename__ = "sla_clocks"
    __table_args__ = (
        UniqueConstraint("lead_id", "number", name="uq_sla_clock_lead_number"),
        Index("ix_sla_clocks_open", "state", "deadline_at"),
        Index("ix_sla_clocks_owner", "owner_id", "started_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    lead_id: Mapped[str] = mapped_column(String(18), index=True)
    number: Mapped[int] = mapped_column(Integer)
    #: the Salesforce user (005…) whose clock it is; follows a reassignment to another person
    owner_id: Mapped[str] = mapped_column(String(18))
    #: the routing team (config name) the owner belongs to, and the policy that applied
    team: Mapped[str | None] = mapped_column(String(64))
    policy: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime] = mapped_column()
    deadline_at: Mapped[datetime] = mapped_column()
    stopped_at: Mapped[datetime | None] = mapped_column()
    #: what stopped it: task, status, converted, queue
    stopped_by: Mapped[str | None] = mapped_column(String(16))
    #: distinct logged touches (Tasks) while the clock's lead was with sales
    touches: Mapped[int] = mapped_column(Integer, default=0)


class SlaTouch(Base):
    """A logged activity counted once on a clock (outbound messages repeat and duplicate)."""

    __tablename__ = "sla_touches"
    __table_args__ = (UniqueConstraint("clock_id", "activity_id", name="uq_sla_touch"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    clock_id: Mapped[int] = mapped_column(ForeignKey("sla_clocks.id"))
    activity_id: Mapped[str] = mapped_column(String(18))
    at: Mapped[datetime] = mapped_column()


class SlaBreach(Base):
    """One broken promise: ``first_response``, ``min_touches`` or ``no_reason`` (scorecard)."""

    __tablename__ = "sla_breaches"
    __table_args__ = (
        UniqueConstraint("clock_id", "kind", name="uq_sla_breach"),
        Index("ix_sla_breaches_at", "at"),
        Index("ix_sla_breaches_owner", "owner_id", "at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    clock_id: Mapped[int] = mapped_column(ForeignKey("sla_clocks.id"))
    kind: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column()
    owner_id: Mapped[str] = mapped_column(String(18))
    team: Mapped[str | None] = mapped_column(String(64))
    policy: Mapped[str] = mapped_column(String(64))


class SlaRepMiss(Base):
    """A rep's n-th missed first response in a period (the per-rep ladder). Ids and codes only.

    ``(owner_id, period, ordinal)`` is unique, so two workers recording a rep's misses at once
    cannot both take the same place: the second insert waits for the first and counts again.
    """

    __tablename__ = "sla_rep_misses"
    __table_args__ = (
        UniqueConstraint("owner_id", "period", "ordinal", name="uq_sla_rep_miss_place"),
        UniqueConstraint("clock_id", name="uq_sla_rep_miss_clock"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    clock_id: Mapped[int] = mapped_column(ForeignKey("sla_clocks.id"))
    #: the rep (Salesforce user id, or HubSpot owner id with HubSpot alone)
    owner_id: Mapped[str] = mapped_column(String(18))
    #: "2026-W49" (ISO week) or "2026-12" (month), on the calendar's clock
    period: Mapped[str] = mapped_column(String(8))
    ordinal: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column()


class CreditLedgerRow(Base):
    """One touch's credit on one won deal under one model (the credit job; docs/credit.md).

    Ids and codes only: the deal is its Salesforce opportunity id, the touch its (source, id),
    the campaign a CRM campaign id. ``inputs_digest`` names the timeline and model versions the
    row came from, so the same inputs are never written twice; ``revision`` counts the deal's
    computations (a recompute or a reversal starts a new one). ``reversed_at`` is set when the
    deal was re-opened or lost, or recomputed from other inputs. ``touch_id`` is None for the
    ``no_marketing_touch`` bucket.
    """

    __tablename__ = "credit_ledger"
    __table_args__ = (
        UniqueConstraint(
            "deal_id", "revision", "model", "position", name="uq_credit_deal_revision_share"
        ),
        Index("ix_credit_deal", "deal_id", "reversed_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    deal_id: Mapped[str] = mapped_column(String(18))
    revision: Mapped[int] = mapped_column(Integer)
    model: Mapped[str] = mapped_column(String(64))
    model_version: Mapped[str] = mapped_column(String(64))
    #: the share's place in the model's result (timeline order), so a deal reads back in order
    position: Mapped[int] = mapped_column(Integer)
    touch_source: Mapped[str | None] = mapped_column(String(16))
    touch_id: Mapped[str | None] = mapped_column(String(128))
    touched_at: Mapped[datetime | None] = mapped_column()
    channel: Mapped[str] = mapped_column(String(64))
    campaign: Mapped[str | None] = mapped_column(String(64))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    inputs_digest: Mapped[str] = mapped_column(String(64))
    computed_at: Mapped[datetime] = mapped_column()
    reversed_at: Mapped[datetime | None] = mapped_column()
    #: Markov rows only: the journey history the fit used (counts, window, fingerprint)
    history: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)


class CreditJourney(Base):
    """One closed deal's marketing path, won or lost: the Markov model's history (docs/credit.md).

    One row per deal (its Salesforce opportunity id, or its HubSpot deal id with HubSpot alone),
    so a re-sent or re-closed deal is never counted twice: the row is updated in place, and
    ``withdrawn_at`` is set while the deal is open again (re-opened) or gone. ``path`` is the
    timeline's touches in order as ``[channel, campaign id or null]`` with consecutive repeats
    collapsed: channel codes and campaign ids only, no person, no touch id.
    """

    __tablename__ = "credit_journeys"
    __table_args__ = (Index("ix_credit_journeys_closed", "withdrawn_at", "closed_at"),)

    deal_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    won: Mapped[bool] = mapped_column()
    path: Mapped[list[Any]] = mapped_column(JSON)
    closed_at: Mapped[datetime] = mapped_column()
    #: ``journey:<rules version>``: how the path was built
    version: Mapped[str] = mapped_column(String(32))
    recorded_at: Mapped[datetime] = mapped_column()
    withdrawn_at: Mapped[datetime | None] = mapped_column()
    #: bumped by every change to the row: the table's sum tells a reader whether anything moved
    changes: Mapped[int] = mapped_column(Integer, default=1)


class CreditDealLink(Base):
    """The HubSpot deals a Salesforce opportunity's credit is written to, once found.

    HubSpot's search is eventually consistent and limited to a few requests per second, so the
    credit job searches only until it finds the deals, then reads them by id (consistent, and
    outside the search limit) to check they still hold the opportunity id. Ids only.
    """

    __tablename__ = "credit_deal_links"

    opportunity_id: Mapped[str] = mapped_column(String(18), primary_key=True)
    hubspot_deal_ids: Mapped[list[Any]] = mapped_column(JSON)
    found_at: Mapped[datetime] = mapped_column()


class PipelineDeal(Base):
    """A deal Baton saw open: the scorecard's marketing pipeline (docs/scorecard.md).

    One row per deal (the Salesforce opportunity id, or the HubSpot deal id with HubSpot
    alone). ``opened_at`` .. ``left_at`` is when it was in the open pipeline (created, then
    closed won/lost or deleted), so a week's end can be asked after the deal closed.
    ``modified_at`` is the CRM's change stamp of the state applied last (``SystemModstamp``,
    HubSpot ``hs_lastmodifieddate``): an older read never overwrites a newer one. Ids, amounts,
    a stage and channel codes only: no person.
    """

    __tablename__ = "pipeline_deals"
    __table_args__ = (Index("ix_pipeline_deals_open", "opened_at", "left_at"),)

    deal_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    #: ``salesforce`` (an Opportunity) or ``hubspot`` (a deal, HubSpot alone)
    system: Mapped[str] = mapped_column(String(16))
    #: ``open``, ``won``, ``lost`` or ``deleted``
    state: Mapped[str] = mapped_column(String(8))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    stage: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime | None] = mapped_column()
    close_date: Mapped[datetime | None] = mapped_column()
    #: the timeline's first touch is a marketing touch (as for marketing-sourced revenue)
    sourced: Mapped[bool] = mapped_column()
    #: a marketing touch within credit.lookback_days
    influenced: Mapped[bool] = mapped_column()
    #: the channel code with the most touches in the window (None: no touch)
    top_channel: Mapped[str | None] = mapped_column(String(64))
    opened_at: Mapped[datetime] = mapped_column()
    left_at: Mapped[datetime | None] = mapped_column()
    modified_at: Mapped[datetime] = mapped_column()
    recorded_at: Mapped[datetime] = mapped_column()


class AuditEntry(Base):
    """Every event, rule decision and write that touched a record: what ``baton explain`` prints."""

    __tablename__ = "audit"
    __table_args__ = (Index("ix_audit_record", "record_key", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    record_key: Mapped[str] = mapped_column(String(160))
    step: Mapped[str] = mapped_column(String(16))  # event | rule | write | error
    summary: Mapped[str] = mapped_column(Text)
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    #: indexed: deleting a pruned event checks its referrers (the FK) on both engines
    event_id: Mapped[int | None] = mapped_column(ForeignKey("inbox_events.id"), index=True)
    command_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id"))


class Cursor(Base):
    """A reconciliation poller's high-water mark, persisted so a restart resumes where it was."""

    __tablename__ = "cursors"

    name: Mapped[str] = mapped_column(String(128), primary_key=True)
    value: Mapped[str] = mapped_column(String(255))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class SeenRequest(Base):
    """The digest of a request whose signature carries no timestamp, kept to refuse its replays.

    HubSpot's v1/v2 signatures (workflow calls) never expire: a captured request verifies
    forever. Its digest (method, path, query, body) is remembered for the replay window, longer
    than raw bodies are kept and independent of them, so a replay is recognised without keeping
    the body that proves it.
    """

    __tablename__ = "seen_requests"

    receiver: Mapped[str] = mapped_column(String(32), primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class Erasure(Base):
    """That a person's data was erased, without the data: a keyed hash per identifier.

    ``identifier_hash`` is HMAC-SHA256 (the store's erasure key, ``connector.privacy.keys``) of
    an e-mail hash or CRM id, so the table proves an erasure happened and lets a late event of
    the same id be erased again, but cannot be turned back into an address by hashing a list.
    """

    __tablename__ = "erasures"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    identifier_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: email, hubspot or salesforce: what kind of identifier was hashed
    kind: Mapped[str] = mapped_column(String(16))
    #: command (baton forget), hubspot (contact.privacyDeletion) or salesforce (a deletion)
    origin: Mapped[str] = mapped_column(String(32))
    first_erased_at: Mapped[datetime] = mapped_column()
    last_erased_at: Mapped[datetime] = mapped_column()
    #: rows changed by the latest run (0 when it found nothing left: the erasure is idempotent)
    rows_changed: Mapped[int] = mapped_column(Integer, default=0)


class WorkerHeartbeat(Base):
    """A running worker's sign of life: its claims are taken back soon after it stops beating.

    A record or command lease runs for minutes (a CRM batch can be slow); a heartbeat runs for
    seconds, so a killed worker's records come back to the others in seconds, not minutes
    (``connector.heartbeats``). Holds process names only (host:pid:…).
    """

    __tablename__ = "worker_heartbeats"

    owner: Mapped[str] = mapped_column(String(128), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    beat_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)


class LoginLink(Base):
    """A one-time dashboard sign-in link, kept so any web process can redeem it once.

    Only the SHA-256 of the token is stored (the token itself is in the link alone), with the
    dashboard user name from ``dashboard.users`` it signs in, its expiry and when it was used;
    a conditional UPDATE makes the first redemption the only one across processes, and expired
    rows are pruned when links are issued (``webhooks.login_links``).
    """

    __tablename__ = "login_links"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    used_at: Mapped[datetime | None] = mapped_column(default=None)


class ScorecardSnapshot(Base):
    """A closed week's scorecard, counted once and kept until late data for it arrives.

    Keyed by week, filters and the definitions version (the scorecard code's version plus a
    digest of the config sections the figures depend on). ``record_marks`` are short keyed
    digests of the CRM record ids the count read (no ids themselves): an event processed after
    ``checked_at`` about one of them, or one that happened inside the counted weeks, makes the
    snapshot stale (``connector.reports.scorecard.snapshots``).
    """

    __tablename__ = "scorecard_snapshots"

    week_start: Mapped[str] = mapped_column(String(10), primary_key=True)
    filters_key: Mapped[str] = mapped_column(String(600), primary_key=True)
    definitions_version: Mapped[str] = mapped_column(String(32), primary_key=True)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    record_marks: Mapped[list[Any]] = mapped_column(default=list)
    #: the UTC window of the counted weeks (the asked one and its history)
    since: Mapped[datetime] = mapped_column()
    until: Mapped[datetime] = mapped_column()
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: events processed before this (less a margin) were checked against the snapshot
    checked_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: inbox ids of matching events within the margin that the snapshot already took in
    seen_events: Mapped[list[Any]] = mapped_column(default=list)


class CrmCallSlot(Base):
    """Calls Baton made to one CRM in one time slot, counted by every process on the database.

    A process's own books would let N workers spend N times Baton's share of a CRM's limit;
    with the counts here (``connector.call_ledger``) the share holds for all of them together.
    """

    __tablename__ = "crm_call_slots"

    system: Mapped[str] = mapped_column(String(32), primary_key=True)
    #: burst (the short rolling window), search, or daily
    dimension: Mapped[str] = mapped_column(String(16), primary_key=True)
    #: the slot's start in milliseconds since the epoch (wall clock: processes on several
    #: machines must agree, so NTP matters)
    slot_start: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    calls: Mapped[int] = mapped_column(Integer, default=0)
