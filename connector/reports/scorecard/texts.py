"""Every English word the scorecard shows, keyed, in one place (the dashboard translates by key).

Translation keys: ``scorecard.metric.<key>.label`` / ``.definition``, ``scorecard.table.<key>``,
``scorecard.column.<column>``, ``scorecard.digest.<key>``. The digest and the API use these
strings as they are; a catalogue (the dashboard's Babel one) can replace them by key.
"""

from __future__ import annotations

#: metric key → (label, definition)
METRICS: dict[str, tuple[str, str]] = {
    "mqls_delivered": (
        "MQLs delivered",
        "Contacts Baton handed to sales as a Salesforce Lead this week (a completed hand-off; "
        "target: at least scorecard.targets.mqls_per_week).",
    ),
    "mqls_held_back": (
        "MQLs held back",
        "Contacts HubSpot called an MQL whose hold reason Baton wrote this week and that were "
        "never handed over (the reasons are in the table). Held contacts carry no rep, source "
        "or campaign in Baton's store, so those filters show no data here.",
    ),
    "accepted_pct": (
        "Accepted by sales",
        "Of this week's MQLs delivered, the share sales has accepted so far: the Lead is in a "
        "status mapped to a lifecycle stage past the hand-off stage or in sla.working_statuses, "
        "was converted, or the HubSpot contact reached such a stage (target: at least "
        "scorecard.targets.accepted_pct).",
    ),
    "recycled": (
        "Recycled to marketing",
        'Times sales said "not now" this week and the person went back to marketing nurture '
        "(recycle episodes recycled, re-activated or converted since; the reasons are in the "
        "table).",
    ),
    "first_response_median_hours": (
        "First response (median)",
        "Median business hours (sla.calendar) from a lead's SLA clock start to the owner's first "
        "logged touch, over clocks started this week that have one (target: at most "
        "scorecard.targets.first_response_hours).",
    ),
    "first_response_p90_hours": (
        "First response (p90)",
        "90th percentile (nearest rank) of the same business-hour response times.",
    ),
    "within_sla_pct": (
        "Within SLA",
        "Of the SLA clocks started this week that are decided (met, breached, or touched after "
        "the breach), the share met before the deadline (target: at least "
        "scorecard.targets.within_sla_pct).",
    ),
    "attempts_median": (
        "Attempts before an outcome",
        "Median logged touches (Tasks/Events, over all the lead's clocks) on leads recycled, "
        "disqualified or converted this week (target: scorecard.targets.attempts_min to "
        "attempts_max).",
    ),
    "feedback_pct": (
        "Feedback with a reason",
        "Of this week's disqualifications and recycles, the share whose status came with a "
        "usable reason code (target: at least scorecard.targets.feedback_pct).",
    ),
    "escalations": (
        "Escalations",
        "Escalation-ladder steps queued this week after a missed first response, one per clock "
        "and step over all channels (per level in the table).",
    ),
    "funnel_sql": (
        "MQL to SQL",
        "Of this week's MQLs delivered, how many reached the stage after the hand-off "
        "(salesqualifiedlead) so far, in HubSpot or by their Salesforce Lead.",
    ),
    "funnel_opportunity": (
        "SQL to opportunity",
        "Of this week's MQLs delivered, how many reached lifecyclestage opportunity so far.",
    ),
    "funnel_won": (
        "Opportunity to won",
        "Of this week's MQLs delivered, how many reached lifecyclestage customer so far.",
    ),
    "pipeline_marketing": (
        "Pipeline, marketing-influenced",
        "Amounts of the deals open at the end of the week (for the week under way: open now) "
        "with at least one marketing touch in the credit timeline within credit.lookback_days, "
        "in credit.currency; other currencies are in the table, never converted. A deal is "
        "counted at the amount and touches Baton last read. The open pipeline has no rep, "
        "source or campaign, so those filters show no data here.",
    ),
    "pipeline_marketing_sourced": (
        "Pipeline, marketing-sourced",
        "Amounts of the deals open at the end of the week (for the week under way: open now) "
        "whose first touch in the credit timeline is a marketing touch, as for marketing-"
        "sourced revenue, in credit.currency (other currencies in the table). No rep, source "
        "or campaign filter.",
    ),
    "revenue_marketing_sourced": (
        "Revenue, marketing-sourced",
        "Won deal amounts credited this week (credit.primary_model) whose first touch in the "
        "credit timeline is a marketing touch. Per model in the table. The ledger has no rep, "
        "so the rep and team filters show no data here.",
    ),
    "revenue_marketing_influenced": (
        "Revenue, marketing-influenced",
        "Won deal amounts credited this week (credit.primary_model) with at least one marketing "
        "touch in the credit timeline. Per model in the table; the rep and team filters show no "
        "data here.",
    ),
    "cherry_picking_reps": (
        "Reps cherry-picking",
        "Reps who touched at least scorecard.cherry_pick_min_leads leads whose clock started "
        "this week but converted under scorecard.cherry_pick_ratio of the overall conversion "
        "share of those leads (touched leads that reached SQL or were converted).",
    ),
}

#: table key → title
TABLES: dict[str, str] = {
    "mqls_by_source": "MQLs delivered by source",
    "mqls_by_campaign": "MQLs delivered by campaign",
    "mqls_by_rep": "MQLs delivered by rep",
    "held_back_by_reason": "MQLs held back, by reason",
    "recycled_by_reason": "Recycled and disqualified, by reason",
    "escalations_by_level": "Escalations by level",
    "funnel": "Funnel of this week's MQLs",
    "pipeline_by_currency": "Open pipeline at the week's end, per currency",
    "credit_by_model": "Won revenue per credit model",
    "channels": "Revenue by channel beside leads by channel",
    "feedback_by_source": "Sales feedback reasons by source",
    "feedback_by_campaign": "Sales feedback reasons by campaign",
    "cherry_picking": "Leads touched and converted per rep",
}

#: column key → heading
COLUMNS: dict[str, str] = {
    "source": "Source",
    "campaign": "Campaign",
    "rep": "Rep",
    "reason": "Reason",
    "state": "Outcome",
    "level": "Level",
    "stage": "Stage",
    "leads": "Leads",
    "share_pct": "Share %",
    "median_days": "Median days in previous stage",
    "model": "Credit model",
    "deals": "Deals",
    "currency": "Currency",
    "open_amount": "Open amount",
    "sourced": "Marketing-sourced",
    "influenced": "Marketing-influenced",
    "marketing_credit": "Credit to marketing touches",
    "channel": "Channel",
    "revenue": "Revenue (primary model)",
    "count": "Count",
    "of_leads": "Of the feedback from there",
    "touched": "Leads touched",
    "converted": "Converted",
    "conversion_pct": "Conversion %",
    "flagged": "Flagged",
}

#: digest words, keyed
DIGEST: dict[str, str] = {
    "subject": "Baton weekly scorecard: week of {week}",
    "heading": "Weekly scorecard, {start} to {end} ({timezone})",
    "team.marketing": "Marketing",
    "team.sales": "Sales",
    "team.together": "Together",
    "target": "target {target}",
    "no_data": "no data",
    "status.met": "on target",
    "status.missed": "below target",
    "escalate": "For management: {label} has been below target for {weeks} weeks in a row.",
    "no_escalation": "No score has been below target for {weeks} weeks in a row.",
    "link": "Dashboard: {url}",
}


def label(key: str) -> str:
    """The metric's English label."""
    return METRICS[key][0]


def definition(key: str) -> str:
    """The metric's English definition."""
    return METRICS[key][1]
