"""What happened this week, read where it lives: contacts in HubSpot, leads and opportunities
in Salesforce, API calls and webhook deliveries in the sandboxes' own logs, and events,
hand-offs, recycles and dead letters in Baton's store. :mod:`baton.demo.summary` words it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from baton.demo.checks import StageCheck
from baton.demo.org import NURTURE_LIST_NAME
from baton.demo.players import Outcome
from baton.demo.recycling import RecycleFacts, collect_recycling
from connector.jobs.lifecycle.processor import HOLD_REASON_PROPERTY
from connector.reports import Backlog, DeadLetterLine, Handoff, IntakeCount


@dataclass(frozen=True, slots=True)
class Traffic:
    """API calls one CRM answered, by kind; ``refused`` are answers of 400 and above."""

    calls: int
    kinds: dict[str, int]
    refused: int


@dataclass(frozen=True, slots=True)
class Deliveries:
    """Webhooks (HubSpot) or outbound messages (Salesforce) a CRM sent to Baton."""

    posts: int
    items: int
    acknowledged: int
    given_up: int


@dataclass(frozen=True, slots=True)
class HeldContact:
    """A contact HubSpot shows with Baton's hold reason."""

    contact_id: str
    name: str
    reason: str


@dataclass
class WeekSummary:
    """Everything the end-of-week report shows."""

    seed: int
    hubspot_stages: Counter[str]
    held: list[HeldContact]
    leads: dict[str, Counter[str]]  # status → owner name → count
    won: int
    won_amount: float
    open_opportunities: int
    handoffs: list[Handoff]
    owner_names: dict[str, str]
    check: StageCheck
    hubspot_api: Traffic
    salesforce_api: Traffic
    hubspot_webhooks: Deliveries
    salesforce_outbound: Deliveries
    intake: list[IntakeCount]
    backlog: Backlog
    dead_letters: list[DeadLetterLine]
    recycling: RecycleFacts = field(default_factory=RecycleFacts)
    skipped: list[Outcome] = field(default_factory=list)
    database: str = ""
    elapsed_s: float = 0.0


def hubspot_traffic(requests: list[Any]) -> Traffic:
    """Classify HubSpot API calls: reads (GET, batch read), searches, writes."""
    kinds: Counter[str] = Counter()
    for request in requests:
        if request.path.endswith("/search"):
            kinds["searches"] += 1
        elif request.method == "GET" or request.path.endswith("/batch/read"):
            kinds["reads"] += 1
        else:
            kinds["writes"] += 1
    return Traffic(len(requests), dict(kinds), sum(1 for r in requests if r.status >= 400))


def salesforce_traffic(requests: list[Any]) -> Traffic:
    """Classify Salesforce API calls: SOQL queries, reads, writes."""
    kinds: Counter[str] = Counter()
    for request in requests:
        if "/query" in request.path:
            kinds["queries"] += 1
        elif request.method == "GET":
            kinds["reads"] += 1
        else:
            kinds["writes"] += 1
    return Traffic(len(requests), dict(kinds), sum(1 for r in requests if r.status >= 400))


def hubspot_deliveries(deliveries: list[Any], given_up: list[Any]) -> Deliveries:
    """HubSpot webhook POSTs, the events they carried and how many Baton acknowledged."""
    acknowledged = sum(1 for d in deliveries if d.status is not None and 200 <= d.status < 300)
    items = sum(len(d.event_ids) for d in deliveries)
    return Deliveries(len(deliveries), items, acknowledged, len(given_up))


def salesforce_deliveries(attempts: list[Any]) -> Deliveries:
    """Salesforce outbound-message POSTs and their notifications; acknowledged = Ack true."""
    items = sum(len(a.notification_ids) for a in attempts)
    return Deliveries(len(attempts), items, sum(1 for a in attempts if a.acked), 0)


def held_contacts(contacts: list[dict[str, Any]]) -> list[HeldContact]:
    """Contacts whose hold reason Baton set in HubSpot (and has not cleared)."""
    held = []
    for contact in contacts:
        properties = contact.get("properties") or {}
        reason = properties.get(HOLD_REASON_PROPERTY)
        if reason:
            name = f"{properties.get('firstname', '')} {properties.get('lastname', '')}".strip()
            held.append(HeldContact(str(contact["id"]), name or "(no name)", reason))
    return held


def leads_by_status(leads: list[dict[str, Any]], names: dict[str, str]) -> dict[str, Counter[str]]:
    """Status → owner display name → number of leads."""
    table: dict[str, Counter[str]] = {}
    for lead in leads:
        owner = str(lead.get("OwnerId") or "")
        table.setdefault(str(lead.get("Status")), Counter())[names.get(owner, owner)] += 1
    return table


def collect(stack: Any, players: Any, seed: int, check: StageCheck) -> WeekSummary:
    """Read the week's outcome from both sandboxes and Baton's store."""
    from connector import reports

    hubspot, salesforce = stack.hubspot, stack.salesforce
    contacts = hubspot.all("contacts")
    leads = salesforce.all("Lead")
    opportunities = salesforce.all("Opportunity")
    won = [o for o in opportunities if o.get("IsWon")]
    names = stack.team.names()
    recycle = stack.runtime.config.recycle
    nurture = recycle.nurture_list_id
    with stack.runtime.store.session() as session:
        handoffs = reports.handoffs(session)
        intake = reports.intake(session)
        backlog = reports.backlog(session)
        dead = reports.dead_letters(session)
        recycled = collect_recycling(
            session,
            recycle,
            contacts={str(c["id"]): c.get("properties") or {} for c in contacts},
            leads={str(lead["Id"]): lead for lead in leads},
            nurture_members=hubspot.list_members(nurture) if nurture else [],
            nurture_list_name=NURTURE_LIST_NAME,
            owner_names=names,
        )
    return WeekSummary(
        seed=seed,
        hubspot_stages=Counter(
            (c.get("properties") or {}).get("lifecyclestage") or "(none)" for c in contacts
        ),
        held=held_contacts(contacts),
        leads=leads_by_status(leads, names),
        won=len(won),
        won_amount=sum(float(o.get("Amount") or 0) for o in won),
        open_opportunities=sum(1 for o in opportunities if not o.get("IsClosed")),
        handoffs=handoffs,
        owner_names=names,
        check=check,
        hubspot_api=hubspot_traffic(hubspot.requests),
        salesforce_api=salesforce_traffic(salesforce.requests),
        hubspot_webhooks=hubspot_deliveries(hubspot.webhook_deliveries, hubspot.webhook_given_up),
        salesforce_outbound=salesforce_deliveries(salesforce.outbound_deliveries),
        intake=intake,
        backlog=backlog,
        dead_letters=dead,
        recycling=recycled,
        skipped=[o for o in players.outcomes if not o.done],
    )


@dataclass(frozen=True, slots=True)
class DayFigures:
    """One simulated day: what the people did and what Baton made of it."""

    name: str
    done: Counter[str]  # action kind → how many were carried out
    skipped: int
    handed_off: int
    held_back: int
    seconds: float
    settled: bool
    weekend: bool
