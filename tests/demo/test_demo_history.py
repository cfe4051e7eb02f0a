"""``baton demo``'s earlier weeks: other people, each day on its own date, through the real
pipeline, so the scorecard of an earlier week holds that week's hand-offs and response times."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from baton.demo import run_demo
from baton.demo.history import day_clock, earlier_plan, history_days
from baton.demo.scenario import plan_week
from baton.demo.stack import DemoStack
from connector.reports.scorecard import ScorecardFilters, build_scorecard
from connector.reports.scorecard.weeks import align


def test_earlier_weeks_bring_other_people_with_their_own_addresses() -> None:
    this_week = plan_week(7)
    earlier = [earlier_plan(plan_week, 7, back) for back in (1, 2, 3)]
    addresses = [p.email for plan in (this_week, *earlier) for p in plan.people]
    assert len(addresses) == len(set(addresses))
    assert all("+w2@" in p.email and p.key.startswith("w2") for p in earlier[1].people)
    keys = {p.key for p in earlier[0].people}
    assert all(a.person in keys for a in earlier[0].actions)
    assert earlier_plan(plan_week, 7, 1) == earlier[0]  # deterministic


def test_the_days_run_oldest_first_from_the_week_start() -> None:
    days = history_days(date(2026, 12, 3), "monday", 2)
    assert len(days) == 14
    assert days[0] == (2, date(2026, 11, 16)) and days[-1] == (1, date(2026, 11, 29))
    assert history_days(date(2026, 12, 3), "sunday", 1)[0] == (1, date(2026, 11, 22))


def test_each_half_of_a_day_happens_at_its_local_time() -> None:
    zone = ZoneInfo("Europe/Amsterdam")
    clock = day_clock(date(2026, 11, 17), zone)
    with clock("marketing"):
        morning = datetime.now(zone)
    with clock("sales"):
        afternoon = datetime.now(zone)
    assert (morning.date(), morning.hour, morning.minute) == (date(2026, 11, 17), 9, 30)
    assert (afternoon.hour, afternoon.minute) == (14, 0)
    assert datetime.now(zone).date() != date(2026, 11, 17)  # back to the real clock


@pytest.mark.slow
def test_an_earlier_week_lands_in_its_own_scorecard_week(tmp_path: Path) -> None:
    seen: dict[str, Any] = {}

    def inspect(stack: DemoStack) -> None:
        config = stack.runtime.config
        today = datetime.now(config.sla.calendar.zone).date()
        last_week = align(today, config.scorecard.week_starts).toordinal() - 7
        week = date.fromordinal(last_week)
        card = build_scorecard(stack.runtime.store, config, week, ScorecardFilters())
        seen["card"] = card
        seen["now"] = build_scorecard(stack.runtime.store, config, today, ScorecardFilters())

    code = run_demo(
        once=True,
        seed=7,
        port=0,
        database_url=None,
        out=tmp_path,
        echo=lambda _line: None,
        history_weeks=1,
        after_week=inspect,
    )
    assert code == 0
    card = seen["card"]
    assert card.week_start in card.weeks_available
    assert card.metric("mqls_delivered").value > 0  # hand-offs dated last week
    # reps answer the next working day at 14:00: hours of business time, not seconds
    assert card.metric("first_response_median_hours").value > 1
    # converted leads' opportunities carry the rep's expected amount: an open pipeline to show
    assert seen["now"].metric("pipeline_marketing").value > 0
