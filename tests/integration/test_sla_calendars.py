"""Per-owner SLA calendars read from the Salesforce sandbox through simple-salesforce: an owner
on a BusinessHours record in another time zone, the org's Holiday records as closures, a User's
TimeZoneSidKey, and a BusinessHours name Salesforce does not know. The deadlines are the ones the
job stored on the clocks (the lead handed off in HubSpot, created in Salesforce for the rep);
``baton sla deadline --owner`` builds the same calendar and shows its reasoning.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sync_world import SyncWorld

from baton.sla_commands import owner_calendar
from connector.config.models.calendar import BusinessCalendar
from connector.jobs.sla.calendar import BusinessTime
from connector.jobs.sla.calendar_format import explanation_text
from connector.jobs.sla.hours import OwnerCalendar, WeeklyHours
from connector.store.models import AuditEntry, SlaClock

NEW_YORK = ZoneInfo("America/New_York")
OFFICE = {d: ("09:00", "17:00") for d in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")}
CALENDAR = {"timezone": "Europe/Amsterdam", "holidays": {"country": None}}


def _configure(world: SyncWorld, rep: str, **sla: Any) -> None:
    world.configure(
        {
            "routing.teams": {"inbound": {"members": [rep]}},
            "routing.rules": [{"name": "everyone", "when": [], "team": "inbound"}],
            "sla.policies": [
                {"name": "inbound", "applies_to": "all", "first_response_business_hours": 10}
            ],
            "escalation.ladder": [],
            **sla,
        }
    )


def _clock(world: SyncWorld, lead_id: str) -> SlaClock:
    with world.runtime.store.session() as session:
        clock = session.scalars(select(SlaClock).where(SlaClock.lead_id == lead_id)).one()
        session.expunge(clock)
        return clock


def _audit(world: SyncWorld, lead_id: str) -> list[str]:
    with world.runtime.store.session() as session:
        rows = session.scalars(
            select(AuditEntry.summary).where(AuditEntry.record_key == f"salesforce:lead:{lead_id}")
        )
        return list(rows)


def _next_weekday(after: date) -> date:
    day = after + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def test_an_owner_on_a_new_york_business_hours_record_with_the_orgs_holidays(
    world: SyncWorld, monkeypatch: pytest.MonkeyPatch
):
    tag = world.tag
    rep = world.sf.add_user("Nia York", f"nia-{tag}@example.com")
    name = f"New York office {tag}"
    world.sf.add_business_hours(name, "America/New_York", OFFICE)
    closed = _next_weekday(datetime.now(NEW_YORK).date())
    partly = _next_weekday(closed)
    world.sf.add_holiday(f"Founders Day {tag}", closed)
    world.sf.add_holiday(f"Half day {tag}", partly, all_day=False, start_minutes=0, end_minutes=720)
    _configure(
        world,
        rep,
        **{
            "sla.calendar": {**CALENDAR, "salesforce_holidays": True},
            "sla.owner_calendars": {rep: {"salesforce_business_hours": name}},
        },
    )
    _, lead_id = world.hand_off("newyork")
    clock = _clock(world, lead_id)
    office = WeeklyHours.from_mapping({d: [(540, 1020)] for d in range(5)})
    expected = BusinessTime(
        BusinessCalendar.model_validate(CALENDAR),
        OwnerCalendar(timezone="America/New_York", hours=office),
        closures={closed: "Founders Day"},
    ).add(clock.started_at, timedelta(hours=10))
    assert clock.deadline_at == expected
    local = clock.deadline_at.astimezone(NEW_YORK)
    # inside the office's hours (to the second: a clock started at 15:00:24 ends at 09:00:24)
    assert local.weekday() < 5 and time(9) <= local.time() <= time(17)
    assert local.date() != closed
    assert any(
        f"owner's Salesforce BusinessHours '{name}'" in line for line in _audit(world, lead_id)
    )
    # the admin's view of the same arithmetic, read again through simple-salesforce
    monkeypatch.setenv("BATON_SALESFORCE_CA_BUNDLE", str(world.sf.ca_bundle_path))
    calendar = owner_calendar(world.runtime.config, rep)
    explanation = calendar.explain(clock.started_at, timedelta(hours=10))
    assert explanation.deadline == clock.deadline_at
    text = explanation_text(explanation)
    assert "Time zone      America/New_York" in text
    assert "Mon-Fri 09:00-17:00; Sat-Sun closed" in text
    assert f"{closed:%a %Y-%m-%d}  closure   Salesforce Holiday 'Founders Day {tag}'" in text
    assert f"{partly:%a %Y-%m-%d}  working" in text, "a part-day holiday is not read as closed"


def test_an_owners_salesforce_time_zone_and_an_unknown_business_hours_name(world: SyncWorld):
    tag = world.tag
    rep = world.sf.add_user("Kei Tokyo", f"kei-{tag}@example.com", TimeZoneSidKey="Asia/Tokyo")
    assert world.sf.get("User", rep)["TimeZoneSidKey"] == "Asia/Tokyo"
    _configure(
        world, rep, **{"sla.calendar": CALENDAR, "sla.owner_timezones_from_salesforce": True}
    )
    _, lead_id = world.hand_off("tokyo")
    clock = _clock(world, lead_id)
    company = BusinessCalendar.model_validate(CALENDAR)
    expected = BusinessTime(company, OwnerCalendar(timezone="Asia/Tokyo"))
    assert clock.deadline_at == expected.add(clock.started_at, timedelta(hours=10))
    assert clock.deadline_at != BusinessTime(company).add(clock.started_at, timedelta(hours=10))
    assert any(f"User {rep} TimeZoneSidKey" in line for line in _audit(world, lead_id))

    other = world.sf.add_user("Typo Owner", f"typo-{tag}@example.com")
    _configure(
        world,
        other,
        **{
            "sla.calendar": CALENDAR,
            "sla.owner_calendars": {other: {"salesforce_business_hours": f"No such {tag}"}},
        },
    )
    _, lead_id = world.hand_off("typo")
    clock = _clock(world, lead_id)
    assert clock.deadline_at == BusinessTime(company).add(clock.started_at, timedelta(hours=10))
    assert any(
        f"sla.calendar: Salesforce has no active BusinessHours named 'No such {tag}'" in line
        for line in _audit(world, lead_id)
    ), "the clock still starts, on the company calendar, and says why"
    assert clock.started_at <= datetime.now(UTC)
