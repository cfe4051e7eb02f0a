"""The calendar's parts: the DST rule, weekly hours and owners, days off, the explanation text."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sla_calendars import OFFICE, calendar, hours, utc

from connector.config.models.calendar import Holidays, WorkingHours
from connector.jobs.sla.calendar import BusinessTime
from connector.jobs.sla.calendar_format import (
    describe_hours,
    explanation_text,
    format_duration,
)
from connector.jobs.sla.days import CalendarError, HolidayRules
from connector.jobs.sla.hours import OwnerCalendar, WeeklyHours
from connector.jobs.sla.wallclock import day_length, wall_to_utc

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
SPRING, AUTUMN = date(2026, 3, 29), date(2026, 10, 25)


@pytest.mark.parametrize(
    ("day", "minute", "first", "last"),
    [
        (date(2026, 3, 10), 9 * 60, utc(2026, 3, 10, 8), utc(2026, 3, 10, 8)),  # ordinary
        (SPRING, 150, utc(2026, 3, 29, 1), utc(2026, 3, 29, 1)),  # 02:30 skipped: the jump
        (SPRING, 120, utc(2026, 3, 29, 1), utc(2026, 3, 29, 1)),  # 02:00 skipped too
        (SPRING, 180, utc(2026, 3, 29, 1), utc(2026, 3, 29, 1)),  # 03:00 CEST is the jump
        (AUTUMN, 150, utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 1, 30)),  # shown twice
        (AUTUMN, 180, utc(2026, 10, 25, 2), utc(2026, 10, 25, 2)),  # 03:00 only once
        (AUTUMN, 24 * 60, utc(2026, 10, 25, 23), utc(2026, 10, 25, 23)),  # 24:00 = next 00:00
    ],
)
def test_wall_to_utc_follows_the_dst_rule(day, minute, first, last):
    assert wall_to_utc(day, minute, AMSTERDAM, last=False) == first
    assert wall_to_utc(day, minute, AMSTERDAM, last=True) == last


def test_the_jump_is_found_to_the_second_in_a_zone_with_an_odd_offset():
    # Lord Howe Island moves its clocks by 30 minutes, +10:30 -> +11:00, at 02:00 on 4 Oct 2026:
    # 02:15 does not exist and falls on the jump, 02:00 - 10:30 = Sat 3 Oct 15:30 UTC.
    zone = ZoneInfo("Australia/Lord_Howe")
    jump = utc(2026, 10, 3, 15, 30)
    assert wall_to_utc(date(2026, 10, 4), 2 * 60 + 15, zone, last=False) == jump
    assert wall_to_utc(date(2026, 10, 4), 2 * 60 + 30, zone, last=False) == jump


def test_day_length():
    assert day_length(SPRING, AMSTERDAM) == hours(23)
    assert day_length(AUTUMN, AMSTERDAM) == hours(25)
    assert day_length(date(2026, 3, 10), AMSTERDAM) == hours(24)


def test_weekly_hours_from_the_config_and_from_a_crm_shape():
    config = WeeklyHours.from_config(WorkingHours(friday="09:00-12:00, 13:00-17:00"))
    assert config.for_weekday(4) == ((540, 720), (780, 1020))
    assert config.for_weekday(5) == ()
    crm = WeeklyHours.from_mapping({0: [(780, 1020), (540, 720)]})
    assert crm.for_weekday(0) == ((540, 720), (780, 1020))  # sorted
    assert crm.for_weekday(1) == ()


@pytest.mark.parametrize(
    "days",
    [
        {0: [(540, 540)]},  # empty range
        {0: [(540, 720), (700, 800)]},  # overlap
        {0: [(0, 1441)]},  # past the end of the day
        {},  # never open
        {7: [(540, 600)]},  # no such weekday
    ],
)
def test_weekly_hours_refuse_what_cannot_be_a_week(days):
    with pytest.raises(ValueError):
        WeeklyHours.from_mapping(days)


def test_an_owner_needs_a_real_time_zone():
    with pytest.raises(ValueError, match="unknown time zone"):
        OwnerCalendar(timezone="Mars/Olympus_Mons")


def test_days_off_and_their_reasons():
    rules = HolidayRules(Holidays(extra=(date(2026, 12, 24),), removed=(date(2026, 5, 14),)))
    assert rules.day_off(date(2026, 12, 24)).kind == "closure"
    assert rules.day_off(date(2026, 12, 25)).name == "Christmas Day"
    assert rules.day_off(date(2026, 5, 14)) is None  # Ascension Day, removed
    assert rules.worked_holiday(date(2026, 5, 14)) == "Ascension Day"
    assert rules.day_off(date(2026, 12, 23)) is None


def test_describe_names_removed_dates_that_are_no_holiday():
    # Liberation Day is a public holiday in lustrum years only (2025, 2030): removing
    # 2026-05-05, as the example config does, changes nothing, and the explanation says so.
    rules = HolidayRules(Holidays(extra=(date(2026, 12, 24),), removed=(date(2026, 5, 5),)))
    assert rules.describe() == (
        "public holidays NL, 1 company closure(s), 1 holiday(s) worked "
        "(2026-05-05 in holidays.removed: no public holiday, so no change)"
    )
    assert (
        HolidayRules(Holidays(country="DE", subdivision="BY"))
        .describe()
        .startswith("public holidays DE-BY, 0 company closure(s)")
    )


def test_subdivisions_in_any_case_and_unknown_regions_are_clear_errors():
    # The config upper-cases codes; the library spells some subdivisions otherwise.
    assert HolidayRules(Holidays(country="NL", subdivision="noord")).subdivision == "Noord"
    assert HolidayRules(Holidays(country="DE", subdivision="by")).subdivision == "BY"
    # Bavaria has Epiphany (6 Jan), Berlin does not.
    assert HolidayRules(Holidays(country="DE", subdivision="BY")).public_holiday(date(2026, 1, 6))
    assert not HolidayRules(Holidays(country="DE", subdivision="BE")).public_holiday(
        date(2026, 1, 6)
    )
    with pytest.raises(CalendarError, match="no subdivision 'XX'"):
        HolidayRules(Holidays(country="NL", subdivision="XX"))
    with pytest.raises(CalendarError, match="no public holidays for 'QQ'"):
        HolidayRules(Holidays(country="QQ"))


def test_describe_hours_groups_equal_neighbours():
    hours_ = WeeklyHours.from_config(WorkingHours(friday="09:00-17:00", sunday="10:00-12:00"))
    assert describe_hours(hours_) == (
        "Mon-Thu 09:00-17:30; Fri 09:00-17:00; Sat closed; Sun 10:00-12:00"
    )


def test_format_duration():
    assert format_duration(timedelta(hours=27, seconds=5)) == "27:00:05"
    assert format_duration(timedelta(0)) == "0:00:00"


def test_the_explanation_text_shows_every_day_and_why():
    # Fri 24 Apr 2026 16:00 CEST + 4 h (see test_koningsdag_is_skipped).
    text = explanation_text(BusinessTime(OFFICE).explain(utc(2026, 4, 24, 14), hours(4)))
    lines = text.splitlines()
    assert lines[0] == "Deadline       2026-04-28 09:30:00 UTC = Tue 2026-04-28 11:30 CEST"
    assert lines[1] == "Start          2026-04-24 14:00:00 UTC = Fri 2026-04-24 16:00 CEST"
    assert "  Fri 2026-04-24  working   hours 09:00-17:30  counted 16:00-17:30 = 1:30:00" in text
    assert "  Sat 2026-04-25  weekend   weekend" in lines
    assert "  Mon 2026-04-27  holiday   King's Day" in lines
    assert "counted 09:00-11:30 = 2:30:00 (total 4:00:00)" in lines[-2]
    assert lines[-1] == "Counted 4:00:00 of 4:00:00."


def test_the_explanation_marks_dst_days_and_the_other_offset():
    sundays = calendar(working_hours={"sunday": "00:00-24:00"})
    start = datetime(2026, 10, 24, 22, tzinfo=UTC)  # Sun 25 Oct 00:00 CEST
    text = explanation_text(BusinessTime(sundays).explain(start, hours(25)))
    assert "counted 00:00 CEST-24:00 = 25:00:00" in text
    assert "[DST: clocks go back, a 25:00:00 day]" in text


def test_the_explanation_names_the_owners_override():
    owner = OwnerCalendar(timezone="America/New_York", source="HubSpot user 42")
    text = explanation_text(BusinessTime(OFFICE, owner).explain(utc(2026, 3, 10, 14), hours(1)))
    assert "Time zone      America/New_York (owner's, from HubSpot user 42)" in text
    assert "Day by day (local dates, America/New_York):" in text
