"""Render dead letters and retry/drop outcomes for a terminal or as JSON. Pure."""

from __future__ import annotations

import json
from collections.abc import Sequence

from connector.admin.dead_letters import DeadLetterRow, Outcome
from connector.admin.describe import command_fields, command_target, iso, masked, shorten, when


def dead_letters_text(rows: Sequence[DeadLetterRow]) -> str:
    """One block per letter: what was refused, the CRM's own words, when, and how often."""
    if not rows:
        return "no dead letters\n"
    lines = [f"{len(rows)} dead letter(s)"]
    for row in rows:
        state = f" [{row.resolution} {when(row.resolved_at)}]" if row.resolution else ""
        lines.append("")
        lines.append(
            f"#{row.id}  {row.system} {row.kind}  {command_target(row.kind, row.payload)}{state}"
        )
        lines.append(f"    record:   {row.record_key}")
        lines.append(f"    refused:  {row.error_code or '-'}: {shorten(row.message, 300)}")
        lines.append(f"    when:     {when(row.created_at)} after {row.attempts} attempt(s)")
        fields = masked(command_fields(row.kind, row.payload))
        if fields:
            lines.append(f"    writing:  {', '.join(f'{k}={v!r}' for k, v in fields.items())}")
    return "\n".join(lines) + "\n"


def dead_letters_json(rows: Sequence[DeadLetterRow]) -> str:
    """Every letter with its command (fields masked), machine-readable."""
    return json.dumps(
        [
            {
                "id": row.id,
                "system": row.system,
                "kind": row.kind,
                "record_key": row.record_key,
                "target": command_target(row.kind, row.payload),
                "fields": masked(command_fields(row.kind, row.payload)),
                "error_code": row.error_code,
                "message": row.message,
                "created_at": iso(row.created_at),
                "attempts": row.attempts,
                "command_id": row.command_id,
                "command_status": row.command_status,
                "resolution": row.resolution,
                "resolved_at": iso(row.resolved_at),
            }
            for row in rows
        ],
        indent=2,
    )


def outcomes_text(verb: str, outcomes: Sequence[Outcome]) -> str:
    """``#3 retried`` / ``#4 already retried`` lines and a count of the letters changed."""
    changed = sum(1 for o in outcomes if o.result == verb)
    lines = [f"#{o.id} {o.result}" for o in outcomes]
    lines.append(f"{changed} of {len(outcomes)} dead letter(s) {verb}")
    return "\n".join(lines) + "\n"
