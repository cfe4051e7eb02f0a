"""The MQL definition applied to a Salesforce Lead (Salesforce-only mode); pure.

The definition names HubSpot-style properties (``email``, ``jobtitle``) because marketing writes
it once for every mode. With Salesforce alone each name reads the Lead field that
``handoff.salesforce_field`` gives (the config check refuses a name without one), and the hold
reasons name the fields by their Salesforce labels, as marketing sees them on the Lead.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connector.config.models.handoff import HandoffConfig
from connector.jobs.lifecycle.handoff import mql_hold_reasons


def lead_fields(handoff: HandoffConfig) -> dict[str, str]:
    """Each MQL definition property → the Lead field it reads."""
    named = (name for _, name in handoff.mql_definition.named_properties())
    return {name: field for name in named if (field := handoff.salesforce_field(name))}


def hold_reasons(
    handoff: HandoffConfig,
    lead: Mapping[str, Any],
    field_labels: Mapping[str, str] | None = None,
) -> list[str]:
    """Every reason the Lead fails the definition (empty: it qualifies), by field label."""
    mapping = lead_fields(handoff)
    values = {name: lead.get(field) for name, field in mapping.items()}
    known = field_labels or {}
    labels = {name: known.get(field, field) for name, field in mapping.items()}
    return mql_hold_reasons(handoff.mql_definition, values, labels)
