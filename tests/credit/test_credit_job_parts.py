"""The credit job's pure parts: touches from CRM rows, the trigger, fingerprints, write-back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from adapters.salesforce.influence import plan
from connector.config.models.credit import CreditModel, HubSpotDealProperties
from connector.jobs.credit.compute import Attribution, Share
from connector.jobs.credit.fingerprint import inputs_digest, model_version
from connector.jobs.credit.timeline import Milestone, MilestoneAt, Money, Touch, build_timeline
from connector.jobs.credit.touches import (
    channel_code,
    end_of_day,
    hubspot_touches,
    milestones,
    parse_moment,
    response_touches,
)
from connector.jobs.credit.trigger import Action, deal_from_fields, decide
from connector.jobs.credit.writeback import hubspot_cleared, hubspot_properties, influence_rows

T0 = datetime(2026, 11, 1, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11-01T09:30:00.000Z", T0),
        ("2026-11-01T09:30:00.000+0000", T0),
        ("2026-11-01T10:30:00+01:00", T0),
        (str(int(T0.timestamp() * 1000)), T0),
        (int(T0.timestamp() * 1000), T0),
        ("2026-11-01", datetime(2026, 11, 1, tzinfo=UTC)),
        ("2026-11-01T09:30:00", None),  # no offset: refused, never guessed
        ("", None),
        (None, None),
        ("soon", None),
        ("99999999999999999", None),  # epoch ms past year 9999: refused, never a crash
        ("0001-01-01T00:00:00+14:00", None),  # before year 1 in UTC
    ],
)
def test_crm_times_parse_to_aware_utc(value, expected):
    assert parse_moment(value) == expected


def test_close_date_is_the_end_of_its_day():
    assert end_of_day("2026-11-01") == datetime(2026, 11, 1, 23, 59, 59, 999999, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("Webinar", "webinar"),
        ("PAID_SEARCH", "paid_search"),
        ("Trade Show!", "trade_show"),
        (None, "other"),
        ("", "other"),
    ],
)
def test_channels_are_codes(value, code):
    assert channel_code(value) == code


def test_campaign_responses_become_touches_at_the_start_of_the_response_day():
    rows = [
        {
            "Id": "00v1",
            "CampaignId": "7011",
            "FirstRespondedDate": "2026-11-02",
            "CampaignType": "Webinar",
        },
        {"Id": "00v2", "CampaignId": "7012", "FirstRespondedDate": None, "CampaignType": "Email"},
    ]
    (touch,) = response_touches(rows)
    assert touch == Touch(
        datetime(2026, 11, 2, tzinfo=UTC), "webinar", "7011", "salesforce", "00v1"
    )


def test_hubspot_sources_and_conversions_are_touches_named_by_the_contact():
    ms = str(int(T0.timestamp() * 1000))
    later = str(int((T0 + timedelta(days=3)).timestamp() * 1000))
    properties = {
        "hs_analytics_source": "ORGANIC_SEARCH",
        "hs_analytics_first_timestamp": ms,
        "hs_latest_source": "ORGANIC_SEARCH",
        "hs_latest_source_timestamp": ms,  # the same visit: one touch, not two
        "first_conversion_date": later,
        "recent_conversion_date": later,  # one conversion so far
    }
    touches = hubspot_touches("51", properties, sources=True, forms=True)
    assert [(t.touch_id, t.channel, t.campaign) for t in touches] == [
        ("51:original_source", "organic_search", None),
        ("51:first_conversion", "form_submission", None),
    ]
    assert hubspot_touches("51", properties, sources=False, forms=False) == []
    assert [t.touch_id for t in hubspot_touches("51", properties, sources=False, forms=True)] == [
        "51:first_conversion"
    ]


def test_only_reached_milestones_are_listed():
    assert milestones(lead_creation=T0, mql=None, opportunity_created=None, closed_won=None) == [
        MilestoneAt(Milestone.LEAD_CREATION, T0)
    ]


@pytest.mark.parametrize(
    ("fields", "credited", "action"),
    [
        ({"IsWon": True, "Amount": 10.0, "CloseDate": "2026-11-01"}, False, Action.CREDIT),
        ({"IsWon": "true", "Amount": 10.0, "CloseDate": "2026-11-01"}, True, Action.CREDIT),
        ({"IsWon": False, "IsClosed": True, "Amount": 10.0}, True, Action.REVERSE),
        ({"IsWon": False, "IsClosed": False, "Amount": 10.0}, True, Action.REVERSE),
        ({"IsWon": False, "IsClosed": False, "Amount": 10.0}, False, Action.NOTHING),
        (None, True, Action.REVERSE),  # deleted
        (None, False, Action.NOTHING),
    ],
)
def test_the_trigger_is_iswon_on_the_current_state(fields, credited, action):
    assert decide(deal_from_fields(fields), credited=credited) is action


def test_a_deal_without_amount_is_worth_zero():
    deal = deal_from_fields({"IsWon": True, "Amount": None, "CloseDate": "2026-11-01"})
    assert deal is not None and deal.amount == Decimal(0)


def _timeline(touches, amount=100001):
    won = MilestoneAt(Milestone.CLOSED_WON, T0 + timedelta(days=10))
    return build_timeline(touches, [won], Money(amount, "EUR"), lookback_days=365)


A = Touch(T0, "webinar", "7011", "salesforce", "00v1")
B = Touch(T0 + timedelta(days=1), "paid_search", None, "hubspot", "51:original_source")


def test_the_digest_does_not_depend_on_delivery_order_or_duplicates():
    versions = ["linear:1:abc"]
    assert inputs_digest(_timeline([A, B]), versions) == inputs_digest(
        _timeline([B, A, B]), versions
    )
    assert inputs_digest(_timeline([A, B]), versions) != inputs_digest(
        _timeline([A, B], amount=100000), versions
    )
    assert inputs_digest(_timeline([A]), versions) != inputs_digest(_timeline([A, B]), versions)
    assert inputs_digest(_timeline([A]), versions) != inputs_digest(_timeline([A]), ["other"])


def test_a_model_version_changes_with_its_options_not_its_name():
    plain = CreditModel.model_validate("time_decay")
    renamed = CreditModel.model_validate({"model": "time_decay", "name": "decay"})
    faster = CreditModel.model_validate({"model": "time_decay", "half_life_days": 3})
    assert model_version(plain) == model_version(renamed)
    assert model_version(plain) != model_version(faster)
    assert model_version(plain).startswith("time_decay:1:")


def _result(shares, amount=100001):
    return Attribution("linear", "linear", Money(amount, "EUR"), tuple(shares))


def test_hubspot_properties_summarise_by_channel_and_campaign():
    result = _result([Share(A, 50000), Share(B, 50001)])
    names = HubSpotDealProperties()
    at = datetime(2026, 12, 3, 13, 0, tzinfo=UTC)
    assert hubspot_properties(result, names, at) == {
        "baton_credit_summary": "linear, EUR: webinar (7011): 500.00; paid_search: 500.01",
        "baton_top_channel": "paid_search",
        "baton_credit_computed_at": "2026-12-03T13:00:00Z",
    }
    tie = _result([Share(A, 50000), Share(B, 50000)], amount=100000)
    assert hubspot_properties(tie, names, at)["baton_top_channel"] == "webinar", "earlier wins"
    assert set(hubspot_cleared(names).values()) == {""}


def test_influence_is_the_percent_of_the_amount_per_campaign_and_contact():
    c = Touch(T0 + timedelta(days=2), "email", "7012", "salesforce", "00v2")
    d = Touch(T0 + timedelta(days=3), "webinar", "7011", "salesforce", "00v3")
    shares = [Share(A, 25000), Share(B, 25001), Share(c, 25000), Share(d, 25000)]
    contact_of = {"00v1": "0031", "00v2": "0031", "00v3": "0031"}
    rows = influence_rows(_result(shares), contact_of)
    assert rows == (
        {"CampaignId": "7011", "ContactId": "0031", "Influence": 50.0},
        {"CampaignId": "7012", "ContactId": "0031", "Influence": 25.0},
    ), "two responses to one campaign by one contact are one row; HubSpot's share is left out"
    assert influence_rows(_result([Share(B, 100001)]), {}) == ()
    zero = influence_rows(_result([Share(A, 0)], amount=0), contact_of)
    assert zero == ({"CampaignId": "7011", "ContactId": "0031", "Influence": 0.0},)


def test_influence_percents_never_exceed_the_whole():
    touches = [
        Touch(T0 + timedelta(hours=i), "x", f"70{i}", "salesforce", f"00v{i}") for i in range(3)
    ]
    rows = influence_rows(
        _result([Share(t, m) for t, m in zip(touches, (33334, 33334, 33333), strict=True)]), {}
    )
    assert sum(round(r["Influence"] * 100) for r in rows) == 10000


def test_the_influence_plan_changes_only_what_differs():
    current = [
        {"Id": "0sB1", "CampaignId": "7011", "ContactId": "0031", "Influence": 50.0},
        {"Id": "0sB2", "CampaignId": "7012", "ContactId": "0031", "Influence": 50.0},
    ]
    assert plan(current, [dict(r) for r in current], "0061", "03M1") == []
    wanted = [
        {"CampaignId": "7011", "ContactId": "0031", "Influence": 40.0},
        {"CampaignId": "7013", "ContactId": None, "Influence": 60.0},
    ]
    subrequests = plan(current, wanted, "0061", "03M1")
    assert [(s["method"], s["url"]) for s in subrequests] == [
        ("DELETE", "sobjects/CampaignInfluence/0sB2"),
        ("PATCH", "sobjects/CampaignInfluence/0sB1"),
        ("POST", "sobjects/CampaignInfluence"),
    ]
    assert subrequests[2]["body"] == {
        "CampaignId": "7013",
        "OpportunityId": "0061",
        "ContactId": None,
        "ModelId": "03M1",
        "Influence": 60.0,
    }
    assert [s["method"] for s in plan(current, [], "0061", "03M1")] == ["DELETE", "DELETE"]
