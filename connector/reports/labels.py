"""Words people use for the CRMs' internal values (HubSpot's default labels)."""

from __future__ import annotations

#: HubSpot's default lifecyclestage labels; custom stages show their internal value.
STAGE_LABELS: dict[str, str] = {
    "subscriber": "Subscriber",
    "lead": "Lead",
    "marketingqualifiedlead": "Marketing qualified lead",
    "salesqualifiedlead": "Sales qualified lead",
    "opportunity": "Opportunity",
    "customer": "Customer",
    "evangelist": "Evangelist",
    "other": "Other",
}

#: Short forms for one-line summaries.
STAGE_SHORT: dict[str, str] = {
    "marketingqualifiedlead": "MQL",
    "salesqualifiedlead": "SQL",
}


def stage_label(value: str | None) -> str:
    """The label of a lifecycle stage value ("(none)" when empty)."""
    if not value:
        return "(none)"
    return STAGE_LABELS.get(value, value)


def stage_short(value: str | None) -> str:
    """A compact name: MQL, SQL, or the lowercase label."""
    if not value:
        return "(none)"
    return STAGE_SHORT.get(value, stage_label(value).lower())


def status_label(value: str | None) -> str:
    """A Salesforce status as shown; Baton's own "(converted)" marker in words."""
    if not value:
        return "(none)"
    return "Converted (now a contact)" if value == "(converted)" else value
