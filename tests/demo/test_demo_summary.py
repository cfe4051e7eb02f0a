"""The demo's words: the daily progress line and the end-of-week report (pure formatting)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
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
from baton.demo.summary import format_day, format_summary
from connector.config.models.lifecycle import DEFAULT_STAGE_ORDER
from connector.reports import Backlog, Handoff, IntakeCount

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
    assert "1 agree · 0 disagree · 1 not mapped (lead Closed - Not Converted 1)" in text
    assert (
        "    not mapped: lead Closed - Not Converted (contact 1003) is reported, "
        "HubSpot keeps SQL (recycling will handle it)"
    ) in lines
    assert "Salesforce 69 (queries 62, writes 7, 2 refused)" in text
    assert "Dead letters       none" in text
    assert lines[-1] == "Database: sqlite:///var/demo/baton.db · ran 19.0 s"
