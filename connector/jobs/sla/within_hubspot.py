"""SLA clocks when HubSpot runs sales alone: the clock lives on the handed-off contact.

A clock starts when Baton's routing (or a person) gives a contact at the hand-off stage an owner
(``hubspot_owner_id``; Baton's own write counts, as a routed Salesforce Lead owner does). Here
it stops at the contact's lead status moving to one of ``sla.hubspot_working_statuses``, or at
its Leads record leaving the stage it was created in (HubSpot moves a lead to Attempting when
the rep logs a call or e-mail on it). The owner's calls, e-mails, meetings and completed tasks
stop it through the SLA job's engagement path, as beside Salesforce (the owner compared by id).
The deadline, breach and ladder are the SLA job's own, unchanged.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from connector import knowledge
from connector.commands import System
from connector.events import ObjectType, Source
from connector.jobs.base import DONE, SKIPPED, JobContext, Outcome
from connector.jobs.lifecycle.mapping import LEAD_STATUS, LIFECYCLE
from connector.jobs.sla import clocks
from connector.store.models import InboxEvent

if TYPE_CHECKING:
    from connector.jobs.sla.job import SlaJob

OWNER = "hubspot_owner_id"
LEAD_STAGE = "hs_pipeline_stage"


def wants(event: InboxEvent) -> bool:
    """Owner and lead-status changes of contacts (Baton's own owner writes too), lead stages."""
    if event.source != Source.HUBSPOT:
        return False
    if event.object_type == ObjectType.CONTACT:
        # lifecycle echoes too: a hand-back to the same owner is seen only as its stage write
        return (
            OWNER in event.changes
            or LIFECYCLE in event.changes
            or (LEAD_STATUS in event.changes and not event.is_echo)
        )
    return event.object_type == ObjectType.HUBSPOT_LEAD and LEAD_STAGE in event.changes


def handle(job: SlaJob, ctx: JobContext, event: InboxEvent) -> Outcome:
    """Start, move or stop the contact's clock."""
    if event.object_type == ObjectType.HUBSPOT_LEAD:
        return _lead_stage(job, ctx, event)
    contact_id, at = event.object_id, event.occurred_at
    clock = clocks.latest(ctx.session, contact_id)
    status = event.changes.get(LEAD_STATUS)
    working = str(status) in job.config.sla.hubspot_working_statuses
    if status is not None and working and clocks.is_open(clock):
        return job._stop(clock, "status", at, f"lead status {status!r}")
    if OWNER not in event.changes and LIFECYCLE in event.changes:
        return _handed_back(job, ctx, event, clock)
    owner = str(event.changes.get(OWNER) or "")
    if not owner:
        return Outcome(SKIPPED, "no SLA change: no owner given")
    if clocks.is_open(clock):
        return job._owner_moved(clock, owner, at)  # type: ignore[arg-type]
    stage = knowledge.load_side(ctx.session, event.record_key).values.get(LIFECYCLE)
    if stage != job.config.handoff.stage:
        return Outcome(SKIPPED, f"no SLA clock: the contact is at {stage!r}, not handed off")
    if clock is not None:
        return Outcome(SKIPPED, f"SLA clock #{clock.number} already {clock.state}")
    return job._start(ctx, event, clock, owner, at)


def _handed_back(job: SlaJob, ctx: JobContext, event: InboxEvent, clock: Any) -> Outcome:
    """The contact re-entered the hand-off stage after its last clock ended (a recycled contact
    handed back): a new clock for its current owner. The owner may be the same one, whose
    ``hubspot_owner_id`` then does not change; an open clock (this hand-back's, or the first
    hand-off's still running) means nothing new, so repeats and echoes start no second one."""
    if str(event.changes.get(LIFECYCLE) or "") != job.config.handoff.stage:
        return Outcome(SKIPPED, "no SLA change: not the hand-off stage")
    if clock is None or clocks.is_open(clock):
        return Outcome(SKIPPED, "no SLA change: the owner's change starts or keeps the clock")
    if event.occurred_at <= clock.started_at:
        return Outcome(SKIPPED, f"no SLA clock: a stage change from before clock #{clock.number}")
    reader = ctx.readers.get(System.HUBSPOT)
    found = reader.read("contacts", [event.object_id], [OWNER]) if reader is not None else {}
    record = found.get(event.object_id)
    owner = str(record.fields.get(OWNER) or "") if record is not None else ""
    if not owner:
        return Outcome(SKIPPED, "no SLA clock: the handed-back contact has no owner")
    return job._start(ctx, event, clock, owner, event.occurred_at)


def _lead_stage(job: SlaJob, ctx: JobContext, event: InboxEvent) -> Outcome:
    """A Leads record left its first stage: the rep worked it, which is the first touch."""
    stage = str(event.changes.get(LEAD_STAGE) or "")
    if stage == job.config.hubspot.leads_object.stage:
        return Outcome(SKIPPED, "lead still in its first stage")
    associated = getattr(ctx.readers.get(System.HUBSPOT), "associated_ids", None)
    contacts = associated("leads", event.object_id, "contacts") if associated else []
    outcomes = [
        job._stop(clocks.latest(ctx.session, c), "lead stage", event.occurred_at, f"lead {stage}")
        for c in contacts
    ]
    done = [o for o in outcomes if o.status == DONE]
    if not done:
        return Outcome(SKIPPED, f"lead moved to {stage}: no open SLA clock")
    return Outcome(
        DONE,
        "; ".join(o.summary for o in done),
        timers=tuple(t for o in done for t in o.timers),
        audit=tuple(a for o in done for a in o.audit),
    )
