"""Before re-sending a write that was in flight at a crash, ask the CRM whether it landed.

The dispatcher marks a command done only after the CRM answers, so a crash between the two
leaves a write that may or may not have landed. Field writes carry no idempotency key either
CRM would honour, so the values are read back: a record that already holds every value the
command meant to write is done without another call (``read_back: landed``); otherwise the
write is sent again. A read that fails in passing (an outage, its answer lost too) decides
nothing: the write waits for another read-back (``read_back: unknown``, still in doubt), and the
dispatcher sends it regardless only after a few such waits; a read refused for good (a bad id,
a DEAD refusal) lets the write go as before. A Lead create in doubt is looked up
by the person's e-mail and counts as landed only if an open Lead holds every field it meant to
write (the Salesforce writer also looks Leads up by the HubSpot id field when it is set).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from connector.commands import (
    Command,
    CommandResult,
    CreateLead,
    Outcome,
    SetStage,
    System,
    UpdateFields,
    written_fields,
)
from connector.ports import CrmReader

log = logging.getLogger(__name__)

#: the marks a read-back leaves on a command's result: the write had landed / no one knows
LANDED = "landed"
UNKNOWN = "unknown"


def same_value(current: Any, wanted: Any) -> bool:
    """CRM values compared as the CRMs show them (text; booleans in lower case)."""
    return _text(current) == _text(wanted)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def landed_writes(
    readers: Mapping[System, CrmReader], commands: Sequence[Command]
) -> dict[str, CommandResult]:
    """Results keyed by idempotency key: DONE for the writes that had landed, RETRY (still in
    doubt) for those whose read failed; nothing for those read back and found not landed."""
    groups: dict[tuple[System, str], list[UpdateFields | SetStage]] = defaultdict(list)
    creates: list[CreateLead] = []
    for command in commands:
        if isinstance(command, UpdateFields | SetStage) and command.object_id:
            groups[(command.system, command.object_type)].append(command)
        elif isinstance(command, CreateLead):
            creates.append(command)
    landed: dict[str, CommandResult] = {}
    for (system, object_type), group in groups.items():
        reader = readers.get(system)
        if reader is not None:
            landed.update(_read_back_fields(reader, object_type, group))
    reader = readers.get(System.SALESFORCE)
    if reader is not None:
        for create in creates:
            result = _read_back_create(reader, create)
            if result is not None:
                landed[create.idempotency_key] = result
    return landed


def _read_back_fields(
    reader: CrmReader, object_type: str, commands: list[UpdateFields | SetStage]
) -> dict[str, CommandResult]:
    wanted = {command.idempotency_key: written_fields(command) or {} for command in commands}
    names = sorted({name for fields in wanted.values() for name in fields})
    try:
        found = reader.read(object_type, [c.object_id for c in commands], names)
    except Exception as exc:  # unknown is not "not landed": sending again could repeat it
        log.warning("read-back failed", extra={"object": object_type, "error": str(exc)[:200]})
        if _refused_for_good(exc):
            return {}
        return {command.idempotency_key: _unknown(command) for command in commands}
    landed = {}
    for command in commands:
        record = found.get(command.object_id)
        fields = wanted[command.idempotency_key]
        if record is not None and all(
            same_value(record.fields.get(name), value) for name, value in fields.items()
        ):
            key = command.idempotency_key
            landed[key] = CommandResult(key, Outcome.DONE, {"read_back": LANDED})
    return landed


def _read_back_create(reader: CrmReader, command: CreateLead) -> CommandResult | None:
    email = command.fields.get("Email") if isinstance(command.fields, dict) else None
    if not email:
        return None
    names = sorted({*command.fields, "IsConverted"})
    try:
        leads = reader.find_by_email("Lead", str(email), names)
    except Exception as exc:
        log.warning("read-back of a create failed", extra={"error": str(exc)[:200]})
        return None if _refused_for_good(exc) else _unknown(command)
    ours = [
        lead
        for lead in leads
        if not lead.fields.get("IsConverted")
        and all(same_value(lead.fields.get(k), v) for k, v in command.fields.items())
    ]
    if not ours:
        return None
    data = {"id": ours[0].object_id, "existing": True, "read_back": LANDED}
    return CommandResult(command.idempotency_key, Outcome.DONE, data)


def _refused_for_good(error: Exception) -> bool:
    """A read that would fail the same way every time (a bad id or address, a refusal the
    adapter calls DEAD): waiting for another read-back would only delay the write, so it goes
    as before. Only a passing failure (an outage, a lost answer, a limit) is worth waiting for."""
    return isinstance(error, ValueError) or getattr(error, "outcome", None) is Outcome.DEAD


def _unknown(command: Command) -> CommandResult:
    """The read-back failed: try again later, still in doubt (the log line has the reason)."""
    return CommandResult(
        command.idempotency_key,
        Outcome.RETRY,
        {"read_back": UNKNOWN},
        error_code="READ_BACK_FAILED",
        message="could not read back whether the write had landed",
        in_doubt=True,
    )
