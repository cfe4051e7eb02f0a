"""`check_config_command`: the exit code and output behind `baton check-config FILE`."""

from __future__ import annotations

import io

import pytest
from config_testing import EXAMPLE, EXAMPLE_ENV, FIXTURES

from connector.config import check_config_command


def test_valid_file_exits_0_with_a_summary(example_env, capsys):
    code = check_config_command(str(EXAMPLE))

    out, err = capsys.readouterr()
    assert code == 0
    assert err == ""
    assert out.startswith(f"{EXAMPLE}: OK\n")
    assert "salesforce: enabled, https://voorbeeld.my.salesforce.com (API 59.0)" in out
    assert "calendar Europe/Amsterdam" in out
    assert "primary w_shaped, EUR" in out
    assert "checked the file only; `baton doctor --config FILE` checks the CRMs" in out


def test_summary_never_prints_secrets(example_env, capsys):
    check_config_command(str(EXAMPLE))

    out, _ = capsys.readouterr()
    assert not any(value in out for value in EXAMPLE_ENV.values())


def test_summary_hides_the_database_password(example_env, monkeypatch, capsys):
    monkeypatch.setenv("BATON_DATABASE_URL", "postgresql+psycopg://baton:hunter2@db/baton")

    assert check_config_command(str(EXAMPLE)) == 0

    out, _ = capsys.readouterr()
    assert "hunter2" not in out
    assert "postgresql+psycopg://baton:***@db/baton" in out


def test_broken_file_exits_1_and_lists_every_error(example_env, capsys):
    path = FIXTURES / "many_errors.yaml"

    code = check_config_command(str(path))

    out, err = capsys.readouterr()
    assert code == 1
    assert out == ""
    lines = err.splitlines()
    assert lines[0].startswith(f"{path}:3:15 service.log_format: ")
    assert len(lines) == 7
    assert lines[-1] == f"{path}: 6 errors"


def test_single_error_is_singular(example_env, capsys):
    assert check_config_command(str(FIXTURES / "unknown_key.yaml")) == 1

    _, err = capsys.readouterr()
    assert err.splitlines()[-1].endswith(": 1 error")


def test_missing_file_exits_1(tmp_path, capsys):
    assert check_config_command(str(tmp_path / "absent.yaml")) == 1

    _, err = capsys.readouterr()
    assert "absent.yaml: file not found" in err


def test_streams_and_environment_can_be_given(tmp_path):
    out, err = io.StringIO(), io.StringIO()

    code = check_config_command(
        str(FIXTURES / "valid_minimal.yaml"),
        env={"HUBSPOT_ACCESS_TOKEN": "a", "HUBSPOT_CLIENT_SECRET": "b"},
        stdout=out,
        stderr=err,
    )

    assert code == 0
    assert "hubspot: enabled, portal 26451234" in out.getvalue()
    assert "salesforce: disabled" in out.getvalue()
    assert err.getvalue() == ""


def test_the_summary_never_presents_an_unbuilt_job_as_live():
    from connector.config import default_config, with_changes
    from connector.config.check import NOT_YET, summarize
    from connector.jobs.credit.journeys import Counted

    lines = {line.split(":", 1)[0].split(" ")[0]: line for line in summarize(default_config())}
    assert lines["recycle"].startswith("recycle (live): on Closed - Not Converted, BAD_TIMING")
    assert lines["credit"].startswith("credit (live): won opportunities — linear (primary linear")
    assert "Salesforce CampaignInfluence (Baton_Attribution)" in lines["credit"]
    assert NOT_YET not in lines["credit"]
    markov = with_changes(default_config(), {"credit.models": ["linear", "markov"]})
    credit = next(line for line in summarize(markov) if line.startswith("credit"))
    assert "markov: not live — live once 100 won or lost journeys are recorded in the " in credit
    assert "not counted: the store cannot be read from here" in credit, "never assumed live"
    few = next(
        line
        for line in summarize(markov, journeys=Counted(won=7, lost=5))
        if line.startswith("credit")
    )
    assert "markov: not live — live once 100 won or lost journeys are recorded in the " \
        "365-day window (now 12 in the store: 7 won, 5 lost)" in few  # fmt: skip
    enough = next(
        line
        for line in summarize(markov, journeys=Counted(won=60, lost=40))
        if line.startswith("credit")
    )
    assert "markov (live): 100 won or lost journeys in the store in the 365-day window" in enough
    no_win = summarize(markov, journeys=Counted(won=0, lost=150))
    assert "markov: not live" in next(line for line in no_win if line.startswith("credit"))
    assert lines["sla"].startswith("sla (live): 1 policy, calendar Europe/Amsterdam")
    # the default ladder's only step is a Salesforce Task: it can send while Salesforce is on
    assert "escalation (live): 1 step, crm_task messages in en" in lines["sla"]
    off = with_changes(default_config(), {"salesforce.enabled": False})
    sla = next(line for line in summarize(off) if line.startswith("sla"))
    # HubSpot alone files the default step as a HubSpot task for the owner
    assert "escalation (live): 1 step, crm_task messages in en" in sla
    assert "dead-lettered" not in sla
    primary_markov = with_changes(
        default_config(), {"credit.models": ["linear", "markov"], "credit.primary_model": "markov"}
    )
    credit = next(line for line in summarize(primary_markov) if line.startswith("credit"))
    assert "written to the ledger only" in credit, "a Markov primary below its minimum writes none"
    live = summarize(primary_markov, journeys=Counted(won=60, lost=40))
    credit = next(line for line in live if line.startswith("credit"))
    assert "written to HubSpot deal properties and Salesforce CampaignInfluence" in credit


def test_the_scorecard_line_calls_live_only_what_can_answer_or_send():
    from pydantic import SecretStr

    from connector.config import default_config, with_changes
    from connector.config.check import summarize

    def line(config):  # type: ignore[no-untyped-def]
        return next(text for text in summarize(config) if text.startswith("scorecard"))

    closed = line(default_config())
    assert "API: closed (no api_tokens)" in closed and "digest: off" in closed
    assert "dashboard pages: closed (no dashboard.users)" in closed
    email = {"smtp_host": "127.0.0.1", "from_address": "baton@example.com"}
    on = with_changes(
        default_config(),
        {
            "scorecard.api_tokens": [SecretStr("t-1"), SecretStr("t-2")],
            "scorecard.recipients": ["sales@example.com"],
            "notifiers.email": email,
        },
    )
    assert "API (live): 2 tokens; digest (live): monday 08:00 Europe/Amsterdam by e-mail" in line(
        on
    )
    slack = {"webhook_url": SecretStr("https://hooks.slack.com/services/T/B/x")}
    both = with_changes(on, {"scorecard.slack": True, "notifiers.slack": slack})
    assert "by e-mail and Slack in English" in line(both)
    dutch = with_changes(both, {"dashboard.language": "nl"})
    assert "by e-mail and Slack in Dutch" in line(dutch)  # the digest follows dashboard.language
    user = {"username": "anna", "password_hash": "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA"}
    signed_in = with_changes(on, {"dashboard.users": [user]})
    assert "dashboard pages (live): at / for 1 user" in line(signed_in)


def test_a_digest_that_cannot_be_sent_is_refused_at_load():
    import pytest

    from connector.config import default_config, with_changes

    for key, value in (("scorecard.management", ["cro@example.com"]), ("scorecard.slack", True)):
        with pytest.raises(ValueError, match="digest"):
            with_changes(default_config(), {key: value})


def test_the_summary_names_the_per_rep_ladder_and_the_calendars_sources():
    from connector.config import default_config, with_changes
    from connector.config.check import summarize

    def sla_line(changes: dict) -> str:
        config = with_changes(default_config(), changes)
        return next(line for line in summarize(config) if line.startswith("sla"))

    assert "per-rep" not in sla_line({}), "off unless configured"
    rep = {"escalation.per_rep": {"steps": ["manager", "director"]}}
    assert "per-rep ladder: nothing can send" in sla_line(rep), "no notifiers.email: not live"
    mail = {"smtp_host": "127.0.0.1", "from_address": "baton@example.com"}
    line = sla_line({**rep, "notifiers.email": mail})
    assert (
        "per-rep ladder (live): per week, manager → director (then the last again), by email"
        in line
    )
    calendars = {
        "sla.calendar.salesforce_holidays": True,
        "sla.owner_calendars": {"101": {"timezone": "America/New_York"}},
    }
    assert "calendar Europe/Amsterdam, 1 owner calendar, Salesforce Holidays" in sla_line(calendars)
    off = sla_line({**calendars, "salesforce.enabled": False})
    assert "Salesforce Holidays need Salesforce (disabled): not read" in off


def test_the_summary_says_when_hubspot_users_give_the_owners_calendars():
    from connector.config import default_config, with_changes
    from connector.config.check import summarize

    def sla_line(changes: dict) -> str:
        config = with_changes(default_config(), changes)
        return next(line for line in summarize(config) if line.startswith("sla"))

    said = "HubSpot owners' working hours and time zones from their HubSpot users"
    assert said not in sla_line({}), "off by default"
    on = {"sla.owner_calendars_from_hubspot": True}
    line = sla_line(on)
    assert said in line and "need HubSpot" not in line
    off = sla_line({**on, "hubspot.enabled": False, "salesforce.enabled": True})
    assert f"{said} need HubSpot (disabled): not read" in off
    with pytest.raises(ValueError):
        with_changes(default_config(), {"sla.owner_calendars_from_hubspot": "sometimes"})
