"""HubSpot owners as the people an escalation reaches (HubSpot alone: no Salesforce users).

The notify writer asks its directory ``read("User", [id], ["Email"])`` at send time, the way it
asks Salesforce for a User's e-mail; this directory answers for HubSpot owner ids from the
owners API, so no address is copied into Baton's store.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from adapters.hubspot.batch_ops import hubspot_call
from adapters.hubspot.client import HubSpotClient
from adapters.retrying import CallFailed, RetryPolicy
from connector.commands import Outcome
from connector.ports import CrmRecord


class HubSpotOwnerDirectory:
    """Owner id → ``{"Email": …}``; an owner HubSpot does not know is absent."""

    def __init__(self, client: HubSpotClient, *, policy: RetryPolicy | None = None) -> None:
        self.client = client
        self.policy = policy or RetryPolicy()

    def read(
        self, object_type: str, object_ids: Sequence[str], fields: Sequence[str]
    ) -> dict[str, CrmRecord]:
        """The owners among ``object_ids`` with their e-mail (``fields`` beyond it are empty)."""
        found: dict[str, CrmRecord] = {}
        for owner_id in dict.fromkeys(str(i) for i in object_ids):
            if not owner_id.isdigit():
                continue
            try:
                owner = hubspot_call(
                    self.client, self.policy, partial(self.client.get_owner, owner_id)
                )
            except CallFailed as failed:
                if failed.outcome is Outcome.DEAD:  # 404: not an owner (any more)
                    continue
                raise
            found[owner_id] = CrmRecord(object_type, owner_id, {"Email": owner["email"]})
        return found
