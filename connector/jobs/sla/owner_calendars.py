"""Each owner's business calendar: ``sla.calendar``, with what the admin pointed to.

In order, later wins: the company's ``sla.calendar``; a Salesforce ``BusinessHours`` record named
by ``sla.calendar.salesforce_business_hours`` (its hours and zone); the owner's User
``TimeZoneSidKey`` when ``sla.owner_timezones_from_salesforce``; the owner's own
``sla.owner_calendars`` entry (a BusinessHours record by name, or hours, and a zone). Holidays
stay the company's, plus the org's Salesforce ``Holiday`` records when
``sla.calendar.salesforce_holidays``. With ``sla.owner_calendars_from_hubspot`` a HubSpot owner's
user record gives its zone and working hours (after the company's, before the owner's own
entry); an owner HubSpot has no user for stays on the rest, and the audit line says so.

The CRMs are read through the job's readers (so the worker prefetches outside its transaction)
and the result kept for ``ttl_s``: an admin's change in a CRM reaches new clocks within it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from connector.commands import System
from connector.config.models.sla import OwnerCalendarConfig, SlaConfig
from connector.config.salesforce_ids import to_18
from connector.jobs.sla import crm_calendar as crm
from connector.jobs.sla import hubspot_hours as hs
from connector.jobs.sla.calendar import BusinessTime
from connector.jobs.sla.days import CalendarError
from connector.jobs.sla.hours import OwnerCalendar, WeeklyHours
from connector.ports import CrmReader


@dataclass
class CalendarBook:
    """Builds (and keeps for a while) the BusinessTime of each owner."""

    sla: SlaConfig
    ttl_s: float = 600.0
    clock: Callable[[], float] = time.monotonic
    _kept: dict[str, tuple[float, BusinessTime]] = field(default_factory=dict, repr=False)

    @property
    def company(self) -> BusinessTime:
        """The config's calendar alone (what an owner gets when nothing else applies)."""
        return self._kept_or("", lambda: BusinessTime(self.sla.calendar))

    @property
    def reads_crm(self) -> bool:
        """True when some calendar comes from Salesforce records."""
        calendar = self.sla.calendar
        return bool(
            calendar.salesforce_business_hours
            or calendar.salesforce_holidays
            or self.sla.owner_timezones_from_salesforce
            or any(c.salesforce_business_hours for c in self.sla.owner_calendars.values())
            or self.sla.owner_calendars_from_hubspot
        )

    def for_owner(self, owner_id: str | None, readers: Mapping[System, CrmReader]) -> BusinessTime:
        """The owner's calendar; config-only owners never touch Salesforce."""
        own = self.own(owner_id)
        if own is None and not self.reads_crm:
            return self.company
        key = owner_id or ""
        return self._kept_or(key, lambda: self._build(owner_id, own, readers))

    def own(self, owner_id: str | None) -> OwnerCalendarConfig | None:
        """The owner's ``sla.owner_calendars`` entry (15- or 18-character user ids)."""
        if not owner_id:
            return None
        calendars = self.sla.owner_calendars
        if owner_id in calendars:
            return calendars[owner_id]
        if owner_id.startswith("005") and len(owner_id) in (15, 18):
            return calendars.get(to_18(owner_id))
        return None

    def _kept_or(self, key: str, build: Callable[[], BusinessTime]) -> BusinessTime:
        now = self.clock()
        kept = self._kept.get(key)
        if kept is not None and now - kept[0] < self.ttl_s:
            return kept[1]
        made = build()
        self._kept[key] = (now, made)
        return made

    def _build(
        self,
        owner_id: str | None,
        own: OwnerCalendarConfig | None,
        readers: Mapping[System, CrmReader],
    ) -> BusinessTime:
        calendar = self.sla.calendar
        reader = readers.get(System.SALESFORCE)
        zone: str | None = None
        hours: WeeklyHours | None = None
        sources: list[str] = []
        if calendar.salesforce_business_hours:
            found = _business_hours(reader, calendar.salesforce_business_hours)
            zone, hours = found.timezone, found.hours
            sources.append(f"Salesforce BusinessHours {found.name!r}")
        user_zone = None
        if self.sla.owner_timezones_from_salesforce and owner_id and owner_id.startswith("005"):
            user_zone = _user_zone(reader, owner_id)
        if user_zone is not None:
            zone = user_zone
            sources.append(f"User {owner_id} TimeZoneSidKey")
        if self.sla.owner_calendars_from_hubspot and owner_id and owner_id.isdigit():
            found_user = _hubspot_user(readers.get(System.HUBSPOT), owner_id)
            if found_user is None:
                sources.append(f"no HubSpot user for owner {owner_id}: sla.calendar")
            else:
                zone = found_user.timezone or zone
                hours = found_user.hours or hours
                sources.append(f"HubSpot user of owner {owner_id} (working hours, time zone)")
        if own is not None:
            if own.salesforce_business_hours:
                found = _business_hours(reader, own.salesforce_business_hours)
                hours = found.hours
                zone = own.timezone or found.timezone
                sources.append(f"owner's Salesforce BusinessHours {found.name!r}")
            if own.working_hours is not None:
                hours = WeeklyHours.from_config(own.working_hours)
            if own.timezone:
                zone = own.timezone
            if own.working_hours is not None or own.timezone:
                sources.append(f"sla.owner_calendars {owner_id}")
        closures = None
        if calendar.salesforce_holidays:
            closures = _holidays(reader).days
        override = (
            OwnerCalendar(timezone=zone, hours=hours, source="; ".join(sources))
            if zone or hours or sources
            else None
        )
        return BusinessTime(calendar, override, closures=closures)


def _needs(reader: CrmReader | None, method: str, what: str) -> Any:
    found = getattr(reader, method, None) if reader is not None else None
    if found is None:
        raise CalendarError(f"{what} needs the Salesforce connection (salesforce.enabled)")
    return found


def _business_hours(reader: CrmReader | None, name: str) -> crm.CrmHours:
    read = _needs(reader, "business_hours_named", f"BusinessHours {name!r}")
    record = read(name, crm.BUSINESS_HOURS_FIELDS)
    if record is None:
        raise CalendarError(f"Salesforce has no active BusinessHours named {name!r}")
    return crm.business_hours(record.fields)


def _holidays(reader: CrmReader | None) -> crm.CrmClosures:
    read = _needs(reader, "holidays", "sla.calendar.salesforce_holidays")
    return crm.closures(record.fields for record in read(crm.HOLIDAY_FIELDS))


def _user_zone(reader: CrmReader | None, owner_id: str) -> str | None:
    if reader is None:
        return None
    fields = (crm.USER_ZONE_FIELD,)
    found = reader.read("User", [owner_id], fields).get(owner_id)
    zone = found.fields.get(crm.USER_ZONE_FIELD) if found is not None else None
    return str(zone) if zone else None


def _hubspot_user(reader: CrmReader | None, owner_id: str) -> hs.UserHours | None:
    """The owner's user's zone and hours; None when HubSpot knows no user for the owner."""
    read = _needs_hubspot(reader)
    found = read(owner_id)
    if found is None:
        return None
    user = hs.user_hours(f"of owner {owner_id}", found)
    return user if user.timezone or user.hours else None


def _needs_hubspot(reader: CrmReader | None) -> Any:
    found = getattr(reader, "owner_user_hours", None) if reader is not None else None
    if found is None:
        raise CalendarError("sla.owner_calendars_from_hubspot needs the HubSpot connection")
    return found
