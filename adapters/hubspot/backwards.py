"""Backwards stage moves on HubSpot: read, clear, set in a separate request, verify.

HubSpot only moves ``lifecyclestage`` forward and answers a backwards write with success while
ignoring it; clearing the field to ``""`` first lets a *separate* later request set an earlier
stage. Never in one batch: HubSpot does not process a batch in order (hubspot.md §3.1).

The first read makes a replayed command a no-op and remembers the old stage: if HubSpot refuses
the new value after the clear, the old one is put back rather than leaving the record without a
stage. Extra fields travel with the clear, so a refused extra field fails the command before the
stage changed. The final read verifies; a record whose stage did not land gets RETRY.
"""

from __future__ import annotations

from typing import Any

from adapters.batching import RecordWrite
from adapters.hubspot.batch_ops import (
    HubSpotBatchOps,
    InputOutcome,
    RecordKey,
    Results,
    fail_commands,
)
from adapters.retrying import CallFailed
from connector.commands import CommandResult, Outcome, SetStage


def move_backwards(
    ops: HubSpotBatchOps, object_type: str, writes: list[RecordWrite], results: Results
) -> dict[RecordKey, CallFailed]:
    """Carry out backwards SetStage writes (one command each); return the records to hold."""
    held: dict[RecordKey, CallFailed] = {}
    try:
        before = ops.read(object_type, [w.object_id for w in writes], _field_names(writes))
    except CallFailed as exc:
        for write in writes:
            fail_commands([stage_of(write)], exc, results, held, write.key)
        return held
    pending: list[RecordWrite] = []
    for write in writes:
        command = stage_of(write)
        if write.object_id not in before:
            missing = CallFailed(Outcome.DEAD, None, "OBJECT_NOT_FOUND", "record not found")
            fail_commands([command], missing, results)
        elif before[write.object_id].get(command.field_name) == command.value:
            data = {"already_set": True}
            results[id(command)] = CommandResult(command.idempotency_key, Outcome.DONE, data)
        else:
            pending.append(write)

    def keep_landed(outcomes: dict[str, InputOutcome], step: list[RecordWrite]) -> list:
        landed = []
        for write in step:
            outcome = outcomes[write.object_id]
            if isinstance(outcome, CallFailed):
                fail_commands([stage_of(write)], outcome, results, held, write.key)
            else:
                landed.append(write)
        return landed

    if pending:
        clear = [(w.object_id, clear_fields(stage_of(w))) for w in pending]
        pending = keep_landed(ops.update(object_type, clear), pending)
    if pending:
        target = [(w.object_id, {stage_of(w).field_name: stage_of(w).value}) for w in pending]
        set_outcomes = ops.update(object_type, target)
        _restore_refused(ops, object_type, pending, set_outcomes, before)
        pending = keep_landed(set_outcomes, pending)
    if pending:
        _verify(ops, object_type, pending, results, held)
    return held


def clear_fields(command: SetStage) -> dict[str, Any]:
    """The first request of a backwards move: the extra fields, and the stage cleared."""
    return {**command.extra_fields, command.field_name: ""}


def stage_of(write: RecordWrite) -> SetStage:
    """The one SetStage command of a backwards write."""
    command = write.commands[0]
    if not isinstance(command, SetStage):
        raise TypeError(f"a backwards write holds one SetStage, got {command!r}")
    return command


def _field_names(writes: list[RecordWrite]) -> list[str]:
    return sorted({stage_of(w).field_name for w in writes})


def _restore_refused(
    ops: HubSpotBatchOps,
    object_type: str,
    writes: list[RecordWrite],
    outcomes: dict[str, InputOutcome],
    before: dict[str, dict[str, Any]],
) -> None:
    """Put the old stage back where HubSpot refused the new one after the clear."""
    restore = []
    for write in writes:
        outcome = outcomes.get(write.object_id)
        old = before[write.object_id].get(stage_of(write).field_name)
        if isinstance(outcome, CallFailed) and outcome.outcome is Outcome.DEAD and old:
            restore.append((write.object_id, {stage_of(write).field_name: old}))
    if restore:
        ops.update(object_type, restore)


def _verify(
    ops: HubSpotBatchOps,
    object_type: str,
    writes: list[RecordWrite],
    results: Results,
    held: dict[RecordKey, CallFailed],
) -> None:
    """Read the stage back; DONE where it landed, RETRY where it did not."""
    read_failure: CallFailed | None = None
    try:
        current = ops.read(object_type, [w.object_id for w in writes], _field_names(writes))
    except CallFailed as exc:
        read_failure = _not_verified(ops, f"could not read back: {exc.message}")
        current = {}
    for write in writes:
        command = stage_of(write)
        value = current.get(write.object_id, {}).get(command.field_name)
        if value == command.value:
            data = {"cleared_first": True, "verified": True}
            results[id(command)] = CommandResult(command.idempotency_key, Outcome.DONE, data)
            continue
        if read_failure is not None:
            failure = read_failure
        elif write.object_id not in current:
            failure = _not_verified(ops, "the record was not found when reading back")
        else:
            failure = _not_verified(
                ops,
                f"HubSpot shows {command.field_name}={value!r} after clearing and setting "
                f"{command.value!r}",
            )
        fail_commands([command], failure, results, held, write.key)


def _not_verified(ops: HubSpotBatchOps, message: str) -> CallFailed:
    return CallFailed(
        Outcome.RETRY, ops.policy.min_retry_after_s, "BACKWARDS_MOVE_NOT_VERIFIED", message
    )
