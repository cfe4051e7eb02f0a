"""Loader behaviour around the YAML file itself: syntax, duplicates, overrides, odd files."""

from __future__ import annotations

import pytest
from config_testing import FIXTURES

from connector.config import ConfigError, ConfigIssue, load_config, load_config_text

VALID = (FIXTURES / "valid_minimal.yaml").read_text(encoding="utf-8")
ENV = {"HUBSPOT_ACCESS_TOKEN": "pat-eu1-x", "HUBSPOT_CLIENT_SECRET": "secret-y"}


def errors(text: str, env: dict[str, str] = ENV) -> list[ConfigIssue]:
    with pytest.raises(ConfigError) as caught:
        load_config_text(text, file="baton.yaml", env=env)
    return caught.value.errors


def test_minimal_file_gives_defaults_everywhere_else():
    config = load_config_text(VALID, env=ENV)

    assert config.hubspot.portal_id == 26451234
    assert not config.salesforce.enabled
    assert config.store.database_url == "sqlite:///var/baton.db"
    assert config.service.max_body_bytes == 1024 * 1024
    assert config.handoff.stage == "marketingqualifiedlead"


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("hubspot:\n  portal_id: [1, 2\nservice: {}\n", 3),
        ("hubspot:\n  portal_id: 'unterminated\n", 3),
        ("hubspot:\n\tportal_id: 1\n", 2),
        ("a: 1\n---\nb: 2\n", 2),
    ],
)
def test_yaml_syntax_errors_carry_their_line(text, line):
    (issue,) = errors(text)

    assert issue.line == line
    assert issue.message.startswith("YAML syntax error")


def test_duplicate_keys_are_all_reported_without_their_values():
    text = VALID + "  portal_id: 99999999\nservice:\n  log_level: INFO\n  log_level: DEBUG\n"

    issues = errors(text)

    assert [(i.line, i.key_path) for i in issues] == [
        (6, "hubspot.portal_id"),
        (9, "service.log_level"),
    ]
    assert "99999999" not in str(ConfigError(issues))


def test_duplicates_and_validation_errors_come_together():
    text = VALID + "  portal_id: 2\nservice:\n  log_format: xml\n"

    assert [i.key_path for i in errors(text)] == ["hubspot.portal_id", "service.log_format"]


def test_database_url_from_the_environment_wins(monkeypatch):
    monkeypatch.setenv("HUBSPOT_ACCESS_TOKEN", "pat-eu1-x")
    monkeypatch.setenv("HUBSPOT_CLIENT_SECRET", "secret-y")
    monkeypatch.setenv("BATON_DATABASE_URL", "postgresql+psycopg://baton:pw@db.internal/baton")

    config = load_config(FIXTURES / "valid_minimal.yaml")

    assert config.store.database_url == "postgresql+psycopg://baton:pw@db.internal/baton"


def test_database_url_override_replaces_the_file_value():
    text = VALID + "store:\n  database_url: sqlite:///elsewhere.db\n"
    env = {**ENV, "BATON_DATABASE_URL": "sqlite:////srv/baton/baton.db"}

    config = load_config_text(text, env=env)

    assert config.store.database_url == "sqlite:////srv/baton/baton.db"


def test_a_bad_database_override_names_the_variable():
    text = VALID + "store:\n  database_url: sqlite:///var/baton.db\n"

    (issue,) = errors(text, {**ENV, "BATON_DATABASE_URL": "mysql://db/baton"})

    assert (issue.line, issue.key_path) == (7, "store.database_url")
    assert "BATON_DATABASE_URL" in issue.message


def test_without_the_override_the_file_value_is_used():
    text = VALID + "store:\n  database_url: sqlite:///elsewhere.db\n"

    assert load_config_text(text, env=ENV).store.database_url == "sqlite:///elsewhere.db"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "empty"),
        ("# nothing but a comment\n", "empty"),
        ("- hubspot\n", "expected a mapping of sections, found a list"),
        ("hubspot: !vault token\n", "YAML tags such as !vault are not supported"),
    ],
)
def test_files_that_are_not_a_config(text, words):
    (issue,) = errors(text)

    assert words in issue.message


@pytest.mark.parametrize(
    ("extra", "key_path", "message"),
    [
        ("sla: [1]\n", "sla", "must be a mapping (key: value)"),
        ("lifecycle:\n  stages: {lead: x}\n", "lifecycle.stages", "must be a list"),
        ("recycle:\n  reasons: {}\n", "recycle.reasons", "must have at least 1 item"),
        ("credit:\n  models: [{}]\n", "credit.models[0].model", "required key is missing"),
        ("escalation:\n  managers: {~: ~}\n", "escalation.managers.None", "must be a valid string"),
    ],
)
def test_wrong_shapes_get_one_plain_message(extra, key_path, message):
    (issue,) = errors(VALID + extra)

    assert (issue.key_path, issue.message) == (key_path, message)


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path / "nope.yaml")

    assert str(caught.value) == f"{tmp_path / 'nope.yaml'}: file not found"


def test_file_that_is_not_utf8(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("service:\n  log_level: d\xe9bug\n".encode("latin-1"))

    with pytest.raises(ConfigError, match="not UTF-8"):
        load_config(path)


def test_an_empty_section_means_its_defaults():
    config = load_config_text(VALID + "privacy:\nscorecard:\n", env=ENV)

    assert config.privacy.keep_raw_bodies_days == 30
    assert config.scorecard.week_starts == "monday"


def test_a_missing_required_key_points_at_its_section():
    text = "service:\n  log_level: INFO\nhubspot:\n  portal_id: 1\n"

    issues = errors(text)

    assert {(i.line, i.key_path) for i in issues} == {
        (3, "hubspot.access_token"),
        (3, "hubspot.client_secret"),
    }
    assert all("required when hubspot is enabled" in i.message for i in issues)


def test_numbers_as_mapping_keys_are_located():
    text = VALID + "escalation:\n  managers:\n    81234567: 81234567\n"

    (issue,) = errors(text)

    assert (issue.line, issue.key_path) == (8, "escalation.managers.81234567")
    assert "own manager" in issue.message


def test_relative_key_path_is_resolved_next_to_the_config_file(tmp_path):
    (tmp_path / "jwt.key").write_text("-----BEGIN PRIVATE KEY-----\n")
    path = tmp_path / "baton.yaml"
    path.write_text(
        "salesforce:\n"
        "  instance_url: https://voorbeeld.my.salesforce.com\n"
        "  auth:\n"
        "    jwt:\n"
        "      username: baton@voorbeeld.nl\n"
        "      consumer_key: 3MVG9consumerkey\n"
        "      private_key_path: jwt.key\n"
        "  organization_ids: [00D7Q000004KxYz]\n"
        "  outbound_path_token: ${TOKEN}\n"
    )

    config = load_config(path, env={"TOKEN": "a-long-enough-path-token"})

    assert config.salesforce.auth.jwt.private_key_path == tmp_path / "jwt.key"
    assert config.salesforce.organization_ids == ("00D7Q000004KxYzUAK",)


def test_merged_values_are_located_where_they_are_written():
    text = VALID + (
        "x-policy: &policy\n"
        "  first_response_business_hours: 4\n"
        "  min_touches_before_disqualify: -1\n"
        "sla:\n"
        "  policies:\n"
        "    - <<: *policy\n"
        "      name: standard\n"
    )

    (issue,) = errors(text)

    assert (issue.line, issue.key_path) == (8, "sla.policies[0].min_touches_before_disqualify")


def test_x_keys_hold_anchors_and_are_otherwise_ignored():
    text = VALID + (
        "x-policy: &policy\n"
        "  first_response_business_hours: 2\n"
        "sla:\n"
        "  policies:\n"
        "    - <<: *policy\n"
        "      name: standard\n"
    )

    (policy,) = load_config_text(text, env=ENV).sla.policies

    assert (policy.name, policy.first_response_business_hours) == ("standard", 2)


def test_config_error_formats_one_issue_per_line():
    error = ConfigError(
        [
            ConfigIssue("b.yaml", 9, 3, "sla.policies[0].name", "bad"),
            ConfigIssue("b.yaml", 2, 1, "", "YAML syntax error: x"),
            ConfigIssue("b.yaml", None, None, "", "file not found"),
        ]
    )

    assert str(error).splitlines() == [
        "b.yaml: file not found",
        "b.yaml:2:1: YAML syntax error: x",
        "b.yaml:9:3 sla.policies[0].name: bad",
    ]
