"""Opportunity progress → the lifecycle stage of its contacts in HubSpot.

Pure part: which stage an opportunity snapshot implies (``lifecycle.opportunity_stages``, first
match wins; ``is_won`` matches any won stage, decided from ``IsWon``, never from the label).
Opportunities only ever move contacts *forward*: a deal reaching "Prospecting" must not pull a
customer back to "opportunity".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from connector.config.models.lifecycle import OpportunityStageMapping


def stage_for_opportunity(
    mappings: Sequence[OpportunityStageMapping], snapshot: Mapping[str, Any]
) -> str | None:
    """The HubSpot lifecyclestage the opportunity implies, or None when no mapping matches."""
    won = str(snapshot.get("IsWon", "")).lower() == "true"
    stage_name = snapshot.get("StageName")
    for mapping in mappings:
        if mapping.is_won and won:
            return mapping.hubspot
        if mapping.stage_name is not None and mapping.stage_name == stage_name:
            return mapping.hubspot
    return None
