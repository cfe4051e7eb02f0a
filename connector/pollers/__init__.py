"""Reconciliation pollers: repair webhooks that never came by reading what changed.

HubSpot: CRM search on the last-modified property (5 requests/s, 10,000 results per query
window). Salesforce: SOQL on ``SystemModstamp`` with timezone-aware bounds (queryAll, so
deletions show). Both feed the same inbox as the receivers, with stable synthetic event ids
(``poll:<object>:<id>:<modified>``) so overlapping windows and repeated polls are harmless, and
keep their high-water marks in the ``cursors`` table, advanced in the same transaction as the
events, so a restart resumes exactly where the last stored page ended.
"""

from connector.pollers.base import Poller, PollResult
from connector.pollers.hubspot import HubSpotSearchPoller, hubspot_snapshot_event
from connector.pollers.salesforce import SalesforceModstampPoller, salesforce_snapshot_event
from connector.pollers.scheduler import PollScheduler, pollers_from_config

__all__ = [
    "HubSpotSearchPoller",
    "PollResult",
    "PollScheduler",
    "Poller",
    "SalesforceModstampPoller",
    "hubspot_snapshot_event",
    "pollers_from_config",
    "salesforce_snapshot_event",
]
