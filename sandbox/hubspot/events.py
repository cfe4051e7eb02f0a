"""Changes inside the portal that webhooks report. Produced by the state, consumed by delivery."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class CrmChange:
    """One thing that happened to one record, before it is matched to subscriptions."""

    kind: str  # creation | deletion | propertyChange | merge | privacyDeletion | associationChange
    object_type: str  # plural type name, e.g. "contacts"
    object_id: int
    occurred_at_ms: int
    change_source: str
    source_id: str
    property_name: str | None = None
    property_value: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
