"""One creation `baton setup` plans: which system, what kind, which target, the request body."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Step:
    """One creation: ``system``, what it makes (``kind``, ``target``) and the request body."""

    system: str
    kind: str  # "property group" | "property" | "custom field" | "field access" | …
    target: str
    body: dict[str, Any] = field(default_factory=dict)

    def line(self) -> str:
        """``create HubSpot property contacts.baton_hold_reason (string/textarea)``."""
        system = {"hubspot": "HubSpot", "salesforce": "Salesforce"}[self.system]
        verb = _VERBS.get(self.kind, "create")
        return f"{verb} {system} {self.kind} {self.target}{_shape(self)}"


_VERBS = {
    "field access": "grant",
    "permission set assignment": "make",
    "webhook target URL": "set",
}


def _shape(step: Step) -> str:
    if step.kind == "property":
        return f" ({step.body['type']}/{step.body['fieldType']})"
    if step.kind == "webhook subscription":
        return " (active)"
    if step.kind == "field access":
        return " (read and edit, to the integration user)"
    if step.kind == "custom field":
        length = step.body.get("length")
        return f" ({step.body['type']}{f'({length})' if length else ''})"
    return ""
