"""Property groups (`/crm/v3/properties/{type}/groups`): where a portal's properties are filed.

HubSpot files every property in a group; a property created with a group the object type does
not have is refused, so an app creates its own group first (hubspot.md §3, Properties v3).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: the groups a fresh portal has per object type (the catalog's own properties use these)
DEFAULT_GROUPS: dict[str, tuple[tuple[str, str], ...]] = {
    "contacts": (("contactinformation", "Contact information"),),
    "deals": (("dealinformation", "Deal information"),),
    "companies": (("companyinformation", "Company information"),),
}


@dataclass
class PropertyGroup:
    """One group: internal ``name``, ``label`` shown in the UI, and its position."""

    name: str
    label: str
    display_order: int = -1
    archived: bool = False

    def to_api(self) -> dict[str, Any]:
        """The PropertyGroup JSON."""
        return {
            "name": self.name,
            "label": self.label,
            "displayOrder": self.display_order,
            "archived": self.archived,
        }
