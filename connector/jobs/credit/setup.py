"""What the credit write-back can reach, checked once at start (like the recycle list check).

A write that cannot land would only become a dead letter per won deal, so a target that is
plainly missing — the HubSpot deal properties, the Salesforce CampaignInfluenceModel — is
switched off at start with a warning, and each credit's audit line says why. When a CRM cannot
be asked at start, the target stays on: its first write says what is wrong. Creating the
property or the model takes effect at the next start.
"""

from __future__ import annotations

import logging

from connector.commands import System
from connector.jobs.base import JobSetup

log = logging.getLogger(__name__)


def writeback_off(setup: JobSetup) -> dict[System, str]:
    """Per CRM, why its write-back is off (absent: on, or switched off in the config)."""
    writeback = setup.config.credit.writeback
    off: dict[System, str] = {}
    property_names = getattr(setup.readers.get(System.HUBSPOT), "property_names", None)
    if writeback.hubspot and property_names is not None:
        names = writeback.hubspot_deal_properties
        wanted = (writeback.hubspot_opportunity_property, names.summary, names.top_channel,
                  names.computed_at)  # fmt: skip
        try:
            defined = property_names("deals")
            missing = [name for name in wanted if name not in defined]
        except Exception as exc:  # unknown at start: the first write says it
            log.warning("could not read the deal properties", extra={"error": str(exc)[:200]})
        else:
            if missing:
                off[System.HUBSPOT] = f"HubSpot deals have no property {', '.join(missing)}"
    model_id = getattr(setup.readers.get(System.SALESFORCE), "influence_model_id", None)
    if writeback.salesforce and model_id is not None:
        model = writeback.salesforce_influence_model
        try:
            found = model_id(model)
        except Exception as exc:
            log.warning("could not read the influence model", extra={"error": str(exc)[:200]})
        else:
            if found is None:
                off[System.SALESFORCE] = f"Salesforce has no CampaignInfluenceModel {model}"
    for system, why in off.items():
        log.warning("credit write-back off", extra={"system": system.value, "why": why})
    return off
