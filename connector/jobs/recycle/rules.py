"""The recycle decisions, as plain functions over values (no store, no CRM).

A trigger is a status that means "not now" (``recycle.trigger_statuses``) with the reason sales
gave. The reason decides the path: a recyclable reason recycles; a disqualifying reason
(competitor, student …) ends the lead for good; a missing or unknown reason still recycles but
is flagged, because the agreement says every rejection carries a reason. Guards come first:
a customer, a converted lead or someone with an opportunity is never recycled, and more than
``max_recycles`` parks the person instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from connector.config.models.recycle import RecycleConfig

#: HubSpot stages a person never leaves through recycling (an open or won deal)
PROTECTED_STAGES = frozenset({"opportunity", "customer", "evangelist"})


class Verdict(StrEnum):
    """What a trigger leads to."""

    #: back to marketing: stage, status, reason, nurture list, queue owner, re-activation timer
    RECYCLE = "recycled"
    #: a reason that ends the lead: recorded, no nurture, no re-activation
    DISQUALIFY = "disqualified"
    #: recycled too often: reported, left where it is
    PARK = "parked"
    #: a guard said no (customer, converted, open opportunity)
    REFUSE = "refused"
    #: nothing to do (already recycled: a duplicate, an echo or a replay)
    IGNORE = "ignored"


@dataclass(frozen=True, slots=True)
class Trigger:
    """A status that means "not now", as one CRM reported it."""

    source: str  # "hubspot" | "salesforce"
    status: str
    raw_reason: str | None
    at: datetime
    #: a lost opportunity: its contacts are converted and at "opportunity" by nature
    lost_deal: bool = False


@dataclass(frozen=True, slots=True)
class Person:
    """What the rules need to know about the person behind a trigger."""

    hubspot_stage: str | None
    converted: bool
    recycles_so_far: int
    #: an episode is open: the person is in nurture right now
    in_nurture: bool
    #: disqualified for good earlier (competitor, student …): never recycled again
    disqualified: bool = False


@dataclass(frozen=True, slots=True)
class Reason:
    """The reason code a trigger carried, and whether it is usable."""

    code: str | None
    #: None, "missing" or "unknown"
    flag: str | None
    disqualifies: bool = False


@dataclass(frozen=True, slots=True)
class Decision:
    """The verdict, in words for the audit trail, with the recycle count it would make."""

    verdict: Verdict
    why: str
    reason: Reason
    number: int


def read_reason(raw: str | None, config: RecycleConfig) -> Reason:
    """Match the rep's reason (code or label, any case) to the configured codes."""
    text = (raw or "").strip()
    if not text:
        return Reason(None, "missing")
    for codes, disqualifies in ((config.reasons, False), (config.disqualify_reasons, True)):
        for code, label in codes.items():
            if text.casefold() in (code.casefold(), label.casefold()):
                return Reason(code, None, disqualifies)
    return Reason(text[:64], "unknown")


def decide(trigger: Trigger, person: Person, config: RecycleConfig) -> Decision:
    """Recycle, disqualify, park, refuse or ignore — guards first, then the reason."""
    reason = read_reason(trigger.raw_reason, config)
    number = person.recycles_so_far + 1
    if person.in_nurture:
        return Decision(Verdict.IGNORE, "already recycled and in nurture", reason, number)
    if person.disqualified:
        return Decision(Verdict.IGNORE, "disqualified for good earlier", reason, number)
    if trigger.lost_deal and (reason.flag or reason.disqualifies):
        why = f"loss reason {describe(reason, config)} is not a recyclable one"
        return Decision(Verdict.IGNORE, why, reason, number)
    if person.converted and not trigger.lost_deal:
        return Decision(Verdict.REFUSE, "the lead is converted: never recycled", reason, number)
    protected = PROTECTED_STAGES - {"opportunity"} if trigger.lost_deal else PROTECTED_STAGES
    if person.hubspot_stage in protected:
        why = f"HubSpot stage is {person.hubspot_stage!r} (open or won deal): never recycled"
        return Decision(Verdict.REFUSE, why, reason, number)
    if reason.disqualifies:
        label = config.disqualify_reasons[reason.code or ""]
        return Decision(Verdict.DISQUALIFY, f"disqualified for good: {label}", reason, number)
    if person.recycles_so_far >= config.max_recycles:
        why = f"already recycled {person.recycles_so_far} times (max_recycles): parked"
        return Decision(Verdict.PARK, why, reason, number)
    why = f"recycle #{number}: {describe(reason, config)}"
    return Decision(Verdict.RECYCLE, why, reason, number)


def describe(reason: Reason, config: RecycleConfig) -> str:
    """The reason in words: its label, or what is wrong with it."""
    if reason.flag == "missing":
        return "no reason given (flagged)"
    if reason.flag == "unknown":
        return f"unknown reason {reason.code!r} (flagged)"
    code = reason.code or ""
    return config.reasons.get(code) or config.disqualify_reasons.get(code) or code


def reactivation_date(at: datetime, config: RecycleConfig) -> datetime:
    """When a recycle made at ``at`` is offered to marketing again."""
    return at + timedelta(days=config.reactivation_after_days)


def is_buying_signal(changed: dict[str, object], config: RecycleConfig) -> str | None:
    """The configured behaviour property that changed (a new form conversion …), if any."""
    for name in config.reactivate_on_properties:
        if changed.get(name) not in (None, ""):
            return name
    return None


@dataclass(frozen=True, slots=True)
class PastRecycle:
    """One earlier episode, for the history the next rep reads."""

    reason_label: str
    at: datetime


_TIMES = {1: "once", 2: "twice"}


def history_line(past: list[PastRecycle]) -> str:
    """ "Recycled twice: Bad timing in March 2026, No budget in June 2026" (oldest first)."""
    if not past:
        return ""
    times = _TIMES.get(len(past), f"{len(past)} times")
    parts = [f"{p.reason_label} in {p.at:%B %Y}" for p in sorted(past, key=lambda p: p.at)]
    return f"Recycled {times}: {', '.join(parts)}"[:255]
