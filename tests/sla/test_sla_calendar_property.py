"""Properties of business time on random starts and durations, against a minute-walk oracle.

The oracle is independent of the day walk: it steps minute by minute and asks, for each
minute, whether the local wall clock then reads inside a working range of a working day.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from sla_calendars import LUNCH, OFFICE, calendar

from connector.jobs.sla.calendar import BusinessTime
from connector.jobs.sla.hours import OwnerCalendar

CALCULATORS = [
    BusinessTime(OFFICE),
    BusinessTime(LUNCH),
    BusinessTime(
        calendar(
            working_hours={"saturday": "10:00-14:00", "sunday": "00:00-24:00"},
            holidays={"extra": ["2025-12-24", "2026-12-24"], "removed": ["2025-05-05"]},
        )
    ),
    BusinessTime(OFFICE, OwnerCalendar(timezone="America/New_York")),
    # Havana moves its clocks at midnight (00:00 happens twice in November), Santiago at 24:00
    # (00:00 is skipped in September): the edges of the DST rule, on every day of the week.
    BusinessTime(
        calendar(
            timezone="America/Havana",
            working_hours={day: "00:00-24:00" for day in ("saturday", "sunday")},
            holidays={"country": None},
        )
    ),
    BusinessTime(calendar(timezone="America/Santiago", holidays={"country": "CL"})),
]

calculators = st.sampled_from(CALCULATORS)
instants = st.datetimes(
    min_value=datetime(2024, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
)
durations = st.timedeltas(min_value=timedelta(0), max_value=timedelta(hours=300))


@settings(max_examples=300, deadline=None)
@given(calculators, instants, durations)
def test_between_undoes_add(calc: BusinessTime, start: datetime, duration: timedelta):
    deadline = calc.add(start, duration)
    assert deadline >= start
    assert calc.between(start, deadline) == duration


@settings(max_examples=200, deadline=None)
@given(calculators, instants, durations, durations)
def test_later_starts_and_longer_durations_never_give_earlier_deadlines(
    calc: BusinessTime, start: datetime, duration: timedelta, more: timedelta
):
    assert calc.add(start, duration) <= calc.add(start, duration + more)
    assert calc.add(start, duration) <= calc.add(start + more, duration)


@settings(max_examples=200, deadline=None)
@given(calculators, instants, durations, durations)
def test_between_adds_up_and_add_is_the_earliest_instant(
    calc: BusinessTime, start: datetime, first: timedelta, second: timedelta
):
    middle, end = start + first, start + first + second
    total = calc.between(start, end)
    assert total == calc.between(start, middle) + calc.between(middle, end)
    assert total <= end - start
    # The deadline for what passed by ``end`` is at or before ``end``, never after it.
    assert calc.add(start, total) <= end


def minute_walk_add(calc: BusinessTime, start: datetime, minutes: int) -> datetime:
    """The deadline by stepping one minute at a time (start and ranges on whole minutes)."""
    instant = start
    while minutes:
        local = instant.astimezone(calc.zone)
        day = calc.day(local.date())
        minute = local.hour * 60 + local.minute
        if day.intervals and any(s <= minute < e for s, e in day.hours):
            minutes -= 1
        instant += timedelta(minutes=1)
    return instant


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from(CALCULATORS[:4]),
    instants.map(lambda moment: moment.replace(second=0, microsecond=0)),
    st.integers(min_value=0, max_value=3000),
)
def test_agrees_with_a_minute_walk(calc: BusinessTime, start: datetime, minutes: int):
    # Calendars whose ranges never start or end inside a skipped or repeated hour: there the
    # "first to last moment" rule and "the clock reads a working time" are the same thing, so
    # the walk's end of the last counted minute is exactly the earliest deadline.
    assert calc.add(start, timedelta(minutes=minutes)) == minute_walk_add(calc, start, minutes)
