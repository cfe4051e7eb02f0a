"""``baton sla deadline`` through click's CliRunner, on the built-in and on a file config."""

from __future__ import annotations

import textwrap

import pytest
from click.testing import CliRunner, Result

from baton.cli import main

CONFIG = """\
hubspot:
  portal_id: 26451234
  access_token: ${HUBSPOT_ACCESS_TOKEN}
  client_secret: ${HUBSPOT_CLIENT_SECRET}
routing:
  rules: [{name: everyone, team: smb}]
  teams: {smb: {hubspot_owners: ["101"]}}
sla:
  calendar:
    timezone: Europe/Amsterdam
    working_hours: {friday: "09:00-12:00, 13:00-17:00"}
    holidays: {extra: [2026-12-24]}
  policies:
    - {name: enterprise, applies_to: all, first_response_business_hours: 2}
    - {name: slow, applies_to: [smb], first_response_business_hours: 16}
"""


@pytest.fixture
def baton(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("BATON_CONFIG", raising=False)
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        env = {"HUBSPOT_ACCESS_TOKEN": "token", "HUBSPOT_CLIENT_SECRET": "secret"}
        return runner.invoke(main, ["sla", "deadline", *args], env=env)

    return invoke


@pytest.fixture
def config_file(tmp_path):
    path = tmp_path / "baton.yaml"
    path.write_text(CONFIG)
    return str(path)


def test_default_config_and_explicit_hours(baton):
    # Fri 24 Apr 2026 16:00 CEST + 4 h: King's Day on Monday, Tue 28 Apr 11:30 CEST.
    result = baton("--start", "2026-04-24T16:00+02:00", "--business-hours", "4")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Deadline       2026-04-28 09:30:00 UTC = Tue 2026-04-28 11:30 CEST"
    assert lines[2] == "Business time  4:00:00 (4 h, --business-hours)"
    assert "  Mon 2026-04-27  holiday   King's Day" in lines


def test_policy_supplies_the_hours(baton, config_file):
    # Policy "slow": 16 h from Wed 23 Dec 2026 09:00 CET: 8.5 h on Wednesday, Thu 24 closure,
    # Fri 25 Christmas, the weekend, Mon 28 Dec 09:00 + 7.5 h = 16:30 CET = 15:30 UTC.
    result = baton("--config", config_file, "--start", "2026-12-23T08:00Z", "--policy", "slow")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Deadline       2026-12-28 15:30:00 UTC = Mon 2026-12-28")
    assert "(16 h, first response of policy 'slow')" in result.output
    assert "  Thu 2026-12-24  closure   company closure (holidays.extra)" in result.output


def test_without_hours_or_policy_the_catch_all_policy_applies(baton, config_file):
    # "enterprise" is the catch-all: 2 h from Fri 6 Mar 2026 11:00 CET: 1 h until the lunch
    # break (Friday 09:00-12:00, 13:00-17:00), 13:00 + 1 h = 14:00 CET = 13:00 UTC.
    result = baton("--config", config_file, "--start", "2026-03-06T11:00:00+01:00")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Deadline       2026-03-06 13:00:00 UTC")
    assert "first response of policy 'enterprise'" in result.output
    assert "hours 09:00-12:00, 13:00-17:00  counted 11:00-12:00, 13:00-14:00" in result.output


def test_explicit_hours_beat_the_policy(baton, config_file):
    args = ("--config", config_file, "--start", "2026-03-10T09:00+01:00", "--policy", "slow")
    result = baton(*args, "--business-hours", "0.5")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Deadline       2026-03-10 08:30:00 UTC")


def test_owner_timezone(baton):
    # 09:00-17:30 on New York's clock: Tue 10 Mar 2026 14:00 UTC is 10:00 EDT; + 1 h = 15:00 UTC.
    result = baton(
        "--start", "2026-03-10T14:00Z", "--business-hours", "1",
        "--owner-timezone", "America/New_York",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.output.startswith(
        "Deadline       2026-03-10 15:00:00 UTC = Tue 2026-03-10 11:00 EDT"
    )
    assert "Time zone      America/New_York (owner's, from --owner-timezone)" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--start", "2026-03-10T09:00", "--business-hours", "1"], "has no UTC offset"),
        (["--start", "next tuesday", "--business-hours", "1"], "is not an ISO 8601 time"),
        (["--start", "2026-03-10T09:00Z", "--business-hours", "-1"], "not in the range x>=0"),
        (["--start", "2026-03-10T09:00Z", "--business-hours", "nan"], "is not a number of hours"),
        (["--start", "2026-03-10T09:00Z", "--policy", "enterprize"], "did you mean 'enterprise'"),
        (["--start", "2026-03-10T09:00Z", "--owner-timezone", "Europe/Amsterdan"], "did you mean"),
        (["--business-hours", "1"], "Missing option '--start'"),
    ],
)
def test_bad_input_is_a_usage_error_without_traceback(baton, config_file, args, message):
    result = baton("--config", config_file, *args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_a_deadline_beyond_the_horizon_exits_1(baton):
    result = baton("--start", "2026-03-10T09:00Z", "--business-hours", "100000")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "error: no deadline within 1830 days" in result.stderr


def test_a_broken_config_file_exits_1(baton, tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(
        CONFIG
        + textwrap.dedent("""\
        scorecard:
          week_starts: someday
    """)
    )
    result = baton("--config", str(path), "--start", "2026-03-10T09:00Z")
    assert result.exit_code == 1
    assert "week_starts" in result.stderr


def test_a_country_the_holidays_library_lacks_exits_1(baton, tmp_path):
    # The config checks only the code's shape; the library knows which countries it has.
    path = tmp_path / "qq.yaml"
    path.write_text(CONFIG.replace("holidays: {extra: [2026-12-24]}", "holidays: {country: QQ}"))
    result = baton("--config", str(path), "--start", "2026-03-10T09:00Z")
    assert result.exit_code == 1
    assert "error: the holidays library has no public holidays for 'QQ'" in result.stderr


OWNER_CONFIG = (
    CONFIG
    + """\
  owner_calendars:
    "101": {timezone: America/New_York}
    "0057Q000002RmA1": {working_hours: {monday: "10:00-12:00", friday: closed}}
"""
)


def test_an_owner_in_another_time_zone_whose_summer_time_starts_earlier(baton, tmp_path):
    path = tmp_path / "owners.yaml"
    path.write_text(OWNER_CONFIG)
    # Mon 9 Mar 2026: New York is on EDT since Sunday (UTC-4), Amsterdam still on CET. The
    # owner's 09:00-17:30 are New York's: Mon 16:00-17:30 EDT (1.5 h), Tue 09:00-09:30 EDT.
    result = baton(
        "--start", "2026-03-09T16:00-04:00", "--business-hours", "2", "--owner", "101",
        "--config", str(path),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Owner          101: sla.owner_calendars 101"
    assert lines[1] == "Deadline       2026-03-10 13:30:00 UTC = Tue 2026-03-10 09:30 EDT"
    assert "Time zone      America/New_York (owner's, from sla.owner_calendars 101)" in lines


def test_an_owner_with_own_hours_and_one_without_a_calendar(baton, tmp_path):
    path = tmp_path / "owners.yaml"
    path.write_text(OWNER_CONFIG)
    # the 15-character id finds the 18-character key; Mon 10:00-12:00 only, Fri closed
    result = baton(
        "--start", "2026-03-09T11:00+01:00", "--business-hours", "2", "--owner",
        "0057Q000002RmA1QAK", "--config", str(path),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Deadline       2026-03-10 09:00:00 UTC = Tue 2026-03-10 10:00 CET" in result.output
    plain = baton(
        "--start", "2026-03-09T11:00+01:00", "--business-hours", "2", "--owner", "999",
        "--config", str(path),
    )  # fmt: skip
    assert plain.output.splitlines()[0] == (
        "Owner          999: sla.calendar (no calendar of their own)"
    )
    assert "Deadline       2026-03-09 12:00:00 UTC = Mon 2026-03-09 13:00 CET" in plain.output
    both = baton("--start", "2026-03-09T11:00+01:00", "--owner", "101", "--owner-timezone", "UTC")
    assert both.exit_code == 2 and "not both" in both.output
