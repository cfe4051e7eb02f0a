"""The demo's words: the daily progress line and the end-of-week report (pure formatting)."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from baton.demo.checks import PersonCheck, StageCheck
from baton.demo.facts import (
    DayFigures,
    Deliveries,
    HeldContact,
    Traffic,
    WeekSummary,
    held_contacts,
    hubspot_traffic,
    leads_by_status,
    salesforce_traffic,
)
from baton.demo.recycling import RecycledPerson, RecycleFacts
from baton.demo.summary import format_day, format_summary
from connector.config import default_config
from connector.config.models.lifecycle import DEFAULT_STAGE_ORDER
from connector.reports import Backlog, Handoff, IntakeCount
from connector.reports.recycling import Episode, by_reason

SANNE, QUEUE = "0058d000000001AAAQ", "00G8d000000003AEAQ"
NAMES = {SANNE: "Sanne Jansen", QUEUE: "Inbound Leads Queue"}


def day(**changes: object) -> DayFigures:
    figures = {
        "name": "Tuesday",
        "done": Counter({"arrive": 8, "mark_mql": 4, "work": 2, "convert": 1}),
        "skipped": 0,
        "handed_off": 3,
        "held_back": 1,
        "seconds": 3.14,
        "settled": True,
        "weekend": False,
    }
    return DayFigures(**{**figures, **changes})  # type: ignore[arg-type]


def test_the_day_line_says_what_people_and_baton_did() -> None:
    assert format_day(day()) == (
        "Tuesday   ·  8 new contacts · 4 marked MQL → 3 handed to sales, 1 held back · "
        "reps: worked 2, converted 1 · 3.1 s"
    )


def test_quiet_days_and_trouble_are_worded() -> None:
    sunday = day(name="Sunday", done=Counter({"arrive": 1}), weekend=True, handed_off=0)
    assert "1 new contact ·" in format_day(sunday)
    assert "reps: weekend" in format_day(sunday)
    assert "reps: nothing to do" in format_day(day(done=Counter({"arrive": 3})))
    busy = format_day(day(skipped=1, settled=False))
    assert "1 step skipped" in busy and busy.endswith("(Baton still busy)")


def test_api_calls_are_classified_per_crm() -> None:
    calls = [
        SimpleNamespace(method="POST", path="/crm/v3/objects/contacts/batch/read", status=200),
        SimpleNamespace(method="POST", path="/crm/v3/objects/contacts/search", status=200),
        SimpleNamespace(method="POST", path="/crm/v3/objects/contacts/batch/update", status=429),
        SimpleNamespace(method="GET", path="/crm/v3/properties/contacts/x", status=200),
    ]
    assert hubspot_traffic(calls) == Traffic(4, {"reads": 2, "searches": 1, "writes": 1}, 1)
    sf_calls = [
        SimpleNamespace(method="GET", path="/services/data/v59.0/query", status=200),
        SimpleNamespace(method="POST", path="/services/data/v59.0/sobjects/Lead", status=201),
    ]
    assert salesforce_traffic(sf_calls) == Traffic(2, {"queries": 1, "writes": 1}, 0)


def test_holds_and_leads_are_read_from_crm_records() -> None:
    contacts = [
        {
            "id": "1001",
            "properties": {"firstname": "Ann", "lastname": "Bos", "baton_hold_reason": "x"},
        },
        {"id": "1002", "properties": {"firstname": "Bo", "baton_hold_reason": ""}},
    ]
    assert held_contacts(contacts) == [HeldContact("1001", "Ann Bos", "x")]
    leads = [
        {"Status": "Open - Not Contacted", "OwnerId": QUEUE},
        {"Status": "Open - Not Contacted", "OwnerId": SANNE},
        {"Status": "Working - Contacted", "OwnerId": SANNE},
    ]
    table = leads_by_status(leads, NAMES)
    assert table["Open - Not Contacted"] == Counter({"Inbound Leads Queue": 1, "Sanne Jansen": 1})
    assert table["Working - Contacted"] == Counter({"Sanne Jansen": 1})


def _summary() -> WeekSummary:
    now = datetime(2025, 6, 6, tzinfo=UTC)
    return WeekSummary(
        seed=7,
        hubspot_stages=Counter({"lead": 20, "marketingqualifiedlead": 7, "customer": 2}),
        held=[HeldContact("1008", "Julia Fischer", "missing company")],
        leads={"Open - Not Contacted": Counter({"Sanne Jansen": 2, "Inbound Leads Queue": 1})},
        won=2,
        won_amount=41000.0,
        open_opportunities=1,
        handoffs=[
            Handoff("1001", "00Q1", SANNE, "Ann Bos", "Zeeland Foods", "done", now),
            Handoff("1002", None, QUEUE, "Bo", "Lyon Industrie", "pending", now),
        ],
        owner_names=NAMES,
        check=StageCheck(
            (
                PersonCheck(
                    "1001",
                    "00Q1",
                    "lead Working - Contacted",
                    "salesqualifiedlead",
                    "salesqualifiedlead",
                    "agree",
                ),
                PersonCheck(
                    "1003",
                    "00Q3",
                    "lead Closed - Not Converted",
                    "salesqualifiedlead",
                    None,
                    "unmapped",
                ),
            )
        ),
        hubspot_api=Traffic(66, {"reads": 53, "writes": 5, "searches": 8}, 0),
        salesforce_api=Traffic(69, {"queries": 62, "writes": 7}, 2),
        hubspot_webhooks=Deliveries(27, 95, 27, 0),
        salesforce_outbound=Deliveries(7, 15, 7, 0),
        intake=[IntakeCount("hubspot", 155, 10, {"done": 150, "skipped": 5})],
        backlog=Backlog(155, 0, 0, 0, 0, 0),
        dead_letters=[],
        database="sqlite:///var/demo/baton.db",
        elapsed_s=19.04,
    )


def test_the_week_report_has_a_section_per_crm_and_baton() -> None:
    text = format_summary(_summary(), DEFAULT_STAGE_ORDER)
    lines = text.splitlines()
    assert "lead 20 · MQL 7 · customer 2  (29 contacts)" in text
    assert "    Julia Fischer (contact 1008): missing company" in lines
    assert any(
        line.split()
        == [
            "Open",
            "-",
            "Not",
            "Contacted",
            "3",
            "Sanne",
            "Jansen",
            "2,",
            "Inbound",
            "Leads",
            "Queue",
            "1",
        ]
        for line in lines
    )
    assert "2 won (EUR 41,000) · 1 open" in text
    assert "1 lead created in Salesforce: Sanne Jansen 1" in text  # the pending one not yet
    assert (
        "1 agree · 0 disagree · 0 recycled or disqualified · "
        "1 not mapped (lead Closed - Not Converted 1)"
    ) in text
    assert (
        "    not mapped: lead Closed - Not Converted (contact 1003) is reported, HubSpot keeps SQL"
    ) in lines
    assert "recycling will handle it" not in text
    assert "Salesforce 69 (queries 62, writes 7, 2 refused)" in text
    assert "Dead letters       none" in text
    assert lines[-2] == "Database: sqlite:///var/demo/baton.db · ran 19.0 s"
    assert lines[-1].startswith(
        "Explore it: BATON_DATABASE_URL='sqlite:///var/demo/baton.db' baton explain "
    )


def _episode(contact: str, state: str, reason: str | None, flag: str | None = None) -> Episode:
    at = datetime(2025, 6, 4, 14, 0, tzinfo=UTC)
    due = at + timedelta(days=90) if state == "recycled" else None
    return Episode(contact, f"00Q{contact}", 1, state, reason, flag, "salesforce", at, due)


def _recycled(contact: str, reason: str | None, flag: str | None = None) -> RecycledPerson:
    return RecycledPerson(
        _episode(contact, "recycled", reason, flag),
        hubspot_stage="lead",
        hubspot_reason=reason,
        hubspot_count="1",
        hubspot_reactivation="2025-09-02",
        in_nurture=True,
        lead_owner_id="00GM",
        lead_owner="Marketing Nurture Queue",
        lead_history=f"Recycled once: {'Bad timing' if reason else 'no reason'} in June 2025",
    )


def _recycle_facts() -> RecycleFacts:
    recycle = default_config().recycle
    labels = {**recycle.reasons, **recycle.disqualify_reasons}
    people = [
        _recycled("1011", "bad_timing"),
        _recycled("1012", "bad_timing"),
        _recycled("1013", None, "missing"),
        replace(_recycled("1014", "no_budget"), in_nurture=False, lead_owner_id=SANNE),
        RecycledPerson(
            _episode("1015", "disqualified", "competitor"),
            hubspot_stage="salesqualifiedlead",
            hubspot_lead_status="UNQUALIFIED",
            hubspot_reason="competitor",
            lead_owner_id=SANNE,
            lead_owner="Sanne Jansen",
        ),
        RecycledPerson(_episode("1016", "parked", "no_budget"), hubspot_stage="lead"),
    ]
    back = [p.episode for p in people if p.episode.state == "recycled"]
    return RecycleFacts(
        people=people,
        labels=labels,
        disqualified_lead_status="UNQUALIFIED",
        reasons=by_reason(back, labels),
        disqualify_reasons=by_reason([people[4].episode], labels),
        pending_reactivations=[datetime(2025, 9, 2, 14, tzinfo=UTC)] * 3,
        nurture_list="“Nurture” (id 101)",
        nurture_members=3,
        marketing_queue="Marketing Nurture Queue",
        marketing_queue_id="00GM",
        reactivation_after_days=90,
    )


def test_the_recycling_block_counts_reasons_flags_and_what_the_crms_hold() -> None:
    summary = _summary()
    summary.recycling = _recycle_facts()
    lines = format_summary(summary, DEFAULT_STAGE_ORDER).splitlines()
    start = lines.index('Recycling (sales said "not now")')
    block = lines[start : lines.index("", start)]
    assert block[1:9] == [
        "  Back to marketing  4: Bad timing 2, No budget 1, no reason (flagged) 1",
        "  Disqualified       1: Competitor 1 (for good: no nurture)",
        "  Flagged            1 without a usable reason (contact 1013: missing)",
        "  Parked / refused   1 parked",
        "  Re-activation      3 timers pending, due 2 Sep 2025 (90 days after the recycle)",
        "  Now in HubSpot     4 of 4 back to lead with reason, recycle count and re-activation "
        "date; 3 of 4 in the nurture list “Nurture” (id 101)",
        "  Now in Salesforce  3 of 4 Leads owned by Marketing Nurture Queue, 4 with the history "
        "for the next rep (“Recycled once: Bad timing in June 2025”)",
        "  Disqualified now   1 of 1 with the reason and lead status UNQUALIFIED in HubSpot, "
        "0 in nurture; 1 of 1 Leads still with their rep",
    ]
    people = block[9:]
    assert len(people) == 6
    assert people[2] == (
        "    contact 1013 · lead 00Q1013 · recycled #1 · no reason (flagged) · "
        "HubSpot lead, count 1, back 2025-09-02, in nurture · Lead owner Marketing Nurture Queue"
    )
    assert "contact 1015 · lead 00Q1015 · disqualified · Competitor · HubSpot SQL" in people[4]
    assert "Lead owner Sanne Jansen" in people[4]
    assert "contact 1016 · lead 00Q1016 · parked · No budget · HubSpot lead" in people[5]


def test_a_week_without_recycles_says_so() -> None:
    text = format_summary(_summary(), DEFAULT_STAGE_ORDER)
    assert 'Recycling (sales said "not now")\n  none this week\n' in text
