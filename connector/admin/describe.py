"""Pure one-line descriptions shared by every admin command: times, commands, field values."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

#: values of fields whose name contains one of these are never printed (personal data)
_MASKED_NAMES = ("email",)


def when(moment: datetime | None) -> str:
    """``2024-05-01 10:00:00Z`` (UTC, whole seconds), or ``-`` when unknown."""
    if moment is None:
        return "-"
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%SZ")


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC for JSON output (None stays None)."""
    return None if moment is None else moment.astimezone(UTC).isoformat()


def masked(fields: Mapping[str, Any]) -> dict[str, Any]:
    """A copy with e-mail-like values replaced: admin output never shows addresses."""
    return {
        name: "<hidden>" if value and any(m in name.lower() for m in _MASKED_NAMES) else value
        for name, value in fields.items()
    }


def assignments(fields: Mapping[str, Any]) -> str:
    """``Status='Working', OwnerId='005…'`` with e-mail values hidden; ``(none)`` when empty."""
    if not fields:
        return "(none)"
    return ", ".join(f"{name}={value!r}" for name, value in masked(fields).items())


def command_fields(kind: str, payload: Mapping[str, Any]) -> dict[str, Any]:
    """The field values a command writes (what an admin wants to see before it lands)."""
    if kind == "set_stage":
        field_name = payload.get("field_name") or "?"
        return {field_name: payload.get("value"), **dict(payload.get("extra_fields") or {})}
    if kind in ("update_fields", "create_lead"):
        fields = dict(payload.get("fields") or {})
        if kind == "create_lead" and payload.get("owner_id"):
            fields.setdefault("OwnerId", payload["owner_id"])
        return fields
    if kind == "add_to_list":
        ids = list(payload.get("object_ids") or [])
        return {"list_id": payload.get("list_id"), "object_ids": ids}
    return {}


def command_target(kind: str, payload: Mapping[str, Any]) -> str:
    """Where a command writes: ``Lead 00Q…``, ``contacts 1001``, ``new Lead for contact 1001``."""
    if kind == "create_lead":
        return f"new Lead for HubSpot contact {payload.get('hubspot_contact_id') or '?'}"
    if kind == "add_to_list":
        return f"list {payload.get('list_id') or '?'}"
    object_type = payload.get("object_type") or "?"
    return f"{object_type} {payload.get('object_id') or '?'}"


def describe_command(kind: str, payload: Mapping[str, Any]) -> str:
    """``salesforce set_stage Lead 00Q…: Status='Working'`` (backwards moves say so)."""
    system = payload.get("system") or "?"
    line = f"{system} {kind} {command_target(kind, payload)}: "
    line += assignments(command_fields(kind, payload))
    if kind == "set_stage" and payload.get("backwards"):
        line += " (backwards: clear then set)"
    return line


def shorten(text: str | None, width: int = 200) -> str:
    """One line of at most ``width`` characters (CRM messages can be long and multi-line)."""
    flat = " ".join((text or "").split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"
