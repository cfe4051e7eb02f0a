"""Salesforce alone: the MQL definition read from Lead fields (pure parts and config checks)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from connector.config import default_config, with_changes
from connector.jobs.lifecycle import salesforce_gate
from connector.onboarding.needs import salesforce_fields

DEFINITION = {
    "required_properties": ["email", "company", "lead_score"],
    "criteria": [{"property": "numemployees", "op": "gte", "value": 50}],
    "behaviour": [{"property": "pageviews", "min": 3}],
}
MAPPED = {"lead_score": "Lead_Score__c", "pageviews": "Page_Views__c"}


def _handoff(**changes: object):
    config = with_changes(
        default_config(),
        {"handoff.mql_definition": DEFINITION, "handoff.salesforce_lead_fields": MAPPED, **changes},
    )
    return config.handoff


def test_each_name_reads_its_lead_field_standard_or_mapped() -> None:
    assert salesforce_gate.lead_fields(_handoff()) == {
        "email": "Email",
        "company": "Company",
        "lead_score": "Lead_Score__c",
        "numemployees": "NumberOfEmployees",
        "pageviews": "Page_Views__c",
    }


def test_a_mapping_overrides_the_standard_field() -> None:
    handoff = _handoff(**{"handoff.salesforce_lead_fields": {**MAPPED, "company": "Firm__c"}})
    assert salesforce_gate.lead_fields(handoff)["company"] == "Firm__c"


def test_reasons_name_lead_fields_by_label_else_by_api_name() -> None:
    lead = {"Email": "a@example.com", "Company": "", "NumberOfEmployees": 12, "Page_Views__c": 5}
    labels = {"Company": "Company", "NumberOfEmployees": "Employees"}
    assert salesforce_gate.hold_reasons(_handoff(), lead, labels) == [
        "missing Company",
        "missing Lead_Score__c",  # no label known: its API name, never the HubSpot-style name
        "does not meet: Employees gte 50 (is 12)",
    ]


def test_a_lead_meeting_every_part_has_no_reason() -> None:
    lead = {
        "Email": "a@example.com",
        "Company": "Acme",
        "Lead_Score__c": "80",
        "NumberOfEmployees": 200,
        "Page_Views__c": 3,
    }
    assert salesforce_gate.hold_reasons(_handoff(), lead) == []


def test_salesforce_alone_refuses_a_definition_name_without_a_lead_field() -> None:
    config = with_changes(default_config(), {"hubspot.enabled": False})
    with pytest.raises(ValidationError) as caught:
        with_changes(config, {"handoff.mql_definition": DEFINITION})
    text = str(caught.value)
    assert "'lead_score' has no Salesforce Lead field" in text
    assert "'pageviews' has no Salesforce Lead field" in text
    assert "numemployees" not in text  # a standard name needs no mapping


def test_with_hubspot_connected_the_definition_reads_hubspot_and_needs_no_mapping() -> None:
    config = with_changes(default_config(), {"handoff.mql_definition": DEFINITION})
    assert config.handoff.mql_definition.required_properties[-1] == "lead_score"


def test_the_doctor_checks_the_gate_fields_only_with_salesforce_alone() -> None:
    alone = with_changes(
        default_config(),
        {
            "hubspot.enabled": False,
            "handoff.mql_definition": DEFINITION,
            "handoff.salesforce_lead_fields": MAPPED,
        },
    )
    needs = {(n.sobject, n.name): n for n in salesforce_fields(alone)}
    assert {("Lead", "Lead_Score__c"), ("Lead", "Page_Views__c"), ("Lead", "Email")} <= set(needs)
    assert needs[("Lead", "Lead_Score__c")].metadata is None  # read only: it must exist
    hold = needs[("Lead", "Baton_Hold_Reason__c")]
    assert hold.metadata is not None and hold.metadata["type"] == "LongTextArea"  # setup makes it
    both = {(n.sobject, n.name) for n in salesforce_fields(default_config())}
    assert ("Lead", "Baton_Hold_Reason__c") not in both and ("Lead", "Email") not in both
