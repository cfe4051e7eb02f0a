"""HubSpotWriter: carries out commands with HubSpot's batch endpoints, one result per command.

- UpdateFields and forward SetStage: merged per record (in order) into batch/update calls of at
  most 100 inputs. A merged input refused as invalid is sent again one command at a time, so one
  bad field does not sink the record's valid commands. A forward stage write that HubSpot
  silently ignored (its answer shows a later stage) is repaired with clear-then-set: Baton's
  idea of the current stage can be stale (the person moved it on before the event arrived), and
  the newest change must still land. Its result data says ``{"repaired": True}``.
- Backwards SetStage: clear-then-set in separate requests, verified (see ``backwards.py``).
- AddToList: lists memberships/add per list, ids deduplicated, ≤ 100 per call.
- CreateHubSpotLead: a Leads-object record associated to its contact (``leads_object.py``).
- Per-record order: commands for one record run in the order given; when one does not land
  (RETRY), the record's later commands get RETRY too instead of overtaking it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from functools import partial
from typing import Any

from adapters.batching import RecordWrite, chunked, invalid_record_command, plan_record_writes
from adapters.hubspot.backwards import move_backwards
from adapters.hubspot.batch_ops import (
    HubSpotBatchOps,
    RecordKey,
    Results,
    blocked_by,
    fail_commands,
    input_specific,
)
from adapters.hubspot.client import LIST_BATCH_LIMIT, HubSpotClient
from adapters.hubspot.leads_object import create_leads
from adapters.retrying import CallFailed, RetryPolicy
from connector.commands import (
    AddToList,
    Command,
    CommandResult,
    CreateHubSpotLead,
    Outcome,
    SetStage,
    System,
    UpdateFields,
)


class HubSpotWriter:
    """CrmWriter for HubSpot (see the module docstring for what each command becomes)."""

    system = System.HUBSPOT

    def __init__(self, client: HubSpotClient, *, policy: RetryPolicy | None = None) -> None:
        self.client = client
        self.policy = policy or RetryPolicy()

    def execute(self, commands: Sequence[Command]) -> list[CommandResult]:
        """Run ``commands``; one result per command, in the order given.

        Raises:
            ValueError: a command for another system (a programming error).
        """
        results: Results = {}
        ops = HubSpotBatchOps(self.client, self.policy.for_one_batch())
        record_commands: list[UpdateFields | SetStage] = []
        list_commands: list[AddToList] = []
        lead_commands: list[CreateHubSpotLead] = []
        for command in commands:
            if command.system is not System.HUBSPOT:
                raise ValueError(f"HubSpotWriter got a {command.system} command: {command!r}")
            if isinstance(command, UpdateFields | SetStage):
                problem = invalid_record_command(command)
                if problem:
                    results[id(command)] = _dead(command, "INVALID_COMMAND", problem)
                else:
                    record_commands.append(command)
            elif isinstance(command, AddToList):
                if not command.list_id or not command.object_ids:
                    message = "list_id and object_ids are required"
                    results[id(command)] = _dead(command, "INVALID_COMMAND", message)
                else:
                    list_commands.append(command)
            elif isinstance(command, CreateHubSpotLead):
                lead_commands.append(command)
            else:
                message = f"HubSpot cannot carry out {command.kind} commands"
                results[id(command)] = _dead(command, "UNSUPPORTED_COMMAND", message)
        self._run_record_commands(ops, record_commands, results)
        self._run_list_commands(ops, list_commands, results)
        create_leads(ops, lead_commands, results)
        return [results[id(command)] for command in commands]

    # -- record writes ---------------------------------------------------------------------

    def _run_record_commands(
        self, ops: HubSpotBatchOps, commands: list[UpdateFields | SetStage], results: Results
    ) -> None:
        held: dict[RecordKey, CallFailed] = {}
        for phase in plan_record_writes(commands, split_on_backwards=True):
            runnable: dict[tuple[str, bool], list[RecordWrite]] = defaultdict(list)
            for write in phase:
                if write.key in held:
                    waiting = blocked_by(held[write.key], self.policy.min_retry_after_s)
                    fail_commands(write.commands, waiting, results)
                else:
                    runnable[(write.object_type, write.backwards)].append(write)
            for (object_type, backwards), writes in runnable.items():
                if backwards:
                    held.update(move_backwards(ops, object_type, writes, results))
                else:
                    held.update(self._write_merged(ops, object_type, writes, results))

    def _write_merged(
        self, ops: HubSpotBatchOps, object_type: str, writes: list[RecordWrite], results: Results
    ) -> dict[RecordKey, CallFailed]:
        """One batch input per record; report per command; return the records to hold back."""
        outcomes = ops.update(object_type, [(w.object_id, w.fields) for w in writes])
        held: dict[RecordKey, CallFailed] = {}
        unmerge: list[RecordWrite] = []
        ignored: list[SetStage] = []
        for write in writes:
            outcome = outcomes[write.object_id]
            if not isinstance(outcome, CallFailed):
                for command in write.commands:
                    results[id(command)] = _check_stage_applied(command, write, outcome)
                    if results[id(command)].error_code == STAGE_NOT_APPLIED:
                        ignored.append(command)  # type: ignore[arg-type]
            elif input_specific(outcome) and len(write.commands) > 1:
                unmerge.append(write)
            else:
                fail_commands(write.commands, outcome, results, held, write.key)
        if unmerge:
            held.update(self._write_one_by_one(ops, object_type, unmerge, results))
        if ignored:
            held.update(_repair_ignored_stages(ops, object_type, ignored, results))
        return held

    def _write_one_by_one(
        self, ops: HubSpotBatchOps, object_type: str, writes: list[RecordWrite], results: Results
    ) -> dict[RecordKey, CallFailed]:
        """Each record's commands in order, one per request round, records still batched."""
        queues = {write.key: list(write.commands) for write in writes}
        held: dict[RecordKey, CallFailed] = {}
        while queues:
            round_writes = []
            for (record_type, object_id), queue in queues.items():
                single = RecordWrite(record_type, object_id)
                single.add(queue.pop(0))
                round_writes.append(single)
            items = [(w.object_id, w.fields) for w in round_writes]
            outcomes = ops.update(object_type, items)
            for write in round_writes:
                outcome = outcomes[write.object_id]
                if isinstance(outcome, CallFailed):
                    fail_commands(write.commands, outcome, results, held, write.key)
                else:
                    command = write.commands[0]
                    results[id(command)] = _check_stage_applied(command, write, outcome)
                    if results[id(command)].error_code == STAGE_NOT_APPLIED:
                        held.update(_repair_ignored_stages(ops, object_type, [command], results))  # type: ignore[list-item]
            for key in held.keys() & queues.keys():
                waiting = blocked_by(held[key], self.policy.min_retry_after_s)
                fail_commands(queues.pop(key), waiting, results)
            queues = {key: queue for key, queue in queues.items() if queue}
        return held

    # -- list writes -----------------------------------------------------------------------

    def _run_list_commands(
        self, ops: HubSpotBatchOps, commands: list[AddToList], results: Results
    ) -> None:
        by_list: dict[str, list[AddToList]] = defaultdict(list)
        for command in commands:
            by_list[command.list_id].append(command)
        for list_id, list_commands in by_list.items():
            ids = list(dict.fromkeys(str(i) for c in list_commands for i in c.object_ids))
            added: set[str] = set()
            missing: set[str] = set()
            failures: dict[str, CallFailed] = {}
            for chunk in chunked(ids, LIST_BATCH_LIMIT):
                try:
                    answer = ops.call(partial(self.client.add_to_list, list_id, chunk))
                except CallFailed as exc:
                    failures.update(dict.fromkeys(chunk, exc))
                    continue
                added.update(answer["added"])
                missing.update(answer["missing"])
            for command in list_commands:
                own = [str(i) for i in command.object_ids]
                failed = [failures[i] for i in own if i in failures]
                if failed:
                    worst = next((f for f in failed if f.outcome is Outcome.RETRY), failed[0])
                    results[id(command)] = worst.result_for(command.idempotency_key)
                    continue
                data = {
                    "added": [i for i in own if i in added],
                    "missing": [i for i in own if i in missing],
                }
                results[id(command)] = CommandResult(command.idempotency_key, Outcome.DONE, data)


STAGE_NOT_APPLIED = "STAGE_NOT_APPLIED"


def _repair_ignored_stages(
    ops: HubSpotBatchOps, object_type: str, ignored: list[SetStage], results: Results
) -> dict[RecordKey, CallFailed]:
    """Move stages HubSpot kept later than asked back with clear-then-set, verified."""
    rewrites: list[RecordWrite] = []
    originals: dict[int, SetStage] = {}
    for command in ignored:
        # the extra fields landed with the first write; only the stage needs the clear
        backwards = replace(command, backwards=True, extra_fields={})
        write = RecordWrite(object_type, command.object_id, backwards=True)
        write.add(backwards)
        rewrites.append(write)
        originals[id(backwards)] = command
    repaired: Results = {}
    held = move_backwards(ops, object_type, rewrites, repaired)
    for new_id, original in originals.items():
        result = repaired[new_id]
        results[id(original)] = replace(result, data={**result.data, "repaired": True})
    return held


def _check_stage_applied(
    command: UpdateFields | SetStage, write: RecordWrite, returned: dict[str, Any]
) -> CommandResult:
    """DONE, unless HubSpot's answer shows it kept another stage (a silently ignored write)."""
    if isinstance(command, SetStage) and command.field_name in returned:
        wanted = write.fields.get(command.field_name)
        current = returned[command.field_name]
        if _text(current) != _text(wanted):
            return CommandResult(
                command.idempotency_key,
                Outcome.DEAD,
                {"current_value": current},
                error_code=STAGE_NOT_APPLIED,
                message=(
                    f"HubSpot kept {command.field_name}={current!r} and ignored {wanted!r}: "
                    "it only moves forward; a backwards move needs SetStage(backwards=True)"
                ),
            )
    return CommandResult(command.idempotency_key, Outcome.DONE)


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _dead(command: Command, code: str, message: str) -> CommandResult:
    return CommandResult(command.idempotency_key, Outcome.DEAD, error_code=code, message=message)
