"""Owner and rep names for the pages, read from the CRMs' own owner/user APIs, cached briefly.

Reps are employees, but their names still stay out of Baton's store, logs and URLs: the store
keeps owner ids (HubSpot owner 123, Salesforce user 005…/queue 00G…) and this directory turns
them into names at render time. HubSpot's owners are read whole (one or a few pages); Salesforce
users and queues are read by id, in batches. Each answer — a name or "unknown" — is kept for
``ttl_s``; a CRM that fails is not asked again for ``retry_s``, and the page shows the id.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from adapters.errors import CrmCallError

log = logging.getLogger(__name__)
_SALESFORCE_PREFIXES = ("005", "00G")


@dataclass
class OwnerDirectory:
    """``name(owner_id)`` → display name or None, over the clients of :func:`build_clients`."""

    hubspot: Any | None
    salesforce: Any | None
    ttl_s: float = 900.0
    retry_s: float = 60.0
    clock: Callable[[], float] = time.monotonic
    _names: dict[str, tuple[str | None, float]] = field(default_factory=dict)
    _hubspot_until: float = float("-inf")
    _salesforce_down_until: float = float("-inf")
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def name(self, owner_id: str) -> str | None:
        """The owner's name, or None when no CRM knows it (or cannot be asked right now)."""
        if not owner_id:
            return None
        self.warm([owner_id])
        with self._lock:
            entry = self._names.get(owner_id)
        return entry[0] if entry else None

    def warm(self, owner_ids: Iterable[str]) -> None:
        """Look up every id not cached, in as few calls as possible (before rendering a table)."""
        now = self.clock()
        with self._lock:
            missing = {i for i in owner_ids if i and self._names.get(i, (None, now))[1] <= now}
        salesforce = {i for i in missing if i.startswith(_SALESFORCE_PREFIXES)}
        if missing - salesforce:
            self._refresh_hubspot(now)
        if salesforce:
            self._read_salesforce(salesforce, now)

    def _refresh_hubspot(self, now: float) -> None:
        if self.hubspot is None or now < self._hubspot_until:
            return
        try:
            found = self.hubspot.owner_names()
        except CrmCallError as exc:
            log.warning("HubSpot owners unavailable for names", extra={"error": str(exc)[:200]})
            self._hubspot_until = now + self.retry_s
            return
        with self._lock:
            self._hubspot_until = now + self.ttl_s
            self._names.update({k: (v, now + self.ttl_s) for k, v in found.items()})

    def _read_salesforce(self, ids: set[str], now: float) -> None:
        if self.salesforce is None or now < self._salesforce_down_until:
            return
        try:
            found = self.salesforce.owner_names(ids)
        except (CrmCallError, ValueError) as exc:
            log.warning("Salesforce users unavailable for names", extra={"error": str(exc)[:200]})
            self._salesforce_down_until = now + self.retry_s
            return
        with self._lock:  # ids no user or queue has are remembered as unknown too
            self._names.update({i: (found.get(i), now + self.ttl_s) for i in ids})
