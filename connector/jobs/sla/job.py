"""The SLA job: first-response clocks on handed-off leads, breaches, and the escalation ladder.

A clock starts when a person owns a handed-off Salesforce Lead (a queue-owned lead waits for a
person to take it) and stops at the owner's first logged touch: a Task or Event on the lead
owned by them, or a status in ``sla.working_statuses``. The deadline is a durable timer; when it
fires, the job asks Salesforce for the lead's activities first (a missed SLA is the absence of
an event, and an outbound message can be late), then records the breach and schedules one timer
per ladder step. Each step becomes ``Notify`` commands with keys per clock, step and channel, so a
replay sends nothing twice; a touch cancels the steps still to come.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from connector import knowledge
from connector.commands import Command, Notify, System, UpdateFields
from connector.config import BatonConfig
from connector.events import ObjectType, Source, record_key
from connector.jobs.base import DONE, SKIPPED, JobContext, JobSetup, Outcome, is_timer
from connector.jobs.lifecycle import leads
from connector.jobs.sla import clocks, per_rep, within_hubspot
from connector.jobs.sla import rules as r
from connector.jobs.sla import touches as t
from connector.jobs.sla.calendar import BusinessTime, CalendarError
from connector.jobs.sla.owner_calendars import CalendarBook
from connector.jobs.sla.people import Recipient, recipient_for
from connector.ports import CrmRecord
from connector.store.models import InboxEvent, RecordLink, SlaClock
from connector.timers import CancelTimer, SetTimer

BREACH, STEP = "sla.breach", "sla.step"
_ACTIVITIES = t.SALESFORCE_ACTIVITIES
#: a lead whose last clock ended this way gets a new one when a person owns it again (it went
#: back to a queue, or was closed and has come back); after a touch or conversion it does not
_RESTARTS_AFTER = ("closed", "queue", "reassigned")


@dataclass
class SlaJob:
    """Clocks, breaches and escalations for the admin's ``sla:`` and ``escalation:`` sections."""

    config: BatonConfig
    calendar: BusinessTime
    name: str = "sla"
    #: each owner's calendar (``sla.owner_calendars``, Salesforce BusinessHours/Holiday); without
    #: one every owner is on ``calendar``
    book: CalendarBook | None = None

    def wants(self, event: InboxEvent) -> bool:
        """Salesforce Lead changes (Baton's own too: its routing assigns owners), Tasks, Events;
        with HubSpot alone, contact owners and statuses and Leads stages (``within_hubspot``);
        in both modes, HubSpot calls, e-mails, meetings and tasks."""
        if not self.config.salesforce.enabled:
            return within_hubspot.wants(event) or _hubspot_touch(event)
        if event.source == Source.HUBSPOT:
            return _hubspot_touch(event)
        if event.source != Source.SALESFORCE:
            return False
        if event.object_type == ObjectType.LEAD:
            return True
        return event.object_type in _ACTIVITIES and not event.is_echo

    def handle(self, ctx: JobContext, event: InboxEvent) -> Outcome:
        """A fired deadline or step, a Task or Event, or a Lead snapshot."""
        if is_timer(event):
            if event.provider_type == BREACH:
                return self._deadline(ctx, event)
            return self._step(ctx, event)
        if _hubspot_touch(event):
            return self._engagement(ctx, event)
        if event.source == Source.HUBSPOT and not self.config.salesforce.enabled:
            return within_hubspot.handle(self, ctx, event)
        if event.object_type in _ACTIVITIES:
            return self._activity(ctx, event)
        return self._lead(ctx, event)

    # -- the lead -----------------------------------------------------------------------------

    def settles_in_bulk(self, event: InboxEvent) -> bool:
        """A Lead echo of Baton's own write: most change no clock (``bulk_outcomes`` says which)."""
        return bool(
            self.config.salesforce.enabled
            and event.is_echo
            and event.source == Source.SALESFORCE
            and event.object_type == ObjectType.LEAD
        )

    def preload(self, session: Session, events: Sequence[InboxEvent]) -> None:
        """The clocks of a chunk's Salesforce Leads, read and locked in one SELECT."""
        leads = [
            event.object_id
            for event in events
            if event.source == Source.SALESFORCE and event.object_type == ObjectType.LEAD
        ]
        clocks.preload_latest(session, leads)

    def bulk_outcomes(self, ctx: JobContext, events: Sequence[InboxEvent]) -> list[Outcome | None]:
        """What :meth:`handle` would answer to each Lead echo that changes nothing, read for all
        at once (their clocks, and links when HubSpot is on); None for one that starts, stops,
        follows or closes a clock: it is handled one by one. Writes nothing."""
        ids = [event.object_id for event in events]
        links = (
            knowledge.links_for_salesforce(ctx.session, ids) if self.config.hubspot.enabled else {}
        )
        latest = clocks.latest_of(ctx.session, ids)
        outcomes: list[Outcome | None] = []
        for event in events:
            view = self._view(event, links.get(event.object_id))
            why = self._unchanged(view, latest.get(event.object_id[:18]))
            outcomes.append(None if why is None else Outcome(SKIPPED, why))
        return outcomes

    def _lead(self, ctx: JobContext, event: InboxEvent) -> Outcome:
        view = self._view(event, knowledge.link_for_salesforce(ctx.session, event.object_id))
        clock = clocks.latest(ctx.session, event.object_id)
        at = event.occurred_at
        why = self._unchanged(view, clock)
        if why is not None:
            return Outcome(SKIPPED, why)
        if view.converted:
            return self._stop(clock, "converted", at, "lead converted")
        if view.status in self.config.recycle.trigger_statuses.salesforce:
            assert clock is not None  # _unchanged: a clock to judge
            return self._closed(ctx, event, clock, at)
        if clocks.is_open(clock) and r.is_working(view.status, self.config.sla.working_statuses):
            return self._stop(clock, "status", at, f"status {view.status!r}")
        if clock is not None and clocks.is_open(clock):
            return self._owner_moved(clock, str(view.owner_id), at)
        return self._start(ctx, event, clock, str(view.owner_id), at)

    def _view(self, event: InboxEvent, link: RecordLink | None) -> r.LeadView:
        # Salesforce alone: every lead a person owns was handed to them (there is no HubSpot)
        linked = not self.config.hubspot.enabled or (
            link is not None and bool(link.hubspot_contact_id)
        )
        return r.read_lead(event.changes, self.config.salesforce.hubspot_id_field, linked)

    def _unchanged(self, view: r.LeadView, clock: SlaClock | None) -> str | None:
        """Why a Lead snapshot changes nothing for the SLA; None when it starts, stops, follows
        or closes a clock. :meth:`_lead` and :meth:`bulk_outcomes` both decide with this."""
        if view.converted:
            return None if clocks.is_open(clock) else "lead converted: no open SLA clock"
        if view.status in self.config.recycle.trigger_statuses.salesforce:
            closed = clock is None or clock.stopped_by == "closed"
            return "closed; no SLA clock to judge" if closed else None
        if clock is not None and clocks.is_open(clock):
            if r.is_working(view.status, self.config.sla.working_statuses):
                return None
            if view.owner_id is None or view.owner_id[:15] == clock.owner_id[:15]:
                return f"SLA clock #{clock.number} {clock.state}; nothing changed"
            return None
        if not view.handed_off or not r.is_person(view.owner_id):
            why = "not a handed-off lead" if not view.handed_off else "no person owns it yet"
            return f"no SLA clock: {why}"
        if clock is not None and clock.stopped_by not in _RESTARTS_AFTER:
            return f"SLA clock #{clock.number} already {clock.state}"
        if clock is not None and clock.stopped_by == "reassigned" and _same(view, clock):
            # a late copy of a change from before Baton's reassignment: not a new promise
            return f"SLA clock #{clock.number} reassigned away from this owner"
        if r.is_working(view.status, self.config.sla.working_statuses):
            return "no SLA clock: the lead is already being worked"
        return None

    def _start(
        self,
        ctx: JobContext,
        event: InboxEvent,
        previous: SlaClock | None,
        owner: str,
        at: datetime,
    ) -> Outcome:
        team = r.team_of(owner, self.config.routing)
        policy = self.config.sla.policy_for(team)
        if policy is None:
            return Outcome(SKIPPED, f"no SLA policy for team {team or '(none)'}")
        calendar, note = self._calendar(ctx, owner)
        due = r.deadline(at, policy, calendar)
        clock = SlaClock(
            lead_id=event.object_id[:18],
            number=(previous.number if previous is not None else 0) + 1,
            owner_id=owner[:18],
            team=team,
            policy=policy.name,
            state=r.State.RUNNING.value,
            started_at=at,
            deadline_at=due,
            touches=0,
        )
        ctx.session.add(clock)
        ctx.session.flush()
        clocks.started(ctx.session, clock)
        line = (
            f"SLA clock #{clock.number} started for owner {owner} (policy {policy.name}, "
            f"team {team or '-'}): first touch due {due.isoformat()}{note}"
        )
        timer = SetTimer(BREACH, _breach_key(clock), due, {"clock": clock.id})
        return Outcome(DONE, line, timers=(timer,), audit=(line,))

    def _owner_moved(self, clock: SlaClock, owner: str, at: datetime) -> Outcome:
        """An open clock follows a new person; a queue taking the lead back ends it (an owner
        that did not change is :meth:`_unchanged`)."""
        if r.is_person(owner):
            line = f"SLA clock #{clock.number} now owned by {owner} (was {clock.owner_id})"
            clock.owner_id = owner[:18]
            return Outcome(DONE, line, audit=(line,))
        clock.state, clock.stopped_at, clock.stopped_by = r.State.ENDED.value, at, "queue"
        line = f"SLA clock #{clock.number} ended: the lead went to queue {owner}"
        return Outcome(DONE, line, timers=self._cancels(clock), audit=(line,))

    def _closed(self, ctx: JobContext, event: InboxEvent, clock: SlaClock, at: datetime) -> Outcome:
        """A disqualification or recycle: too few touches, or no reason, is a breach (a lead
        without a clock to judge is :meth:`_unchanged`)."""
        policy = self._policy(clock)
        touches = max(clock.touches or 0, len(self._owner_activities(ctx, clock, None)))
        reason = event.changes.get(self.config.recycle.reason_field)
        lines: list[str] = []
        for kind, why in r.closing_breaches(touches, _text(reason), policy):
            if clocks.record_breach(ctx.session, clock, kind, at):
                lines.append(f"SLA breach ({kind}) on clock #{clock.number}: {why}")
        timers = self._cancels(clock) if clocks.is_open(clock) else ()
        if clock.state == r.State.RUNNING.value:
            clock.state = r.State.ENDED.value
        elif clock.state == r.State.BREACHED.value:
            clock.state = r.State.ACTED.value
        clock.stopped_at = clock.stopped_at or at
        clock.stopped_by = "closed"
        lines.append(f"SLA clock #{clock.number} closed with {touches} touch(es)")
        return Outcome(DONE, "; ".join(lines), timers=timers, audit=tuple(lines))

    # -- touches ------------------------------------------------------------------------------

    def _activity(self, ctx: JobContext, event: InboxEvent) -> Outcome:
        """A Task (call, e-mail) or Event (meeting) logged on the lead by its owner."""
        kind = str(event.object_type)
        who = str(event.changes.get("WhoId") or "")
        if not who.startswith("00Q"):
            return Outcome(SKIPPED, f"{kind} not on a lead")
        clock = clocks.latest(ctx.session, who)
        if clock is None:
            return Outcome(SKIPPED, f"{kind} on a lead without an SLA clock")
        fields = {"CreatedDate": event.occurred_at.isoformat(), **event.changes}
        record = CrmRecord(kind, event.object_id, fields)
        touch = t.from_salesforce(record, self.config.salesforce.integration_user_id)
        if touch is None:
            return Outcome(SKIPPED, f"{kind} without a time: no touch")
        if touch.by_baton:
            return Outcome(SKIPPED, f"{kind} created by Baton (an escalation task): no touch")
        if not _is_touch(clock, touch.owner, touch.at):  # another's, or before this clock
            return Outcome(
                SKIPPED,
                f"{kind} by {touch.owner or 'nobody'} at {touch.at:%Y-%m-%d %H:%M}: no touch",
            )
        return self._touched(ctx, clock, touch, f"{kind} {event.object_id}")

    def _engagement(self, ctx: JobContext, event: InboxEvent) -> Outcome:
        """A HubSpot call, e-mail, meeting or task: read it (the webhook carries no contacts),
        find its contact's clock (the linked lead's, or with HubSpot alone the contact's own),
        and count it when the clock's owner logged (or completed) it."""
        kind = str(event.object_type)
        reader = ctx.readers.get(System.HUBSPOT)
        read = getattr(reader, "engagement", None)
        record = read(kind, event.object_id) if read is not None else None
        touch = t.from_hubspot(record) if record is not None else None
        if record is None or touch is None:
            why = "gone, open or without a time"
            return Outcome(SKIPPED, f"HubSpot {kind} {event.object_id}: {why}: no touch")
        if touch.by_baton:
            return Outcome(SKIPPED, f"HubSpot {kind} {event.object_id} is Baton's escalation task")
        for contact in t.contacts_of(record):
            clock = self._contact_clock(ctx, contact)
            if clock is None:
                continue
            if not _is_touch(clock, clock.owner_id, touch.at):
                continue  # logged before this clock started
            if not self._owner_match(ctx, clock)(touch.owner):
                return Outcome(
                    SKIPPED,
                    f"HubSpot {kind} by owner {touch.owner or 'nobody'}: not the clock's owner",
                )
            return self._touched(ctx, clock, touch, f"HubSpot {kind} {event.object_id}")
        return Outcome(SKIPPED, f"HubSpot {kind} not on a contact with an SLA clock")

    def _touched(self, ctx: JobContext, clock: SlaClock, touch: t.Touch, what: str) -> Outcome:
        """Count the owner's touch once; the first one stops an open clock."""
        counted = clocks.add_touch(ctx.session, clock, touch.activity_id, touch.at)
        if not clocks.is_open(clock):
            done = f"touch {clock.touches} counted" if counted else "touch already counted"
            return Outcome(DONE if counted else SKIPPED, f"SLA clock #{clock.number}: {done}")
        outcome = self._stop(clock, touch.kind, touch.at, what)
        # the clock's story belongs on the lead, where `baton explain` looks, not on the Task
        return replace(outcome, audit_record_key=self._clock_key(clock))

    def _stop(self, clock: SlaClock | None, by: str, at: datetime, what: str) -> Outcome:
        if clock is None or not clocks.is_open(clock):
            return Outcome(SKIPPED, f"{what}: no open SLA clock")
        breached = clock.state == r.State.BREACHED.value
        if breached and not self.config.escalation.stop_when_rep_acts:
            line = f"SLA clock #{clock.number}: {what} after the breach; the ladder goes on"
            return Outcome(DONE, line, audit=(line,))
        clock.state = (r.State.ACTED if breached else r.State.MET).value
        clock.stopped_at, clock.stopped_by = at, by
        if breached:
            line = f"SLA clock #{clock.number}: {what} after the breach; escalation stopped"
        else:
            line = f"SLA clock #{clock.number} met: {what} at {at.isoformat()}"
        return Outcome(DONE, line, timers=self._cancels(clock), audit=(line,))

    # -- timers -------------------------------------------------------------------------------

    def _deadline(self, ctx: JobContext, event: InboxEvent) -> Outcome:
        clock = clocks.by_id(ctx.session, int(event.changes.get("clock", 0)))
        if clock is None or clock.state != r.State.RUNNING.value:
            return Outcome(SKIPPED, "deadline passed; the clock is no longer running")
        first = t.first(self._owner_activities(ctx, clock, clock.deadline_at))
        if first is not None:
            clocks.add_touch(ctx.session, clock, first.activity_id, first.at)
            what = f"{first.kind} {first.activity_id} (read at the deadline)"
            return self._stop(clock, first.kind, first.at, what)
        clock.state = r.State.BREACHED.value
        clocks.record_breach(ctx.session, clock, r.Breach.FIRST_RESPONSE, clock.deadline_at)
        calendar, _ = self._calendar(ctx, clock.owner_id)
        plan = r.ladder_plan(clock.deadline_at, self.config.escalation.ladder, calendar)
        # steps already due (the usual first one, at 0 hours) are sent from this pass: a timer
        # would cost each breach a second event, lease and transaction before anyone hears
        due = [p for p in plan if p.due_at <= ctx.now]
        timers = tuple(
            SetTimer(STEP, _step_key(clock, p.i), p.due_at, {"clock": clock.id, "step": p.i})
            for p in plan
            if p not in due
        )
        line = (
            f"SLA breach (first_response) on clock #{clock.number}: no touch by "
            f"{clock.owner_id} before {clock.deadline_at.isoformat()}; "
            f"{len(plan)} escalation step(s): {len(due)} now, {len(timers)} scheduled"
        )
        lines, commands = [line], []
        for planned in due:
            step_lines, step_commands = self._escalate(ctx, clock, planned.i, event.occurred_at)
            lines += step_lines
            commands += step_commands
        if self.config.escalation.per_rep is not None:
            rep_lines, rep_commands = self._per_rep(ctx, clock, calendar)
            lines += rep_lines
            commands += rep_commands
        return Outcome(
            DONE, "; ".join(lines), commands=tuple(commands), timers=timers, audit=tuple(lines)
        )

    def _step(self, ctx: JobContext, event: InboxEvent) -> Outcome:
        index = int(event.changes.get("step", -1))
        clock = clocks.by_id(ctx.session, int(event.changes.get("clock", 0)))
        ladder = self.config.escalation.ladder
        if clock is None or clock.state != r.State.BREACHED.value or not 0 <= index < len(ladder):
            return Outcome(SKIPPED, f"escalation step {index + 1}: the rep acted; not sent")
        lines, commands = self._escalate(ctx, clock, index, event.occurred_at)
        return Outcome(DONE, "; ".join(lines), commands=tuple(commands), audit=tuple(lines))

    def _escalate(
        self, ctx: JobContext, clock: SlaClock, index: int, at: datetime
    ) -> tuple[list[str], list[Command]]:
        """One ladder step on a breached clock: its notices, and at the last step the
        reassignment when configured (audit lines and commands)."""
        ladder = self.config.escalation.ladder
        step = ladder[index]
        who = recipient_for(step.notify, clock.owner_id, ctx.readers, self.config.escalation)
        commands: list[Command] = []
        if who.user_id is None and who.address is None:
            lines = [f"escalation step {index + 1} ({step.notify}) skipped: {who.note}"]
        else:
            contact = self._clock_contact(ctx, clock) if "crm_task" in step.channels else ""
            commands += self._notices(clock, index, step.channels, who, contact)
            sent = ", ".join(c.channel for c in commands)
            lines = [
                f"escalation step {index + 1} on clock #{clock.number}: {step.notify} "
                f"{who.user_id or who.address} by {sent}{who.suffix}"
            ]
        if index == len(ladder) - 1 and self.config.escalation.reassign_at_last_step:
            line, reassign = self._reassign(ctx, clock, at)
            lines.append(line)
            commands += reassign
        return lines, commands

    def _per_rep(
        self, ctx: JobContext, clock: SlaClock, calendar: BusinessTime
    ) -> tuple[list[str], list[Command]]:
        """The per-rep ladder at a breach: the rep's n-th miss in the period tells its step's
        person, with the rep's numbers; keyed per clock and channel, so it is sent once."""
        ladder = self.config.escalation.per_rep
        assert ladder is not None
        period = r.period_of(clock.deadline_at, calendar.zone, ladder.period)
        for _ in range(per_rep.ATTEMPTS):
            # the place decides who hears, and finding them may read Salesforce (a replay of
            # the pass): read first, write the place last
            place = per_rep.next_place(ctx.session, clock, period)
            notify = ladder.step_for(place)
            who = recipient_for(notify, clock.owner_id, ctx.readers, self.config.escalation)
            if per_rep.take_place(ctx.session, clock, period, place, clock.deadline_at):
                break
        else:
            raise RuntimeError(f"clock {clock.id}: no place among the rep's misses; retry")
        what = f"per-rep ladder: miss {place} of {clock.owner_id} in {period.code}"
        if who.user_id is None and who.address is None:
            return [f"{what}: {notify} skipped: {who.note}"], []
        numbers = per_rep.rep_context(ctx.session, clock.owner_id, period)
        commands: list[Command] = [
            replace(
                notice,
                idempotency_key=f"sla:{clock.id}:rep:{notice.channel}",
                rep_miss=place,
                period=period.code,
                period_leads=numbers.leads,
                period_met=numbers.met,
                period_missed=numbers.missed,
                open_leads=numbers.open_leads,
            )
            for notice in self._notices(clock, 0, ladder.channels, who)
        ]
        sent = ", ".join(ladder.channels)
        line = f"{what}: {notify} {who.user_id or who.address} by {sent}{who.suffix}"
        return [line], commands

    def _reassign(
        self, ctx: JobContext, clock: SlaClock, at: datetime
    ) -> tuple[str, list[Command]]:
        """Give the breached lead to the team's next member, once: the clock ends here, and the
        new owner's clock starts when Salesforce reports the new owner (the echo of this write)."""
        counters = leads.round_robin_counters(ctx.session)
        team = clock.team or ""
        chosen = r.next_member(clock.owner_id, team, self.config.routing, counters.get(team, 0))
        if chosen is None:
            return f"no reassignment: nobody else in team {clock.team or '(none)'}", []
        owner, position = chosen
        leads.save_counter(ctx.session, team, position)
        clock.state, clock.stopped_at, clock.stopped_by = r.State.ENDED.value, at, "reassigned"
        lead_key = record_key(Source.SALESFORCE, ObjectType.LEAD, clock.lead_id)
        command = UpdateFields(
            System.SALESFORCE,
            lead_key,
            f"sla:{clock.id}:reassign",
            at.isoformat(),
            object_type="Lead",
            object_id=clock.lead_id,
            fields={"OwnerId": owner},
        )
        line = (
            f"SLA clock #{clock.number} ended: lead reassigned from {clock.owner_id} to {owner} "
            f"(team {team}, round-robin)"
        )
        return line, [command]

    def _notices(
        self,
        clock: SlaClock,
        index: int,
        channels: tuple[str, ...],
        who: Recipient,
        contact: str = "",
    ) -> list[Notify]:
        lead_key = self._clock_key(clock)
        notices: list[Notify] = []
        for channel in channels:
            notices.append(
                Notify(
                    System.NOTIFY,
                    # one queue per channel: a Slack outage in backoff never holds up the mail
                    f"notify:{channel}:{lead_key}",
                    f"sla:{clock.id}:step{index}:{channel}",
                    clock.deadline_at.isoformat(),
                    channel=channel,
                    to_user_id=who.user_id,
                    to_address=who.address,
                    role=who.role,
                    language=self.config.escalation.language,
                    lead_id=clock.lead_id,
                    lead_url=self._lead_url(clock.lead_id),
                    owner_id=clock.owner_id,
                    policy=clock.policy,
                    step=index + 1,
                    deadline_at=clock.deadline_at.isoformat(),
                    contact_id=contact,
                )
            )
        return notices

    # -- helpers ------------------------------------------------------------------------------

    def _calendar(self, ctx: JobContext, owner: str) -> tuple[BusinessTime, str]:
        """The owner's calendar, and an audit-line tail saying where it came from. A Salesforce
        calendar that cannot be built (a BusinessHours name not found) falls back to
        ``sla.calendar``: the clock still runs, and the audit line says why."""
        if self.book is None:
            return self.calendar, ""
        try:
            calendar = self.book.for_owner(owner, ctx.readers)
        except CalendarError as exc:
            return self.calendar, f" (sla.calendar: {exc})"
        source = calendar.owner.source if calendar.owner is not None else ""
        return calendar, f" (calendar: {source})" if source else ""

    def _clock_key(self, clock: SlaClock) -> str:
        """The record a clock's timers and story belong to: the Salesforce Lead, or with
        HubSpot alone the handed-off contact."""
        if not self.config.salesforce.enabled:
            return record_key(Source.HUBSPOT, ObjectType.CONTACT, clock.lead_id)
        return record_key(Source.SALESFORCE, ObjectType.LEAD, clock.lead_id)

    def _cancels(self, clock: SlaClock) -> tuple[CancelTimer, ...]:
        key = self._clock_key(clock)
        steps = range(len(self.config.escalation.ladder))
        return (
            CancelTimer(_breach_key(clock), key),
            *(CancelTimer(_step_key(clock, i), key) for i in steps),
        )

    def _owner_activities(
        self, ctx: JobContext, clock: SlaClock, until: datetime | None
    ) -> list[t.Touch]:
        """The owner's touches since the clock started, read from the CRMs: Tasks and Events on
        the lead, and the linked HubSpot contact's calls, e-mails and meetings."""
        found: list[t.Touch] = []
        activities_of = getattr(ctx.readers.get(System.SALESFORCE), "activities_of", None)
        integration = self.config.salesforce.integration_user_id
        for record in activities_of(clock.lead_id) if activities_of is not None else ():
            touch = t.from_salesforce(record, integration)
            if touch is not None and not touch.by_baton and _is_touch(clock, touch.owner, touch.at):
                found.append(touch)
        contact = self._clock_contact(ctx, clock)
        owns = self._owner_match(ctx, clock)  # each e-mail read once for all the engagements
        for record in t.hubspot_engagements(ctx.readers, contact) if contact else ():
            touch = t.from_hubspot(record)
            if touch is None or touch.by_baton or not _is_touch(clock, clock.owner_id, touch.at):
                continue
            if owns(touch.owner):
                found.append(touch)
        return [touch for touch in found if until is None or touch.at <= until]

    def _contact_clock(self, ctx: JobContext, contact: str) -> SlaClock | None:
        """The clock a HubSpot contact's touches count for: with HubSpot alone the contact's
        own, else the linked Salesforce Lead's."""
        if not self.config.salesforce.enabled:
            return clocks.latest(ctx.session, contact)
        link = knowledge.link_for_hubspot(ctx.session, contact)
        lead = link.salesforce_lead_id if link is not None else None
        return clocks.latest(ctx.session, lead) if lead else None

    def _clock_contact(self, ctx: JobContext, clock: SlaClock) -> str:
        """The HubSpot contact of a clock ('' when the lead has none)."""
        if not self.config.salesforce.enabled:
            return clock.lead_id
        link = knowledge.link_for_salesforce(ctx.session, clock.lead_id)
        return (link.hubspot_contact_id or "") if link is not None else ""

    def _owner_match(self, ctx: JobContext, clock: SlaClock) -> t.OwnerMatch:
        alone = not self.config.salesforce.enabled
        return t.OwnerMatch(ctx.readers, clock.owner_id, hubspot_alone=alone)

    def _policy(self, clock: SlaClock) -> Any:
        named = {p.name: p for p in self.config.sla.policies}
        return named.get(clock.policy) or self.config.sla.policy_for(clock.team)

    def _lead_url(self, lead_id: str) -> str:
        if not self.config.salesforce.enabled:
            portal = self.config.hubspot.portal_id
            return f"https://app.hubspot.com/contacts/{portal}/record/0-1/{lead_id}"
        base = str(self.config.salesforce.instance_url or "").rstrip("/")
        return f"{base}/lightning/r/Lead/{lead_id}/view" if base else ""


def _breach_key(clock: SlaClock) -> str:
    return f"clock-{clock.number}-deadline"


def _step_key(clock: SlaClock, index: int) -> str:
    return f"clock-{clock.number}-step-{index}"


def _same(view: r.LeadView, clock: SlaClock) -> bool:
    return str(view.owner_id or "")[:15] == clock.owner_id[:15]


def _text(value: object) -> str | None:
    return None if value in (None, "") else str(value)


def build(setup: JobSetup) -> SlaJob:
    """The SLA job over each owner's calendar (the company's unless the admin says otherwise)."""
    book = CalendarBook(setup.config.sla)
    return SlaJob(setup.config, book.company, book=book)


def _hubspot_touch(event: InboxEvent) -> bool:
    """A HubSpot call, e-mail, meeting or task someone else than Baton logged or changed."""
    return (
        event.source == Source.HUBSPOT
        and event.object_type in t.HUBSPOT_TOUCHES
        and event.kind != "deleted"
        and not event.is_echo
    )


def _is_touch(clock: SlaClock, owner_id: str, created_at: datetime) -> bool:
    """A touch for this clock: logged by the clock's owner since the clock started (webhooks,
    polls and the deadline's re-read all judge with this one rule)."""
    return owner_id[:15] == clock.owner_id[:15] and created_at >= clock.started_at
