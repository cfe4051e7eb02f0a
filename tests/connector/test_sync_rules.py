"""Table-driven tests of the pure lifecycle rules: no store, no HTTP."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from connector.jobs.lifecycle.mapping import (
    DEFAULT_LIFECYCLE_ORDER,
    LEAD_STATUS,
    Direction,
    Policy,
    StageEntry,
    StageMap,
    entries_from_pairs,
)
from connector.jobs.lifecycle.rules import HUBSPOT, SALESFORCE, Change, SideState, decide

T = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def stage_map(policy: Policy = Policy.NEWEST_WINS) -> StageMap:
    pairs = [
        ("lead", "Open - Not Contacted", "both"),
        ("marketingqualifiedlead", "Marketing Qualified", "both"),
        ("salesqualifiedlead", "Working - Contacted", "both"),
        ("customer", "Closed - Converted", "salesforce_to_hubspot"),
        ("other", "Archived", "hubspot_to_salesforce"),
    ]
    entries = [replace(e, policy=policy) for e in entries_from_pairs(pairs)]
    entries.append(
        StageEntry(LEAD_STATUS, "BAD_TIMING", "Lead", "Status", "Nurture", Direction.BOTH, policy)
    )
    return StageMap(tuple(entries), DEFAULT_LIFECYCLE_ORDER)


def hs(stage: str, value: str | None, minutes: int = 0) -> Change:
    return Change(HUBSPOT, stage, value, T + timedelta(minutes=minutes))


def sf(value: str, minutes: int = 0) -> Change:
    return Change(SALESFORCE, "Status", value, T + timedelta(minutes=minutes))


def side(minutes: int | None = None, **values: str) -> SideState:
    at = None if minutes is None else T + timedelta(minutes=minutes)
    return SideState(values, at)


@pytest.mark.parametrize(
    ("change", "own", "other", "expected_fields", "backwards", "reason"),
    [
        pytest.param(
            hs("lifecyclestage", "marketingqualifiedlead"),
            side(),
            side(),
            {"Status": "Marketing Qualified"},
            False,
            "carried across",
            id="hs-to-sf",
        ),
        pytest.param(
            sf("Working - Contacted"),
            side(),
            side(lifecyclestage="marketingqualifiedlead"),
            {"lifecyclestage": "salesqualifiedlead"},
            False,
            "carried across",
            id="sf-to-hs-forward",
        ),
        pytest.param(
            sf("Open - Not Contacted"),
            side(),
            side(lifecyclestage="salesqualifiedlead"),
            {"lifecyclestage": "lead"},
            True,
            "carried across",
            id="sf-to-hs-backwards",
        ),
        pytest.param(
            sf("Nurture"),
            side(),
            side(),
            {"hs_lead_status": "BAD_TIMING"},
            False,
            "carried across",
            id="lead-status",
        ),
        pytest.param(
            hs("lifecyclestage", "marketingqualifiedlead"),
            side(),
            side(Status="Marketing Qualified"),
            None,
            False,
            "already in agreement",
            id="agreement-no-write",
        ),
        pytest.param(
            hs("lifecyclestage", "lead", minutes=-5),
            side(minutes=0),
            side(),
            None,
            False,
            "stale",
            id="stale-on-own-side",
        ),
        pytest.param(
            hs("lifecyclestage", "salesqualifiedlead", minutes=1),
            side(),
            side(3),
            None,
            False,
            "newest change wins",
            id="other-side-newer",
        ),
        pytest.param(
            hs("lifecyclestage", "customer"),
            side(),
            side(),
            None,
            False,
            "does not carry changes from hubspot",
            id="one-way-mapping",
        ),
        pytest.param(
            hs("lifecyclestage", "evangelist"),
            side(),
            side(),
            None,
            False,
            "lifecyclestage value 'evangelist' is not mapped (no lifecycle.stages entry)",
            id="unknown-hubspot-value",
        ),
        pytest.param(
            sf("Reopened by mistake"),
            side(),
            side(),
            None,
            False,
            "Salesforce Lead Status value 'Reopened by mistake' is not mapped",
            id="unknown-salesforce-value",
        ),
        pytest.param(
            hs("lifecyclestage", ""),
            side(),
            side(),
            None,
            False,
            "cleared",
            id="clear-is-not-carried",
        ),
    ],
)
def test_newest_wins_decisions(change, own, other, expected_fields, backwards, reason):
    other_object = "Lead" if change.source == HUBSPOT else "contacts"
    decision = decide(change, own, other, stage_map(), other_object)
    assert reason in decision.reason
    if expected_fields is None:
        assert decision.is_noop
    else:
        (write,) = decision.writes
        assert dict(write.fields) == expected_fields
        assert write.backwards is backwards
        assert write.side == (SALESFORCE if change.source == HUBSPOT else HUBSPOT)


def test_a_change_overwritten_by_a_later_baton_write_is_healed_on_its_own_side():
    own = SideState({"Status": "Qualified"}, T, T + timedelta(minutes=9), {"Status": "Qualified"})
    decision = decide(sf("Working - Contacted", minutes=5), own, side(), stage_map(), "contacts")
    heal, carry = decision.writes
    assert (heal.side, dict(heal.fields)) == (SALESFORCE, {"Status": "Working - Contacted"})
    assert (carry.side, dict(carry.fields)) == (HUBSPOT, {"lifecyclestage": "salesqualifiedlead"})
    assert heal.at == carry.at == T + timedelta(minutes=5)  # carries the change's logical time


def test_stale_change_is_not_even_recorded():
    decision = decide(hs("lifecyclestage", "lead", -1), side(0), side(), stage_map(), "Lead")
    assert decision.record is False


def test_hubspot_as_source_of_truth_writes_its_value_back_over_salesforce():
    decision = decide(
        sf("Working - Contacted", minutes=5),
        side(),
        side(lifecyclestage="marketingqualifiedlead"),
        stage_map(Policy.HUBSPOT_WINS),
        "contacts",
    )
    assert "hubspot is the source of truth" in decision.reason
    (write,) = decision.writes
    assert write.side == SALESFORCE and dict(write.fields) == {"Status": "Marketing Qualified"}


def test_salesforce_as_source_of_truth_reverts_a_hubspot_change():
    decision = decide(
        hs("lifecyclestage", "salesqualifiedlead", minutes=5),
        side(),
        side(Status="Open - Not Contacted"),
        stage_map(Policy.SALESFORCE_WINS),
        "Lead",
    )
    (write,) = decision.writes
    assert write.side == HUBSPOT
    assert dict(write.fields) == {"lifecyclestage": "lead"}
    assert write.backwards is True  # salesqualifiedlead -> lead must be cleared first


def test_source_of_truth_side_still_carries_its_own_changes():
    decision = decide(
        hs("lifecyclestage", "salesqualifiedlead", minutes=1),
        side(),
        side(3),  # the other side changed later, but HubSpot is the truth
        stage_map(Policy.HUBSPOT_WINS),
        "Lead",
    )
    (write,) = decision.writes
    assert dict(write.fields) == {"Status": "Working - Contacted"}


@pytest.mark.parametrize(
    ("current", "target", "expected"),
    [
        ("salesqualifiedlead", "lead", True),
        ("lead", "salesqualifiedlead", False),
        (None, "lead", False),
        ("lead", "lead", False),
        ("153180554", "lead", False),
    ],
)
def test_backwards_is_decided_by_the_stage_order(current, target, expected):
    assert stage_map().is_backwards(current, target) is expected


def test_custom_stage_order_is_respected():
    custom = stage_map().with_order(("lead", "153180554", "marketingqualifiedlead"))
    assert custom.is_backwards("marketingqualifiedlead", "153180554")
    assert not custom.is_backwards("153180554", "marketingqualifiedlead")
