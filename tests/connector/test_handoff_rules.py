"""Pure hand-off rules: the written MQL definition and ordered routing with round-robin."""

from __future__ import annotations

import pytest

from connector.config.models.criteria import Criterion, Threshold
from connector.config.models.handoff import MqlDefinition
from connector.config.models.routing import RoutingConfig, RoutingRule, Team
from connector.config.salesforce_ids import to_18
from connector.jobs.lifecycle.handoff import criterion_holds, mql_hold_reasons, route

ENT = (to_18("005000000000001"), to_18("005000000000002"))
SMB = (to_18("005000000000003"),)
PARTNER = (to_18("005000000000004"),)
QUEUE = to_18("00G000000000001")


def routing() -> RoutingConfig:
    return RoutingConfig(
        rules=(
            RoutingRule(
                name="partner",
                when=(Criterion(property="lead_source_detail", op="eq", value="partner"),),
                team="partners",
            ),
            RoutingRule(
                name="enterprise",
                when=(Criterion(property="numemployees", op="gte", value=1000),),
                team="enterprise",
            ),
            RoutingRule(
                name="benelux",
                when=(Criterion(property="country", op="in", value=["NL", "BE", "LU"]),),
                team="smb",
            ),
        ),
        teams={
            "enterprise": Team(members=ENT),
            "smb": Team(members=SMB),
            "partners": Team(members=PARTNER),
        },
        fallback_queue=QUEUE,
    )


@pytest.mark.parametrize(
    ("props", "team", "owner"),
    [
        ({"lead_source_detail": "Partner", "numemployees": "5000"}, "partners", PARTNER[0]),
        ({"numemployees": "5000", "country": "NL"}, "enterprise", ENT[0]),
        ({"numemployees": "40", "country": "nl"}, "smb", SMB[0]),
        ({"numemployees": "40", "country": "DE"}, None, QUEUE),
        ({"numemployees": "not a number", "country": "FR"}, None, QUEUE),
    ],
    ids=["partner-first", "enterprise-by-size", "region", "fallback", "bad-number-falls-back"],
)
def test_routing_rules_apply_in_order(props, team, owner):
    chosen = route(routing(), props, {})
    assert (chosen.team, chosen.owner_id) == (team, owner)


def test_round_robin_walks_the_team_and_is_deterministic():
    counters: dict[str, int] = {}
    owners = []
    for _ in range(5):
        chosen = route(routing(), {"numemployees": "2000"}, counters)
        counters[chosen.team] = chosen.next_counter
        owners.append(chosen.owner_id)
    assert owners == [ENT[0], ENT[1], ENT[0], ENT[1], ENT[0]]
    assert route(routing(), {"numemployees": "2000"}, {"enterprise": 3}).owner_id == ENT[1]


def test_mql_definition_names_every_failing_part():
    definition = MqlDefinition(
        required_properties=("email", "company", "jobtitle"),
        criteria=(Criterion(property="country", op="in", value=["NL", "BE"]),),
        behaviour=(Threshold(property="hs_analytics_num_page_views", min=3),),
    )
    reasons = mql_hold_reasons(
        definition,
        {"email": "a@b.nl", "company": "", "country": "DE", "hs_analytics_num_page_views": "1"},
    )
    assert reasons == [
        "missing company",
        "missing jobtitle",
        "does not meet: country in ('NL', 'BE') (is 'DE')",
        "hs_analytics_num_page_views is 1, needs at least 3",
    ]
    assert (
        mql_hold_reasons(
            definition,
            {
                "email": "a@b.nl",
                "company": "Acme",
                "jobtitle": "CFO",
                "country": "be",
                "hs_analytics_num_page_views": "7",
            },
        )
        == []
    )


def test_hold_reasons_name_properties_by_their_labels_else_their_api_names():
    definition = MqlDefinition(
        required_properties=("jobtitle",),
        criteria=(Criterion(property="country", op="in", value=["NL"]),),
        behaviour=(Threshold(property="hs_analytics_num_page_views", min=3),),
    )
    labels = {"hs_analytics_num_page_views": "Number of Pageviews", "jobtitle": "Job Title"}
    reasons = mql_hold_reasons(
        definition, {"country": "DE", "hs_analytics_num_page_views": "1"}, labels
    )
    assert reasons == [
        "missing Job Title",
        "does not meet: country in ('NL',) (is 'DE')",  # no label known: the API name
        "Number of Pageviews is 1, needs at least 3",
    ]


@pytest.mark.parametrize(
    ("op", "value", "actual", "expected"),
    [
        ("exists", True, "x", True),
        ("exists", True, "", False),
        ("exists", False, None, True),
        ("ne", "a", None, True),
        ("not_in", ["a"], "b", True),
        ("contains", "sales", "Head of Sales", True),
        ("lte", 10, "11", False),
        ("eq", "NL", "nl ", True),
    ],
)
def test_criterion_operators(op, value, actual, expected):
    assert criterion_holds(Criterion(property="p", op=op, value=value), {"p": actual}) is expected


@pytest.mark.parametrize(
    ("actual", "expected"),
    [
        ("1000+", True),
        ("500-1000", False),
        ("1,200", True),
        ("1000", True),
        ("lots", False),
        ("", False),
        ("-", False),
    ],
)
def test_company_size_ranges_count_by_their_lower_bound(actual, expected):
    rule = Criterion(property="numemployees", op="gte", value=1000)
    assert criterion_holds(rule, {"numemployees": actual}) is expected
