"""The secret-redacting log filter (issue 8, finding 5) and where the secrets come from."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from pydantic import SecretStr

from connector.config import default_config
from connector.config.secrets import secrets_in
from connector.log_redaction import (
    REDACTED,
    WITHHELD,
    PseudonymizeEmails,
    RedactSecrets,
    install,
)
from connector.privacy.fields import pseudonymize_text

TOKEN = "Outbound-Token-0123456789"


def record(message: str, *args: object, **extra: object) -> logging.LogRecord:
    entry = logging.LogRecord("gunicorn.error", logging.WARNING, __file__, 1, message, args, None)
    for name, value in extra.items():
        setattr(entry, name, value)
    return entry


@pytest.mark.parametrize(
    "message",
    [
        "Invalid HTTP request line: 'GET /webhooks/salesforce/outbound/%s HTTP/1.1 x'",
        "Invalid HTTP method: '%s'",
    ],
)
def test_a_secret_in_the_message_or_its_arguments_is_cut_out(message: str) -> None:
    entry = record(message, TOKEN)
    assert RedactSecrets([TOKEN]).filter(entry)
    assert TOKEN not in entry.getMessage() and REDACTED in entry.getMessage()


def test_a_percent_encoded_secret_withholds_the_message() -> None:
    encoded = "".join(f"%{ord(c):02x}" for c in TOKEN)
    entry = record(f"Invalid HTTP request line: 'GET /outbound/{encoded} HTTP/1.1'")
    RedactSecrets([TOKEN]).filter(entry)
    assert entry.getMessage() == WITHHELD


def test_extra_fields_are_redacted_and_other_records_untouched() -> None:
    entry = record("webhook refused", path=f"/outbound/{TOKEN}", status=401)
    RedactSecrets([TOKEN, "short"]).filter(entry)
    assert entry.path == f"/outbound/{REDACTED}" and entry.status == 401
    plain = record("a short message")
    RedactSecrets([TOKEN, "short"]).filter(plain)  # too short to be a secret: left alone
    assert plain.getMessage() == "a short message"


def test_install_reaches_gunicorn_loggers_that_do_not_propagate(
    caplog: pytest.LogCaptureFixture,
) -> None:
    redactor = RedactSecrets([TOKEN])
    logger = logging.getLogger("gunicorn.error")
    install(redactor)
    try:
        with caplog.at_level(logging.WARNING, logger="gunicorn.error"):
            logger.warning("Invalid request: %s", TOKEN)
        assert TOKEN not in caplog.text and REDACTED in caplog.text
    finally:
        logger.removeFilter(redactor)
        for handler in logging.getLogger().handlers:
            handler.removeFilter(redactor)


def test_every_configured_secret_is_found() -> None:
    config = default_config()
    found = secrets_in(config)
    for secret in (
        config.hubspot.client_secret,
        config.hubspot.access_token,
        config.salesforce.outbound_path_token,
        config.salesforce.json_webhook_secret,
    ):
        assert isinstance(secret, SecretStr) and secret.get_secret_value() in found


def test_the_wsgi_entry_point_installs_the_filter_too(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """``gunicorn webhooks.wsgi:app`` gets the same protection as ``baton serve``."""
    from connector.config.defaults import SANDBOX_SALESFORCE_OUTBOUND_TOKEN
    from webhooks import wsgi

    monkeypatch.delenv("BATON_CONFIG", raising=False)
    monkeypatch.setenv("BATON_DATABASE_URL", f"sqlite:///{tmp_path}/baton.db")
    gunicorn_log = logging.getLogger("gunicorn.error")
    before = list(gunicorn_log.filters)
    try:
        wsgi.build_app()
        added = [f for f in gunicorn_log.filters if f not in before]
        assert [type(f) for f in added] == [RedactSecrets, PseudonymizeEmails]
        entry = record(
            "Invalid HTTP method: '%s' from ann@example.org", SANDBOX_SALESFORCE_OUTBOUND_TOKEN
        )
        for added_filter in added:
            added_filter.filter(entry)
        assert SANDBOX_SALESFORCE_OUTBOUND_TOKEN not in entry.getMessage()
        assert "ann@example.org" not in entry.getMessage()
    finally:
        gunicorn_log.filters[:] = before


def test_configure_logging_redacts_for_every_entry_point_even_when_called_again(capsys):
    import logging

    from connector.log_redaction import GUNICORN_LOGGERS
    from connector.logs import configure_logging

    secret = "hooks-slack-T000-B000-XXXXXXXX"
    root = logging.getLogger()
    saved = (
        root.handlers[:],
        root.level,
        {n: logging.getLogger(n).filters[:] for n in GUNICORN_LOGGERS},
    )
    try:
        configure_logging("INFO", "text", [secret])
        configure_logging("INFO", "text", [secret])  # a second call replaces the handler
        logging.getLogger("baton.test").warning("posting to https://example.test/%s", secret)
        err = capsys.readouterr().err
    finally:  # later tests must not log into this test's captured (then closed) stderr
        root.handlers[:], level, filters = saved[0], saved[1], saved[2]
        root.setLevel(level)
        for name, kept in filters.items():
            logging.getLogger(name).filters[:] = kept
    assert "posting to" in err and secret not in err


@pytest.mark.parametrize(
    ("text", "before"),
    [
        ("lookup failed for Ann.Smith+work@Example.org", "lookup failed for "),
        (
            "GET /query?q=SELECT+Id+FROM+Lead+WHERE+Email+%3D+%27ann.smith%2Bwork%40example.org%27",
            "GET /query?q=SELECT+Id+FROM+Lead+WHERE+Email+%3D+%27",
        ),
    ],
)
def test_addresses_in_log_text_become_their_pseudonym_also_when_percent_encoded(
    text: str, before: str
) -> None:
    cleaned = pseudonymize_text(text)
    assert "example.org" not in cleaned.lower()
    # the same person's pseudonym whichever form the address had, and the text around it stays
    assert pseudonymize_text("ann.smith+work@example.org") in cleaned
    assert cleaned.startswith(before + "sha256:")


def test_the_address_filter_rewrites_message_and_extra_fields() -> None:
    entry = record("no lead for %s", "ann@example.org")
    entry.error = "Salesforce said: duplicate ann@example.org"
    PseudonymizeEmails().filter(entry)
    assert "ann@example.org" not in entry.getMessage()
    assert "ann@example.org" not in entry.error
