"""Paths and environment shared by the config tests (a plain module, importable by name)."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "config"
EXAMPLE = REPO / "config" / "baton.example.yaml"

#: The variables the shipped example references, with values that pass every check.
EXAMPLE_ENV = {
    "HUBSPOT_ACCESS_TOKEN": "pat-eu1-test-access-token",
    "HUBSPOT_CLIENT_SECRET": "test-client-secret-4f1c",
    "SALESFORCE_SESSION_ID": "00D7Q000004KxYz!AQtestsessionid",
    "SALESFORCE_OUTBOUND_TOKEN": "outbound-token-7c2d9e1a5b",
    "SALESFORCE_JSON_SECRET": "json-callout-secret-93ab",
    "SMTP_PASSWORD": "smtp-password-e5f0",
    "SLACK_WEBHOOK_URL": "https://hooks.slack.com/services/T000/B000/XXXXsecretXXXX",
    "BATON_SESSION_SECRET": "session-secret-for-the-example-0a9f",
}
