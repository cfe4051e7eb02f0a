"""Render ``baton explain`` results: readable text for a terminal, JSON for machines. Pure."""

from __future__ import annotations

import json
from typing import Any

from connector.admin.describe import assignments, iso, shorten, when
from connector.admin.explain import Explanation, KnownState, TimelineEntry

_LABELS = {
    "event": "event",
    "rule": "rule",
    "write": "write",
    "observed": "WOULD",  # observe mode: kept, not sent
    "error": "ERROR",
    "dead_letter": "DEAD",
}


def explain_text(query_label: str, explanations: list[Explanation]) -> str:
    """The report an admin reads: one block per person, oldest history first."""
    blocks = []
    if len(explanations) > 1:
        blocks.append(f"{len(explanations)} people found for {query_label}")
    blocks += [_person_text(explanation) for explanation in explanations]
    return "\n\n".join(blocks) + "\n"


def _person_text(explanation: Explanation) -> str:
    lines = [_link_line(explanation)]
    lines.append("")
    lines.append("Known state")
    if not explanation.states:
        lines.append("  (nothing known yet)")
    lines += [f"  {_state_line(state)}" for state in explanation.states]
    lines.append("")
    lines.append(f"History ({len(explanation.timeline)} entries, oldest first)")
    if not explanation.timeline:
        lines.append("  (nothing recorded)")
    lines += [f"  {_entry_line(entry, explanation)}" for entry in explanation.timeline]
    if explanation.pending:
        lines.append("")
        lines.append("Writes waiting in the outbox")
        for write in explanation.pending:
            line = f"  #{write.id} {write.description} "
            line += f"(attempts {write.attempts}, next {when(write.next_attempt_at)})"
            if write.last_error:
                line += f" last error: {shorten(write.last_error, 120)}"
            lines.append(line)
    return "\n".join(lines)


def _link_line(explanation: Explanation) -> str:
    link = explanation.link
    if link is None:
        return f"Record {', '.join(explanation.record_keys)} (not linked to the other CRM)"
    sides = []
    if link["hubspot_contact_id"]:
        sides.append(f"HubSpot contact {link['hubspot_contact_id']}")
    salesforce = []
    if link["salesforce_lead_id"]:
        salesforce.append(f"Lead {link['salesforce_lead_id']}")
    if link["salesforce_contact_id"]:
        salesforce.append(f"Contact {link['salesforce_contact_id']}")
    if salesforce:
        sides.append("Salesforce " + " / ".join(salesforce))
    if len(sides) > 1:
        joined = " <-> ".join(sides)
    else:
        joined = f"{sides[0] if sides else '?'} (no other side linked yet)"
    return f"Person: {joined}  [link #{link['id']}]"


def _state_line(state: KnownState) -> str:
    line = f"{state.record_key}: {assignments(state.values)} (as of {when(state.as_of)})"
    if state.written:
        line += f"; Baton last wrote {assignments(state.written)} at {when(state.written_at)}"
    if state.deleted:
        line += " [deleted]"
    return line


def _entry_line(entry: TimelineEntry, explanation: Explanation) -> str:
    side = f" {_side(entry.record_key)}" if len(explanation.record_keys) > 1 else ""
    label = _LABELS.get(entry.kind, entry.kind)
    text = f"{when(entry.at)}  {label:<5}{side}  {shorten(entry.summary, 240)}"
    if entry.kind == "event":
        occurred = entry.detail.get("occurred_at")
        text += f" (occurred {occurred.replace('T', ' ')[:19] + 'Z' if occurred else '-'})"
    return text


def _side(key: str) -> str:
    source, object_type, _ = key.split(":", 2)
    return {"hubspot": "HS", "salesforce": "SF"}.get(source, source) + f"/{object_type}"


def explain_json(query_label: str, explanations: list[Explanation]) -> str:
    """Everything, machine-readable (times ISO 8601 UTC)."""
    return json.dumps(
        {"query": query_label, "people": [_person_json(e) for e in explanations]},
        indent=2,
        default=str,
    )


def _person_json(explanation: Explanation) -> dict[str, Any]:
    return {
        "link": explanation.link,
        "record_keys": list(explanation.record_keys),
        "states": [
            {
                "record_key": s.record_key,
                "values": s.values,
                "as_of": iso(s.as_of),
                "written": s.written,
                "written_at": iso(s.written_at),
                "deleted": s.deleted,
                "updated_at": iso(s.updated_at),
            }
            for s in explanation.states
        ],
        "timeline": [
            {
                "at": iso(e.at),
                "kind": e.kind,
                "record_key": e.record_key,
                "summary": e.summary,
                "detail": e.detail,
            }
            for e in explanation.timeline
        ],
        "pending_writes": [
            {
                "id": w.id,
                "description": w.description,
                "fields": w.fields,
                "attempts": w.attempts,
                "next_attempt_at": iso(w.next_attempt_at),
                "last_error": w.last_error,
            }
            for w in explanation.pending
        ],
    }
