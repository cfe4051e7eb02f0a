"""The cross-CRM stage check the demo uses to decide whether Baton converged (pure)."""

from __future__ import annotations

from typing import Any

from baton.demo.checks import compare_stages, expected_from_opportunity
from connector.config import default_config
from connector.config.models.lifecycle import DEFAULT_STAGE_ORDER
from connector.jobs.lifecycle.mapping import StageMap
from connector.jobs.lifecycle.setup import stage_entries

CONFIG = default_config()
STAGES = StageMap(stage_entries(CONFIG), DEFAULT_STAGE_ORDER, CONFIG.handoff.stage)
ID_FIELD = CONFIG.salesforce.hubspot_id_field


def contact(contact_id: str, stage: str | None, **properties: Any) -> dict[str, Any]:
    return {"id": contact_id, "properties": {"lifecyclestage": stage, **properties}}


def lead(lead_id: str, contact_id: str | None, status: str, **extra: Any) -> dict[str, Any]:
    return {"Id": lead_id, ID_FIELD: contact_id, "Status": status, **extra}


def check(contacts: list[dict], leads: list[dict], opportunities: list[dict] = (), recycle=None):  # type: ignore[no-untyped-def,assignment]
    return compare_stages(
        contacts=contacts,
        leads=leads,
        opportunities=opportunities,
        stage_map=STAGES,
        opportunity_stages=CONFIG.lifecycle.opportunity_stages,
        hubspot_id_field=ID_FIELD,
        recycle=recycle,
    )


def test_mapped_statuses_agree_or_disagree_with_the_contact() -> None:
    result = check(
        [contact("1", "salesqualifiedlead"), contact("2", "marketingqualifiedlead")],
        [lead("L1", "1", "Working - Contacted"), lead("L2", "2", "Working - Contacted")],
    )
    verdicts = {p.hubspot_contact_id: p.verdict for p in result.people}
    assert verdicts == {"1": "agree", "2": "disagree"}
    assert not result.converged
    (wrong,) = result.by_verdict("disagree")
    assert (wrong.hubspot_stage, wrong.expected_stage) == (
        "marketingqualifiedlead",
        "salesqualifiedlead",
    )


def test_an_unmapped_status_is_reported_not_judged() -> None:
    not_now = lead("L1", "1", "Closed - Not Converted")
    result = check([contact("1", "salesqualifiedlead")], [not_now])
    assert [p.verdict for p in result.people] == ["unmapped"]
    assert result.converged


NOT_NOW = "Closed - Not Converted"  # the sandbox default's recycle trigger


def test_a_not_now_back_at_the_recycle_stage_is_recycled_not_unmapped() -> None:
    result = check([contact("1", "lead")], [lead("L1", "1", NOT_NOW)], recycle=CONFIG.recycle)
    (person,) = result.people
    assert (person.verdict, person.expected_stage) == ("recycled", CONFIG.recycle.hubspot_stage)
    assert result.converged


def test_a_disqualified_not_now_keeps_its_stage_and_is_disqualified() -> None:
    disqualified = contact(
        "1", "salesqualifiedlead", hs_lead_status="UNQUALIFIED", baton_recycle_reason="competitor"
    )
    result = check([disqualified], [lead("L1", "1", NOT_NOW)], recycle=CONFIG.recycle)
    assert [p.verdict for p in result.people] == ["disqualified"]


def test_a_not_now_recycling_did_not_act_on_stays_unmapped() -> None:
    # parked or refused (or not handled yet): HubSpot keeps its stage, nothing says disqualified
    kept = contact("1", "salesqualifiedlead", baton_recycle_reason="competitor")
    wrong_reason = contact("2", "salesqualifiedlead", hs_lead_status="UNQUALIFIED")
    result = check(
        [kept, wrong_reason],
        [lead("L1", "1", NOT_NOW), lead("L2", "2", NOT_NOW)],
        recycle=CONFIG.recycle,
    )
    assert [p.verdict for p in result.people] == ["unmapped", "unmapped"]


def test_other_statuses_and_converted_leads_are_not_read_as_recycles() -> None:
    result = check(
        [contact("1", "lead"), contact("2", "lead")],
        [
            lead("L1", "1", "Working - Contacted"),
            lead("L2", "2", NOT_NOW, IsConverted=True),  # no opportunity: judged by status
        ],
        recycle=CONFIG.recycle,
    )
    assert [p.verdict for p in result.people] == ["disagree", "unmapped"]


def test_a_converted_lead_is_judged_by_its_opportunity() -> None:
    won = {"Id": "O1", "StageName": "Closed Won", "IsWon": True}
    open_ = {"Id": "O2", "StageName": "Prospecting", "IsWon": False}
    result = check(
        [contact("1", "customer"), contact("2", "salesqualifiedlead")],
        [
            lead("L1", "1", "Closed - Converted", IsConverted=True, ConvertedOpportunityId="O1"),
            lead("L2", "2", "Closed - Converted", IsConverted=True, ConvertedOpportunityId="O2"),
        ],
        [won, open_],
    )
    verdicts = {p.hubspot_contact_id: (p.verdict, p.expected_stage) for p in result.people}
    assert verdicts == {"1": ("agree", "customer"), "2": ("disagree", "opportunity")}


def test_leads_without_a_known_contact_are_left_out() -> None:
    result = check([contact("1", "lead")], [lead("L1", None, "Working - Contacted")])
    assert result.people == ()
    result = check([contact("1", "lead")], [lead("L1", "999", "Working - Contacted")])
    assert result.people == ()


def test_expected_from_opportunity_takes_the_first_match() -> None:
    mappings = CONFIG.lifecycle.opportunity_stages
    assert expected_from_opportunity(mappings, "Closed Won", True) == "customer"
    assert expected_from_opportunity(mappings, "Prospecting", False) == "opportunity"
    assert expected_from_opportunity(mappings, "Negotiation/Review", False) is None
