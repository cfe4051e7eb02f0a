"""Lists v3 (ILS): MANUAL and SNAPSHOT lists take members through the API, DYNAMIC ones refuse."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .errors import ApiError
from .properties import iso_from_ms

PROCESSING_TYPES = ("MANUAL", "SNAPSHOT", "DYNAMIC")


@dataclass
class HsList:
    """One list and its members (record id -> join time in ms)."""

    list_id: str
    name: str
    object_type_id: str
    processing_type: str
    created_at_ms: int
    updated_at_ms: int
    members: dict[str, int] = field(default_factory=dict)
    filter_branch: dict[str, Any] | None = None
    list_version: int = 1
    deleted: bool = False

    def to_api(self, *, include_filters: bool = False) -> dict[str, Any]:
        """The PublicObjectList JSON."""
        body: dict[str, Any] = {
            "listId": self.list_id,
            "name": self.name,
            "objectTypeId": self.object_type_id,
            "processingType": self.processing_type,
            "processingStatus": "COMPLETE",
            "listVersion": self.list_version,
            "size": len(self.members),
            "createdAt": iso_from_ms(self.created_at_ms),
            "updatedAt": iso_from_ms(self.updated_at_ms),
            "filtersUpdatedAt": iso_from_ms(self.updated_at_ms),
            "createdById": "0",
            "updatedById": "0",
        }
        if include_filters and self.filter_branch is not None:
            body["filterBranch"] = self.filter_branch
        return body

    def require_manual_membership(self) -> None:
        """HubSpot only lets MANUAL and SNAPSHOT lists change membership through the API."""
        if self.processing_type == "DYNAMIC":
            raise ApiError(
                400,
                f"List {self.list_id} has processingType DYNAMIC. Memberships can only be "
                "added or removed for lists with processingType MANUAL or SNAPSHOT.",
                "VALIDATION_ERROR",
                sub_category="ILS_LIST_MEMBERSHIP_UPDATE_NOT_ALLOWED_FOR_DYNAMIC_LISTS",
            )

    def add(self, ids: list[str], existing: set[str], now_ms: int) -> dict[str, list[str]]:
        """Add members; unknown records are reported missing, present ones ignored."""
        added: list[str] = []
        missing: list[str] = []
        for record_id in dict.fromkeys(ids):
            if record_id not in existing:
                missing.append(record_id)
            elif record_id not in self.members:
                self.members[record_id] = now_ms
                added.append(record_id)
        if added:
            self.updated_at_ms = now_ms
        return {"recordsIdsAdded": added, "recordIdsRemoved": [], "recordIdsMissing": missing}

    def remove(self, ids: list[str], now_ms: int) -> dict[str, list[str]]:
        """Remove members; ids that were not members are reported missing."""
        removed: list[str] = []
        missing: list[str] = []
        for record_id in dict.fromkeys(ids):
            if self.members.pop(record_id, None) is None:
                missing.append(record_id)
            else:
                removed.append(record_id)
        if removed:
            self.updated_at_ms = now_ms
        return {"recordsIdsAdded": [], "recordIdsRemoved": removed, "recordIdsMissing": missing}
