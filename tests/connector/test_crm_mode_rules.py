"""The pure pieces of single-CRM mode: the mode, routing to HubSpot owners, the config checks."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from connector.config import default_config, with_changes
from connector.config.issues import ConfigError
from connector.config.models.crm_mode import crm_mode
from connector.config.models.routing import RoutingConfig
from connector.jobs.lifecycle.handoff import route

REP_A, REP_B = "0057Q000002RmA1QAK", "0057Q000002RmA2QAK"


@pytest.mark.parametrize(
    ("hubspot", "salesforce", "mode"),
    [(True, False, "hubspot"), (False, True, "salesforce"), (True, True, "both")],
)
def test_the_mode_follows_the_two_switches(hubspot: bool, salesforce: bool, mode: str) -> None:
    assert crm_mode(hubspot, salesforce) == mode


def _routing() -> RoutingConfig:
    return RoutingConfig.model_validate(
        {
            "rules": [{"name": "nl", "when": [{"property": "country", "op": "eq",
                                               "value": "NL"}], "team": "nl"}],
            "teams": {"nl": {"members": [REP_A, REP_B], "hubspot_owners": ["101", "102"]}},
            "fallback_queue": "00G7Q000001NuRtUAK",
            "hubspot_fallback_owner": "100",
        }
    )  # fmt: skip


def test_the_same_rules_route_to_hubspot_owners_when_hubspot_is_alone() -> None:
    routing = _routing()
    picks = [route(routing, {"country": "NL"}, {"nl": n}, in_hubspot=True) for n in (0, 1, 2)]
    assert [p.owner_id for p in picks] == ["101", "102", "101"]
    assert [p.next_counter for p in picks] == [1, 2, 3]
    assert route(routing, {"country": "NL"}, {}).owner_id == REP_A  # beside Salesforce
    assert route(routing, {"country": "DE"}, {}, in_hubspot=True).owner_id == "100"
    assert route(routing, {"country": "DE"}, {}).owner_id == "00G7Q000001NuRtUAK"


def test_a_team_needs_reps_in_the_crm_that_is_connected() -> None:
    teams = {"nl": {"members": [REP_A]}}
    config = default_config()
    with_changes(config, {"routing.teams": teams})  # beside Salesforce: fine
    with pytest.raises((ConfigError, ValidationError)) as refused:
        with_changes(config, {"routing.teams": teams, "salesforce.enabled": False})
    assert "hubspot_owners" in str(refused.value)
    with pytest.raises((ConfigError, ValidationError)):
        RoutingConfig.model_validate({"teams": {"nl": {"hubspot_owners": ["rep-a"]}}})


def test_hubspot_stage_sources_must_name_known_stages() -> None:
    with pytest.raises((ConfigError, ValidationError)) as refused:
        with_changes(
            default_config(),
            {"lifecycle.within_hubspot": {"deal_stages": {"closedwon": "custmer"}}},
        )
    assert "custmer" in str(refused.value)
