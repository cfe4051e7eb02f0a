"""Labels an admin sees in the CRMs' screens, and the internal values the config needs. Pure.

The config takes API/internal values (``IN_PROGRESS``, ``Working - Contacted``); the screens show
labels (``In progress``, or a translated ``Bezig - Gecontacteerd``). Where the label→value map
is known without asking the CRM — HubSpot's default ``hs_lead_status`` options
(shared/reference/hubspot.md §3.3) — a label written where the value belongs is refused with the
value to write. Salesforce picklists are per org (and labels per language), so the file alone
cannot tell a label from an API value there: ``baton doctor`` reads the org's values and
suggests the API value for a label.
"""

from __future__ import annotations

from collections.abc import Iterable

# Map HubSpot's default hs_lead_status label: internal value (editable per portal)
HUBSPOT_LEAD_STATUS_LABELS = {
    "New": "NEW",
    "Open": "OPEN",
    "In progress": "IN_PROGRESS",
    "Open deal": "OPEN_DEAL",
    "Unqualified": "UNQUALIFIED",
    "Attempted to contact": "ATTEMPTED_TO_CONTACT",
    "Connected": "CONNECTED",
    "Bad timing": "BAD_TIMING",
}
#: Salesforce's out-of-the-box Lead.Status API values (salesforce.md §4.1); orgs change them
SALESFORCE_STANDARD_LEAD_STATUSES = (
    "Open - Not Contacted",
    "Working - Contacted",
    "Closed - Converted",
    "Closed - Not Converted",
)


def hubspot_lead_status_label(value: str) -> str | None:
    """The error for an ``hs_lead_status`` label written where its internal value belongs."""
    if value in HUBSPOT_LEAD_STATUS_LABELS.values():
        return None
    for label, internal in HUBSPOT_LEAD_STATUS_LABELS.items():
        if value.strip().casefold() == label.casefold():
            return (
                f"{value!r} is the label of HubSpot's lead status {internal}: write the "
                f"internal value {internal} (Settings → Properties → Lead Status shows both)"
            )
    return None


def nonstandard_lead_statuses(values: Iterable[str]) -> list[str]:
    """Lead.Status values that are not Salesforce's standard API values, in order, once each."""
    found: list[str] = []
    for value in values:
        if value not in SALESFORCE_STANDARD_LEAD_STATUSES and value not in found:
            found.append(value)
    return found
