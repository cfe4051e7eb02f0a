"""The shipped example is valid, annotated on every key, and says what the brief promises."""

from __future__ import annotations

import re
from datetime import date, time
from decimal import Decimal

import pytest
from config_testing import EXAMPLE, EXAMPLE_ENV, REPO
from ruamel.yaml import YAML

from connector.config import ConfigError, load_config
from connector.config.secrets import referenced_variables


def test_example_loads_with_its_secrets_from_the_environment(example_env):
    config = load_config(EXAMPLE)

    assert config.hubspot.enabled and config.salesforce.enabled
    assert config.hubspot.access_token.get_secret_value() == EXAMPLE_ENV["HUBSPOT_ACCESS_TOKEN"]
    assert (
        config.salesforce.auth.session_id.get_secret_value()
        == (EXAMPLE_ENV["SALESFORCE_SESSION_ID"])
    )
    assert (
        config.notifiers.slack.webhook_url.get_secret_value() == (EXAMPLE_ENV["SLACK_WEBHOOK_URL"])
    )


def test_example_is_the_dutch_b2b_setup(example_env):
    config = load_config(EXAMPLE)

    calendar = config.sla.calendar
    assert calendar.timezone == "Europe/Amsterdam"
    assert calendar.holidays.country == "NL"
    assert date(2026, 12, 24) in calendar.holidays.extra
    assert calendar.working_hours.friday[0].end_minute == 17 * 60
    assert calendar.working_hours.saturday == ()
    assert config.credit.currency == "EUR"
    assert config.credit.model_named("w_shaped").weights["middle"] == Decimal(10)
    assert config.credit.model_named("time_decay").half_life_days == 7
    assert config.credit.model_named("full_path").weights["closed_won"] == Decimal("22.5")
    assert config.credit.model_named("markov").min_journeys == 200
    assert config.scorecard.send_at == time(8, 0)


def _strings(value: object) -> list[str]:
    if isinstance(value, dict):
        return [text for item in value.values() for text in _strings(item)]
    if isinstance(value, list):
        return [text for item in value for text in _strings(item)]
    return [value] if isinstance(value, str) else []


def test_example_references_exactly_the_documented_secrets():
    data = YAML(typ="safe").load(EXAMPLE.read_text(encoding="utf-8"))

    referenced = {name for text in _strings(data) for name in referenced_variables(text)}
    assert referenced == set(EXAMPLE_ENV)


@pytest.mark.parametrize("missing", sorted(EXAMPLE_ENV))
def test_example_refuses_to_load_without_each_secret(example_env, monkeypatch, missing):
    monkeypatch.delenv(missing)

    with pytest.raises(ConfigError) as caught:
        load_config(EXAMPLE)

    (issue,) = caught.value.errors
    assert f"environment variable {missing} is not set" in issue.message


def test_every_key_in_the_example_has_a_comment():
    key_line = re.compile(r"^\s*(- )?[A-Za-z0-9_\"]+:(\s|$)")
    bare = [
        number
        for number, line in enumerate(EXAMPLE.read_text(encoding="utf-8").splitlines(), 1)
        if key_line.match(line) and "#" not in line
    ]
    assert bare == []


def test_every_shipped_yaml_file_in_config_is_valid(example_env):
    shipped = sorted((REPO / "config").glob("*.yaml"))

    assert EXAMPLE in shipped
    for path in shipped:
        load_config(path)
