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
    for system, section in ((System.HUBSPOT, setup.config.hubspot),
                            (System.SALESFORCE, setup.config.salesforce)):  # fmt: skip
        if not section.enabled:
            off[system] = f"{system.value} is not connected"
    property_names = getattr(setup.readers.get(System.HUBSPOT), "property_names", None)
    if writeback.hubspot and property_names is not None and System.HUBSPOT not in off:
        names = writeback.hubspot_deal_properties
        wanted = (names.summary, names.top_channel, names.computed_at)
        if setup.config.salesforce.enabled:  # the deal is found by its opportunity id
            wanted = (writeback.hubspot_opportunity_property, *wanted)
        try:
            defined = property_names("deals")
            missing = [name for name in wanted if name not in defined]
        except Exception as exc:  # unknown at start: the first write says it
            log.warning("could not read the deal properties", extra={"error": str(exc)[:200]})
        else:
            if missing:
                off[System.HUBSPOT] = f"HubSpot deals have no property {', '.join(missing)}"
    model_id = getattr(setup.readers.get(System.SALESFORCE), "influence_model_id", None)
    if writeback.salesforce and model_id is not None and System.SALESFORCE not in off:
        model = writeback.salesforce_influence_model
        try:
            found = model_id(model)
        except Exception as exc:
            log.warning("could not read the influence model", extra={"error": str(exc)[:200]})
        else:
            if found is None:
                off[System.SALESFORCE] = f"Salesforce has no CampaignInfluenceModel {model}"
    for system, why in off.items():
        if why.endswith("is not connected"):
            continue  # a single-CRM install: nothing to warn about
        log.warning("credit write-back off", extra={"system": system.value, "why": why})
    return off
