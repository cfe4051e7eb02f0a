"""The summary's Recycling block: the week's "not now"s by reason and what both CRMs now hold.

Pure formatting of :class:`~baton.demo.recycling.RecycleFacts`. Every "x of y" is counted from
the sandboxes' records, so a recycle that did not land in a CRM shows as a shortfall, not as done.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from baton.demo.recycling import RecycledPerson, RecycleFacts
from connector.reports.labels import stage_short
from connector.reports.recycling import BACK_TO_MARKETING, LEFT_ALONE, NO_REASON, ReasonCount

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
    return ", ".join(
        f"{row.label if not row.flag else _flag_words(row)} {row.count}" for row in rows
    )


def _flag_words(row: ReasonCount) -> str:
    return "no reason (flagged)" if row.flag == "missing" else f"unknown {row.code!r} (flagged)"


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
        staged = sum(
            1 for p in recycled if p.hubspot_stage == facts.hubspot_stage and p.hubspot_count
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
        kept = sum(1 for p in disqualified if p.hubspot_reason and not p.in_nurture)
        status = disqualified[0].hubspot_lead_status or "unchanged"
        lines.append(
            f"  Disqualified now   {kept} of {len(disqualified)} with the reason in HubSpot, "
            f"lead status {status}, stage kept, not in nurture; the Lead stays with its rep"
        )
    return lines


def _history(people: list[RecycledPerson]) -> str:
    shown = next((p.lead_history for p in people if p.lead_history), None)
    with_history = sum(1 for p in people if p.lead_history)
    return f", {with_history} with the history for the next rep (“{shown}”)" if shown else ""


def _person_line(person: RecycledPerson, facts: RecycleFacts) -> str:
    episode = person.episode
    rows = {r.code: r for r in (*facts.reasons, *facts.disqualify_reasons)}
    row = rows.get(episode.reason_code or NO_REASON)
    reason = (_flag_words(row) if row.flag else row.label) if row else episode.reason_code
    parts = [
        f"contact {episode.hubspot_contact_id} · lead {episode.salesforce_lead_id}",
        f"{episode.state} #{episode.number}" if episode.state == RECYCLED else episode.state,
        f"{reason}",
        f"HubSpot {stage_short(person.hubspot_stage)}"
        + (f", count {person.hubspot_count}" if person.hubspot_count else "")
        + (f", back {person.hubspot_reactivation}" if person.hubspot_reactivation else "")
        + (", in nurture" if person.in_nurture else ""),
        f"Lead owner {person.lead_owner or '(none)'}",
    ]
    return " · ".join(parts)
