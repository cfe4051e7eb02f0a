"""The demo week's plan: deterministic per seed, and a week that makes sense for real people."""

from __future__ import annotations

from collections import Counter

import pytest

from baton.demo.org import SELLING_COUNTRIES
from baton.demo.scenario import (
    MIN_RECYCLES,
    MQL_PAGE_VIEWS,
    WEEK,
    WORKDAYS,
    Fate,
    Kind,
    WeekPlan,
    plan_week,
)
from connector.config import default_config

SEEDS = [1, 2, 3, 7, 42, 1234]
REP_KINDS = {Kind.WORK, Kind.RECYCLE, Kind.CONVERT, Kind.WIN}


def test_the_same_seed_gives_the_same_plan() -> None:
    assert plan_week(7) == plan_week(7)


def test_different_seeds_give_different_weeks() -> None:
    plans = {plan_week(seed) for seed in SEEDS}
    assert len(plans) == len(SEEDS)


def _first(plan: WeekPlan, person: str, kind: Kind) -> int | None:
    return next((a.day for a in plan.actions if a.person == person and a.kind == kind), None)


@pytest.mark.parametrize("seed", SEEDS)
def test_everyone_arrives_once_before_anything_else(seed: int) -> None:
    plan = plan_week(seed)
    arrivals = Counter(a.person for a in plan.actions if a.kind == Kind.ARRIVE)
    assert set(arrivals) == {p.key for p in plan.people}
    assert set(arrivals.values()) == {1}
    seen: set[str] = set()
    for action in plan.actions:
        if action.kind == Kind.ARRIVE:
            seen.add(action.person)
        assert action.person in seen, f"{action} before the person arrived"
        assert 0 <= action.day < WEEK


@pytest.mark.parametrize("seed", SEEDS)
def test_actions_are_in_day_order(seed: int) -> None:
    days = [a.day for a in plan_week(seed).actions]
    assert days == sorted(days)


@pytest.mark.parametrize("seed", SEEDS)
def test_reps_work_on_weekdays_and_in_order(seed: int) -> None:
    plan = plan_week(seed)
    for action in plan.actions:
        if action.kind in REP_KINDS:
            assert action.day < WORKDAYS, action
    for person in plan.people:
        mql = _first(plan, person.key, Kind.MARK_MQL)
        work = _first(plan, person.key, Kind.WORK)
        follow_ups = [
            _first(plan, person.key, kind) for kind in (Kind.RECYCLE, Kind.CONVERT, Kind.WIN)
        ]
        if work is not None:
            assert mql is not None and mql <= work
        for day in follow_ups:
            if day is not None:
                assert work is not None and work < day
        win, convert = _first(plan, person.key, Kind.WIN), _first(plan, person.key, Kind.CONVERT)
        if win is not None:
            assert convert is not None and convert < win


@pytest.mark.parametrize("seed", SEEDS)
def test_fates_match_the_actions(seed: int) -> None:
    plan = plan_week(seed)
    for person in plan.people:
        kinds = {a.kind for a in plan.actions if a.person == person.key}
        expected = {
            Fate.NURTURE: set(),
            Fate.HELD: set(),
            Fate.IGNORED: set(),
            Fate.WAITING: set(),
            Fate.WORKED: {Kind.WORK},
            Fate.RECYCLED: {Kind.WORK, Kind.RECYCLE},
            Fate.IN_PIPELINE: {Kind.WORK, Kind.CONVERT},
            Fate.WON: {Kind.WORK, Kind.CONVERT, Kind.WIN},
        }[person.fate]
        assert kinds & REP_KINDS == expected, person
        if person.fate != Fate.NURTURE:
            assert Kind.MARK_MQL in kinds, person


@pytest.mark.parametrize("seed", SEEDS)
def test_every_week_has_wins_holds_and_most_mqls_meeting_the_definition(seed: int) -> None:
    plan = plan_week(seed)
    fates = Counter(p.fate for p in plan.people)
    mqls = plan.count(Kind.MARK_MQL)
    assert fates[Fate.WON] == 2
    assert plan.count(Kind.WIN) == 2
    assert 2 <= fates[Fate.HELD] < mqls / 2
    assert fates[Fate.NURTURE] > 0  # not everyone becomes an MQL
    assert all(a.amount > 0 for a in plan.actions if a.kind == Kind.WIN)


@pytest.mark.parametrize("seed", SEEDS)
def test_held_people_really_fail_the_definition_and_the_others_pass(seed: int) -> None:
    plan = plan_week(seed)
    views = {p.key: p.page_views for p in plan.people}
    for action in plan.actions:
        if action.kind == Kind.VISIT:
            assert action.page_views > views[action.person]  # page views only grow
            views[action.person] = action.page_views
        if action.kind == Kind.MARK_MQL:
            person = plan.person(action.person)
            passes = (
                bool(person.company and person.job_title)
                and person.country in SELLING_COUNTRIES
                and views[person.key] >= MQL_PAGE_VIEWS
            )
            assert passes == (person.fate != Fate.HELD), person


@pytest.mark.parametrize("seed", SEEDS)
def test_people_have_unique_addresses(seed: int) -> None:
    emails = [p.email for p in plan_week(seed).people]
    assert len(emails) == len(set(emails))
    assert all(e.isascii() and e.count("@") == 1 for e in emails)


def test_unknown_person_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        plan_week(7).person("p999")


@pytest.mark.parametrize("seed", SEEDS)
def test_recycle_reasons_are_the_configured_codes(seed: int) -> None:
    recycle = default_config().recycle
    known = {*recycle.reasons, *recycle.disqualify_reasons, None}
    recycles = [a for a in plan_week(seed).actions if a.kind == Kind.RECYCLE]
    assert all(a.reason in known and a.note for a in recycles), recycles


@pytest.mark.parametrize("seed", SEEDS)
def test_the_weeks_recycles_show_every_path_they_can(seed: int) -> None:
    recycle = default_config().recycle

    def path(reason: str | None) -> str:
        if reason is None:
            return "flagged"  # the rep left the reason empty
        return "disqualified" if reason in recycle.disqualify_reasons else "recycled"

    reasons = [a.reason for a in plan_week(seed).actions if a.kind == Kind.RECYCLE]
    assert len({path(r) for r in reasons}) == min(MIN_RECYCLES, len(reasons)), reasons


def test_the_demo_week_recycles_with_every_kind_of_reason() -> None:
    reasons = [a.reason for a in plan_week(7).actions if a.kind == Kind.RECYCLE]  # make run's
    assert len(reasons) >= MIN_RECYCLES and None in reasons and "competitor" in reasons
