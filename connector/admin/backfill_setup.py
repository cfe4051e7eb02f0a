"""Wire ``baton backfill`` to the runtime: its CRM clients, the stage mapping, the store."""

from __future__ import annotations

from typing import Any

from connector.admin.backfill import Backfill
from connector.admin.backfill_sources import (
    HubSpotContactPages,
    PageSource,
    SalesforcePages,
    UnlinkedHubSpotContacts,
)
from connector.jobs.lifecycle.mapping import Policy, StageMap
from connector.jobs.lifecycle.setup import stage_entries


def build_backfill(runtime: Any) -> Backfill:
    """The backfill over the runtime's enabled CRMs (clients shared with the rest of Baton)."""
    config = runtime.config
    stage_map = StageMap(stage_entries(config), (), config.handoff.stage)
    clients = runtime.clients()
    id_field = config.salesforce.hubspot_id_field
    hubspot = unlinked = None
    if clients.hubspot is not None:
        hubspot = HubSpotContactPages(clients.hubspot, sorted(stage_map.hubspot_fields))
        unlinked = UnlinkedHubSpotContacts(runtime.store)
    salesforce: tuple[PageSource, ...] = ()
    if clients.salesforce is not None:
        contact_fields = ["Email", id_field, *sorted(stage_map.salesforce_fields("Contact"))]
        lead_fields = [
            "Email",
            id_field,
            "IsConverted",
            "ConvertedContactId",
            *sorted(stage_map.salesforce_fields("Lead")),
        ]
        salesforce = (
            SalesforcePages(clients.salesforce, "Contact", contact_fields),
            SalesforcePages(clients.salesforce, "Lead", lead_fields),
        )
    return Backfill(
        runtime.store,
        stage_map,
        Policy(config.lifecycle.conflict_policy),
        id_field,
        hubspot=hubspot,
        salesforce=salesforce,
        unlinked=unlinked,
    )
