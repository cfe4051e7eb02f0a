"""The timeline: identity, order, window and which touch holds each milestone."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from credit_testing import CLOSE, at, timeline, touch

from connector.jobs.credit.timeline import Milestone, MilestoneAt, Money, Touch, build_timeline


def ids(line):
    return [t.touch_id for t in line.touches]


def test_touches_are_ordered_by_time_whatever_order_they_arrive_in():
    a, b, c = touch("a", 30), touch("b", 20), touch("c", 10)

    assert ids(timeline([c, a, b])) == ["a", "b", "c"]


def test_touches_at_the_same_instant_are_ordered_by_source_then_id():
    same = [touch("z", 5, source="hubspot"), touch("b", 5, source="salesforce"), touch("a", 5)]

    line = timeline(same)

    assert [t.key for t in line.touches] == [
        ("hubspot", "a"),
        ("hubspot", "z"),
        ("salesforce", "b"),
    ]


def test_a_touch_delivered_twice_is_kept_once_and_reported_as_a_duplicate():
    first = touch("f1", 10, "webinar")

    line = timeline([first, touch("f2", 5), first])

    assert ids(line) == ["f1", "f2"]
    assert [(d.touch.touch_id, d.reason) for d in line.dropped] == [("f1", "duplicate")]


def test_the_same_id_in_another_system_is_another_touch():
    line = timeline([touch("1", 10, source="hubspot"), touch("1", 10, source="salesforce")])

    assert len(line.touches) == 2


def test_of_conflicting_copies_the_earliest_is_kept_in_any_delivery_order():
    early, late = touch("f1", 10, "webinar"), touch("f1", 9, "email")

    for order in ([early, late], [late, early]):
        line = timeline(order)
        assert line.touches == (early,)
        assert line.dropped[0].touch == late


def test_the_window_ends_at_the_close_and_reaches_back_lookback_days_inclusive():
    boundary = touch("edge", 30)
    too_old = Touch(boundary.at - timedelta(microseconds=1), "email", None, "hubspot", "old")
    at_close, after = touch("close", 0), touch("after", -1)

    line = timeline([after, at_close, too_old, boundary], lookback_days=30)

    assert ids(line) == ["edge", "close"]
    assert {(d.touch.touch_id, d.reason) for d in line.dropped} == {
        ("old", "before_lookback"),
        ("after", "after_close"),
    }


def test_without_a_closed_won_milestone_the_timeline_ends_at_its_latest_event():
    line = timeline([touch("a", 400), touch("b", 10)], [at(Milestone.MQL, 5)], won=False)

    assert line.ends_at == CLOSE - timedelta(days=5)
    assert ids(line) == ["b"]  # a is 395 days before the end: outside 365 days


def test_no_touches_and_no_milestones_is_an_empty_timeline():
    line = build_timeline([], [], Money(0, "EUR"), lookback_days=365)

    assert line.touches == () and line.ends_at is None
    assert line.position(Milestone.FIRST_TOUCH) is None


def test_first_and_closed_won_positions_are_the_first_and_last_touch():
    line = timeline([touch("a", 30), touch("b", 20), touch("c", 10)])

    assert line.position(Milestone.FIRST_TOUCH) == 0
    assert line.position(Milestone.CLOSED_WON) == 2


def test_a_milestone_sits_on_the_last_touch_at_or_before_it():
    a, b, c = touch("a", 30), touch("b", 20), touch("c", 10)

    line = timeline(
        [a, b, c], [at(Milestone.LEAD_CREATION, 20), at(Milestone.OPPORTUNITY_CREATION, 15)]
    )

    assert line.position(Milestone.LEAD_CREATION) == 1  # same instant as b counts
    assert line.position(Milestone.OPPORTUNITY_CREATION) == 1


def test_a_milestone_naming_its_touch_sits_on_that_touch():
    a, b, c = touch("a", 30), touch("b", 20), touch("c", 10)

    line = timeline([a, b, c], [at(Milestone.LEAD_CREATION, 5, on=a)])

    assert line.position(Milestone.LEAD_CREATION) == 0


def test_missing_milestones_have_no_touch():
    a = touch("a", 30)
    named_but_dropped = at(Milestone.OPPORTUNITY_CREATION, 20, on=touch("old", 500))

    line = timeline([a], [at(Milestone.LEAD_CREATION, 40), named_but_dropped])

    assert line.position(Milestone.LEAD_CREATION) is None  # before every touch
    assert line.position(Milestone.OPPORTUNITY_CREATION) is None  # its touch is out of range
    assert line.position(Milestone.MQL) is None  # never reached


def test_times_are_normalised_to_utc_and_must_be_aware():
    amsterdam = timezone(timedelta(hours=2))
    local = Touch(datetime(2026, 6, 1, 14, 0, tzinfo=amsterdam), "email", None, "hubspot", "x")

    assert local.at.utcoffset() == timedelta(0) and local.at.hour == 12
    with pytest.raises(ValueError, match="timezone-aware"):
        Touch(datetime(2026, 6, 1, 14, 0), "email", None, "hubspot", "x")
    with pytest.raises(ValueError, match="timezone-aware"):
        MilestoneAt(Milestone.MQL, datetime(2026, 6, 1))


def test_a_milestone_kind_is_reached_once():
    with pytest.raises(ValueError, match="once"):
        timeline([], [at(Milestone.MQL, 3), at(Milestone.MQL, 2)])


def test_amounts_are_non_negative_integers():
    for bad in (-1, 1.0, True):
        with pytest.raises(ValueError, match="non-negative integer"):
            Money(bad, "EUR")  # type: ignore[arg-type]
