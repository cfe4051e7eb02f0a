"""HubSpot reconciliation: CRM search on the last-modified property, windowed under 10,000.

Search limits (hubspot.md §4.2): 200 results per page, at most 10,000 per query (paging past it
is a 400), 5 requests per second per portal, and an eventually consistent index (a just-changed
record may be missing for a moment). So the poller sorts ascending by the modified stamp, starts
a new query window at the last stamp seen before it would page past the cap, paces its calls,
and re-reads an overlap before the cursor on every poll. Deleted (archived) records are not
searchable; deletions arrive by webhook only.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import hubspot.crm.contacts as contacts_api
import hubspot.crm.deals as deals_api
import hubspot.crm.objects.calls as calls_api
import hubspot.crm.objects.emails as emails_api
import hubspot.crm.objects.meetings as meetings_api
import hubspot.crm.objects.tasks as tasks_api

from connector.events import ChangeEvent, EventKind, ObjectType, Source, utc_from_ms
from connector.pollers.base import Pacer, PollResult, read_cursor, store_page
from connector.store import Store

log = logging.getLogger(__name__)

#: HubSpot's per-query result cap (paging past it is refused).
MAX_RESULTS_PER_QUERY = 10_000
#: SLA touches: the engagements polled beside contacts and deals (a lost webhook is found later;
#: a task is polled for its completion)
ENGAGEMENT_TYPES = (ObjectType.CALL, ObjectType.EMAIL, ObjectType.MEETING, ObjectType.TASK)
_ENGAGEMENT_PROPERTIES = (
    "hubspot_owner_id",
    "hs_createdate",
    "hs_timestamp",
    "hs_lastmodifieddate",
)
PAGE_SIZE = 200


@dataclass(frozen=True, slots=True)
class SearchTarget:
    """One searchable object type: its API module, modified property and the properties read."""

    object_type: ObjectType
    api_name: str  # "contacts"
    modified_property: str
    properties: tuple[str, ...]
    module: Any

    def search(self, client: Any, request: Any) -> Any:
        """Run one search page through the official client (engagements live under objects)."""
        group = client.crm.objects if self.object_type in ENGAGEMENT_TYPES else client.crm
        api = getattr(group, self.api_name).search_api
        return api.do_search(public_object_search_request=request)


# Map ObjectType: what to search (contacts say lastmodifieddate, deals hs_lastmodifieddate)
TARGETS = {
    ObjectType.CONTACT: SearchTarget(
        ObjectType.CONTACT,
        "contacts",
        "lastmodifieddate",
        ("email", "lifecyclestage", "hs_lead_status", "hubspot_owner_id", "lastmodifieddate"),
        contacts_api,
    ),
    ObjectType.DEAL: SearchTarget(
        ObjectType.DEAL,
        "deals",
        "hs_lastmodifieddate",
        ("dealname", "dealstage", "pipeline", "amount", "closedate", "hs_lastmodifieddate"),
        deals_api,
    ),
    **{
        object_type: SearchTarget(
            object_type,
            api_name,
            "hs_lastmodifieddate",
            properties,
            module,
        )
        for object_type, api_name, module, properties in (
            (ObjectType.CALL, "calls", calls_api, _ENGAGEMENT_PROPERTIES),
            (ObjectType.EMAIL, "emails", emails_api, _ENGAGEMENT_PROPERTIES),
            (ObjectType.MEETING, "meetings", meetings_api, _ENGAGEMENT_PROPERTIES),
            (ObjectType.TASK, "tasks", tasks_api, (*_ENGAGEMENT_PROPERTIES, "hs_task_status")),
        )
    },
}


def hubspot_snapshot_event(
    target: SearchTarget, record_id: str, properties: dict[str, Any], portal_id: str | None
) -> ChangeEvent | None:
    """A search result as a snapshot event; None when it has no usable modified stamp.

    The event id ``poll:<type>:<id>:<modified ms>`` is stable: the same record state read by two
    polls (the overlap) is one inbox row.
    """
    modified = parse_hubspot_ms(properties.get(target.modified_property))
    if modified is None:
        return None
    return ChangeEvent(
        source=Source.HUBSPOT,
        kind=EventKind.UPDATED,
        object_type=target.object_type,
        object_id=str(record_id),
        event_id=f"poll:{target.api_name}:{record_id}:{modified}",
        occurred_at=utc_from_ms(modified),
        changes={name: properties.get(name) for name in target.properties},
        is_snapshot=True,
        account_id=portal_id,
        provider_type=f"search.{target.api_name}",
    )


def parse_hubspot_ms(value: Any) -> int | None:
    """HubSpot datetime property values: epoch ms (text) or ISO 8601; None if neither."""
    if value in (None, ""):
        return None
    text = str(value)
    if text.isdigit():
        return int(text)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return None
    return int(parsed.timestamp() * 1000)


class HubSpotSearchPoller:
    """Reads contacts (or deals) modified since the cursor and appends snapshots to the inbox."""

    def __init__(
        self,
        store: Store,
        client: Any,
        *,
        object_type: ObjectType = ObjectType.CONTACT,
        portal_id: str | None = None,
        pacer: Pacer | None = None,
        interval_s: float = 300,
        overlap: timedelta = timedelta(minutes=10),
        initial_lookback: timedelta = timedelta(hours=1),
        max_results: int = MAX_RESULTS_PER_QUERY,
        page_size: int = PAGE_SIZE,
        retry_sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.store = store
        self.client = client
        self.target = TARGETS[object_type]
        self.portal_id = portal_id
        self.pacer = pacer or Pacer(5)
        self.interval_s = interval_s
        self.overlap = overlap
        self.initial_lookback = initial_lookback
        self.max_results = max_results
        self.page_size = page_size
        self.retry_sleep = retry_sleep
        self.name = f"hubspot:{self.target.api_name}"

    def poll_once(self, now: datetime) -> PollResult:
        """One reconciliation pass up to ``now`` (aware)."""
        if now.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        with self.store.session() as session:
            stored = read_cursor(session, self.name)
        now_ms = int(now.timestamp() * 1000)
        cursor_ms = int(stored) if stored else now_ms - _ms(self.initial_lookback)
        window_start = max(0, cursor_ms - _ms(self.overlap))
        fetched = accepted = duplicates = 0
        high_water = cursor_ms
        after = 0
        while True:
            page = self._search(window_start, now_ms, after)
            results = page.results or []
            events = [event for record in results if (event := self._event(record)) is not None]
            stamps = [int(e.event_id.rsplit(":", 1)[1]) for e in events]
            high_water = max([high_water, *stamps])
            result = store_page(self.store, self.name, events, str(high_water))
            fetched += len(results)
            accepted += result.accepted
            duplicates += result.duplicates
            next_after = _next_after(page)
            if next_after is None:
                break
            if next_after + self.page_size > self.max_results:
                # The next page would pass the per-query cap: start a new window at the last
                # stamp seen (records sharing it are re-read; their ids dedupe).
                last = stamps[-1] if stamps else window_start
                if last <= window_start:
                    log.warning(
                        "more than %d records modified in one millisecond; skipping ahead",
                        self.max_results,
                        extra={"poller": self.name},
                    )
                    last = window_start + 1
                window_start, after = last, 0
            else:
                after = next_after
        return PollResult(self.name, fetched, accepted, duplicates, str(high_water))

    def _event(self, record: Any) -> ChangeEvent | None:
        return hubspot_snapshot_event(
            self.target, record.id, dict(record.properties or {}), self.portal_id
        )

    def _search(self, start_ms: int, end_ms: int, after: int) -> Any:
        module = self.target.module
        prop = self.target.modified_property
        request = module.PublicObjectSearchRequest(
            filter_groups=[
                module.FilterGroup(
                    filters=[
                        module.Filter(property_name=prop, operator="GTE", value=str(start_ms)),
                        module.Filter(property_name=prop, operator="LTE", value=str(end_ms)),
                    ]
                )
            ],
            sorts=[{"propertyName": prop, "direction": "ASCENDING"}],
            properties=list(self.target.properties),
            limit=self.page_size,
            after=str(after) if after else None,
        )
        for attempt in range(5):
            self.pacer.wait()
            try:
                return self.target.search(self.client, request)
            except module.ApiException as exc:
                if exc.status != 429 or attempt == 4:
                    raise
                # Search has its own 5/s limit and sends no rate-limit headers: back off.
                self.retry_sleep(1.0 * (attempt + 1))
        raise AssertionError("unreachable")


def _next_after(page: Any) -> int | None:
    paging = getattr(page, "paging", None)
    following = getattr(paging, "next", None) if paging else None
    after = getattr(following, "after", None) if following else None
    return int(after) if after not in (None, "") else None


def _ms(delta: timedelta) -> int:
    return int(delta.total_seconds() * 1000)
