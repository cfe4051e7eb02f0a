"""Business time on hand-computed cases: each expected value is worked out in its comment.

Unless a test says otherwise the calendar is the default ``sla.calendar``: Europe/Amsterdam,
Monday-Friday 09:00-17:30 (8.5 h a day), Dutch public holidays. CET = UTC+1, CEST = UTC+2.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sla_calendars import LUNCH, OFFICE, calendar, hours, utc

from connector.jobs.sla.calendar import (
    BusinessTime,
    CalendarError,
    DayKind,
    add_business_time,
    business_hours,
    business_time_between,
)
from connector.jobs.sla.hours import OwnerCalendar, WeeklyHours

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def local(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=AMSTERDAM)  # type: ignore[misc]


def test_a_deadline_inside_one_day():
    # Tue 10 Mar 2026 10:00 CET + 2 h = 12:00 CET = 11:00 UTC.
    assert add_business_time(OFFICE, local(2026, 3, 10, 10), hours(2)) == utc(2026, 3, 10, 11)


def test_the_weekend_is_skipped():
    # Fri 6 Mar 2026 16:00 CET: 1.5 h until 17:30; Sat, Sun closed; Mon 9 Mar 09:00 + 2.5 h =
    # 11:30 CET = 10:30 UTC.
    start = utc(2026, 3, 6, 15)
    deadline = add_business_time(OFFICE, start, hours(4))
    assert deadline == utc(2026, 3, 9, 10, 30)
    assert business_time_between(OFFICE, start, deadline) == hours(4)


def test_results_are_utc_whatever_zone_the_start_has():
    deadline = add_business_time(OFFICE, local(2026, 3, 10, 10), hours(1))
    assert deadline.tzinfo is UTC and deadline == utc(2026, 3, 10, 10)


def test_koningsdag_is_skipped():
    # Fri 24 Apr 2026 16:00 CEST: 1.5 h; Sat 25, Sun 26 weekend; Mon 27 Apr King's Day;
    # Tue 28 Apr 09:00 + 2.5 h = 11:30 CEST = 09:30 UTC.
    start = utc(2026, 4, 24, 14)
    explanation = BusinessTime(OFFICE).explain(start, hours(4))
    assert explanation.deadline == utc(2026, 4, 28, 9, 30)
    kinds = {report.day.date: (report.day.kind, report.day.note) for report in explanation.days}
    assert kinds[date(2026, 4, 27)] == (DayKind.HOLIDAY, "King's Day")
    assert kinds[date(2026, 4, 25)] == (DayKind.WEEKEND, "weekend")


def test_koningsdag_on_a_sunday_moves_to_saturday_26_april():
    # 27 April 2025 is a Sunday, so King's Day is Saturday 26 April (Dutch law; the holidays
    # library follows it). It only matters to a team that works Saturdays (10:00-14:00 here):
    # Fri 25 Apr 2025 17:00 CEST: 0.5 h until 17:30; Sat 26 King's Day (not worked despite its
    # hours); Sun 27 closed; Mon 28 09:00 + 1.5 h = 10:30 CEST = 08:30 UTC.
    saturdays = calendar(working_hours={"saturday": "10:00-14:00"})
    calc = BusinessTime(saturdays)
    assert calc.rules.public_holiday(date(2025, 4, 26)) == "King's Day"
    assert calc.rules.public_holiday(date(2025, 4, 27)) is None
    explanation = calc.explain(utc(2025, 4, 25, 15), hours(2))
    assert explanation.deadline == utc(2025, 4, 28, 8, 30)
    notes = {report.day.date: report.day.note for report in explanation.days}
    assert notes[date(2025, 4, 26)] == "King's Day"
    assert notes[date(2025, 4, 27)] == "weekend"
    # A week earlier the same Saturday counts: Fri 18 Apr is Good Friday, so from Thu 17 Apr
    # 17:00 CEST: 0.5 h; Fri 18 holiday; Sat 19 10:00 + 1.5 h = 11:30 CEST = 09:30 UTC.
    assert calc.add(utc(2025, 4, 17, 15), hours(2)) == utc(2025, 4, 19, 9, 30)


def test_christmas_with_company_closures():
    # Closures 24 and 31 Dec 2026 (as in config/baton.example.yaml). Wed 23 Dec 15:00 CET:
    # 2.5 h; Thu 24 closure; Fri 25 Christmas Day; Sat 26 (Second Day of Christmas) and Sun 27
    # weekend; Mon 28 8.5 h (11); Tue 29 8.5 h (19.5); Wed 30 8.5 h (28); Thu 31 closure;
    # Fri 1 Jan New Year's Day; Sat 2, Sun 3 weekend; Mon 4 Jan 09:00 + 2 h = 11:00 CET =
    # 10:00 UTC.
    closures = calendar(holidays={"extra": ["2026-12-24", "2026-12-31"]})
    explanation = BusinessTime(closures).explain(utc(2026, 12, 23, 14), hours(30))
    assert explanation.deadline == utc(2027, 1, 4, 10)
    kinds = {report.day.date: report.day for report in explanation.days}
    assert kinds[date(2026, 12, 24)].kind == DayKind.CLOSURE
    assert kinds[date(2026, 12, 25)].note == "Christmas Day"
    assert kinds[date(2026, 12, 26)].note == "weekend (also Second Day of Christmas)"
    assert kinds[date(2026, 12, 31)].kind == DayKind.CLOSURE
    assert kinds[date(2027, 1, 1)].note == "New Year's Day"
    assert sum((report.worked for report in explanation.days), timedelta()) == hours(30)


def test_a_removed_holiday_is_worked():
    # Liberation Day, Mon 5 May 2025, is a public holiday in lustrum years. From Fri 2 May 17:00
    # CEST: 0.5 h; with the day removed Mon 5 May 09:00 + 0.5 h = 09:30 CEST = 07:30 UTC, without
    # it Tue 6 May 09:30 CEST = 07:30 UTC.
    start = utc(2025, 5, 2, 15)
    works = calendar(holidays={"removed": ["2025-05-05"]})
    assert add_business_time(OFFICE, start, hours(1)) == utc(2025, 5, 6, 7, 30)
    explanation = BusinessTime(works).explain(start, hours(1))
    assert explanation.deadline == utc(2025, 5, 5, 7, 30)
    assert explanation.days[-1].day.note == "Liberation Day, worked (holidays.removed)"


def test_no_country_means_no_public_holidays():
    # King's Day 2026 is an ordinary Monday without a country: Mon 27 Apr 09:00 + 1 h.
    none = calendar(holidays={"country": None})
    assert add_business_time(none, utc(2026, 4, 24, 15, 30), hours(1)) == utc(2026, 4, 27, 8)


def test_across_the_march_dst_change():
    # Sun 29 Mar 2026 02:00 CET -> 03:00 CEST. Fri 27 Mar 16:00 CET (15:00 UTC): 1.5 h; the
    # weekend; Mon 30 Mar 09:00 CEST + 2.5 h = 11:30 CEST = 09:30 UTC (a fixed +01:00 would
    # wrongly give 10:30 UTC).
    start = utc(2026, 3, 27, 15)
    deadline = add_business_time(OFFICE, start, hours(4))
    assert deadline == utc(2026, 3, 30, 9, 30)
    assert business_time_between(OFFICE, start, deadline) == hours(4)


def test_across_the_october_dst_change():
    # Sun 25 Oct 2026 03:00 CEST -> 02:00 CET. Fri 23 Oct 16:00 CEST (14:00 UTC): 1.5 h; the
    # weekend; Mon 26 Oct 09:00 CET + 2.5 h = 11:30 CET = 10:30 UTC.
    start = utc(2026, 10, 23, 14)
    deadline = add_business_time(OFFICE, start, hours(4))
    assert deadline == utc(2026, 10, 26, 10, 30)
    assert business_time_between(OFFICE, start, deadline) == hours(4)


def test_a_working_day_across_a_dst_change_is_23_and_25_hours():
    # Working wall-clock 00:00-24:00 on Sundays: the March Sunday lasts 23 h (02:00-03:00 does
    # not exist), the October Sunday 25 h (02:00-03:00 happens twice and really passes).
    sundays = calendar(working_hours={"sunday": "00:00-24:00"})
    march = local(2026, 3, 29), local(2026, 3, 30)
    october = local(2026, 10, 25), local(2026, 10, 26)
    assert business_time_between(sundays, *march) == hours(23)
    assert business_time_between(sundays, *october) == hours(25)
    # 24 h from Sunday 25 Oct 00:00 CEST (Sat 24 Oct 22:00 UTC) ends at 23:00 CET, not 24:00.
    assert add_business_time(sundays, october[0], hours(24)) == utc(2026, 10, 25, 22)


def test_ranges_touching_the_skipped_and_the_repeated_hour():
    # The rule: a range runs from the first moment the clock shows its start to the last moment
    # it shows its end; a skipped reading falls on the moment of the jump (01:00 UTC both days).
    # March: 01:30-03:30 = 00:30-01:30 UTC = 1 h; 02:15-02:45 does not exist = 0 h.
    # October: 01:00-02:30 runs 23:00 UTC (Sat) to 01:30 UTC (the second 02:30) = 2.5 h, and
    # 02:30-04:00 from 00:30 UTC (the first 02:30) to 03:00 UTC = 2.5 h; together the clock
    # shows 01:00-04:00 for 4 real hours, and the hour both ranges claim is counted once.
    def sunday(hours_text: str, day: date) -> timedelta:
        calc = BusinessTime(calendar(working_hours={"sunday": hours_text}))
        start = datetime(day.year, day.month, day.day, tzinfo=UTC) - timedelta(hours=3)
        return calc.between(start, start + timedelta(days=1, hours=6))

    assert sunday("01:30-03:30", date(2026, 3, 29)) == hours(1)
    assert sunday("02:15-02:45", date(2026, 3, 29)) == hours(0)
    assert sunday("01:00-02:30", date(2026, 10, 25)) == hours(2.5)
    assert sunday("02:30-04:00", date(2026, 10, 25)) == hours(2.5)
    assert sunday("01:00-02:30, 02:30-04:00", date(2026, 10, 25)) == hours(4)


def test_a_range_the_repeated_hour_extends_is_counted_once_and_from_the_day_before():
    # October, Sunday 01:00-02:30 and 02:30-04:00 (see above): 4 real hours from 01:00 CEST
    # (Sat 23:00 UTC), so the deadline is 04:00 CET = 03:00 UTC; counting the hour both ranges
    # claim twice would end at 02:00 UTC.
    overlapping = BusinessTime(calendar(working_hours={"sunday": "01:00-02:30, 02:30-04:00"}))
    assert overlapping.add(utc(2026, 10, 24, 23), hours(4)) == utc(2026, 10, 25, 3)
    # Havana turns 01:00 back to 00:00 on Sun 1 Nov 2026, so Saturday's 00:00-24:00 runs to the
    # second midnight (05:00 UTC). At Sunday 00:30 CDT (04:30 UTC, a Sunday date, and Sunday is
    # closed) Saturday's range still runs for 30 minutes: the walk must look at the day before.
    havana = BusinessTime(
        calendar(
            timezone="America/Havana",
            working_hours={"saturday": "00:00-24:00"},
            holidays={"country": None},
        )
    )
    assert havana.between(utc(2026, 11, 1, 4, 30), utc(2026, 11, 1, 6)) == hours(0.5)
    assert havana.add(utc(2026, 11, 1, 4, 30), hours(0.5)) == utc(2026, 11, 1, 5)


def test_an_owner_in_another_time_zone():
    # The owner works 09:00-17:30 on New York's clock; the company's holidays still apply, on
    # the owner's local dates. Fri 24 Apr 2026 16:00 EDT (20:00 UTC): 1.5 h; the weekend;
    # Mon 27 Apr King's Day; Tue 28 Apr 09:00 EDT + 2.5 h = 11:30 EDT = 15:30 UTC.
    owner = OwnerCalendar(timezone="America/New_York")
    assert add_business_time(OFFICE, utc(2026, 4, 24, 20), hours(4), owner) == utc(
        2026, 4, 28, 15, 30
    )


def test_an_owner_with_own_hours_across_the_us_dst_change():
    # A Salesforce BusinessHours-like override: Mon-Fri 08:00-16:00 in New York. US clocks go
    # forward on Sun 8 Mar 2026 (Europe's stay until 29 Mar). Fri 6 Mar 15:00 EST (20:00 UTC):
    # 1 h; the weekend; Mon 9 Mar 08:00 EDT + 3 h = 11:00 EDT = 15:00 UTC (EST would say 16:00).
    weekdays = {weekday: [(8 * 60, 16 * 60)] for weekday in range(5)}
    owner = OwnerCalendar("America/New_York", WeeklyHours.from_mapping(weekdays), "Salesforce")
    calc = BusinessTime(OFFICE, owner)
    assert calc.add(utc(2026, 3, 6, 20), hours(4)) == utc(2026, 3, 9, 15)
    # Hours alone (no zone): the company's zone with the owner's hours. Tue 10 Mar 2026 15:00
    # CET + 2 h: 1 h until 16:00, Wed 11 Mar 08:00 + 1 h = 09:00 CET = 08:00 UTC.
    hours_only = OwnerCalendar(hours=WeeklyHours.from_mapping(weekdays))
    assert add_business_time(OFFICE, utc(2026, 3, 10, 14), hours(2), hours_only) == utc(
        2026, 3, 11, 8
    )


def test_a_lunch_break_is_not_business_time():
    # 09:00-12:00, 13:00-17:30. Tue 10 Mar 2026 11:00 CET + 2 h: 1 h until 12:00, lunch, 13:00
    # + 1 h = 14:00 CET = 13:00 UTC.
    start = local(2026, 3, 10, 11)
    assert add_business_time(LUNCH, start, hours(2)) == utc(2026, 3, 10, 13)
    # Exactly 1 h ends at 12:00, the earliest moment it has passed, not after lunch.
    assert add_business_time(LUNCH, start, hours(1)) == utc(2026, 3, 10, 11)
    # A start in the break waits for 13:00: 12:30 + 30 min = 13:30 CET.
    assert add_business_time(LUNCH, local(2026, 3, 10, 12, 30), hours(0.5)) == utc(
        2026, 3, 10, 12, 30
    )
    assert business_time_between(LUNCH, local(2026, 3, 10, 8), local(2026, 3, 10, 18)) == hours(7.5)


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        # Tue 07:00 CET, before hours: 09:00 + 1 h = 10:00 CET = 09:00 UTC.
        (local(2026, 3, 10, 7), utc(2026, 3, 10, 9)),
        # Tue 19:00 CET, after hours: Wed 09:00 + 1 h = 10:00 CET.
        (local(2026, 3, 10, 19), utc(2026, 3, 11, 9)),
        # Tue 17:30 CET, exactly the end: Wed 10:00 CET.
        (local(2026, 3, 10, 17, 30), utc(2026, 3, 11, 9)),
        # Sat 12:00 CET: Mon 10:00 CET.
        (local(2026, 3, 14, 12), utc(2026, 3, 16, 9)),
    ],
)
def test_a_start_outside_working_hours_waits_for_the_next_range(start, expected):
    assert add_business_time(OFFICE, start, hours(1)) == expected


def test_exact_to_the_second_and_below():
    # Tue 10 Mar 2026 17:29:59.5 CET + 1.5 s: 0.5 s today, Wed 09:00:01 CET.
    start = local(2026, 3, 10, 17, 29, 59) + timedelta(microseconds=500_000)
    assert add_business_time(OFFICE, start, timedelta(seconds=1.5)) == utc(2026, 3, 11, 8, 0, 1)
    assert business_hours(4) == timedelta(hours=4)
    assert business_hours(2.5) == timedelta(hours=2, minutes=30)
    assert business_hours(1 / 3) == timedelta(minutes=20)


def test_zero_duration_is_the_start_itself():
    start = local(2026, 3, 14, 12)  # a Saturday: nothing has to pass
    assert add_business_time(OFFICE, start, timedelta()) == start


def test_business_time_between_inside_and_across_days():
    # Mon 9 Mar 2026 12:00 CET to Wed 11 Mar 10:00 CET: 5.5 + 8.5 + 1 = 15 h.
    assert business_time_between(OFFICE, local(2026, 3, 9, 12), local(2026, 3, 11, 10)) == hours(15)
    # A whole week of March 2026 (no holidays): 5 x 8.5 = 42.5 h.
    assert business_time_between(OFFICE, local(2026, 3, 9), local(2026, 3, 16)) == hours(42.5)
    assert business_time_between(OFFICE, local(2026, 3, 14), local(2026, 3, 15)) == hours(0)


# The calendar for the deadline that crosses everything at once: Amsterdam, Mon-Fri 09:00-12:00
# and 13:00-17:30 (7.5 h), Saturdays 10:00-14:00 (4 h) so that King's Day on Saturday matters,
# Sundays closed; company closures Wed 24 and Wed 31 Dec 2025. A full week is 41.5 h.
EVERYTHING = calendar(
    working_hours={
        "monday": "09:00-12:00, 13:00-17:30",
        "tuesday": "09:00-12:00, 13:00-17:30",
        "wednesday": "09:00-12:00, 13:00-17:30",
        "thursday": "09:00-12:00, 13:00-17:30",
        "friday": "09:00-12:00, 13:00-17:30",
        "saturday": "10:00-14:00",
    },
    holidays={"extra": ["2025-12-24", "2025-12-31"]},
)


@pytest.mark.parametrize(
    ("owner", "expected"),
    [
        (None, utc(2026, 1, 2, 13, 30)),
        # Europe/London keeps the same DST dates one hour behind Amsterdam: the start (14:00
        # GMT) is exactly the end of Saturday's hours, every count below is the same, and the
        # deadline is 14:30 GMT = 14:30 UTC.
        (OwnerCalendar(timezone="Europe/London"), utc(2026, 1, 2, 14, 30)),
    ],
)
def test_one_deadline_that_crosses_everything(owner, expected):
    # Start Sat 29 Mar 2025 15:00 CET (14:00 UTC): after Saturday's hours. Sun 30 Mar: closed,
    # and clocks go forward. Weeks start Mon 31 Mar; weeks 1-38 run to Sun 21 Dec:
    #   38 x 41.5 h = 1577 h, minus the holidays on working days: Good Friday 18 Apr (7.5),
    #   Easter Monday 21 Apr (7.5), King's Day Sat 26 Apr 2025 (27 Apr is a Sunday; 4),
    #   Liberation Day Mon 5 May (7.5), Ascension Thu 29 May (7.5), Whit Monday 9 Jun (7.5)
    #   = 41.5 h; Easter Sunday and Pentecost fall on closed Sundays. Clocks go back on Sun
    #   26 Oct (closed). 1577 - 41.5 = 1535.5 h.
    # Week 39: Mon 22, Tue 23 Dec (15 h), Wed 24 closure, Thu 25 and Fri 26 Christmas, Sat 27
    #   (4 h) -> 1554.5 h. Week 40: Mon 29, Tue 30 (15 h) -> 1569.5 h; Wed 31 closure; Thu 1 Jan
    #   2026 New Year's Day; Fri 2 Jan needs 4.5 h: 09:00-12:00 (3 h), lunch, 13:00-14:30.
    # Deadline Fri 2 Jan 2026 14:30 CET = 13:30 UTC.
    calc = BusinessTime(EVERYTHING, owner)
    start, duration = utc(2025, 3, 29, 14), hours(1574)
    explanation = calc.explain(start, duration)
    assert explanation.deadline == expected
    assert calc.between(start, expected) == duration
    days = {report.day.date: report for report in explanation.days}
    assert days[date(2025, 3, 29)].counted == ()  # started after Saturday's hours
    assert days[date(2025, 4, 26)].day.note == "King's Day"
    assert days[date(2025, 12, 24)].day.kind == DayKind.CLOSURE
    assert days[date(2026, 1, 2)].worked == hours(4.5)
    assert len(days[date(2026, 1, 2)].counted) == 2  # morning + after lunch
    assert sum((report.worked for report in explanation.days), timedelta()) == duration


def test_refuses_naive_times_negative_durations_and_backwards_spans():
    with pytest.raises(CalendarError, match="no UTC offset"):
        add_business_time(OFFICE, datetime(2026, 3, 10, 9), hours(1))
    with pytest.raises(CalendarError, match="cannot be negative"):
        add_business_time(OFFICE, utc(2026, 3, 10, 9), hours(-1))
    with pytest.raises(CalendarError, match="before start"):
        business_time_between(OFFICE, utc(2026, 3, 10, 9), utc(2026, 3, 10, 8))
    with pytest.raises(CalendarError, match=">= 0"):
        business_hours(float("nan"))


def test_a_deadline_beyond_the_horizon_is_an_error_not_a_loop():
    # One hour a week (Mondays 09:00-10:00). From Mon 9 Mar 2026 the 70 days to Mon 18 May hold
    # 11 Mondays, of which Easter Monday (6 Apr) and King's Day (27 Apr) are off: 9 h, so 100 h
    # is an error, and 8 h end on the 8th working Monday, 11 May, 10:00 CEST = 08:00 UTC.
    sparse = calendar(
        working_hours={
            "monday": "09:00-10:00",
            **dict.fromkeys(("tuesday", "wednesday", "thursday", "friday"), "closed"),
        }
    )
    calc = BusinessTime(sparse, horizon_days=70)
    with pytest.raises(CalendarError, match="no deadline within 70 days") as caught:
        calc.add(utc(2026, 3, 9, 6), hours(100))
    assert "only 9 h of 100 h" in str(caught.value)
    assert calc.add(utc(2026, 3, 9, 6), hours(8)) == utc(2026, 5, 11, 8)


def test_a_thousand_business_hours_walk_days_not_minutes():
    # 1000 h at 8.5 h a day are ~118 working days: the answer needs ~170 day lookups. A walk
    # by minutes would need ~240,000; with the days counted, this fails loudly if that changes.
    calc = BusinessTime(OFFICE)
    looked_up: list[date] = []
    original = calc.day

    def counting(day: date):  # type: ignore[no-untyped-def]
        looked_up.append(day)
        return original(day)

    calc.day = counting  # type: ignore[method-assign]
    start = utc(2026, 1, 5, 8)
    deadline = calc.add(start, hours(1000))
    assert len(looked_up) < 200
    assert calc.between(start, deadline) == hours(1000)


def test_the_ends_of_the_representable_dates_are_errors_not_crashes():
    near_end = datetime(9999, 12, 30, 12, tzinfo=UTC)
    with pytest.raises(CalendarError, match="dates Python can represent"):
        BusinessTime(calendar(holidays={"country": None})).add(near_end, hours(100))
    with pytest.raises(CalendarError, match="dates Python can represent"):
        business_time_between(OFFICE, datetime(1, 1, 1, 12, tzinfo=UTC), utc(1, 1, 2))
