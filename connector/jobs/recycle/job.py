"""The recycle job: hand "not now" leads back to marketing, and bring them back in time.

Triggers are genuine status changes (never Baton's own echoes): a Salesforce Lead status or a
HubSpot ``hs_lead_status`` from ``recycle.trigger_statuses``. A recycle is one unit of commands
with keys derived from the person and the episode number, so a replay writes nothing twice;
the re-activation is a durable timer on the person's record, or earlier a buying signal (a
configured property such as a new form conversion). Re-activation passes the same MQL gate and
routing as a first hand-off.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from connector import knowledge
from connector.commands import AddToList, Command, SetStage, System, UpdateFields
from connector.config import BatonConfig
from connector.events import ObjectType, Source, record_key
from connector.jobs.base import (
    DONE,
    SKIPPED,
    JobContext,
    JobSetup,
    JobSetupError,
    Outcome,
    is_timer,
)
from connector.jobs.lifecycle import leads
from connector.jobs.lifecycle.handoff import route
from connector.jobs.lifecycle.leads import HOLD_REASON_PROPERTY
from connector.jobs.lifecycle.mapping import LEAD_STATUS, LIFECYCLE, StageMap
from connector.jobs.lifecycle.setup import build_stage_map
from connector.jobs.lifecycle.within_hubspot import OWNER_PROPERTY
from connector.jobs.recycle import episodes, hand_back, leads_object
from connector.jobs.recycle.rules import (
    Decision,
    PastRecycle,
    Trigger,
    Verdict,
    decide,
    history_line,
    is_buying_signal,
    reactivation_date,
)
from connector.store.models import InboxEvent, RecordLink, RecycleEpisode
from connector.timers import CancelTimer, SetTimer

log = logging.getLogger(__name__)

REACTIVATE = "recycle.reactivate"
#: hs_lead_status a re-activated contact gets, so a later snapshot is not read as "not now"
REACTIVATED_LEAD_STATUS = "NEW"


@dataclass
class RecycleJob:
    """Recycling and re-activation for the admin's ``recycle:`` section."""

    config: BatonConfig
    stage_map: StageMap
    name: str = "recycle"

    # -- what reaches the job -----------------------------------------------------------------

    def wants(self, event: InboxEvent) -> bool:
        """Genuine Lead changes from Salesforce; HubSpot status and behaviour changes."""
        if event.is_echo:
            return False
        if event.source == Source.SALESFORCE and event.object_type == ObjectType.LEAD:
            return True
        if event.source == Source.SALESFORCE and event.object_type == ObjectType.OPPORTUNITY:
            return self.config.recycle.lost_opportunity_reason_field is not None
        if event.source == Source.HUBSPOT and event.object_type == ObjectType.CONTACT:
            watched = {LEAD_STATUS, *self.config.recycle.reactivate_on_properties}
            return bool(watched & set(event.changes))
        if event.source == Source.HUBSPOT and event.object_type == ObjectType.HUBSPOT_LEAD:
            return leads_object.is_disqualified(self.config, event)
        return False

    def handle(self, ctx: JobContext, event: InboxEvent) -> Outcome:
        """Recycle on a trigger, re-activate on a timer or a buying signal, yield to conversion."""
        if is_timer(event):
            return self._reactivate(ctx, event.record_key, "timer", event.occurred_at)
        if event.source == Source.SALESFORCE and event.object_type == ObjectType.OPPORTUNITY:
            return self._lost_opportunity(ctx, event)
        if event.source == Source.SALESFORCE:
            return self._salesforce_lead(ctx, event)
        if event.object_type == ObjectType.HUBSPOT_LEAD:
            return self._disqualified_lead(ctx, event)
        return self._hubspot_contact(ctx, event)

    def _disqualified_lead(self, ctx: JobContext, event: InboxEvent) -> Outcome:
        """A Leads-object record disqualified with a reason recycles its contacts."""
        found = leads_object.read_disqualified(ctx.readers.get(System.HUBSPOT), event)
        if found is None or not found.contact_ids:
            return Outcome(SKIPPED, "disqualified lead has no contact to recycle")
        results = [
            self._recycle(
                ctx, event, found.trigger, link, None, found.owner_id, contact_id=contact_id
            )
            for contact_id in found.contact_ids
            for link in (knowledge.link_for_hubspot(ctx.session, contact_id),)
        ]
        return _combined(results, "disqualified lead")

    def _lost_opportunity(self, ctx: JobContext, event: InboxEvent) -> Outcome:
        """A deal lost for a recyclable reason sends its contacts back to marketing."""
        snapshot = event.changes
        lost = _is_true(snapshot.get("IsClosed")) and not _is_true(snapshot.get("IsWon"))
        if not lost and snapshot.get("StageName") != "Closed Lost":
            return Outcome(SKIPPED, "opportunity not lost")
        field = self.config.recycle.lost_opportunity_reason_field or ""
        reason = _text(snapshot.get(field))
        status = f"lost: {snapshot.get('StageName') or 'closed'}"
        trigger = Trigger("salesforce", status, reason, event.occurred_at, lost_deal=True)
        contacts_of = getattr(ctx.readers.get(System.SALESFORCE), "contacts_of_opportunity", None)
        if contacts_of is None:
            return Outcome(SKIPPED, "Salesforce is not connected: contact roles unknown")
        results = []
        for contact_id in contacts_of(event.object_id):
            link = knowledge.link_for_salesforce(ctx.session, contact_id)
            if link is None or not link.hubspot_contact_id:
                continue
            results.append(self._recycle(ctx, event, trigger, link, None, None))
        return _combined(results, "lost opportunity")

    def _salesforce_lead(self, ctx: JobContext, event: InboxEvent) -> Outcome:
        snapshot = event.changes
        converted = _is_true(snapshot.get("IsConverted"))
        status = snapshot.get("Status")
        if not converted and status not in self.config.recycle.trigger_statuses.salesforce:
            return Outcome(SKIPPED, "no recycle trigger")  # most Lead edits: no store read
        link = knowledge.link_for_salesforce(ctx.session, event.object_id)
        if converted:
            return self._converted(ctx, _person_key(link, event.record_key), event.occurred_at)
        reason = snapshot.get(self.config.recycle.reason_field)
        trigger = Trigger("salesforce", str(status), _text(reason), event.occurred_at)
        owner = snapshot.get("OwnerId")
        return self._recycle(ctx, event, trigger, link, event.object_id, _text(owner))

    def _hubspot_contact(self, ctx: JobContext, event: InboxEvent) -> Outcome:
        contact_id = event.object_id
        status = event.changes.get(LEAD_STATUS)
        if status in self.config.recycle.trigger_statuses.hubspot:
            reason = self._hubspot_reason(ctx, contact_id)
            trigger = Trigger("hubspot", str(status), reason, event.occurred_at)
            link = knowledge.link_for_hubspot(ctx.session, contact_id)
            lead_id = link.salesforce_lead_id if link is not None else None
            return self._recycle(ctx, event, trigger, link, lead_id, None, contact_id=contact_id)
        signal = is_buying_signal(dict(event.changes), self.config.recycle)
        if signal is None:
            return Outcome(SKIPPED, "no recycle trigger or buying signal")
        return self._reactivate(ctx, event.record_key, f"behaviour:{signal}", event.occurred_at)

    def _hubspot_reason(self, ctx: JobContext, contact_id: str) -> str | None:
        """The reason a rep gave in HubSpot (the reason property, read at the trigger)."""
        reader = ctx.readers.get(System.HUBSPOT)
        if reader is None:
            return None
        prop = self.config.recycle.hubspot_reason_property
        found = reader.read("contacts", [contact_id], [prop]).get(contact_id)
        return _text(found.fields.get(prop)) if found else None

    # -- recycling --------------------------------------------------------------------------

    def _recycle(
        self,
        ctx: JobContext,
        event: InboxEvent,
        trigger: Trigger,
        link: RecordLink | None,
        lead_id: str | None,
        owner_id: str | None,
        *,
        contact_id: str | None = None,
    ) -> Outcome:
        """``contact_id``: the HubSpot contact a HubSpot trigger names (HubSpot alone has no
        link to find it by)."""
        contact_id = link.hubspot_contact_id if link is not None else contact_id
        fallback = _contact_key(contact_id) if contact_id else event.record_key
        key = _person_key(link, fallback)
        past = episodes.history(ctx.session, key)
        if past.is_stale(trigger.at):
            return Outcome(SKIPPED, "trigger older than the last re-activation: ignored")
        stage = _hubspot_stage(ctx.session, contact_id)
        converted = bool(link is not None and link.salesforce_contact_id)
        decision = decide(trigger, past.person(stage, converted), self.config.recycle)
        if decision.verdict == Verdict.IGNORE or _repeats(past.last, decision, trigger):
            return Outcome(SKIPPED, f"{trigger.source} {trigger.status!r}: {decision.why}")
        episode = RecycleEpisode(
            person_key=key,
            hubspot_contact_id=contact_id,
            salesforce_lead_id=lead_id,
            number=_next(past),  # the episode's own number; decision.number counts recycles
            state=decision.verdict.value,
            reason_code=decision.reason.code,
            reason_flag=decision.reason.flag,
            trigger_source=trigger.source,
            trigger_status=trigger.status[:128],
            trigger_event_id=event.id,
            previous_owner_id=owner_id,
            recycled_at=trigger.at,
        )
        commands: list[Command] = []
        timers: list[SetTimer] = []
        if decision.verdict == Verdict.RECYCLE:
            episode.reactivate_at = reactivation_date(trigger.at, self.config.recycle)
            labels = {**self.config.recycle.reasons}
            history = history_line([*past.past(labels), *_this(decision, trigger, labels)])
            commands = self._recycle_commands(
                key, contact_id, lead_id, stage, decision, trigger, episode, history
            )
            timers = [
                SetTimer(
                    REACTIVATE,
                    f"episode-{episode.number}",
                    episode.reactivate_at,
                    {"number": episode.number},
                    record_key=key,
                )
            ]
        elif decision.verdict == Verdict.DISQUALIFY:
            commands = self._disqualify_commands(key, contact_id, decision, trigger)
        ctx.session.add(episode)
        line = f"recycle: {trigger.source} status {trigger.status!r} → {decision.why}"
        return Outcome(DONE, line, tuple(commands), tuple(timers), (line,))

    def _recycle_commands(
        self,
        key: str,
        contact_id: str | None,
        lead_id: str | None,
        stage: str | None,
        decision: Decision,
        trigger: Trigger,
        episode: RecycleEpisode,
        history: str,
    ) -> list[Command]:
        recycle = self.config.recycle
        base = f"recycle:{key}:{episode.number}"
        at = trigger.at.isoformat()
        commands: list[Command] = []
        if contact_id:
            extra: dict[str, Any] = {
                recycle.hubspot_reason_property: decision.reason.code or "",
                recycle.hubspot_count_property: str(decision.number),
                recycle.hubspot_reactivation_property: f"{episode.reactivate_at:%Y-%m-%d}",
            }
            if recycle.hubspot_lead_status:
                extra[LEAD_STATUS] = recycle.hubspot_lead_status
            commands.append(
                SetStage(
                    System.HUBSPOT,
                    _contact_key(contact_id),
                    f"{base}:hubspot",
                    at,
                    object_type="contacts",
                    object_id=contact_id,
                    field_name=LIFECYCLE,
                    value=recycle.hubspot_stage,
                    backwards=self.stage_map.is_backwards(stage, recycle.hubspot_stage),
                    extra_fields=extra,
                )
            )
            if recycle.nurture_list_id:
                commands.append(
                    AddToList(
                        System.HUBSPOT,
                        _contact_key(contact_id),
                        f"{base}:nurture",
                        at,
                        list_id=recycle.nurture_list_id,
                        object_ids=(contact_id,),
                    )
                )
        if lead_id:
            fields: dict[str, Any] = {}
            if recycle.marketing_queue_id:
                fields["OwnerId"] = recycle.marketing_queue_id
            if trigger.source == "hubspot":  # Salesforce learns the status and the reason
                fields["Status"] = recycle.trigger_statuses.salesforce[0]
                if decision.reason.code:
                    fields[recycle.reason_field] = decision.reason.code
            if recycle.salesforce_history_field and history:
                fields[recycle.salesforce_history_field] = history
            stage_field = self.config.salesforce.lifecycle_field
            if stage_field and not self.config.hubspot.enabled:  # Salesforce alone: it lives here
                fields[stage_field] = recycle.hubspot_stage
            if fields:
                commands.append(_lead_update(lead_id, f"{base}:salesforce", at, fields))
        return commands

    def _disqualify_commands(
        self, key: str, contact_id: str | None, decision: Decision, trigger: Trigger
    ) -> list[Command]:
        recycle = self.config.recycle
        if not contact_id:
            return []
        fields: dict[str, Any] = {recycle.hubspot_reason_property: decision.reason.code or ""}
        if recycle.disqualified_hubspot_lead_status:
            fields[LEAD_STATUS] = recycle.disqualified_hubspot_lead_status
        return [
            UpdateFields(
                System.HUBSPOT,
                _contact_key(contact_id),
                f"disqualify:{key}:{trigger.at.isoformat()}",
                trigger.at.isoformat(),
                object_type="contacts",
                object_id=contact_id,
                fields=fields,
            )
        ]

    # -- the way back -------------------------------------------------------------------------

    def _converted(self, ctx: JobContext, key: str, at: datetime) -> Outcome:
        """A conversion wins over a recycle: the episode ends, re-activation is cancelled."""
        episode = episodes.history(ctx.session, key).open
        if episode is None:
            return Outcome(SKIPPED, "lead converted; nothing in nurture")
        episodes.close(episode, "converted", "conversion", at)
        line = f"recycle episode {episode.number} ended: the lead was converted"
        cancel = CancelTimer(f"episode-{episode.number}", record_key=key)
        return Outcome(DONE, line, timers=(cancel,), audit=(line,))

    def _reactivate(self, ctx: JobContext, key: str, by: str, at: datetime) -> Outcome:
        """Offer the person to sales again, through the same MQL gate and routing."""
        episode = episodes.history(ctx.session, key).open
        if episode is None:
            return Outcome(SKIPPED, "not in nurture: nothing to re-activate")
        contact_id = episode.hubspot_contact_id
        reader = ctx.readers.get(System.HUBSPOT)
        in_hubspot = not self.config.salesforce.enabled  # HubSpot alone: the owner is the rep
        extra = (OWNER_PROPERTY,) if in_hubspot else ()
        properties = (
            leads.contact_properties(reader, self.config, contact_id, extra) if contact_id else {}
        )
        if properties is None:
            episodes.close(episode, "reactivated", by, at, "contact no longer exists in HubSpot")
            return Outcome(DONE, "re-activation: the contact no longer exists in HubSpot")
        timers = () if by == "timer" else (CancelTimer(f"episode-{episode.number}", key),)
        held = leads.hold_reasons(reader, self.config, properties)
        base = f"reactivate:{key}:{episode.number}"
        commands: list[Command] = []
        if contact_id:
            commands.append(self._back_to_mql(contact_id, base, at, "; ".join(held)))
        if held:
            note = f"re-activated ({by}) but held back at the MQL gate: {'; '.join(held)}"
        elif in_hubspot and contact_id:
            added, handed = hand_back.hand_back(
                self.config, ctx.session, reader, contact_id, properties,
                episode.previous_owner_id, episode.number, at,
            )  # fmt: skip
            commands += added
            note = f"re-activated ({by}): {handed}"
        else:
            chosen = route(self.config.routing, properties, leads.round_robin_counters(ctx.session))
            if chosen.team is not None and chosen.next_counter is not None:
                leads.save_counter(ctx.session, chosen.team, chosen.next_counter)
            if episode.salesforce_lead_id:
                commands.append(self._lead_back_to_sales(episode, base, at, chosen.owner_id))
            note = f"re-activated ({by}): offered to sales, owner {chosen.owner_id or 'unchanged'}"
        episodes.close(episode, "reactivated", by.partition(":")[0], at, note)
        line = f"recycle episode {episode.number}: {note}"
        return Outcome(DONE, line, tuple(commands), timers, (line,))

    def _back_to_mql(self, contact_id: str, base: str, at: datetime, held: str) -> SetStage:
        extra: dict[str, Any] = {LEAD_STATUS: REACTIVATED_LEAD_STATUS}
        if held:
            extra[HOLD_REASON_PROPERTY] = held
        return SetStage(
            System.HUBSPOT,
            _contact_key(contact_id),
            f"{base}:hubspot",
            at.isoformat(),
            object_type="contacts",
            object_id=contact_id,
            field_name=LIFECYCLE,
            value=self.config.handoff.stage,
            extra_fields=extra,
        )

    def _lead_back_to_sales(
        self, episode: RecycleEpisode, base: str, at: datetime, owner_id: str | None
    ) -> UpdateFields:
        fields: dict[str, Any] = {}
        entry = self.stage_map.to_salesforce(LIFECYCLE, self.config.handoff.stage, "Lead")
        if entry is not None:
            fields[entry.salesforce_field] = entry.salesforce_value
        if owner_id:
            fields["OwnerId"] = owner_id
        return _lead_update(episode.salesforce_lead_id or "", f"{base}:salesforce", at, fields)


def build(setup: JobSetup) -> RecycleJob:
    """The recycle job for the admin's config; a DYNAMIC nurture list is refused here."""
    check_nurture_list(setup)
    return RecycleJob(setup.config, build_stage_map(setup.config, setup.readers))


def check_nurture_list(setup: JobSetup) -> None:
    """HubSpot adds members through the API only to MANUAL and SNAPSHOT lists: say so at start.

    When the portal cannot be asked (unreachable, no scope), the first add is refused instead,
    with HubSpot's own message in the dead letters.
    """
    list_id = setup.config.recycle.nurture_list_id
    read_type = getattr(setup.readers.get(System.HUBSPOT), "list_processing_type", None)
    if not list_id or read_type is None:
        return
    try:
        processing = read_type(list_id)
    except Exception as exc:  # unknown at start: the first add says it
        log.warning(
            "could not read the nurture list's type",
            extra={"list": list_id, "error": str(exc)[:200]},
        )
        return
    if processing == "DYNAMIC":
        raise JobSetupError(
            f"recycle.nurture_list_id: HubSpot list {list_id} is DYNAMIC (active); HubSpot only "
            "lets Baton add contacts to MANUAL or SNAPSHOT (static) lists. Pick a static list, "
            "or remove the setting."
        )


# -- small helpers ------------------------------------------------------------------------------


def _combined(results: list[Outcome], what: str) -> Outcome:
    """One outcome for a trigger that recycles several people (a deal's or a lead's contacts)."""
    done = [r for r in results if r.status == DONE]
    if not done:
        why = "; ".join(r.summary for r in results) or "no contact linked to HubSpot"
        return Outcome(SKIPPED, f"{what}: {why}")
    return Outcome(
        DONE,
        "; ".join(r.summary for r in done),
        tuple(c for r in done for c in r.commands),
        tuple(t for r in done for t in r.timers),
        tuple(a for r in done for a in r.audit),
    )


def _person_key(link: RecordLink | None, fallback: str) -> str:
    """The person's key: their HubSpot contact when linked, else the record that triggered."""
    if link is not None and link.hubspot_contact_id:
        return _contact_key(link.hubspot_contact_id)
    return fallback


def _contact_key(contact_id: str) -> str:
    return record_key(Source.HUBSPOT, ObjectType.CONTACT, contact_id)


def _hubspot_stage(session: Session, contact_id: str | None) -> str | None:
    if not contact_id:
        return None
    return knowledge.load_side(session, _contact_key(contact_id)).values.get(LIFECYCLE)


def _lead_update(
    lead_id: str, key: str, at: str | datetime, fields: dict[str, Any]
) -> UpdateFields:
    logical = at.isoformat() if isinstance(at, datetime) else at
    return UpdateFields(
        System.SALESFORCE,
        record_key(Source.SALESFORCE, ObjectType.LEAD, lead_id),
        key,
        logical,
        object_type="Lead",
        object_id=lead_id,
        fields=fields,
    )


def _repeats(last: RecycleEpisode | None, decision: Decision, trigger: Trigger) -> bool:
    """A refusal, park or disqualification said again (every snapshot repeats the status; a
    disqualification is terminal, whatever reason — or none — the repeating snapshot carries)."""
    return (
        last is not None
        and last.state in (decision.verdict.value, Verdict.DISQUALIFY.value)
        and (last.trigger_source, last.trigger_status) == (trigger.source, trigger.status)
    )


def _next(past: episodes.History) -> int:
    last = past.last
    return (last.number if last is not None else 0) + 1


def _this(decision: Decision, trigger: Trigger, labels: dict[str, str]) -> list[PastRecycle]:
    code = decision.reason.code or ""
    return [PastRecycle(labels.get(code, code or "no reason"), trigger.at)]


def _is_true(value: object) -> bool:
    return value is True or str(value).lower() == "true"


def _text(value: object) -> str | None:
    return None if value in (None, "") else str(value)
