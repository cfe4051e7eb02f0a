"""CRM records as the stand-in stores them, and their JSON forms (SimplePublicObject...)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .properties import iso_from_ms
from .schema import ObjectType


@dataclass(frozen=True)
class WriteSource:
    """Who made a change: drives webhook `changeSource`/`sourceId` and property history."""

    change_source: str  # "INTEGRATION" | "CRM_UI" | "CRM"
    source_id: str  # the app id as a string, or "userId:<id>"
    user_id: int | None = None

    @classmethod
    def integration(cls, app_id: int) -> WriteSource:
        """A write through the API with the app's token."""
        return cls("INTEGRATION", str(app_id))

    @classmethod
    def ui(cls, user_id: int) -> WriteSource:
        """A person editing in the HubSpot UI."""
        return cls("CRM_UI", f"userId:{user_id}", user_id)


@dataclass(frozen=True)
class HistoryEntry:
    """One value a property had (ValueWithTimestamp)."""

    value: str
    timestamp_ms: int
    source: WriteSource

    def to_api(self) -> dict[str, Any]:
        """The ValueWithTimestamp JSON."""
        entry: dict[str, Any] = {
            "value": self.value,
            "timestamp": iso_from_ms(self.timestamp_ms),
            "sourceType": self.source.change_source,
            "sourceId": self.source.source_id,
        }
        if self.source.user_id is not None:
            entry["updatedByUserId"] = self.source.user_id
        return entry


@dataclass
class CrmRecord:
    """One object: properties (strings; "" = cleared), their history, timestamps, archive flag."""

    object_type: ObjectType
    id: str
    properties: dict[str, str] = field(default_factory=dict)
    history: dict[str, list[HistoryEntry]] = field(default_factory=dict)
    created_at_ms: int = 0
    updated_at_ms: int = 0
    archived: bool = False
    archived_at_ms: int | None = None

    def value(self, name: str) -> str:
        """Current value, "" when unset or cleared."""
        return self.properties.get(name, "") or ""

    def snapshot(self) -> dict[str, Any]:
        """A plain dict for direct state reads in tests (`HubSpotSandbox.get`)."""
        return {
            "id": self.id,
            "properties": dict(self.properties),
            "archived": self.archived,
            "createdAt": iso_from_ms(self.created_at_ms),
            "updatedAt": iso_from_ms(self.updated_at_ms),
        }


def _always_included(object_type: ObjectType) -> tuple[str, ...]:
    if object_type.name in ("contacts", "companies", "deals"):
        return ("createdate", "hs_object_id", object_type.modified_property)
    return ("hs_createdate", "hs_object_id", "hs_lastmodifieddate")


def record_to_api(
    record: CrmRecord,
    *,
    properties: Iterable[str] | None = None,
    all_set: bool = False,
    with_history: Iterable[str] | None = None,
    associations: dict[str, list[dict[str, str]]] | None = None,
) -> dict[str, Any]:
    """SimplePublicObject(WithAssociations) JSON.

    `properties` names what the caller asked for (unset ones come back as null, as HubSpot does);
    None means the type's defaults. `all_set` returns every property the record has a value
    for, cleared ones as "" (the answer to a write).
    """
    if all_set:
        names = list(record.properties)
    else:
        wanted = list(properties) if properties else list(record.object_type.default_properties)
        names = list(dict.fromkeys([*wanted, *_always_included(record.object_type)]))
    body: dict[str, Any] = {
        "id": record.id,
        "properties": {n: record.properties.get(n) for n in names},
        "createdAt": iso_from_ms(record.created_at_ms),
        "updatedAt": iso_from_ms(record.updated_at_ms),
        "archived": record.archived,
    }
    if record.archived and record.archived_at_ms is not None:
        body["archivedAt"] = iso_from_ms(record.archived_at_ms)
    if with_history:
        body["propertiesWithHistory"] = {
            n: [h.to_api() for h in reversed(record.history.get(n, []))] for n in with_history
        }
    if associations:
        body["associations"] = {k: {"results": v} for k, v in associations.items() if v}
    return body
