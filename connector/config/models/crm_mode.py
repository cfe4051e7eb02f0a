"""The three ways Baton is installed: beside HubSpot alone, Salesforce alone, or both.

The mode is not a key of its own: it follows ``hubspot.enabled`` and ``salesforce.enabled``, so
the file cannot say one thing in two places. Only the enabled CRMs are validated, get a client,
a poller and webhooks; a job asks the mode where a hand-off, a touch or a credit lives.
"""

from __future__ import annotations

from typing import Literal

CrmMode = Literal["hubspot", "salesforce", "both"]

HUBSPOT_ONLY: CrmMode = "hubspot"
SALESFORCE_ONLY: CrmMode = "salesforce"
BOTH: CrmMode = "both"


def crm_mode(hubspot_enabled: bool, salesforce_enabled: bool) -> CrmMode:
    """The mode of these switches (neither is refused by the cross-section checks)."""
    if hubspot_enabled and not salesforce_enabled:
        return HUBSPOT_ONLY
    if salesforce_enabled and not hubspot_enabled:
        return SALESFORCE_ONLY
    return BOTH
