"""``baton sla``: check SLA business time (``deadline``) and see the open clocks (``status``).

``baton/cli.py`` registers the group with :func:`sla_commands`, handing over its ``--config``
option and loader, so ``sla deadline`` reads the config like every other command.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import click

from connector.config.issues import did_you_mean
from connector.config.models.sla import SlaConfig, SlaPolicy
from connector.jobs.sla.calendar import BusinessTime, CalendarError, business_hours
from connector.jobs.sla.calendar_format import explanation_text
from connector.jobs.sla.hours import OwnerCalendar

ConfigLoader = Callable[[str | None], Any]


class AwareDateTime(click.ParamType):
    """An ISO 8601 time with a UTC offset (``Z`` or ``+02:00``); a naive time is refused."""

    name = "ISO-TIME"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, datetime):
            return value
        try:
            parsed = datetime.fromisoformat(str(value).strip())
        except ValueError:
            self.fail(f"{value!r} is not an ISO 8601 time like 2026-04-24T16:00+02:00", param, ctx)
        if parsed.tzinfo is None or parsed.utcoffset() is None:
            self.fail(
                f"{value!r} has no UTC offset; add one (Z, +01:00, ...) so the time is not a guess",
                param,
                ctx,
            )
        return parsed


def _zone(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        hint = did_you_mean(value, frozenset(available_timezones()))
        raise click.BadParameter(
            f"unknown time zone {value!r}{hint}", param_hint="--owner-timezone"
        ) from None
    return value


def _policy(sla: SlaConfig, name: str | None) -> SlaPolicy | None:
    if name is None:
        return None
    for policy in sla.policies:
        if policy.name == name:
            return policy
    names = [policy.name for policy in sla.policies]
    raise click.BadParameter(
        f"no policy {name!r}{did_you_mean(name, names)}; the config has: {', '.join(names)}",
        param_hint="--policy",
    )


def _hours(given: float | None, policy: SlaPolicy | None, sla: SlaConfig) -> tuple[float, str]:
    """The business hours to add and where they came from."""
    if given is not None:
        if not math.isfinite(given):
            raise click.BadParameter(
                f"{given} is not a number of hours", param_hint="--business-hours"
            )
        return given, "--business-hours"
    chosen = policy or sla.policy_for(None)
    if chosen is None:
        raise click.UsageError("give --business-hours or --policy (the config has no catch-all)")
    hours = chosen.first_response_business_hours
    return hours, f"first response of policy {chosen.name!r}"


def owner_calendar(config: Any, owner_id: str) -> BusinessTime:
    """The owner's calendar as the SLA job builds it (a CRM read only when pointed to)."""
    from connector.jobs.sla.owner_calendars import CalendarBook

    book = CalendarBook(config.sla)
    readers: dict[Any, Any] = {}
    if book.reads_crm and (config.salesforce.enabled or config.hubspot.enabled):
        import os

        from adapters.registry import build_clients, build_readers

        verify = os.environ.get("BATON_SALESFORCE_CA_BUNDLE") or True
        clients = build_clients(config, salesforce_verify=verify)
        readers = build_readers(config, clients=clients)
    return book.for_owner(owner_id, readers)


def status_text(clocks: list[Any], states: dict[str, int], now: datetime) -> str:
    """The ``sla status`` table: deadline, time left, lead, owner, policy, team."""
    counts = ", ".join(f"{states[s]} {s}" for s in sorted(states)) or "no clocks yet"
    lines = [f"SLA clocks: {counts}"]
    if not clocks:
        return "\n".join([*lines, "No running clock."]) + "\n"
    lines.append(f"{'Deadline (UTC)':<20} {'Left':>10}  {'Lead':<18}  {'Owner':<18}  Policy/team")
    for clock in clocks:
        left = clock.deadline_at - now
        shown = "due" if left.total_seconds() <= 0 else _left(left.total_seconds())
        lines.append(
            f"{clock.deadline_at:%Y-%m-%d %H:%M:%S} {shown:>10}  {clock.lead_id:<18}  "
            f"{clock.owner_id:<18}  {clock.policy}/{clock.team or '-'}"
        )
    return "\n".join(lines) + "\n"


def _left(seconds: float) -> str:
    hours, rest = divmod(int(seconds), 3600)
    return f"{hours}h{rest // 60:02d}m"


def sla_commands(
    config_option: Callable[[Callable[..., Any]], Callable[..., Any]], load: ConfigLoader
) -> click.Group:
    """Build the ``sla`` group around the CLI's ``--config`` option and loader."""

    @click.group("sla")
    def sla() -> None:
        """SLA business time and clocks: check the arithmetic, see what is about to breach."""

    @sla.command("status")
    @config_option
    @click.option("--limit", default=20, show_default=True, type=click.IntRange(min=1))
    def status(config_path: str | None, limit: int) -> None:
        """List running first-response clocks, nearest to breach first, and the clock counts."""
        from connector.admin.store_access import admin_database
        from connector.events import utcnow
        from connector.jobs.sla.report import clock_states, open_clocks
        from connector.store import Store

        store = Store(admin_database(load(config_path), config_path).url)
        try:
            with store.session() as session:
                clocks = open_clocks(session, limit)
                states = clock_states(session)
        finally:
            store.dispose()
        click.echo(status_text(clocks, states, utcnow()), nl=False)

    @sla.command("deadline")
    @config_option
    @click.option("--start", required=True, type=AwareDateTime(), help="e.g. 2026-04-24T16:00Z")
    @click.option(
        "--business-hours",
        "hours",
        type=click.FloatRange(min=0),
        help="Business hours to add (default: the policy's first response).",
    )
    @click.option("--policy", "policy_name", help="SLA policy name from sla.policies.")
    @click.option("--owner-timezone", help="The owner's own IANA time zone, e.g. America/New_York.")
    @click.option(
        "--owner",
        "owner_id",
        help="An owner's id (Salesforce user or HubSpot owner): their calendar from "
        "sla.owner_calendars and the CRM records the config points to.",
    )
    def deadline(
        config_path: str | None,
        start: datetime,
        hours: float | None,
        policy_name: str | None,
        owner_timezone: str | None,
        owner_id: str | None,
    ) -> None:
        """Print the deadline START + business hours (UTC and local) and the calendar's reasoning.

        Without --business-hours, the hours are the first response of --policy, else of the
        catch-all policy. The calendar is sla.calendar; --owner-timezone keeps its hours and
        holidays but reads the hours on the owner's clock. --owner uses that owner's calendar
        as the SLA job does (reading Salesforce or HubSpot when the config points to them).
        """
        if owner_id and owner_timezone:
            raise click.UsageError("give --owner or --owner-timezone, not both")
        zone = _zone(owner_timezone)
        config = load(config_path)
        policy = _policy(config.sla, policy_name)
        amount, source = _hours(hours, policy, config.sla)
        owner = OwnerCalendar(timezone=zone, source="--owner-timezone") if zone else None
        try:
            if owner_id:
                calendar = owner_calendar(config, owner_id)
            else:
                calendar = BusinessTime(config.sla.calendar, owner)
            explanation = calendar.explain(start, business_hours(amount))
        except CalendarError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)
        if owner_id:
            used = calendar.owner.source if calendar.owner is not None else ""
            click.echo(
                f"Owner          {owner_id}: {used or 'sla.calendar (no calendar of their own)'}"
            )
        click.echo(explanation_text(explanation, what=f"{amount:g} h, {source}"), nl=False)

    return sla
