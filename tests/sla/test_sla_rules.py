"""The SLA decisions on values: who owns a promise, what closing breaks, who a level reaches."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from connector.config.models.calendar import BusinessCalendar
from connector.config.models.escalation import EscalationStep
from connector.config.models.routing import RoutingConfig
from connector.config.models.sla import SlaPolicy
from connector.jobs.sla.calendar import BusinessTime
from connector.jobs.sla.rules import (
    Breach,
    Person,
    closing_breaches,
    deadline,
    is_person,
    is_working,
    ladder_plan,
    manager_chain,
    next_member,
    read_lead,
    team_of,
)

REP, MGR, DIR, VP = (f"005000000000{n}AAA" for n in ("001", "002", "003", "004"))
OFFICE = BusinessTime(BusinessCalendar())  # Europe/Amsterdam, Mon-Fri 09:00-17:30, NL holidays


def test_only_a_user_owns_a_promise():
    assert is_person("0057Q000002RmA1QAK")
    assert not is_person("00G7Q000001abcdEAA")  # a queue
    assert not is_person(None) and not is_person("")


def test_the_team_is_the_one_the_owner_is_a_member_of_in_either_id_form():
    routing = RoutingConfig.model_validate(
        {"teams": {"inbound": {"members": ["0057Q000002RmA1QAK"]}}}
    )
    assert team_of("0057Q000002RmA1", routing) == "inbound"
    assert team_of("0057Q000002RmZZQAK", routing) is None


def test_reassignment_takes_the_teams_next_member_passing_over_the_owner():
    routing = RoutingConfig.model_validate(
        {"teams": {"inbound": {"members": [REP, MGR, DIR]}, "solo": {"members": [REP]}}}
    )
    assert next_member(REP, "inbound", routing, 0) == (MGR, 2), "position 0 is the owner: next"
    assert next_member(REP, "inbound", routing, 2) == (DIR, 3)
    assert next_member(DIR, "inbound", routing, 2) == (REP, 4), "wraps round"
    assert next_member(REP[:15], "inbound", routing, 3) == (MGR, 5), "either id form"
    assert next_member(REP, "solo", routing, 0) is None, "nobody else to give it to"
    assert (
        next_member(REP, None, routing, 0) is None and next_member(REP, "gone", routing, 0) is None
    )


def test_the_deadline_is_business_time_from_the_policy():
    # Fri 6 Mar 2026 16:30 CET + 4 h: 1 h on Friday (until 17:30), 3 h on Monday → 12:00 CET.
    start = datetime(2026, 3, 6, 15, 30, tzinfo=UTC)
    due = deadline(start, SlaPolicy(name="p", first_response_business_hours=4), OFFICE)
    assert due == datetime(2026, 3, 9, 11, 0, tzinfo=UTC)


def test_ladder_steps_fall_at_business_time_offsets_from_the_breach():
    ladder = (
        EscalationStep(after_business_hours=0, notify="owner"),
        EscalationStep(after_business_hours=2, notify="manager"),
    )
    # breach Fri 17:00 CET: step 1 at once; step 2 two business hours on = Mon 10:30 CET.
    breach = datetime(2026, 3, 6, 16, 0, tzinfo=UTC)
    plan = ladder_plan(breach, ladder, OFFICE)
    assert [(p.i, p.due_at) for p in plan] == [
        (0, breach),
        (1, datetime(2026, 3, 9, 9, 30, tzinfo=UTC)),
    ]


def test_a_lead_snapshot_reads_owner_status_conversion_and_hand_off():
    view = read_lead(
        {"OwnerId": REP, "Status": "Open", "IsConverted": "false", "HubSpot__c": "42"},
        "HubSpot__c",
        linked=False,
    )
    assert (view.owner_id, view.status, view.converted, view.handed_off) == (
        REP,
        "Open",
        False,
        True,
    )
    assert not read_lead({"OwnerId": REP}, "HubSpot__c", linked=False).handed_off
    assert read_lead({"IsConverted": "true"}, "HubSpot__c", linked=True).converted


def test_working_statuses_are_exact_values():
    assert is_working("Working - Contacted", ("Working - Contacted",))
    assert not is_working("working - contacted", ("Working - Contacted",))
    assert not is_working(None, ("Working - Contacted",))


@pytest.mark.parametrize(
    ("touches", "reason", "require", "broken"),
    [
        (3, "no_budget", True, []),
        (2, "no_budget", True, [Breach.MIN_TOUCHES]),
        (3, None, True, [Breach.NO_REASON]),
        (3, "  ", True, [Breach.NO_REASON]),
        (3, None, False, []),
        (0, None, True, [Breach.MIN_TOUCHES, Breach.NO_REASON]),
    ],
)
def test_closing_breaks_the_touch_minimum_and_the_reason_rule(touches, reason, require, broken):
    policy = SlaPolicy(
        name="p", min_touches_before_disqualify=3, require_disqualification_reason=require
    )
    assert [kind for kind, _ in closing_breaches(touches, reason, policy)] == broken


def _people(*rows: tuple[str, bool, str | None]) -> dict[str, Person]:
    return {user: Person(user, active, manager) for user, active, manager in rows}


def test_the_chain_follows_manager_ids():
    users = _people((REP, True, MGR), (MGR, True, DIR), (DIR, True, None))
    assert manager_chain(REP, users, {}, 2) == [MGR, DIR]


def test_an_inactive_manager_is_passed_over_for_their_own_manager():
    users = _people((REP, True, MGR), (MGR, False, DIR), (DIR, True, VP), (VP, True, None))
    assert manager_chain(REP, users, {}, 2) == [DIR, VP]


def test_a_missing_manager_ends_the_chain():
    users = _people((REP, True, None))
    assert manager_chain(REP, users, {}, 2) == [None, None]
    users = _people((REP, True, MGR), (MGR, False, None))
    assert manager_chain(REP, users, {}, 1) == [None], "only an inactive manager above"


def test_the_configured_managers_fill_a_missing_manager_id():
    users = _people((REP, True, None), (MGR, True, None))
    assert manager_chain(REP, users, {REP: MGR, MGR: DIR}, 2) == [MGR, DIR]
    # a person Salesforce did not return (a HubSpot owner id) counts as active
    assert manager_chain("81234567", {}, {"81234567": "81234599"}, 1) == ["81234599"]


def test_a_loop_in_the_data_ends_the_chain_instead_of_spinning():
    users = _people((REP, True, MGR), (MGR, True, REP))
    assert manager_chain(REP, users, {}, 3) == [MGR, None, None]


def test_fifteen_and_eighteen_character_ids_are_the_same_person():
    users = _people((REP, True, MGR[:15]), (MGR, True, None))
    assert manager_chain(REP[:15], users, {}, 1) == [MGR[:15]]


def test_a_zero_offset_step_is_the_breach_itself():
    step = EscalationStep(after_business_hours=0, notify="owner")
    moment = datetime(2026, 3, 10, 10, tzinfo=UTC)
    assert ladder_plan(moment, (step,), OFFICE)[0].due_at == moment
    assert ladder_plan(moment, (), OFFICE) == []
    assert timedelta(0) == OFFICE.between(moment, moment)
