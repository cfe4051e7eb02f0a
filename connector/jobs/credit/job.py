"""The credit job: marketing-influence credit on won Salesforce opportunities.

Every Opportunity event (outbound message or poll) is a reason to look again: the job reads the
opportunity now (``trigger.py``), so duplicates and out-of-order deliveries decide on current
facts. A won deal's touches are read through ``ctx.readers`` — the contact roles' campaign
responses (their converted leads' too) and the linked HubSpot contacts' source and conversion
properties (``touches.py``) — beside Baton's own milestones (the hand-off, MQL, opportunity
creation, the close). Every configured model runs on the timeline; the ledger keeps the result
once per distinct input (``ledger.py``), and only a new ledger revision writes back
(``writeback.py``): HubSpot deal properties and the deal's CampaignInfluence rows in the
custom model. A re-opened, lost or deleted deal is reversed once: rows stamped, write-back
cleared.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from connector import knowledge
from connector.commands import Command, ReplaceCampaignInfluence, System, UpdateFields
from connector.config import BatonConfig
from connector.config.models.credit import CreditModel
from connector.events import ObjectType, Source, record_key
from connector.jobs.base import DONE, SKIPPED, JobContext, JobSetup, Outcome
from connector.jobs.credit import deal_links, journeys, ledger, pipeline
from connector.jobs.credit.compute import (
    Attribution,
    Rule,
    Unavailable,
    attribute_all,
    markov_rule,
    prepare_rules,
)
from connector.jobs.credit.currency import format_minor, to_minor
from connector.jobs.credit.fingerprint import inputs_digest, model_version
from connector.jobs.credit.history import Snapshot, journey_path
from connector.jobs.credit.pipeline_rules import Flags
from connector.jobs.credit.pipeline_rules import flags as pipeline_flags
from connector.jobs.credit.setup import writeback_off
from connector.jobs.credit.timeline import Money, Timeline, Touch, TouchKey, build_timeline
from connector.jobs.credit.touches import (
    FORM_PROPERTIES,
    SALESFORCE,
    SOURCE_PROPERTIES,
    hubspot_touches,
    merge_same_person,
    milestones,
    parse_moment,
    response_touches,
)
from connector.jobs.credit.trigger import (
    CURRENCY_FIELD,
    HUBSPOT_DEAL_FIELDS,
    OPPORTUNITY_FIELDS,
    Action,
    Deal,
    deal_from_fields,
    deal_from_hubspot,
    decide,
)
from connector.jobs.credit.writeback import hubspot_cleared, hubspot_properties, influence_rows
from connector.ports import CrmReader
from connector.store.models import CreditLedgerRow, InboxEvent, OutboxCommand

#: the change a contact-role event carries (connector/pollers/salesforce.py)
ROLE_CHANGE = "OpportunityContactRoleId"


@dataclass(frozen=True)
class Gathered:
    """A won deal's timeline and what the write-back needs besides it."""

    timeline: Timeline
    contact_of: Mapping[str, str | None]  # CampaignMember id → ContactId


@dataclass
class CreditJob:
    """Credit for the admin's ``credit:`` section (docs/credit.md)."""

    config: BatonConfig
    rules: list[Rule]
    versions: dict[str, str]
    #: write-back targets found missing at start, and why (``setup.py``)
    off: dict[System, str] = field(default_factory=dict)
    #: the Opportunity fields read: plus ``CurrencyIsoCode`` in a multi-currency org; None until
    #: the org has been asked (at the first deal, not at start: a CRM down at start must not
    #: hold up ``baton serve``)
    opportunity_fields: tuple[str, ...] | None = None
    name: str = "credit"
    #: the configured Markov models, fitted per computation on the recorded journeys
    markov: tuple[CreditModel, ...] = ()
    #: the last fit per (model, history fingerprint): a fit is exact, so it can be reused
    fits: dict[tuple[str, str], Rule] = field(default_factory=dict)
    snapshots: journeys.Snapshots = field(default_factory=journeys.Snapshots)

    def wants(self, event: InboxEvent) -> bool:
        """Every Salesforce Opportunity event: Baton never writes opportunities itself. With
        HubSpot alone, every HubSpot deal event (the deal is the opportunity there)."""
        if not event.object_id:
            return False
        if event.source == Source.HUBSPOT and event.object_type == ObjectType.DEAL:
            return not self.config.salesforce.enabled and not event.is_echo
        return event.source == Source.SALESFORCE and event.object_type == ObjectType.OPPORTUNITY

    def handle(self, ctx: JobContext, event: InboxEvent) -> Outcome:
        """Credit a won deal, recompute it when its inputs changed, reverse it when not won."""
        deal_id = event.object_id
        if event.source == Source.HUBSPOT:
            return self._hubspot_deal(ctx, deal_id)
        salesforce = ctx.readers.get(System.SALESFORCE)
        if salesforce is None:
            return Outcome(SKIPPED, "Salesforce is not connected: the deal cannot be read")
        fields = self.opportunity_fields_for(salesforce)
        found = salesforce.read("Opportunity", [deal_id], list(fields)).get(deal_id)
        deal = deal_from_fields(found.fields if found is not None else None)
        # a contact role changes the touches, not the opportunity's SystemModstamp
        roles = ROLE_CHANGE in (event.changes or {})
        return self._decide(
            ctx,
            deal_id,
            deal,
            lambda amount: self._gather(ctx, salesforce, deal_id, deal, amount),
            touches_changed=roles,
        )

    def _hubspot_deal(self, ctx: JobContext, deal_id: str) -> Outcome:
        """HubSpot alone: the deal's own contacts' touches; the credit goes to the deal."""
        hubspot = ctx.readers.get(System.HUBSPOT)
        if hubspot is None:
            return Outcome(SKIPPED, "HubSpot is not connected: the deal cannot be read")
        found = hubspot.read("deals", [deal_id], list(HUBSPOT_DEAL_FIELDS)).get(deal_id)
        deal = deal_from_hubspot(found.fields if found is not None else None)
        return self._decide(
            ctx, deal_id, deal, lambda amount: self._gather_hubspot(ctx, deal_id, deal, amount)
        )

    def _decide(
        self,
        ctx: JobContext,
        deal_id: str,
        deal: Deal | None,
        gather: Callable[[Money], Gathered],
        *,
        touches_changed: bool = False,
    ) -> Outcome:
        """The credit decision, then the open-pipeline step on the same read (``pipeline.py``)."""
        outcome = self._decide_credit(ctx, deal_id, deal, gather)
        system = "salesforce" if self.config.salesforce.enabled else "hubspot"
        measure = lambda found: self._measure_open(ctx, found, gather)  # noqa: E731
        moved = pipeline.record(
            ctx.session, deal_id, deal, system=system, at=ctx.now, measure=measure,
            refresh=touches_changed,
        )  # fmt: skip
        if moved is None:
            return outcome
        if outcome.status == SKIPPED:
            return Outcome(DONE, moved, audit=(moved,))
        return replace(
            outcome, summary=f"{moved}; {outcome.summary}", audit=(moved, *outcome.audit)
        )

    def _measure_open(
        self, ctx: JobContext, deal: Deal, gather: Callable[[Money], Gathered]
    ) -> tuple[Money, Flags] | str:
        """An open deal's amount and marketing flags: its credit timeline, as for a won deal."""
        currency = deal.currency or self.config.credit.currency
        try:
            amount = Money(to_minor(deal.amount, currency), currency)
        except ValueError as exc:
            return f"amount {deal.amount} not countable in {currency}: {exc}"
        lookback = self.config.credit.lookback_days
        return amount, pipeline_flags(_path_of(gather, currency), ctx.now, lookback)

    def _decide_credit(
        self,
        ctx: JobContext,
        deal_id: str,
        deal: Deal | None,
        gather: Callable[[Money], Gathered],
    ) -> Outcome:
        live = ledger.live(ctx.session, deal_id)
        action = decide(deal, credited=bool(live))
        if action is Action.CREDIT:
            assert deal is not None
            return self._credit(ctx, deal_id, deal, live, gather)
        lines: list[str] = []
        commands: tuple[Command, ...] = ()
        if action is Action.REVERSE:
            reversed_ = self._reverse(ctx, deal_id, live)
            lines.append(reversed_.summary)
            commands = reversed_.commands
        if deal is not None and deal.lost:
            currency = deal.currency or self.config.credit.currency
            lines += self._journey(ctx, deal_id, deal, _path_of(gather, currency))
        elif journeys.withdraw(ctx.session, deal_id, ctx.now):
            lines.append(f"journey withdrawn: deal {deal_id} is open again or gone")
        if not lines:
            return Outcome(SKIPPED, "opportunity not won; no credit to reverse")
        return Outcome(DONE, "; ".join(lines), commands, audit=tuple(lines))

    def _journey(self, ctx: JobContext, deal_id: str, deal: Deal, timeline: Timeline) -> list[str]:
        """Record the closed deal's journey for the Markov history (once per path and outcome)."""
        path = journey_path(timeline)
        closed_at = deal.closed_at or timeline.ends_at or ctx.now
        outcome = "won" if deal.won else "lost"
        if not journeys.record(
            ctx.session, deal_id, won=deal.won, path=path, closed_at=closed_at, at=ctx.now
        ):
            return []
        steps = " > ".join(channel for channel, _ in path) or "no touch"
        return [f"journey recorded: deal {deal_id} {outcome} ({steps})"]

    def opportunity_fields_for(self, salesforce: CrmReader) -> tuple[str, ...]:
        """The fields to read, asking the org once (one describe) whether Opportunity has
        ``CurrencyIsoCode`` (multi-currency): naming it in a single-currency org fails every
        query. A reader that cannot describe means the base fields in ``credit.currency``."""
        if self.opportunity_fields is None:
            field_names = getattr(salesforce, "field_names", None)
            known = field_names("Opportunity") if field_names is not None else set()
            multi = CURRENCY_FIELD in known
            self.opportunity_fields = (
                (*OPPORTUNITY_FIELDS, CURRENCY_FIELD) if multi else OPPORTUNITY_FIELDS
            )
        return self.opportunity_fields

    # -- crediting ----------------------------------------------------------------------------

    def _credit(
        self,
        ctx: JobContext,
        deal_id: str,
        deal: Deal,
        live: list[CreditLedgerRow],
        gather: Callable[[Money], Gathered],
    ) -> Outcome:
        # the deal's own currency (multi-currency org), never converted; else the org's one
        currency = deal.currency or self.config.credit.currency
        try:
            amount = Money(to_minor(deal.amount, currency), currency)
        except ValueError as exc:
            line = f"credit: amount {deal.amount} not creditable in {currency}: {exc}"
            # the journey does not depend on the amount: the win still counts in the history
            journey = self._journey(ctx, deal_id, deal, _path_of(gather, currency))
            return Outcome(SKIPPED, line, audit=(line, *journey))
        gathered = gather(amount)
        journey = self._journey(ctx, deal_id, deal, gathered.timeline)
        digest = inputs_digest(gathered.timeline, self.versions.values())
        if live and live[0].inputs_digest == digest:
            line = "credit unchanged: same deal, touches and models"
            return Outcome(DONE if journey else SKIPPED, line, audit=tuple(journey))
        rules, histories = self._rules_now(ctx, deal_id, gathered.timeline)
        results = attribute_all(rules, gathered.timeline)
        computed = {n: r for n, r in results.items() if isinstance(r, Attribution)}
        revision = ledger.last_revision(ctx.session, deal_id) + 1
        ledger.reverse(live, ctx.now)
        used = {name: histories[name].summary() for name in computed if name in histories}
        ledger.write(
            ctx.session, deal_id, revision, computed, self.versions, digest, ctx.now,
            histories=used,
        )  # fmt: skip
        primary = computed.get(self.config.credit.primary_model)
        commands = self._write_back(ctx, deal_id, revision, primary, gathered) if primary else []
        line = _credit_line(deal_id, revision, gathered.timeline, results, primary, self.off)
        line += "".join(f"; {name} on {_history_line(used[name])}" for name in used)
        return Outcome(DONE, line, tuple(commands), audit=(line, *journey))

    def _rules_now(
        self, ctx: JobContext, deal_id: str, timeline: Timeline
    ) -> tuple[list[Rule], dict[str, Snapshot]]:
        """The rules for this computation: each Markov model fitted on one snapshot of the
        journeys closed in the look-back window before this deal's close (the deal left out),
        read once, so the same history always gives the same cents."""
        if not self.markov:
            return self.rules, {}
        lookback = self.config.credit.lookback_days
        until = timeline.ends_at or ctx.now
        snap = self.snapshots.get(ctx.session, until, lookback, excluding=deal_id)
        fitted: dict[str, Rule] = {}
        for model in self.markov:
            key = (model.name, f"{snap.fingerprint}:{snap.since}:{snap.until}")
            rule = self.fits.get(key)  # shared by worker threads: never read back after a write
            if rule is None:
                if len(self.fits) > 64:
                    self.fits.clear()
                rule = self.fits[key] = markov_rule(model, snap, lookback)
            fitted[model.name] = rule
        rules = [fitted.get(rule.name, rule) for rule in self.rules]
        histories = {name: snap for name, rule in fitted.items() if rule.fit is not None}
        return rules, histories

    def _gather(
        self, ctx: JobContext, salesforce: CrmReader, deal_id: str, deal: Deal, amount: Money
    ) -> Gathered:
        sources = set(self.config.credit.touchpoint_sources)
        contacts = sorted(set(_contacts_of(salesforce, deal_id)))
        touches: list[Touch] = []
        contact_of: dict[str, str | None] = {}
        if "salesforce_campaign_responses" in sources and contacts:
            rows = salesforce.campaign_responses(tuple(contacts))  # type: ignore[attr-defined]
            touches += response_touches(rows)
            contact_of = {str(r["Id"]): r.get("ContactId") for r in rows}
        person_of: dict[TouchKey, str] = {
            (SALESFORCE, member): str(contact)[:15]
            for member, contact in contact_of.items()
            if contact
        }
        linked = _hubspot_contacts(ctx.session, contacts)
        handed_off = sorted(linked)
        timeline = self._timeline(ctx, linked, touches, person_of, deal, amount, handed_off)
        return Gathered(timeline, contact_of)

    def _gather_hubspot(self, ctx: JobContext, deal_id: str, deal: Deal, amount: Money) -> Gathered:
        """HubSpot alone: the deal's associated contacts and their HubSpot touches."""
        associated = getattr(ctx.readers.get(System.HUBSPOT), "associated_ids", None)
        contacts = list(associated("deals", deal_id, "contacts")) if associated else []
        linked = {contact: contact for contact in contacts}  # one CRM: the contact is the person
        return Gathered(self._timeline(ctx, linked, [], {}, deal, amount, ()), {})

    def _timeline(
        self,
        ctx: JobContext,
        linked: Mapping[str, str],
        touches: list[Touch],
        person_of: Mapping[TouchKey, str],
        deal: Deal,
        amount: Money,
        handed_off: Sequence[str],
    ) -> Timeline:
        """The HubSpot contacts' touches (``linked``: HubSpot id -> the person's key) added to
        ``touches``, one person's same touch in both CRMs counted once, beside the milestones."""
        sources = set(self.config.credit.touchpoint_sources)
        person_of = dict(person_of)
        hubspot_ids = sorted(linked)
        properties = self._hubspot_properties(ctx, hubspot_ids)
        for contact_id in hubspot_ids:
            found = hubspot_touches(
                contact_id,
                properties.get(contact_id, {}),
                sources="hubspot_source_properties" in sources,
                forms="hubspot_form_submissions" in sources,
            )
            person_of.update({touch.key: linked[contact_id][:15] for touch in found})
            touches += found
        touches = merge_same_person(touches, person_of)
        mql = _earliest(parse_moment(p.get(self._mql_property)) for p in properties.values())
        reached = milestones(
            lead_creation=_handoff_at(ctx.session, handed_off),
            mql=mql,
            opportunity_created=deal.created_at,
            # a lost deal's journey ends at its close the same way (it is never credited)
            closed_won=deal.closed_won_at or deal.closed_at,
        )
        return build_timeline(
            touches, reached, amount, lookback_days=self.config.credit.lookback_days
        )

    @property
    def _mql_property(self) -> str:
        return f"hs_v2_date_entered_{self.config.handoff.stage}"

    def _hubspot_properties(
        self, ctx: JobContext, contact_ids: Sequence[str]
    ) -> dict[str, Mapping[str, object]]:
        hubspot = ctx.readers.get(System.HUBSPOT)
        if hubspot is None or not contact_ids:
            return {}
        names = [*SOURCE_PROPERTIES, *FORM_PROPERTIES, self._mql_property]
        found = hubspot.read("contacts", list(contact_ids), names)
        return {contact_id: record.fields for contact_id, record in found.items()}

    def _write_back(
        self,
        ctx: JobContext,
        deal_id: str,
        revision: int,
        primary: Attribution,
        gathered: Gathered,
    ) -> list[Command]:
        writeback = self.config.credit.writeback
        base = f"credit:{deal_id}:{revision}"
        at = ctx.now.isoformat()
        commands: list[Command] = []
        if writeback.hubspot and System.HUBSPOT not in self.off:
            fields = hubspot_properties(primary, writeback.hubspot_deal_properties, ctx.now)
            for hubspot_deal in self._hubspot_deals(ctx, deal_id):
                commands.append(
                    _deal_update(hubspot_deal, f"{base}:hubspot:{hubspot_deal}", at, fields)
                )
        if writeback.salesforce and System.SALESFORCE not in self.off:
            rows = influence_rows(primary, gathered.contact_of)
            commands.append(self._influence(deal_id, f"{base}:salesforce", at, rows))
        return commands

    # -- reversing ----------------------------------------------------------------------------

    def _reverse(self, ctx: JobContext, deal_id: str, live: list[CreditLedgerRow]) -> Outcome:
        revision = live[0].revision
        ledger.reverse(live, ctx.now)
        writeback = self.config.credit.writeback
        base = f"credit:{deal_id}:{revision}:reversed"
        at = ctx.now.isoformat()
        commands: list[Command] = []
        if writeback.hubspot and System.HUBSPOT not in self.off:
            cleared = hubspot_cleared(writeback.hubspot_deal_properties)
            for hubspot_deal in self._hubspot_deals(ctx, deal_id):
                commands.append(
                    _deal_update(hubspot_deal, f"{base}:hubspot:{hubspot_deal}", at, cleared)
                )
        if writeback.salesforce and System.SALESFORCE not in self.off:
            commands.append(self._influence(deal_id, f"{base}:salesforce", at, ()))
        line = f"credit reversed: opportunity {deal_id} is no longer won (revision {revision})"
        return Outcome(DONE, line, tuple(commands), audit=(line,))

    # -- helpers ------------------------------------------------------------------------------

    def _hubspot_deals(self, ctx: JobContext, deal_id: str) -> list[str]:
        if not self.config.salesforce.enabled:
            return [deal_id]  # HubSpot alone: the credited deal is the HubSpot deal itself
        hubspot = ctx.readers.get(System.HUBSPOT)
        if hubspot is None:
            return []
        prop = self.config.credit.writeback.hubspot_opportunity_property
        return deal_links.hubspot_deals(ctx.session, hubspot, deal_id, prop, ctx.now)

    def _influence(
        self, deal_id: str, key: str, at: str, rows: tuple[dict[str, object], ...]
    ) -> ReplaceCampaignInfluence:
        return ReplaceCampaignInfluence(
            System.SALESFORCE,
            record_key(Source.SALESFORCE, ObjectType.OPPORTUNITY, deal_id),
            key,
            at,
            opportunity_id=deal_id,
            model=self.config.credit.writeback.salesforce_influence_model,
            rows=rows,
        )


def build(setup: JobSetup) -> CreditJob:
    """The credit job for the admin's config; missing write-back targets are switched off here.

    Markov models are fitted per computation on the recorded journeys (``_rules_now``); until
    enough are recorded each credit's audit line says how many there are."""
    models = setup.config.credit.models
    return CreditJob(
        setup.config,
        prepare_rules(models),
        {model.name: model_version(model) for model in models},
        writeback_off(setup),
        markov=tuple(model for model in models if model.model == "markov"),
    )


def _path_of(gather: Callable[[Money], Gathered], currency: str) -> Timeline:
    """The deal's timeline without an amount: its touches and milestones (a journey's path, an
    open deal's marketing flags), gathered exactly as for a credit."""
    return gather(Money(0, currency)).timeline


def _contacts_of(salesforce: CrmReader, deal_id: str) -> list[str]:
    contacts_of = getattr(salesforce, "contacts_of_opportunity", None)
    return list(contacts_of(deal_id)) if contacts_of is not None else []


def _hubspot_contacts(session: Session, salesforce_contacts: Sequence[str]) -> dict[str, str]:
    """The HubSpot contacts linked to the deal's Salesforce contacts: HubSpot id → Salesforce
    contact id (the same person in both CRMs)."""
    found: dict[str, str] = {}
    for contact_id in sorted(salesforce_contacts):
        link = knowledge.link_for_salesforce(session, contact_id)
        if link is not None and link.hubspot_contact_id:
            found.setdefault(link.hubspot_contact_id, contact_id)
    return found


def _handoff_at(session: Session, hubspot_contacts: Sequence[str]) -> datetime | None:
    """Lead creation = Baton's hand-off: when it queued the first Salesforce lead of them."""
    if not hubspot_contacts:
        return None
    keys = [f"create_lead:{contact_id}" for contact_id in hubspot_contacts]
    return session.scalar(
        select(func.min(OutboxCommand.created_at)).where(OutboxCommand.idempotency_key.in_(keys))
    )


def _earliest(moments: Iterable[datetime | None]) -> datetime | None:
    present = [m for m in moments if m is not None]
    return min(present, default=None)


def _deal_update(deal_id: str, key: str, at: str, fields: dict[str, str]) -> UpdateFields:
    return UpdateFields(
        System.HUBSPOT,
        record_key(Source.HUBSPOT, ObjectType.DEAL, deal_id),
        key,
        at,
        object_type="deals",
        object_id=deal_id,
        fields=dict(fields),
    )


def _history_line(history: Mapping[str, object]) -> str:
    """``100 journeys (60 won, 40 lost) closed 2025-12-01..2026-12-01, history 3f2a…``."""
    since, until = str(history["since"])[:10], str(history["until"])[:10]
    return (
        f"{history['journeys']} journeys ({history['won']} won, {history['lost']} lost) closed "
        f"{since}..{until}, history {history['fingerprint']}"
    )


def _credit_line(
    deal_id: str,
    revision: int,
    timeline: Timeline,
    results: Mapping[str, Attribution | Unavailable],
    primary: Attribution | None,
    off: Mapping[System, str],
) -> str:
    amount = timeline.amount
    total = format_minor(amount.minor, amount.currency)
    parts = [
        f"credit: opportunity {deal_id} won, {total} {amount.currency}",
        f"revision {revision}",
        f"{len(timeline.touches)} touch(es) in the window",
    ]
    if timeline.dropped:
        parts.append(f"{len(timeline.dropped)} dropped")
    unavailable = [r for r in results.values() if isinstance(r, Unavailable)]
    parts += [f"{r.model} not run: {r.reason}" for r in unavailable]
    if primary is None:
        parts.append("primary model unavailable: nothing written back")
    parts += [f"not written: {why}" for why in off.values()]
    return "; ".join(parts)
