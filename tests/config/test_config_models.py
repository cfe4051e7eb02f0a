"""The schema's own validators, exercised in code (no YAML): what each one accepts and refuses."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from pydantic import BaseModel, SecretStr, ValidationError

from connector.config import BatonConfig, default_config, with_changes
from connector.config.defaults import SANDBOX_SALESFORCE_ORG_ID
from connector.config.models import (
    CreditConfig,
    Criterion,
    EscalationConfig,
    EscalationStep,
    HandoffConfig,
    LifecycleConfig,
    RoutingConfig,
    SalesforceValue,
    SlaConfig,
    WorkingHours,
)
from connector.config.models.notifiers import EmailNotifier
from connector.config.salesforce_ids import to_18
from connector.config.validation import located_problems

USER_A, USER_B, USER_C = (to_18(f"0057Q000002RmA{n}") for n in (1, 2, 3))


def problems(model: type[BaseModel], data: dict[str, Any]) -> list[tuple[str, str]]:
    """Validate ``data`` and return (dotted path, message) for every problem."""
    with pytest.raises(ValidationError) as caught:
        model.model_validate(data)
    return [
        (".".join(str(part) for part in path), message)
        for path, message, _ in located_problems(caught.value)
    ]


# --- the built-in config and how it is changed --------------------------------------------------


def test_default_config_is_valid_for_both_sandboxes():
    config = default_config(hubspot_base_url="http://127.0.0.1:9001/")

    assert config.hubspot.enabled and config.salesforce.enabled
    assert config.hubspot.base_url == "http://127.0.0.1:9001"
    assert config.salesforce.organization_ids == (SANDBOX_SALESFORCE_ORG_ID,)
    assert isinstance(config.salesforce.auth.session_id, SecretStr)
    assert {m.hubspot for m in config.lifecycle.stages} >= {"marketingqualifiedlead"}


def test_config_is_frozen():
    config = default_config()

    with pytest.raises(ValidationError):
        config.hubspot.portal_id = 1  # type: ignore[misc]


def test_with_changes_revalidates():
    config = default_config()

    changed = with_changes(config, {"service.log_level": "debug", "hubspot.portal_id": 7})

    assert (changed.service.log_level, changed.hubspot.portal_id) == ("DEBUG", 7)
    assert changed.hubspot.access_token == config.hubspot.access_token
    with pytest.raises(ValidationError):
        with_changes(config, {"sla.calendar.timezone": "Mars/Olympus_Mons"})
    with pytest.raises(KeyError):
        with_changes(config, {"hubspot.portl_id": 7})


def test_a_missing_crm_section_means_that_crm_is_off():
    salesforce_only = BatonConfig.model_validate(
        {
            "salesforce": {
                "instance_url": "https://acme.my.salesforce.com",
                "auth": {"session_id": SecretStr("s")},
                "organization_ids": ["00D7Q000004KxYz"],
                "json_webhook_secret": SecretStr("j"),
            }
        }
    )

    assert not salesforce_only.hubspot.enabled
    assert problems(BatonConfig, {}) == [
        ("", "enable hubspot, salesforce or both (each section has `enabled`)")
    ]


# --- ids and small value types ------------------------------------------------------------------


def test_salesforce_ids_are_normalised_and_checked():
    assert to_18("00D7Q000004KxYz") == "00D7Q000004KxYzUAK"
    assert to_18("00D7Q000004KxYzUAK") == "00D7Q000004KxYzUAK"
    for bad in ("00D7Q000004kxyzUAK", "00D7Q000004KxYzuak", "00D7Q", "00D7Q000004KxY!"):
        with pytest.raises(ValueError):
            to_18(bad)

    found = problems(RoutingConfig, {"teams": {"t": {"members": ["00G7Q000001NuRt"]}}})
    assert found == [("teams.t.members.0", found[0][1])]
    assert "start with 005" in found[0][1]


@pytest.mark.parametrize(
    ("data", "value"),
    [
        ({"property": "email", "op": "exists"}, True),
        ({"property": "country", "op": "in", "value": ["NL", "BE"]}, ("NL", "BE")),
        ({"property": "numemployees", "op": "gte", "value": 250}, 250),
        ({"property": "jobtitle", "op": "contains", "value": "Director"}, "Director"),
    ],
)
def test_criteria_accept_values_that_fit_their_operator(data, value):
    assert Criterion.model_validate(data).value == value


@pytest.mark.parametrize(
    "data",
    [
        {"property": "country", "op": "in", "value": "NL"},
        {"property": "country", "op": "in", "value": []},
        {"property": "numemployees", "op": "gte", "value": "many"},
        {"property": "jobtitle", "op": "eq", "value": ["a", "b"]},
        {"property": "jobtitle", "op": "eq"},
        {"property": "email", "op": "exists", "value": "yes please"},
        {"property": "Job Title", "op": "eq", "value": "x"},
    ],
)
def test_criteria_refuse_values_that_do_not_fit(data):
    with pytest.raises(ValidationError):
        Criterion.model_validate(data)


# --- lifecycle ----------------------------------------------------------------------------------


def test_salesforce_field_defaults_by_object():
    assert SalesforceValue(object="Lead", value="Open").field == "Status"
    assert SalesforceValue(object="Opportunity", value="Closed Won").field == "StageName"
    with pytest.raises(ValidationError, match="Contact has no standard stage field"):
        SalesforceValue(object="Contact", value="Customer")
    with pytest.raises(ValidationError, match="use StageName"):
        SalesforceValue(object="Opportunity", field="Status", value="Closed Won")


def test_same_source_may_feed_different_objects_and_directions():
    lifecycle = LifecycleConfig.model_validate(
        {
            "stages": [
                {
                    "hubspot": "customer",
                    "salesforce": {"object": "Lead", "value": "Closed - Converted"},
                },
                {
                    "hubspot": "customer",
                    "salesforce": {"object": "Contact", "field": "Stage__c", "value": "C"},
                },
                {
                    "hubspot": "opportunity",
                    "salesforce": {"object": "Lead", "value": "Closed - Converted"},
                    "direction": "hubspot_to_salesforce",
                },
            ]
        }
    )

    assert len(lifecycle.stages) == 3


def test_duplicate_sources_are_reported_per_direction():
    found = problems(
        LifecycleConfig,
        {
            "stages": [
                {"hubspot": "lead", "salesforce": {"value": "Open"}},
                {"hubspot": "lead", "salesforce": {"value": "Working"}},
            ],
            "opportunity_stages": [
                {"is_won": True, "hubspot": "customer"},
                {"is_won": True, "hubspot": "evangelist"},
            ],
        },
    )

    assert [path for path, _ in found] == ["stages.1.hubspot", "opportunity_stages.1.is_won"]


def test_stage_order_defines_which_stages_exist():
    custom = {"stage_order": ["lead", "153180554", "customer"]}
    assert LifecycleConfig.model_validate(
        {**custom, "stages": [{"hubspot": "153180554", "salesforce": {"value": "Open"}}]}
    )
    found = problems(
        LifecycleConfig,
        {
            **custom,
            "stages": [{"hubspot": "marketingqualifiedlead", "salesforce": {"value": "Open"}}],
        },
    )
    assert found == [("stages.0.hubspot", found[0][1])]
    assert "not in lifecycle.stage_order" in found[0][1]
    assert problems(LifecycleConfig, {"stage_order": ["lead", "lead"]})[0][1].endswith("lead")


def test_numeric_custom_stage_is_accepted_without_stage_order():
    lifecycle = LifecycleConfig.model_validate(
        {"stages": [{"hubspot": "153180554", "salesforce": {"value": "Open"}}]}
    )
    assert lifecycle.is_known_stage("153180554")
    assert not lifecycle.is_known_stage("customerr")


# --- hand-off and routing -----------------------------------------------------------------------


def test_two_properties_cannot_write_one_lead_field():
    with pytest.raises(ValidationError, match=r"both write Lead\.LeadSource"):
        HandoffConfig.model_validate(
            {
                "context_fields": {
                    "hs_analytics_source": "LeadSource",
                    "hs_latest_source": "LeadSource",
                }
            }
        )


def test_routing_rule_names_are_unique_and_teams_exist():
    found = problems(
        RoutingConfig,
        {
            "rules": [{"name": "a", "team": "sales"}, {"name": "a", "team": "sales"}],
            "teams": {"sales": {"members": [USER_A]}},
        },
    )
    assert [path for path, _ in found] == ["rules.1.name"]


# --- calendar and SLA ---------------------------------------------------------------------------


def test_working_hours_accept_several_ranges_and_midnight():
    hours = WorkingHours(monday="08:00-12:00, 13:00-17:00", sunday="22:00-24:00")

    assert [(r.start_minute, r.end_minute) for r in hours.monday] == [(480, 720), (780, 1020)]
    assert hours.for_weekday(6)[0].end_minute == 1440
    assert hours.for_weekday(5) == ()


@pytest.mark.parametrize("day", ["09:00-12:00, 11:00-17:00", "08:61-09:00", "09:00-24:30", "nine"])
def test_working_hours_refuse_nonsense(day):
    with pytest.raises(ValidationError):
        WorkingHours(monday=day)


def test_a_week_without_working_hours_is_refused():
    closed = dict.fromkeys(("monday", "tuesday", "wednesday", "thursday", "friday"), "closed")
    with pytest.raises(ValidationError, match="every day is closed"):
        WorkingHours(**closed)


def test_policy_for_prefers_the_team_policy():
    sla = SlaConfig.model_validate(
        {
            "policies": [
                {"name": "standard", "applies_to": "all"},
                {"name": "fast", "applies_to": ["enterprise"], "first_response_business_hours": 2},
            ]
        }
    )

    assert sla.policy_for("enterprise").name == "fast"
    assert sla.policy_for("smb").name == "standard"
    assert sla.policy_for(None).name == "standard"


def test_a_team_gets_at_most_one_policy():
    found = problems(
        SlaConfig,
        {
            "policies": [
                {"name": "a", "applies_to": ["smb"]},
                {"name": "b", "applies_to": ["smb"]},
                {"name": "c", "applies_to": "all"},
                {"name": "d", "applies_to": "all"},
            ]
        },
    )
    assert [path for path, _ in found] == ["policies.1.applies_to.0", "policies.3.applies_to.0"]
    with pytest.raises(ValidationError, match="not both"):
        SlaConfig.model_validate({"policies": [{"name": "a", "applies_to": ["all", "smb"]}]})


# --- escalation ---------------------------------------------------------------------------------


def test_managers_are_normalised_and_loops_refused():
    escalation = EscalationConfig(managers={"0057Q000002RmA1": USER_B, "81234567": "81234599"})

    assert escalation.manager_of("0057Q000002RmA1") == USER_B
    assert escalation.manager_of(USER_A) == USER_B
    assert escalation.manager_of("81234567") == "81234599"
    with pytest.raises(ValidationError, match="loop"):
        EscalationConfig(managers={USER_A: USER_B, USER_B: USER_C, USER_C: USER_A})
    with pytest.raises(ValidationError, match="neither a Salesforce user id"):
        EscalationConfig(managers={"jan@voorbeeld.nl": USER_B})


def test_a_crm_task_needs_a_crm_user():
    with pytest.raises(ValidationError, match="crm_task needs a CRM user"):
        EscalationStep(after_business_hours=1, notify="revops@voorbeeld.nl", channels=["crm_task"])
    assert EscalationStep(after_business_hours=1, notify="Manager").notify == "manager"


def test_equal_ladder_steps_are_out_of_order():
    step = {"notify": "owner", "channels": ["crm_task"]}
    found = problems(
        EscalationConfig,
        {"ladder": [{**step, "after_business_hours": 2}, {**step, "after_business_hours": 2}]},
    )
    assert [path for path, _ in found] == ["ladder.1.after_business_hours"]


# --- credit -------------------------------------------------------------------------------------


def test_position_models_get_standard_weights():
    credit = CreditConfig.model_validate(
        {"models": ["u_shaped", "w_shaped"], "primary_model": "u_shaped"}
    )

    assert credit.model_named("u_shaped").weights == {
        "first_touch": Decimal(40),
        "lead_creation": Decimal(40),
        "middle": Decimal(20),
    }
    assert sum(credit.model_named("w_shaped").weights.values()) == 100


def test_full_path_and_markov_get_their_defaults():
    credit = CreditConfig.model_validate(
        {"models": ["full_path", "markov"], "primary_model": "full_path"}
    )

    assert credit.model_named("full_path").weights == {
        "first_touch": Decimal("22.5"),
        "lead_creation": Decimal("22.5"),
        "opportunity_creation": Decimal("22.5"),
        "closed_won": Decimal("22.5"),
        "middle": Decimal(10),
    }
    assert credit.model_named("markov").min_journeys == 100
    assert credit.model_named("full_path").min_journeys is None


def test_fractional_weights_must_still_sum_to_exactly_100():
    weights = {"first_touch": 33.33, "lead_creation": 33.33, "middle": 33.34}
    credit = CreditConfig.model_validate(
        {"models": [{"model": "u_shaped", "weights": weights}], "primary_model": "u_shaped"}
    )
    assert sum(credit.models[0].weights.values()) == 100

    found = problems(
        CreditConfig,
        {
            "models": [{"model": "u_shaped", "weights": {**weights, "middle": 33.33}}],
            "primary_model": "u_shaped",
        },
    )
    assert found == [("models.0.weights", "weights must sum to 100, not 99.99")]


@pytest.mark.parametrize(
    ("entry", "words"),
    [
        ({"model": "linear", "weights": {"middle": 100}}, "only u_shaped, w_shaped and full_path"),
        ({"model": "linear", "half_life_days": 7}, "only time_decay"),
        ({"model": "linear", "min_journeys": 50}, "only markov"),
        ({"model": "full_path", "weights": {"first_touch": 50, "middle": 50}}, "exactly"),
        ({"model": "u_shaped", "weights": {"first_touch": 50, "middle": 50}}, "exactly"),
    ],
)
def test_model_options_must_fit_the_model(entry, words):
    found = problems(CreditConfig, {"models": [entry], "primary_model": "linear"})
    assert words in found[0][1]


def test_model_names_are_unique_and_primary_must_exist():
    found = problems(
        CreditConfig,
        {"models": ["linear", {"model": "linear"}, "time_decay"], "primary_model": "time_decy"},
    )
    assert found[0][0] == "models.1.name"
    assert found[1] == (
        "primary_model",
        "'time_decy' is not one of the models listed (did you mean 'time_decay'?)",
    )


# --- notifiers ----------------------------------------------------------------------------------


def test_smtp_login_needs_both_halves():
    with pytest.raises(ValidationError, match="both username and password"):
        EmailNotifier(
            smtp_host="smtp.voorbeeld.nl", from_address="baton@voorbeeld.nl", username="u"
        )
