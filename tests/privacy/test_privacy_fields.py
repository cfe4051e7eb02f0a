"""The pure parts: which fields are personal, minimizing, scrubbing, whole-token redaction."""

from __future__ import annotations

import pytest

from connector.privacy import email_hash
from connector.privacy.fields import (
    minimize,
    pseudonymize_text,
    quoted_values_named,
    without_personal,
)
from connector.privacy.redaction import Redactor


def test_minimize_keeps_what_the_jobs_compare_and_hashes_the_address() -> None:
    kept = minimize(
        {
            "Email": "Ann@Example.org",
            "FirstName": "Ann",
            "LastName": "Smit",
            "Phone": "+31 6",
            "Status": "Open",
            "OwnerId": "005x",
            "Company": "Acme",
        }
    )
    assert kept == {
        "Email": f"sha256:{email_hash('ann@example.org')}",
        "Status": "Open",
        "OwnerId": "005x",
        "Company": "Acme",
    }


def test_without_personal_drops_personal_fields_at_any_depth_and_addresses_in_text() -> None:
    payload = {
        "kind": "create_lead",
        "hubspot_contact_id": "101",
        "fields": {"LastName": "Smit", "Email": "a@b.nl", "Status": "Open"},
        "rows": [{"ContactId": "003x", "title": "CEO"}],
        "note": "mailed a@b.nl",
        "url": "/query?q=Email+%3D+%27a%40b.nl%27",
    }
    assert without_personal(payload) == {
        "kind": "create_lead",
        "hubspot_contact_id": "101",
        "fields": {"Status": "Open"},
        "rows": [{"ContactId": "003x"}],
        "note": "mailed [erased]",
        "url": "/query?q=[erased]%27",
    }


def test_a_refusal_names_the_field_not_the_value() -> None:
    message = "Smit <ann@example.org> is blocked; Smitson is fine"
    cleaned = quoted_values_named(message, {"LastName": "Smit", "Status": "Open"})
    assert cleaned.startswith("<LastName> <sha256:")
    assert "ann@example.org" not in cleaned
    assert pseudonymize_text("x ann@example.org") == pseudonymize_text("x ANN@example.org")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("hubspot:contact:101", "hubspot:contact:T"),
        ("contacts 1010 and 101", "contacts 1010 and T"),
        ("create_lead:101:x", "create_lead:T:x"),
        (101, "T"),
        (1010, 1010),
        ({"ids": [101, "2101"], "firstname": "Ann"}, {"ids": ["T", "2101"]}),
    ],
)
def test_the_redactor_replaces_whole_tokens_only(value: object, expected: object) -> None:
    assert Redactor({"101": "T"}, drop_personal=True).value(value) == expected


def test_the_redactor_matches_addresses_in_any_case() -> None:
    redactor = Redactor({"ann@example.org": "[erased]"})
    assert redactor.text("to ANN@Example.org.") == "to [erased]."
