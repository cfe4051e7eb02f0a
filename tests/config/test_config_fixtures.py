"""Each broken fixture yields exactly the expected problems, at the right file, line and key."""

from __future__ import annotations

import pytest
from config_testing import FIXTURES

# Map fixture: the (line, key path, words in the message) of every problem it must produce.
EXPECTED = {
    "unknown_key.yaml": [(3, "hubspot.portl_id", "did you mean 'portal_id'")],
    "literal_secret.yaml": [(4, "hubspot.access_token", "${HUBSPOT_ACCESS_TOKEN}")],
    "unset_env.yaml": [(5, "hubspot.client_secret", "BATON_TEST_NEVER_SET_SECRET is not set")],
    "syntax_error.yaml": [(5, "", "YAML syntax error")],
    "duplicate_keys.yaml": [
        (6, "hubspot.portal_id", "first given on line 3"),
        (9, "service.log_level", "first given on line 8"),
    ],
    "bad_lifecycle.yaml": [
        (8, "lifecycle.stages[0].hubspot", "unknown lifecycle stage 'marketingqualifedlead'"),
        (16, "lifecycle.stages[2].salesforce.value", "duplicate mapping source"),
    ],
    "bad_routing.yaml": [(13, "routing.rules[0].team", "unknown team 'benelux_sales'")],
    "bad_calendar.yaml": [
        (8, "sla.calendar.timezone", "did you mean 'Europe/Amsterdam'"),
        (10, "sla.calendar.working_hours.monday", "ends before it starts"),
        (14, "sla.calendar.holidays.removed[0]", "both in extra and in removed"),
    ],
    "bad_ladder.yaml": [
        (14, "escalation.ladder[2].after_business_hours", "strictly increasing"),
    ],
    "bad_credit.yaml": [(10, "credit.models[1].weights", "sum to 100, not 110")],
    "cross_section.yaml": [
        (13, "sla.policies[0].applies_to[0]", "unknown team 'salse' (did you mean 'sales'?)"),
        (20, "escalation.ladder[0].channels[0]", "needs notifiers.email"),
        (22, "recycle.hubspot_stage", "must move the contact back"),
    ],
    "typo_and_cross_section.yaml": [
        (3, "service.log_format", "not 'xml'"),
        (15, "sla.policies[0].applies_to[0]", "unknown team 'salse'"),
        (20, "escalation.ladder[0].channels[0]", "needs notifiers.slack"),
    ],
    "bad_salesforce.yaml": [
        (3, "salesforce.instance_url", "https://"),
        (4, "salesforce.api_version", "59.0"),
        (8, "salesforce.organization_ids[0]", "do not match"),
    ],
    "many_errors.yaml": [
        (3, "service.log_format", "'json' or 'text', not 'xml'"),
        (9, "hubspot.rate_limit.share", "less than or equal to 1"),
        (11, "store.database_url", "unsupported database 'mysql'"),
        (15, "sla.calendar.working_hours.tuesday", "09:00-17:30"),
        (17, "scorecard.week_starts", "not 'someday'"),
        (18, "scorecard.send_at", "time"),
    ],
    "neither_crm.yaml": [(2, "", "enable hubspot, salesforce or both")],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_reports_each_problem_at_its_line(name, errors_of):
    issues = errors_of(name)

    expected = [(line, key) for line, key, _ in EXPECTED[name]]
    assert [(issue.line, issue.key_path) for issue in issues] == expected
    for issue, (_, _, words) in zip(issues, EXPECTED[name], strict=True):
        assert words in issue.message
        assert issue.file == str(FIXTURES / name)
        assert issue.column is not None and issue.column >= 1


def test_every_broken_fixture_is_covered():
    shipped = {path.name for path in FIXTURES.glob("*.yaml") if not path.name.startswith("valid")}
    assert shipped == set(EXPECTED)


def test_columns_point_at_the_offending_text(errors_of):
    (issue,) = errors_of("unknown_key.yaml")
    line = (FIXTURES / "unknown_key.yaml").read_text().splitlines()[issue.line - 1]
    assert line[issue.column - 1 :].startswith("portl_id")


def test_many_errors_are_reported_at_once_in_file_order(errors_of):
    issues = errors_of("many_errors.yaml")

    assert len({issue.key_path.split(".")[0] for issue in issues}) == 5
    assert [issue.line for issue in issues] == sorted(issue.line for issue in issues)
