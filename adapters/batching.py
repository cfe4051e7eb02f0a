"""Pure batching plans shared by the CRM writers: merge per record, keep per-record order.

Commands arrive ordered per record (the outbox guarantees that). A CRM batch endpoint takes one
input per record and gives no order guarantee inside a batch, so consecutive field writes to one
record are merged into one input (later values win), and anything that must happen *between*
them — a HubSpot backwards stage move, which is clear-then-set in separate requests — starts a
new segment. Segment *i* of every record forms phase *i*; phases run one after another, so each
record sees its writes in order while different records still share batches.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from connector.commands import Command, SetStage, UpdateFields

T = TypeVar("T")


def chunked(items: Sequence[T], size: int) -> Iterator[list[T]]:
    """Consecutive slices of at most ``size`` items."""
    if size < 1:
        raise ValueError("chunk size must be at least 1")
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def command_fields(command: UpdateFields | SetStage) -> dict[str, Any]:
    """The field values one record command writes (a stage move carries its extra fields)."""
    if isinstance(command, SetStage):
        return {**command.extra_fields, command.field_name: command.value}
    return dict(command.fields)


@dataclass(slots=True)
class RecordWrite:
    """One batch input: the merged fields of consecutive commands for one record.

    ``backwards`` marks a single HubSpot backwards :class:`SetStage` (never merged with others).
    """

    object_type: str
    object_id: str
    commands: list[UpdateFields | SetStage] = field(default_factory=list)
    fields: dict[str, Any] = field(default_factory=dict)
    backwards: bool = False

    @property
    def key(self) -> tuple[str, str]:
        """The record this write targets."""
        return (self.object_type, self.object_id)

    def add(self, command: UpdateFields | SetStage) -> None:
        """Merge one more command; its values override earlier ones for the same field."""
        self.commands.append(command)
        self.fields.update(command_fields(command))


def plan_record_writes(
    commands: Sequence[UpdateFields | SetStage], *, split_on_backwards: bool
) -> list[list[RecordWrite]]:
    """Group record commands into phases of merged writes, at most one write per record a phase.

    With ``split_on_backwards`` a backwards :class:`SetStage` gets a write of its own, and the
    commands after it for the same record go into the following phases.
    """
    segments: dict[tuple[str, str], list[RecordWrite]] = {}
    for command in commands:
        key = (command.object_type, command.object_id)
        record_segments = segments.setdefault(key, [])
        alone = split_on_backwards and isinstance(command, SetStage) and command.backwards
        current = record_segments[-1] if record_segments else None
        if alone or current is None or current.backwards:
            current = RecordWrite(command.object_type, command.object_id, backwards=alone)
            record_segments.append(current)
        current.add(command)
    depth = max((len(s) for s in segments.values()), default=0)
    return [
        [record_segments[i] for record_segments in segments.values() if i < len(record_segments)]
        for i in range(depth)
    ]


def invalid_record_command(command: Command) -> str | None:
    """Why a record command cannot be sent at all, or None when it is well-formed."""
    if not isinstance(command, UpdateFields | SetStage):
        return None
    if not command.object_type or not command.object_id:
        return "object_type and object_id are required"
    if isinstance(command, SetStage) and not command.field_name:
        return "field_name is required"
    if isinstance(command, UpdateFields) and not command.fields:
        return "no fields to write"
    return None
