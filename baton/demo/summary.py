"""The demo's words: one progress line per day and the end-of-week report (pure formatting).

The figures come from :mod:`baton.demo.facts`; nothing here reads a CRM or the store.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from baton.demo.facts import DayFigures, WeekSummary
from baton.demo.recycle_summary import recycling_section
from connector.reports.labels import stage_short


def _counts(counter: dict[str, int] | Counter[str], order: list[str] | None = None) -> str:
    keys = order or sorted(counter, key=lambda k: (-counter[k], k))
    return ", ".join(f"{key} {counter[key]}" for key in keys if counter.get(key))


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


#: rep action kinds and how the progress line words them
_REP_WORDS = (("work", "worked"), ("recycle", "recycled"), ("convert", "converted"), ("win", "won"))


def format_day(day: DayFigures) -> str:
    """The progress line of one day."""
    rep = ", ".join(f"{word} {day.done[kind]}" for kind, word in _REP_WORDS if day.done[kind])
    idle = "weekend" if day.weekend else "nothing to do"
    parts = [
        f"{day.name:<9}",
        f"{day.done['arrive']:>2} new {'contact' if day.done['arrive'] == 1 else 'contacts'}",
        f"{day.done['mark_mql']} marked MQL → {day.handed_off} handed to sales, "
        f"{day.held_back} held back",
        f"reps: {rep or idle}",
    ]
    if day.skipped:
        parts.append(f"{_plural(day.skipped, 'step')} skipped")
    parts.append(f"{day.seconds:.1f} s" + ("" if day.settled else " (Baton still busy)"))
    return " · ".join(parts)


def format_summary(
    summary: WeekSummary, lifecycle_order: tuple[str, ...], sla: Sequence[str] = ()
) -> str:
    """The end-of-week report as plain text, one section per CRM, the SLA scene's lines
    (``sla_scene.format_scene``), then Baton's own figures."""
    lines = [f"What happened this week (seed {summary.seed})", ""]
    lines += _hubspot_section(summary, lifecycle_order)
    lines += _salesforce_section(summary)
    lines += recycling_section(summary.recycling)
    lines += list(sla)
    lines += _baton_section(summary)
    lines.append(f"Database: {summary.database} · ran {summary.elapsed_s:.1f} s")
    lines.append(explore_line(summary))
    return "\n".join(lines)


def explore_line(summary: WeekSummary) -> str:
    """The command that explores the demo's database (admin commands need it named)."""
    people = [h.hubspot_contact_id for h in summary.handoffs] + [h.contact_id for h in summary.held]
    example = people[0] if people else "<contact id or e-mail>"
    return (
        f"Explore it: BATON_DATABASE_URL='{summary.database}' baton explain {example}"
        "  (also: baton dead-letters list, baton sla status)"
    )


def _hubspot_section(summary: WeekSummary, order: tuple[str, ...]) -> list[str]:
    stages = summary.hubspot_stages
    ordered = [s for s in order if stages.get(s)] + sorted(s for s in stages if s not in order)
    funnel = " · ".join(f"{stage_short(s)} {stages[s]}" for s in ordered)
    lines = [
        "HubSpot (marketing)",
        f"  Contacts by lifecycle stage  {funnel}  ({sum(stages.values())} contacts)",
        f"  MQLs held back by Baton      {len(summary.held)}",
    ]
    lines += [f"    {h.name} (contact {h.contact_id}): {h.reason}" for h in summary.held]
    return [*lines, ""]


def _salesforce_section(summary: WeekSummary) -> list[str]:
    lines = ["Salesforce (sales)", "  Leads by status and owner"]
    width = max((len(status) for status in summary.leads), default=0)
    for status, owners in sorted(summary.leads.items(), key=lambda item: -item[1].total()):
        lines.append(f"    {status:<{width}}  {owners.total():>3}  {_counts(owners)}")
    lines.append(
        f"  Opportunities  {summary.won} won (EUR {summary.won_amount:,.0f}) · "
        f"{summary.open_opportunities} open"
    )
    return [*lines, ""]


def _baton_section(summary: WeekSummary) -> list[str]:
    done = [h for h in summary.handoffs if h.status == "done"]
    owners = Counter(summary.owner_names.get(h.owner_id or "", h.owner_id or "?") for h in done)
    check = summary.check
    unmapped = Counter(p.salesforce_state for p in check.by_verdict("unmapped"))
    recycled = len(check.by_verdict("recycled")) + len(check.by_verdict("disqualified"))
    lines = [
        "Baton",
        f"  Hand-offs          {_plural(len(done), 'lead')} created in Salesforce: "
        f"{_counts(owners)}",
        f"  Stages across CRMs {len(check.by_verdict('agree'))} agree · "
        f"{len(check.by_verdict('disagree'))} disagree · "
        f"{recycled} recycled or disqualified · "
        f"{len(check.by_verdict('unmapped'))} not mapped ({_counts(unmapped) or 'none'})",
    ]
    lines += [
        f"    disagree: contact {p.hubspot_contact_id} is {p.hubspot_stage}, "
        f"Salesforce {p.salesforce_state} implies {p.expected_stage}"
        for p in check.by_verdict("disagree")
    ]
    lines += [
        f"    not mapped: {p.salesforce_state} (contact {p.hubspot_contact_id}) is reported, "
        f"HubSpot keeps {stage_short(p.hubspot_stage)}"
        for p in check.by_verdict("unmapped")
    ]
    events = " · ".join(
        f"{i.source} {i.total} ({i.echoes} echoes of Baton's own writes)" for i in summary.intake
    )
    backlog = summary.backlog
    lines.append(
        f"  Events received    {events} · pending {backlog.events_pending}, "
        f"failed {backlog.events_failed}"
    )
    for name, traffic in (("HubSpot", summary.hubspot_api), ("Salesforce", summary.salesforce_api)):
        refused = f", {traffic.refused} refused" if traffic.refused else ""
        label = "API calls" if name == "HubSpot" else ""
        lines.append(f"  {label:<18} {name} {traffic.calls} ({_counts(traffic.kinds)}{refused})")
    hs, sf = summary.hubspot_webhooks, summary.salesforce_outbound
    lines.append(
        f"  Webhooks in        HubSpot {hs.posts} POSTs with {hs.items} events, "
        f"{hs.acknowledged} acknowledged, {hs.given_up} given up"
    )
    lines.append(
        f"                     Salesforce {sf.posts} outbound messages with {sf.items} "
        f"notifications, {sf.acknowledged} acknowledged"
    )
    lines.append(f"  Dead letters       {len(summary.dead_letters) or 'none'}")
    lines += [
        f"    {d.system} {d.command_kind} {d.record_key}: {d.error_code}: {d.message[:120]}"
        for d in summary.dead_letters
    ]
    if summary.skipped:
        lines.append(f"  Rep steps skipped  {len(summary.skipped)}")
        lines += [f"    {o.action.kind} {o.action.person}: {o.detail}" for o in summary.skipped]
    return [*lines, ""]
