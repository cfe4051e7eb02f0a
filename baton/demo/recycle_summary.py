"""The summary's Recycling block: the week's "not now"s by reason and what both CRMs now hold.

Pure formatting of :class:`~baton.demo.recycling.RecycleFacts`. Every "x of y" is counted from
the sandboxes' records, so a recycle that did not land in a CRM shows as a shortfall, not as done.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from baton.demo.recycling import RecycledPerson, RecycleFacts
from connector.reports.labels import stage_short
from connector.reports.recycling import BACK_TO_MARKETING, LEFT_ALONE, ReasonCount

RECYCLED = "recycled"


def recycling_section(facts: RecycleFacts) -> list[str]:
    """The block's lines, heading first, blank line last."""
    lines = ['Recycling (sales said "not now")']
    if not facts.people:
        return [*lines, "  none this week", ""]
    back = facts.in_state(*BACK_TO_MARKETING)
    disqualified = facts.in_state("disqualified")
    stopped = Counter(p.episode.state for p in facts.in_state(*LEFT_ALONE))
    flagged = [p for p in facts.people if p.episode.reason_flag]
    lines += [
        f"  Back to marketing  {len(back)}: {_reasons(facts.reasons) or 'none'}",
        f"  Disqualified       {len(disqualified)}"
        + (
            f": {_reasons(facts.disqualify_reasons)} (for good: no nurture)" if disqualified else ""
        ),
        f"  Flagged            {len(flagged)} without a usable reason"
        + (f" ({', '.join(_flag(p) for p in flagged)})" if flagged else ""),
        f"  Parked / refused   {_counts(stopped) or 'none'}",
        f"  Re-activation      {_timers(facts)}",
    ]
    lines += _now_in_crms(facts, [p for p in back if p.episode.state == RECYCLED], disqualified)
    lines += [f"    {_person_line(p, facts)}" for p in facts.people]
    return [*lines, ""]


def _reasons(rows: list[ReasonCount]) -> str:
    return ", ".join(f"{_words(row.code, row.flag, row.label)} {row.count}" for row in rows)


def _words(code: str | None, flag: str | None, label: str) -> str:
    """A reason as the summary says it: its label, or what is wrong with it."""
    if flag == "missing":
        return "no reason (flagged)"
    return f"unknown {code!r} (flagged)" if flag else label


def _flag(person: RecycledPerson) -> str:
    return f"contact {person.episode.hubspot_contact_id}: {person.episode.reason_flag}"


def _counts(counter: Counter[str]) -> str:
    return ", ".join(f"{count} {state}" for state, count in sorted(counter.items()))


def _timers(facts: RecycleFacts) -> str:
    due, days = facts.pending_reactivations, facts.reactivation_after_days
    if not due:
        return "no timers pending"
    first, last = _date(min(due)), _date(max(due))
    when = first if first == last else f"{first} to {last}"
    plural = "s" if len(due) != 1 else ""
    return f"{len(due)} timer{plural} pending, due {when} ({days} days after the recycle)"


def _date(moment: datetime) -> str:
    return f"{moment.day} {moment:%b %Y}"


def _now_in_crms(
    facts: RecycleFacts, recycled: list[RecycledPerson], disqualified: list[RecycledPerson]
) -> list[str]:
    """What the contacts and Leads of the open recycles hold, counted from the CRMs."""
    lines = []
    if recycled:
        total = len(recycled)
        staged = sum(  # every part the line names is checked (a flagged one has no reason)
            1
            for p in recycled
            if p.hubspot_stage == facts.hubspot_stage
            and p.hubspot_count
            and p.hubspot_reactivation
            and (p.hubspot_reason or p.episode.reason_flag)
        )
        nurture = sum(1 for p in recycled if p.in_nurture)
        hubspot = (
            f"  Now in HubSpot     {staged} of {total} back to {stage_short(facts.hubspot_stage)} "
            "with reason, recycle count and re-activation date"
        )
        if facts.nurture_list:
            hubspot += f"; {nurture} of {total} in the nurture list {facts.nurture_list}"
        lines.append(hubspot)
        if facts.marketing_queue:
            owned = sum(1 for p in recycled if p.lead_owner_id == facts.marketing_queue_id)
            lines.append(
                f"  Now in Salesforce  {owned} of {total} Leads owned by {facts.marketing_queue}"
                + _history(recycled)
            )
    if disqualified:
        total, status = len(disqualified), facts.disqualified_lead_status
        marked = sum(
            1 for p in disqualified if p.hubspot_reason and p.hubspot_lead_status == status
        )
        nurtured = sum(1 for p in disqualified if p.in_nurture)
        with_rep = sum(1 for p in disqualified if p.lead_owner_id != facts.marketing_queue_id)
        lines.append(
            f"  Disqualified now   {marked} of {total} with the reason and lead status {status} "
            f"in HubSpot, {nurtured} in nurture; {with_rep} of {total} Leads still with their rep"
        )
    return lines


def _history(people: list[RecycledPerson]) -> str:
    shown = next((p.lead_history for p in people if p.lead_history), None)
    with_history = sum(1 for p in people if p.lead_history)
    return f", {with_history} with the history for the next rep (“{shown}”)" if shown else ""


def _person_line(person: RecycledPerson, facts: RecycleFacts) -> str:
    episode = person.episode
    code = episode.reason_code
    reason = _words(code, episode.reason_flag, facts.labels.get(code or "", code or ""))
    parts = [
        f"contact {episode.hubspot_contact_id} · lead {episode.salesforce_lead_id}",
        f"{episode.state} #{episode.number}" if episode.state == RECYCLED else episode.state,
        reason,
        f"HubSpot {stage_short(person.hubspot_stage)}"
        + (f", count {person.hubspot_count}" if person.hubspot_count else "")
        + (f", back {person.hubspot_reactivation}" if person.hubspot_reactivation else "")
        + (", in nurture" if person.in_nurture else ""),
        f"Lead owner {person.lead_owner or '(none)'}",
    ]
    return " · ".join(parts)
