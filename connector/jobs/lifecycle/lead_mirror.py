"""Beside Salesforce: HubSpot's Leads object as a mirror of the Salesforce Lead (optional).

Teams that work in Salesforce but report in HubSpot want the rep's work item visible there.
With ``hubspot.leads_object.mirror_salesforce_lead`` on, the hand-off that creates the
Salesforce Lead also creates one open HubSpot lead for the contact; the Lead's Status moves it
(``salesforce_status_stages``), and conversion closes it in the qualified stage. The writer
keeps one open lead per contact (it moves the open one rather than creating a second), and the
webhooks Baton's own lead writes cause are echoes (its app's INTEGRATION change source), so
nothing goes back and forth. Pure: commands out, the processor enqueues them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connector.commands import CreateHubSpotLead, System
from connector.config import BatonConfig
from connector.events import ObjectType, Source, record_key
from connector.jobs.lifecycle.within_hubspot import new_lead


def enabled(config: BatonConfig) -> bool:
    """The mirror runs only with both CRMs connected and the flag on."""
    return config.crm_mode == "both" and config.hubspot.leads_object.mirror_salesforce_lead


def at_handoff(
    config: BatonConfig,
    contact_id: str,
    properties: Mapping[str, Any],
    logical_at: str,
) -> CreateHubSpotLead | None:
    """The mirror's open lead, created when the hand-off creates the Salesforce Lead."""
    if not enabled(config):
        return None
    return _command(config, contact_id, properties, f"mirror_lead:{contact_id}", logical_at)


def stage_for(config: BatonConfig, snapshot: Mapping[str, Any]) -> str | None:
    """The stage a Salesforce Lead's snapshot puts its mirror in (None: not mapped)."""
    settings = config.hubspot.leads_object
    if str(snapshot.get("IsConverted")).lower() == "true":
        return settings.qualified_stage
    return settings.salesforce_status_stages.get(str(snapshot.get("Status") or ""))


def follow(
    config: BatonConfig,
    contact_id: str,
    lead_id: str,
    stage: str,
    logical_at: str,
) -> CreateHubSpotLead:
    """Move (or close) the contact's open mirror lead; once per Lead and stage change."""
    key = f"mirror_lead:{contact_id}:{lead_id}:{stage}@{logical_at}"
    return _command(config, contact_id, {}, key, logical_at, move_to_stage=stage)


def _command(
    config: BatonConfig,
    contact_id: str,
    properties: Mapping[str, Any],
    key: str,
    logical_at: str,
    *,
    move_to_stage: str | None = None,
) -> CreateHubSpotLead:
    return CreateHubSpotLead(
        System.HUBSPOT,
        record_key(Source.HUBSPOT, ObjectType.CONTACT, contact_id),
        key,
        logical_at,
        contact_id=contact_id,
        properties=new_lead(config, contact_id, properties),
        closed_stages=config.hubspot.leads_object.closed_stages,
        move_to_stage=move_to_stage,
    )
