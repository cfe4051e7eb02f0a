"""Turn a decided :class:`Write` into an outbox command, superseding older queued writes.

Shared by the processor (writes the rules decide) and the dispatcher (a write healed after a
newer change was seen while Baton's own write was in flight).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from connector import knowledge
from connector.commands import Command, SetStage, System, UpdateFields
from connector.jobs.lifecycle.mapping import LIFECYCLE, StageMap
from connector.jobs.lifecycle.rules import HUBSPOT, Write
from connector.outbox import enqueue_known, supersede_queued_writes


def command_for(write: Write, target_key: str, target_object: str, target_id: str) -> Command:
    """The command for one write; its key is derived from target, values and logical time."""
    values = ",".join(f"{k}={v}" for k, v in sorted(write.fields.items()))
    at = write.at.isoformat()
    key = f"sync:{target_key}:{values}@{at}"
    system = System(write.side)
    fields = dict(write.fields)
    stage_field = LIFECYCLE if write.side == HUBSPOT else next(iter(fields))
    if stage_field in fields:
        value = fields.pop(stage_field)
        return SetStage(
            system,
            target_key,
            key,
            at,
            object_type=target_object,
            object_id=target_id,
            field_name=stage_field,
            value=value,
            backwards=write.backwards,
            extra_fields=fields,
        )
    return UpdateFields(
        system, target_key, key, at, object_type=target_object, object_id=target_id, fields=fields
    )


def enqueue_write(
    session: Session,
    write: Write,
    *,
    target_key: str,
    target_object: str,
    target_id: str,
    now: datetime,
    cause_event_id: int | None = None,
) -> bool:
    """Queue ``write`` (once), retire older queued writes of the same fields, know it as intended.

    Knowing the write before it lands is what keeps later decisions right: a second change in
    the same batch must compare with the value the target *will* hold, not the one it held.
    """
    command = command_for(write, target_key, target_object, target_id)
    return enqueue_known(session, command, now, cause_event_id)


def supersede_older(
    session: Session, record_key: str, names: set[str], changed_at: datetime, now: datetime
) -> None:
    """A genuine change on ``record_key`` retires queued writes there that carry older changes."""
    supersede_queued_writes(session, record_key, names, now, older_than=changed_at)


@dataclass(frozen=True, slots=True)
class Target:
    """One record a stage may move: its record key, the CRM object and id, the stage field."""

    side: str  # HUBSPOT | SALESFORCE
    key: str
    object_type: str
    object_id: str
    field: str


def move_forward(
    session: Session,
    stage_map: StageMap,
    target: Target,
    stage: str,
    *,
    at: datetime,
    now: datetime,
    cause_event_id: int | None = None,
) -> bool:
    """Queue ``field = stage`` unless the record is there already or beyond it; True if queued.

    Used wherever a stage only moves people forward (a deal or lead stage in HubSpot, a Lead
    status or opportunity in Salesforce): the known value is Baton's, kept current by the
    records' own events, so a lost deal or a later lead move never takes anyone back.
    """
    current = knowledge.load_side(session, target.key).values.get(target.field)
    if current == stage or stage_map.is_backwards(current, stage):
        return False
    enqueue_write(
        session, Write(target.side, {target.field: stage}, at), target_key=target.key,
        target_object=target.object_type, target_id=target.object_id, now=now,
        cause_event_id=cause_event_id,
    )  # fmt: skip
    return True
