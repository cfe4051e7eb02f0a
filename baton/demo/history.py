"""Earlier weeks for ``baton demo``, so the scorecard has a trend to show on first open.

Each earlier week is a seeded plan of its own (other people, addresses tagged with the week so
no one arrives twice) played through the real pipeline — sandboxes, webhooks, worker, timers —
with the clock moved to that week's days by time-machine: marketing's half of a day at 09:30,
sales' half at 14:00 in the business calendar's zone. Every timestamp Baton stores (hand-offs,
SLA clocks and touches, recycles, escalation timers firing, credit) is then that day's, exactly
as if the week had been lived; nothing is seeded into the store behind the jobs' backs.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import time_machine

from baton.demo.scenario import WEEK, WeekPlan
from connector.config.models.fields import Weekday
from connector.reports.scorecard.weeks import align

#: Earlier weeks ``baton demo`` plays before this one (``baton demo --once``: none).
HISTORY_WEEKS = 3
MORNING = time(9, 30)
AFTERNOON = time(14, 0)

Half = str  # "marketing" | "sales"
Clock = Callable[[Half], contextlib.AbstractContextManager[object]]


def earlier_plan(plan_week: Callable[[int], WeekPlan], seed: int, back: int) -> WeekPlan:
    """The plan of the week ``back`` weeks ago: its own seed, its people tagged ``w<back>``."""
    plan = plan_week(seed * 1000 + back)
    tag = f"w{back}"
    people = tuple(
        replace(p, key=f"{tag}{p.key}", email=p.email.replace("@", f"+{tag}@", 1))
        for p in plan.people
    )
    actions = tuple(replace(a, person=f"{tag}{a.person}") for a in plan.actions)
    return WeekPlan(plan.seed, people, actions)


def day_clock(day: date, zone: ZoneInfo) -> Clock:
    """Moves the clock to ``day`` at 09:30 for marketing's half and 14:00 for sales'."""

    @contextlib.contextmanager
    def at(half: Half) -> Iterator[None]:
        local = datetime.combine(day, MORNING if half == "marketing" else AFTERNOON, zone)
        with time_machine.travel(local, tick=True):
            yield

    return at


def history_days(today: date, week_starts: Weekday, weeks: int) -> list[tuple[int, date]]:
    """(weeks back, date) of every day to play, oldest first."""
    this_week = align(today, week_starts)
    return [
        (back, this_week - timedelta(weeks=back) + timedelta(days=offset))
        for back in range(weeks, 0, -1)
        for offset in range(WEEK)
    ]
