"""HubSpot users' working hours and time zone as an owner's SLA calendar (pure, plus the book)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from connector.commands import System
from connector.config import default_config, with_changes
from connector.jobs.sla.days import CalendarError
from connector.jobs.sla.hubspot_hours import user_hours, working_hours
from connector.jobs.sla.owner_calendars import CalendarBook

LUNCH = [
    {"days": "MONDAY_TO_FRIDAY", "startMinute": 540, "endMinute": 720},
    {"days": "MONDAY_TO_FRIDAY", "startMinute": 780, "endMinute": 1020},
    {"days": "SATURDAY", "startMinute": 600, "endMinute": 840},
]


def test_several_ranges_a_day_and_single_days_become_weekly_hours():
    hours = working_hours("7", json.dumps(LUNCH))
    assert hours.for_weekday(0) == ((540, 720), (780, 1020)), "a lunch break: two ranges"
    assert hours.for_weekday(4) == ((540, 720), (780, 1020))
    assert hours.for_weekday(5) == ((600, 840),), "SATURDAY alone"
    assert hours.for_weekday(6) == (), "no entry: closed"


def test_overlapping_entries_of_one_day_are_merged():
    every_day = [
        {"days": "EVERY_DAY", "startMinute": 540, "endMinute": 1020},
        {"days": "MONDAY", "startMinute": 960, "endMinute": 1200},
        {"days": "SATURDAY_SUNDAY", "startMinute": 0, "endMinute": 1440},
    ]
    hours = working_hours("7", every_day)
    assert hours.for_weekday(0) == ((540, 1200),)
    assert hours.for_weekday(1) == ((540, 1020),)
    assert hours.for_weekday(6) == ((0, 1440),)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("not json", "is not JSON"),
        ('{"days": "MONDAY"}', "is not a list"),
        ('[{"days": "WEEKDAYS", "startMinute": 1, "endMinute": 2}]', "unknown days 'WEEKDAYS'"),
        ('[{"days": "MONDAY", "startMinute": 600}]', "needs startMinute and endMinute"),
        ('[{"days": "MONDAY", "startMinute": 600, "endMinute": 540}]', "not a range within"),
    ],
)
def test_a_malformed_value_is_an_error_naming_the_user(raw: str, message: str):
    with pytest.raises(CalendarError, match=f"HubSpot user 7 hs_working_hours.*{message}"):
        working_hours("7", raw)


def test_the_zone_is_checked_and_empty_values_mean_not_set():
    found = user_hours("7", {"hs_standard_time_zone": "America/New_York", "hs_working_hours": ""})
    assert (found.timezone, found.hours) == ("America/New_York", None)
    assert user_hours("7", {}).timezone is None
    with pytest.raises(CalendarError, match="unknown time zone 'Mars/Olympus'"):
        user_hours("7", {"hs_standard_time_zone": "Mars/Olympus"})


class _HubSpot:
    """A HubSpotReader's ``owner_user_hours`` answers, counting the reads."""

    def __init__(self, users: dict[str, dict[str, Any]]) -> None:
        self.users = users
        self.reads: list[str] = []

    def owner_user_hours(self, owner_id: str) -> dict[str, Any] | None:
        self.reads.append(owner_id)
        return self.users.get(owner_id)


def _book(**changes: Any) -> CalendarBook:
    config = with_changes(default_config(), {"sla.owner_calendars_from_hubspot": True, **changes})
    return CalendarBook(config.sla)


NEW_YORK = {
    "hs_standard_time_zone": "America/New_York",
    "hs_working_hours": json.dumps([LUNCH[0], LUNCH[1]]),
}


def test_an_owner_in_a_zone_with_dst_gets_their_users_hours_on_their_clock():
    hubspot = _HubSpot({"101": NEW_YORK})
    book = _book()
    calendar = book.for_owner("101", {System.HUBSPOT: hubspot})
    assert calendar.owner is not None
    assert calendar.owner.source == "HubSpot user of owner 101 (working hours, time zone)"
    # Friday 6 March 2026 15:00 EST (20:00 UTC) + 4 business hours: 2 h on Friday, then Monday
    # 9 March after the US switch to EDT (UTC-4): 09:00-11:00 EDT = 13:00-15:00 UTC
    due = calendar.add(datetime(2026, 3, 6, 20, 0, tzinfo=UTC), timedelta(hours=4))
    assert due == datetime(2026, 3, 9, 15, 0, tzinfo=UTC)
    # the lunch break does not count: Monday 11:00 EDT + 2 h = 14:00 EDT
    later = calendar.add(datetime(2026, 3, 9, 15, 0, tzinfo=UTC), timedelta(hours=2))
    assert later == datetime(2026, 3, 9, 18, 0, tzinfo=UTC)
    book.for_owner("101", {System.HUBSPOT: hubspot})
    assert hubspot.reads == ["101"], "kept: one read per owner per ttl"


def test_an_owner_hubspot_has_no_user_for_runs_on_sla_calendar_and_says_so():
    hubspot = _HubSpot({})
    book = _book()
    calendar = book.for_owner("202", {System.HUBSPOT: hubspot})
    assert calendar.owner is not None
    assert calendar.owner.source == "no HubSpot user for owner 202: sla.calendar"
    assert str(calendar.zone) == "Europe/Amsterdam"
    assert calendar.hours == book.company.hours


def test_an_owners_own_entry_beats_the_hubspot_user_and_salesforce_ids_never_ask_hubspot():
    hubspot = _HubSpot({"101": NEW_YORK})
    book = _book(**{"sla.owner_calendars": {"101": {"timezone": "Asia/Tokyo"}}})
    calendar = book.for_owner("101", {System.HUBSPOT: hubspot})
    assert str(calendar.zone) == "Asia/Tokyo"
    assert calendar.hours.for_weekday(0) == ((540, 720), (780, 1020)), "hours still HubSpot's"
    book.for_owner("005000000000001AAA", {System.HUBSPOT: hubspot})
    assert hubspot.reads == ["101"]


def test_without_the_hubspot_connection_the_book_raises_for_the_job_to_fall_back():
    with pytest.raises(CalendarError, match="needs the HubSpot connection"):
        _book().for_owner("101", {})
