"""Pure lifecycle-sync rules: given one change and what Baton knows of both sides, decide writes.

No I/O. Times are *logical*: a side's known value carries the occurrence time of the genuine
change that produced it, including values Baton wrote there (they carry the time of the change
they propagate). Convergence under newest-wins follows from four checks:

1. *stale* — a change older than the value its side is known to hold changes nothing (a late
   delivery, or a change Baton already overwrote with something newer);
2. *policy* — under newest-wins a change older than the other side's value does not cross;
   under a source-of-truth policy a change on the other side does not cross and the truth is
   written back over it;
3. *agreement* — no write when the target already holds an equivalent value (the reason an echo
   can never ping-pong);
4. *heal* — a change that happened before Baton's last write to the same side landed was
   overwritten by that write; if it is newer by occurrence time, it is written back there too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from connector.jobs.lifecycle.mapping import LIFECYCLE, StageEntry, StageMap

HUBSPOT = "hubspot"
SALESFORCE = "salesforce"


@dataclass(frozen=True, slots=True)
class SideState:
    """What Baton knows of one side's synced fields.

    ``at`` is the logical time of the known values; ``written_at`` when Baton's last write to
    this side landed (wall clock) and ``written`` what it wrote.
    """

    values: Mapping[str, str | None] = field(default_factory=dict)
    at: datetime | None = None
    written_at: datetime | None = None
    written: Mapping[str, str | None] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Change:
    """One genuine change of one synced field."""

    source: str  # "hubspot" | "salesforce"
    field: str
    value: str | None
    occurred_at: datetime
    salesforce_object: str = "Lead"


@dataclass(frozen=True, slots=True)
class Write:
    """A field update decided for one side, stamped with the logical time it carries."""

    side: str
    fields: Mapping[str, str]
    at: datetime
    backwards: bool = False


@dataclass(frozen=True, slots=True)
class Decision:
    """The outcome: whether the change is recorded as known, what to write, and why."""

    record: bool
    writes: tuple[Write, ...]
    reason: str

    @property
    def is_noop(self) -> bool:
        """Nothing to write."""
        return not self.writes


def decide(
    change: Change, own: SideState, other: SideState, stage_map: StageMap, other_object: str
) -> Decision:
    """Decide what one genuine change means for the other side (and maybe its own side).

    Args:
        change: the change, from ``change.source``.
        own: known state of the side the change happened on.
        other: known state of the other side.
        stage_map: the admin's mapping.
        other_object: the other side's object (``contacts`` for HubSpot; ``Lead``/``Contact``
            for Salesforce) — a converted person is synced on its Contact.
    """
    if own.at is not None and change.occurred_at < own.at:
        return Decision(False, (), "stale: older than the value its side is known to hold")
    heal = _heal(change, own, stage_map)
    if change.value in (None, ""):
        return Decision(True, heal, f"{change.field} cleared; nothing to carry across")
    entries = _entries_for(change, stage_map, other_object)
    if not entries:
        return Decision(True, heal, _unmapped_reason(change, stage_map))
    truth = entries[0].policy.source_of_truth()
    if truth is not None and truth != change.source:
        writes = _reassert(truth, other, stage_map, change, other_object)
        return Decision(True, writes, f"{truth} is the source of truth")
    if truth is None and other.at is not None and other.at > change.occurred_at:
        return Decision(True, heal, "the other side changed later; newest change wins")
    write = _write_for(change, entries, other, stage_map)
    writes = heal + ((write,) if write else ())
    if write is None:
        return Decision(True, writes, "already in agreement")
    return Decision(True, writes, "carried across" + (" (and healed)" if heal else ""))


def _heal(change: Change, own: SideState, stage_map: StageMap) -> tuple[Write, ...]:
    """Write a change back to its own side when Baton's later write overwrote it."""
    if own.written_at is None or own.written_at <= change.occurred_at:
        return ()
    if change.field not in own.written or own.written[change.field] == change.value:
        return ()
    backwards = change.field == LIFECYCLE and stage_map.is_backwards(
        own.written.get(change.field), change.value or ""
    )
    return (
        Write(change.source, {change.field: change.value or ""}, change.occurred_at, backwards),
    )


def _entries_for(change: Change, stage_map: StageMap, other_object: str) -> list[StageEntry]:
    if change.source == HUBSPOT:
        entry = stage_map.to_salesforce(change.field, change.value or "", other_object)
        return [entry] if entry else []
    return stage_map.to_hubspot(change.salesforce_object, change.field, change.value or "")


def _unmapped_reason(change: Change, stage_map: StageMap) -> str:
    # "not mapped", not "unknown": 'lead' is a value HubSpot knows well, the mapping just has
    # no entry for it. The reason is the event's outcome, so `baton explain` shows it.
    if change.source == HUBSPOT and not stage_map.knows_hubspot(change.field, change.value or ""):
        section = "stages" if change.field == LIFECYCLE else "lead_status"
        return (
            f"{change.field} value {change.value!r} is not mapped (no lifecycle.{section} "
            "entry): not synced"
        )
    if change.source == SALESFORCE and not any(
        e.salesforce_value == change.value for e in stage_map.entries
    ):
        return (
            f"Salesforce {change.salesforce_object} {change.field} value {change.value!r} is not "
            "mapped (no lifecycle.stages or lifecycle.lead_status entry): not synced"
        )
    return f"mapping for {change.value!r} does not carry changes from {change.source}"


def _write_for(
    change: Change, entries: list[StageEntry], other: SideState, stage_map: StageMap
) -> Write | None:
    if change.source == HUBSPOT:
        entry = entries[0]
        if other.values.get(entry.salesforce_field) == entry.salesforce_value:
            return None
        return Write(
            SALESFORCE, {entry.salesforce_field: entry.salesforce_value}, change.occurred_at
        )
    fields = {
        e.hubspot_field: e.hubspot_value
        for e in entries
        if other.values.get(e.hubspot_field) != e.hubspot_value
    }
    if not fields:
        return None
    target_stage = fields.get(LIFECYCLE)
    backwards = bool(target_stage) and stage_map.is_backwards(
        other.values.get(LIFECYCLE), target_stage or ""
    )
    return Write(HUBSPOT, fields, change.occurred_at, backwards)


def _reassert(
    truth: str, other: SideState, stage_map: StageMap, change: Change, other_object: str
) -> tuple[Write, ...]:
    """Write the source of truth's known value back over the side that changed."""
    if truth == HUBSPOT:
        stage = other.values.get(LIFECYCLE) or ""
        entry = stage_map.to_salesforce(LIFECYCLE, stage, change.salesforce_object)
        if entry is None or entry.salesforce_value == change.value:
            return ()
        fields = {entry.salesforce_field: entry.salesforce_value}
        return (Write(SALESFORCE, fields, change.occurred_at),)
    status = other.values.get("Status")
    if not status:
        return ()
    entries = stage_map.to_hubspot(other_object, "Status", status)
    fields = {e.hubspot_field: e.hubspot_value for e in entries if e.hubspot_field == change.field}
    if not fields or fields.get(change.field) == change.value:
        return ()
    backwards = change.field == LIFECYCLE and stage_map.is_backwards(
        change.value, fields[change.field]
    )
    return (Write(HUBSPOT, fields, change.occurred_at, backwards),)
