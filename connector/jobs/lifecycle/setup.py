"""Build the pure :class:`StageMap` from the admin's config (and HubSpot's stage order)."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from connector.commands import System
from connector.config import BatonConfig
from connector.config.models.lifecycle import DEFAULT_STAGE_ORDER
from connector.jobs.lifecycle.mapping import (
    LEAD_STATUS,
    LIFECYCLE,
    Direction,
    Policy,
    StageEntry,
    StageMap,
)
from connector.ports import CrmReader

log = logging.getLogger(__name__)


def stage_entries(config: BatonConfig) -> tuple[StageEntry, ...]:
    """Flatten ``lifecycle.stages`` and ``lifecycle.lead_status`` into entries."""
    lifecycle = config.lifecycle
    default_policy = Policy(lifecycle.conflict_policy)
    entries: list[StageEntry] = []
    for hubspot_field, mappings in (
        (LIFECYCLE, lifecycle.stages),
        (LEAD_STATUS, lifecycle.lead_status),
    ):
        for mapping in mappings:
            entries.append(
                StageEntry(
                    hubspot_field=hubspot_field,
                    hubspot_value=mapping.hubspot,
                    salesforce_object=mapping.salesforce.object,
                    salesforce_field=mapping.salesforce.field or "Status",
                    salesforce_value=mapping.salesforce.value,
                    direction=Direction(mapping.direction),
                    policy=Policy(mapping.conflict_policy)
                    if mapping.conflict_policy
                    else default_policy,
                )
            )
    return tuple(entries)


def build_stage_map(config: BatonConfig, readers: Mapping[System, CrmReader]) -> StageMap:
    """The stage map with HubSpot's lifecycle order: from config, else the portal, else defaults."""
    order = config.lifecycle.stage_order
    if order is None:
        order = _order_from_hubspot(readers.get(System.HUBSPOT)) or DEFAULT_STAGE_ORDER
    return StageMap(stage_entries(config), tuple(order), config.handoff.stage)


def _order_from_hubspot(reader: CrmReader | None) -> tuple[str, ...] | None:
    read_order = getattr(reader, "lifecycle_stage_order", None)
    if read_order is None:
        return None
    try:
        return tuple(read_order())
    except Exception as exc:  # the portal is unreachable at start: the defaults still work
        log.warning("could not read lifecycle stage order", extra={"error": str(exc)[:200]})
        return None
