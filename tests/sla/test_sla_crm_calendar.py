"""Salesforce BusinessHours and Holiday fields as the SLA calendar's values (pure)."""

from __future__ import annotations

from datetime import date

import pytest

from connector.jobs.sla.crm_calendar import business_hours, closures
from connector.jobs.sla.days import CalendarError

WEEK = {f"{d}{e}Time": None for d in ("Saturday", "Sunday") for e in ("Start", "End")}


def _hours(**days: tuple[str, str]) -> dict[str, object]:
    fields: dict[str, object] = {"Name": "Office", "TimeZoneSidKey": "America/New_York", **WEEK}
    for day in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday"):
        start, end = days.get(day, ("09:00:00.000Z", "17:30:00.000Z"))
        fields[f"{day}StartTime"], fields[f"{day}EndTime"] = start, end
    return fields


def test_a_business_hours_record_becomes_weekly_hours_in_its_zone():
    found = business_hours(_hours(Friday=("00:00:00.000Z", "00:00:00.000Z")))
    assert found.timezone == "America/New_York"
    assert found.hours.for_weekday(0) == ((540, 1050),)
    assert found.hours.for_weekday(4) == ((0, 1440),), "00:00-00:00 is Salesforce's 24 hours"
    assert found.hours.for_weekday(5) == (), "null times: closed"


def test_a_broken_business_hours_record_is_an_error_naming_it():
    with pytest.raises(CalendarError, match="'Office': Monday ends before it starts"):
        business_hours(_hours(Monday=("17:00:00.000Z", "09:00:00.000Z")))
    with pytest.raises(CalendarError, match="no known time zone"):
        business_hours({**_hours(), "TimeZoneSidKey": "Mars/Olympus"})


def test_only_all_day_one_off_holidays_close_a_day():
    found = closures(
        [
            {"Name": "Founders", "ActivityDate": "2026-12-28", "IsAllDay": True},
            {"Name": "Half", "ActivityDate": "2026-12-29", "IsAllDay": False},
            {
                "Name": "Yearly",
                "ActivityDate": "2026-12-30",
                "IsAllDay": True,
                "IsRecurrence": True,
            },
        ]
    )
    assert found.days == {date(2026, 12, 28): "Salesforce Holiday 'Founders'"}
    assert found.skipped == ("Half (part of a day)", "Yearly (recurring)")
