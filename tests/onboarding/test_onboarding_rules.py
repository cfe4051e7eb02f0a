"""The pure parts of doctor and setup: hints, stage order, the plan."""

from __future__ import annotations

from typing import Any

import pytest

from connector.config import default_config, with_changes
from connector.config.issues import closest
from connector.config.issues import did_you_mean as config_hint
from connector.onboarding.checks import did_you_mean
from connector.onboarding.facts import HubSpotFacts
from connector.onboarding.hubspot_checks import hubspot_checks
from connector.onboarding.plan import setup_steps
from connector.onboarding.salesforce_plan import SalesforceSchema
from connector.onboarding.values import needs_of

STATUSES = [
    ("Open - Not Contacted", "Open - Niet gecontacteerd"),
    ("Working - Contacted", "Bezig - Gecontacteerd"),
]


@pytest.mark.parametrize(
    ("written", "hint"),
    [
        ("Bezig - Gecontacteerd", "is the label of API value 'Working - Contacted'"),
        ("bezig - gecontacteerd", "is the label of API value 'Working - Contacted'"),
        ("working - contacted", "did you mean 'Working - Contacted' (API values are case"),
        ("Working - Contacte", "did you mean 'Working - Contacted'?"),
        ("Qualified", ""),
    ],
)
def test_did_you_mean_names_the_api_value(written: str, hint: str) -> None:
    found = did_you_mean(written, STATUSES)
    assert (hint in found) if hint else found == ""


def test_doctor_and_the_config_loader_suggest_by_one_rule() -> None:
    api_values = [api for api, _ in STATUSES]
    assert closest("Working - Contacte", api_values) == "Working - Contacted"
    assert did_you_mean("Working - Contacte", STATUSES).endswith("'Working - Contacted'?")
    assert config_hint("Working - Contacte", api_values) == " (did you mean 'Working - Contacted'?)"
    assert closest("Qualified", api_values) is None
    assert config_hint("Qualified", api_values) == did_you_mean("Qualified", STATUSES) == ""


def _facts(stages: list[tuple[str, int]]) -> HubSpotFacts:
    options = [{"value": v, "label": v.title(), "displayOrder": o} for v, o in stages]
    return HubSpotFacts(
        token={"hubId": 62515, "appId": 54321, "scopes": []},
        properties={"contacts": {"lifecyclestage": {"options": options}}},
    )


def _stage_line(order: list[str] | None, stages: list[tuple[str, int]]) -> str:
    config = with_changes(default_config(), {"lifecycle.stage_order": order})
    checks = hubspot_checks(config, needs_of(config), _facts(stages))
    return next(c.line() for c in checks if c.name == "hubspot.stages")


def test_stage_order_must_follow_the_portal_and_name_custom_stages() -> None:
    names = [
        "lead",
        "marketingqualifiedlead",
        "salesqualifiedlead",
        "1234567",
        "opportunity",
        "customer",
    ]
    portal = [(name, order) for order, name in enumerate(names)]
    assert _stage_line(None, portal).startswith("ok")
    line = _stage_line([n for n in names if n != "1234567"], portal)
    assert line.startswith("FAIL") and "leaves out: 1234567 (1234567)" in line
    line = _stage_line([*names[:2], names[3], names[2], *names[4:]], portal)
    assert (
        line.startswith("FAIL")
        and "orders them lead, marketingqualifiedlead, salesqualifiedlead, 1234567" in line
    )
    assert _stage_line(names, portal).startswith("ok")


def test_the_plan_creates_the_group_once_and_only_what_is_missing() -> None:
    config = default_config()
    needs = needs_of(config)
    nothing = SalesforceSchema(frozenset(), frozenset())
    steps = setup_steps(needs, {"contacts": {"baton_hold_reason"}}, {"contacts": set()}, nothing)
    targets = [s.target for s in steps]
    assert targets[0] == "contacts.baton"
    assert "contacts.baton_hold_reason" not in targets
    assert targets.count("contacts.baton") == 1
    assert "Lead.HubSpot_Contact_Id__c" in targets
    everything = {
        "contacts": {n.name for n in needs.properties if n.object_type == "contacts"},
        "deals": {n.name for n in needs.properties if n.object_type == "deals"},
    }
    fields = frozenset(n.full_name for n in needs.fields)
    assert setup_steps(needs, everything, {}, SalesforceSchema(fields, fields)) == []
    # a field that exists but that describe does not show lacks field-level security
    hidden = SalesforceSchema(fields, fields - {"Lead.HubSpot_Contact_Id__c"}, None, False, "005x")
    assert [(s.kind, s.target) for s in setup_steps(needs, everything, {}, hidden)] == [
        ("permission set", "Baton_Integration"),
        ("permission set assignment", "Baton_Integration → 005x"),
        ("field access", "Lead.HubSpot_Contact_Id__c"),
    ]


def _lead_stage_checks(lead_stages: dict[str, str], pipelines: Any) -> list[str]:
    config = with_changes(
        default_config(),
        {
            "salesforce.enabled": False,
            "routing.teams": {"inbound": {"hubspot_owners": ["1"]}},
            "hubspot.leads_object": {"enabled": True},
            "lifecycle.within_hubspot": {"lead_stages": lead_stages},
        },
    )
    facts = HubSpotFacts(token={"hubId": 62515, "appId": 54321, "scopes": []})
    facts.lead_pipelines = pipelines
    if pipelines is None:
        facts.errors["lead_pipelines"] = "403 MISSING_SCOPES"
    checks = hubspot_checks(config, needs_of(config), facts)
    return [c.line() for c in checks if c.name == "hubspot.lead_stages"]


LEAD_PIPELINE = {
    "id": "lead-pipeline-id",
    "label": "Lead pipeline",
    "stages": [
        {"id": sid, "label": label}
        for sid, label in (
            ("new-stage-id", "New"),
            ("connected-stage-id", "Connected"),
            ("qualified-stage-id", "Qualified"),
            ("unqualified-stage-id", "Disqualified"),
        )
    ],
}


def test_the_doctor_checks_lead_stages_against_the_portal() -> None:
    (good,) = _lead_stage_checks({"Connected": "salesqualifiedlead"}, [LEAD_PIPELINE])
    assert "every lead stage the config names is in the portal" in good
    (bad,) = _lead_stage_checks({"conected-stage-id": "salesqualifiedlead"}, [LEAD_PIPELINE])
    assert "lead_stages.conected-stage-id" in bad and "did you mean 'connected-stage-id'?" in bad
    (unread,) = _lead_stage_checks({}, None)
    assert "403 MISSING_SCOPES" in unread
