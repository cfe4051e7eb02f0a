"""Render the ``baton sync`` preview and run summary for a terminal or as JSON. Pure."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from connector.admin.describe import assignments, iso, shorten, when
from connector.admin.sync import DryRunReport, PlannedCommand, SyncSummary


def dry_run_text(report: DryRunReport) -> str:
    """Per-event outcomes, then the writes they would queue, then what already waits."""
    lines = ["DRY RUN: nothing was written or stored.", ""]
    lines.append(f"Pending events: {len(report.events)}")
    for event in report.events:
        lines.append(
            f"  event #{event.id} {event.record_key} {event.type}: {event.status}"
            f" - {shorten(event.summary, 160)}"
        )
    if report.records_left:
        lines.append(f"  … and {report.records_left} more record(s) not simulated (--limit)")
    lines.append("")
    lines.append(f"Would queue {len(report.would_enqueue)} write(s):")
    lines += [f"  {_command_line(c)}" for c in report.would_enqueue] or ["  (none)"]
    lines.append("")
    lines.append(f"Already waiting in the outbox: {len(report.waiting)}")
    superseded = set(report.would_supersede)
    for command in report.waiting:
        note = " (would be superseded by a newer value)" if command.id in superseded else ""
        lines.append(f"  #{command.id} {_command_line(command)}{note}")
    return "\n".join(lines) + "\n"


def _command_line(command: PlannedCommand) -> str:
    text = f"{command.system} {command.kind} {command.target}: {assignments(command.fields)}"
    if command.cause_event_id is not None:
        text += f" (from event #{command.cause_event_id})"
    if command.attempts:
        text += f" [attempt {command.attempts + 1} due {when(command.next_attempt_at)}]"
    return text


def dry_run_json(report: DryRunReport) -> str:
    """The same preview, machine-readable."""

    def command(c: PlannedCommand) -> dict[str, Any]:
        data = asdict(c)
        data["next_attempt_at"] = iso(c.next_attempt_at)
        return data

    return json.dumps(
        {
            "dry_run": True,
            "events": [asdict(e) for e in report.events],
            "would_enqueue": [command(c) for c in report.would_enqueue],
            "waiting": [command(c) for c in report.waiting],
            "would_supersede": report.would_supersede,
            "records_left": report.records_left,
        },
        indent=2,
    )


def summary_text(summary: SyncSummary) -> str:
    """One paragraph: events handled by outcome, writes done, dead letters, what is left."""
    handled = sum(summary.events.values())
    outcomes = ", ".join(f"{n} {status}" for status, n in sorted(summary.events.items()))
    lines = [
        f"events processed: {handled}" + (f" ({outcomes})" if outcomes else ""),
        f"writes done: {summary.commands_done}",
        f"new dead letters: {summary.dead_letters}"
        + ("  (see `baton dead-letters list`)" if summary.dead_letters else ""),
        f"still pending: {summary.events_pending} event(s), {summary.commands_pending} write(s)",
    ]
    if not summary.idle:
        lines.append("stopped at the time limit with work left (retries wait for their due time)")
    return "\n".join(lines) + "\n"
