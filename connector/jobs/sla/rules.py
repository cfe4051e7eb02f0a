"""The SLA decisions, as plain functions over values (no store, no CRM, no clock).

A first-response clock runs while a person (a Salesforce user, ``005…``) owns a handed-off lead
and nobody has touched it yet; a queue (``00G…``) owns nobody's promise, so its leads wait for a
person to take them. The clock stops at the first logged touch — a Task on the lead, or a move
to a working status — and breaks when its deadline (business time from the policy) passes first.
After a breach the escalation ladder's steps fall at business-time offsets from the deadline.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from connector.config.models.escalation import EscalationStep
from connector.config.models.routing import RoutingConfig
from connector.config.models.sla import SlaPolicy
from connector.jobs.sla.calendar import BusinessTime, business_hours

USER_PREFIX, QUEUE_PREFIX = "005", "00G"


class State(StrEnum):
    """Where a clock stands (``sla_clocks.state``)."""

    RUNNING = "running"
    MET = "met"
    BREACHED = "breached"
    #: touched after the breach: the ladder stopped
    ACTED = "acted"
    #: converted, or back in a queue, before anyone touched it
    ENDED = "ended"


OPEN_STATES = (State.RUNNING.value, State.BREACHED.value)


class Breach(StrEnum):
    """The promises a lead can break (``sla_breaches.kind``)."""

    FIRST_RESPONSE = "first_response"
    MIN_TOUCHES = "min_touches"
    NO_REASON = "no_reason"


def is_person(owner_id: str | None) -> bool:
    """True for a Salesforce user id or a HubSpot owner id (digits, HubSpot alone); a queue or
    nothing owns no promise."""
    text = str(owner_id or "")
    return text.startswith(USER_PREFIX) or text.isdigit()


def team_of(owner_id: str, routing: RoutingConfig) -> str | None:
    """The routing team the owner is a member of (the first one listed), if any."""
    short = owner_id[:15]
    for name, team in routing.teams.items():
        if any(member[:15] == short for member in team.members):
            return name
        if owner_id in team.hubspot_owners:
            return name
    return None


def next_member(
    owner_id: str, team: str | None, routing: RoutingConfig, position: int
) -> tuple[str, int] | None:
    """The team member a breached lead is reassigned to, and the team's next round-robin position.

    The team's rotation picks as for a hand-off, passing over the current owner; a team of one
    (or no team) has nobody to give the lead to (None).
    """
    members = routing.teams[team].members if team in routing.teams else ()
    others = [m for m in members if m[:15] != owner_id[:15]]
    if not others:
        return None
    for step in range(len(members)):
        candidate = members[(position + step) % len(members)]
        if candidate[:15] != owner_id[:15]:
            return candidate, position + step + 1
    return None  # pragma: no cover - others is not empty


def deadline(start: datetime, policy: SlaPolicy, calendar: BusinessTime) -> datetime:
    """When the first touch is due: ``first_response_business_hours`` of business time later."""
    return calendar.add(start, business_hours(policy.first_response_business_hours))


@dataclass(frozen=True, slots=True)
class PlannedStep:
    """One rung of the ladder and the moment it is due."""

    i: int
    step: EscalationStep
    due_at: datetime


def ladder_plan(
    breached_at: datetime, ladder: tuple[EscalationStep, ...], calendar: BusinessTime
) -> list[PlannedStep]:
    """Every step's due time: ``after_business_hours`` of business time after the breach."""
    return [
        PlannedStep(i, step, calendar.add(breached_at, business_hours(step.after_business_hours)))
        for i, step in enumerate(ladder)
    ]


@dataclass(frozen=True, slots=True)
class LeadView:
    """What a Lead snapshot says that the SLA cares about."""

    owner_id: str | None
    status: str | None
    converted: bool
    handed_off: bool


def read_lead(snapshot: Mapping[str, Any], hubspot_id_field: str, linked: bool) -> LeadView:
    """The SLA's view of a Lead outbound message or poll row."""
    owner = snapshot.get("OwnerId")
    status = snapshot.get("Status")
    return LeadView(
        owner_id=str(owner) if owner else None,
        status=str(status) if status else None,
        converted=str(snapshot.get("IsConverted")).lower() == "true",
        handed_off=linked or bool(snapshot.get(hubspot_id_field)),
    )


def is_working(status: str | None, working_statuses: tuple[str, ...]) -> bool:
    """A status that means the owner reached out (``sla.working_statuses``)."""
    return status is not None and status in working_statuses


def closing_breaches(
    touches: int, reason: str | None, policy: SlaPolicy
) -> list[tuple[Breach, str]]:
    """What a disqualification or recycle with ``touches`` touches and ``reason`` breaks."""
    broken: list[tuple[Breach, str]] = []
    if touches < policy.min_touches_before_disqualify:
        broken.append(
            (
                Breach.MIN_TOUCHES,
                f"closed after {touches} touch(es); policy {policy.name!r} asks "
                f"{policy.min_touches_before_disqualify}",
            )
        )
    if policy.require_disqualification_reason and not (reason or "").strip():
        broken.append((Breach.NO_REASON, f"closed without a reason (policy {policy.name!r})"))
    return broken


@dataclass(frozen=True, slots=True)
class Person:
    """A Salesforce user as the ladder sees them."""

    user_id: str
    active: bool
    manager_id: str | None


def manager_chain(
    owner: str,
    users: Mapping[str, Person],
    configured: Mapping[str, str],
    levels: int,
) -> list[str | None]:
    """The owner's manager, director, … (``levels`` of them), skipping inactive people.

    Each level is the active person above the previous one: ``User.ManagerId``, else
    ``escalation.managers``. An inactive manager (``IsActive`` false in ``users``) is passed
    over: their own manager takes the level. A missing one ends the chain (None for that level
    and the ones above).
    """
    chain: list[str | None] = []
    current, seen = owner, {owner[:15]}
    while len(chain) < levels:
        boss = _boss_of(current, users, configured)
        while boss is not None and boss[:15] not in seen and not _active(boss, users):
            seen.add(boss[:15])
            boss = _boss_of(boss, users, configured)
        if boss is None or boss[:15] in seen:
            chain.extend([None] * (levels - len(chain)))
            break
        seen.add(boss[:15])
        chain.append(boss)
        current = boss
    return chain


def _boss_of(user: str, users: Mapping[str, Person], configured: Mapping[str, str]) -> str | None:
    known = _find(user, users)
    if known is not None and known.manager_id:
        return known.manager_id
    return _find(user, configured)


def _active(user: str, users: Mapping[str, Person]) -> bool:
    """Inactive only when Salesforce says so (a configured HubSpot owner is not read)."""
    known = _find(user, users)
    return known is None or known.active


def _find(user: str, table: Mapping[str, Any]) -> Any:
    """Look up a user id in either the 15- or 18-character form."""
    if user in table:
        return table[user]
    short = user[:15]
    return next((value for key, value in table.items() if key[:15] == short), None)


@dataclass(frozen=True, slots=True)
class Period:
    """The per-rep ladder's counting period around an instant: its code and UTC bounds."""

    code: str
    start: datetime
    end: datetime


def period_of(instant: datetime, zone: ZoneInfo, kind: str) -> Period:
    """The ISO week (``2026-W49``, from Monday 00:00) or month (``2026-12``) holding ``instant``,
    on the wall clock of ``zone`` (a rep's week starts at their Monday midnight, DST or not)."""
    local = instant.astimezone(zone).date()
    if kind == "month":
        first = local.replace(day=1)
        after = (first + timedelta(days=32)).replace(day=1)
        code = f"{first:%Y-%m}"
    else:
        first = local - timedelta(days=local.weekday())
        after = first + timedelta(days=7)
        year, week, _ = first.isocalendar()
        code = f"{year}-W{week:02d}"
    return Period(code, _midnight(first, zone), _midnight(after, zone))


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
