"""Secrets come only from the environment, and never show up in output."""

from __future__ import annotations

import pytest
from config_testing import EXAMPLE, EXAMPLE_ENV

from connector.config import ConfigError, load_config, load_config_text

HUBSPOT_ONLY = """\
hubspot:
  portal_id: 26451234
  access_token: {token}
  client_secret: ${{HUBSPOT_CLIENT_SECRET}}
"""
ENV = {"HUBSPOT_ACCESS_TOKEN": "pat-eu1-real-token", "HUBSPOT_CLIENT_SECRET": "secret-9f8e"}


def errors(text: str, env: dict[str, str] = ENV):
    with pytest.raises(ConfigError) as caught:
        load_config_text(text, file="baton.yaml", env=env)
    return caught.value.errors


def test_a_literal_secret_is_refused_without_echoing_it():
    literal = "pat-eu1-11111111-2222-3333-4444-555555555555"

    (issue,) = errors(HUBSPOT_ONLY.format(token=literal))

    assert (issue.line, issue.key_path) == (3, "hubspot.access_token")
    assert "environment variable" in issue.message
    assert "${HUBSPOT_ACCESS_TOKEN}" in issue.message
    assert literal not in str(ConfigError([issue]))


@pytest.mark.parametrize(
    "written",
    ["prefix-${HUBSPOT_ACCESS_TOKEN}", "${HUBSPOT_ACCESS_TOKEN}${HUBSPOT_CLIENT_SECRET}", "12345"],
)
def test_a_secret_must_be_exactly_one_reference(written):
    (issue,) = errors(HUBSPOT_ONLY.format(token=written))

    assert issue.key_path == "hubspot.access_token"
    assert "must not be written in the config file" in issue.message


def test_an_unset_variable_is_named_with_its_key():
    env = {"HUBSPOT_CLIENT_SECRET": "secret-9f8e"}

    (issue,) = errors(HUBSPOT_ONLY.format(token="${HUBSPOT_ACCESS_TOKEN}"), env)

    assert (issue.line, issue.key_path) == (3, "hubspot.access_token")
    assert issue.message == "environment variable HUBSPOT_ACCESS_TOKEN is not set"


def test_an_empty_variable_is_not_a_secret():
    env = {**ENV, "HUBSPOT_ACCESS_TOKEN": ""}

    (issue,) = errors(HUBSPOT_ONLY.format(token="${HUBSPOT_ACCESS_TOKEN}"), env)

    assert issue.key_path == "hubspot.access_token"
    assert "HUBSPOT_ACCESS_TOKEN is set but empty" in issue.message


def test_non_secret_values_may_use_references_and_escapes():
    text = HUBSPOT_ONLY.format(token="${HUBSPOT_ACCESS_TOKEN}") + (
        "service:\n  public_base_url: https://${BATON_HOST}/baton\n"
        "recycle:\n  hubspot_lead_status: $${NOT_A_VARIABLE}\n"
    )

    config = load_config_text(text, env={**ENV, "BATON_HOST": "baton.example.nl"})

    assert config.service.public_base_url == "https://baton.example.nl/baton"
    assert config.recycle.hubspot_lead_status == "${NOT_A_VARIABLE}"


def test_an_unset_variable_in_a_plain_value_is_reported_once():
    text = HUBSPOT_ONLY.format(token="${HUBSPOT_ACCESS_TOKEN}") + (
        "service:\n  public_base_url: https://${BATON_HOST}\n"
    )

    (issue,) = errors(text)

    assert (issue.line, issue.key_path) == (6, "service.public_base_url")
    assert issue.message == "environment variable BATON_HOST is not set"


def test_secrets_never_appear_in_repr_str_or_json(example_env):
    config = load_config(EXAMPLE)

    for rendering in (repr(config), str(config), config.model_dump_json(), repr(config.hubspot)):
        for value in EXAMPLE_ENV.values():
            assert value not in rendering
    assert "**********" in repr(config.hubspot)


def test_a_database_password_written_in_the_file_is_refused():
    text = HUBSPOT_ONLY.format(token="${HUBSPOT_ACCESS_TOKEN}") + (
        "store:\n  database_url: postgresql+psycopg://baton:hunter2@db/baton\n"
    )

    (issue,) = errors(text)

    assert issue.key_path == "store.database_url"
    assert "hunter2" not in issue.message


def test_a_database_password_from_the_environment_is_hidden_in_repr():
    text = HUBSPOT_ONLY.format(token="${HUBSPOT_ACCESS_TOKEN}") + (
        "store:\n  database_url: postgresql+psycopg://baton:${PGPASSWORD}@db/baton\n"
    )

    config = load_config_text(text, env={**ENV, "PGPASSWORD": "hunter2"})

    assert config.store.database_url == "postgresql+psycopg://baton:hunter2@db/baton"
    assert "hunter2" not in repr(config)
    assert "hunter2" not in config.store.safe_database_url
