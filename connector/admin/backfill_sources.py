"""Where ``baton backfill`` reads existing records: HubSpot's contact list, SOQL by Id, the store.

Each source pages in a stable order with a resumable cursor (HubSpot's ``after`` token, the last
Salesforce Id, the last link id), so a run that stops anywhere resumes at the next page.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import func, select

from adapters.salesforce import soql
from connector.store import Store
from connector.store.models import RecordLink, RecordState

log = logging.getLogger(__name__)

HUBSPOT_PAGE_LIMIT = 100
SALESFORCE_PAGE_LIMIT = 200


@dataclass(frozen=True, slots=True)
class SourceRecord:
    """One existing record: provider object type and id, when it last changed, its fields."""

    system: str  # hubspot | salesforce
    object_type: str  # contacts | Lead | Contact
    object_id: str
    modified_at: datetime
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Page:
    """One page and the cursor to resume after it (None: the source is exhausted)."""

    records: list[SourceRecord]
    next_cursor: str | None


class PageSource(Protocol):
    """A resumable, ordered reader of existing records."""

    #: the ``cursors`` row that holds this source's position
    name: str
    #: what the progress bar calls it
    label: str
    page_limit: int

    def total(self) -> int | None:
        """How many records there are (for the progress bar), or None when unknown."""
        ...

    def page(self, cursor: str | None, size: int) -> Page:
        """Up to ``size`` records after ``cursor`` (None: from the start)."""
        ...


class HubSpotContactPages:
    """All contacts through the CRM list endpoint (ordered by id), ≤100 per call.

    The list endpoint is consistent and outside search's 5/s limit; calls take a slot from the
    shared HubSpot limiter, and 429/5xx answers are retried a few times with a pause.
    """

    name = "backfill:hubspot:contacts"
    label = "HubSpot contacts"
    page_limit = HUBSPOT_PAGE_LIMIT

    def __init__(
        self,
        client: Any,
        properties: Sequence[str],
        *,
        sleep: Callable[[float], None] = time.sleep,
        attempts: int = 5,
    ) -> None:
        from hubspot.crm.contacts.exceptions import ApiException

        self._error = ApiException
        self._sdk = client.sdk
        self._basic = client.sdk.crm.contacts.basic_api
        self._limiter = getattr(client, "limiter", None)
        self.properties = list(dict.fromkeys([*properties, "email", "lastmodifieddate"]))
        self._sleep = sleep
        self._attempts = attempts

    def total(self) -> int | None:
        """Contacts in the portal, from one search call (None if search is unavailable)."""
        from hubspot.crm.contacts import PublicObjectSearchRequest

        request = PublicObjectSearchRequest(filter_groups=[], properties=["email"], limit=1)
        try:
            answer = self._call(
                lambda: self._sdk.crm.contacts.search_api.do_search(
                    public_object_search_request=request
                ),
                kind="search",
            )
        except Exception as exc:  # only the progress bar's length depends on it
            log.warning("could not count HubSpot contacts", extra={"error": str(exc)[:200]})
            return None
        return int(answer.total) if answer.total is not None else None

    def page(self, cursor: str | None, size: int) -> Page:
        answer = self._call(
            lambda: self._basic.get_page(
                limit=min(size, self.page_limit),
                after=cursor or None,
                properties=self.properties,
                archived=False,
            )
        )
        records = [self._record(result) for result in answer.results or []]
        following = getattr(getattr(answer, "paging", None), "next", None)
        after = getattr(following, "after", None)
        return Page(records, str(after) if after not in (None, "") else None)

    def _record(self, result: Any) -> SourceRecord:
        properties = dict(result.properties or {})
        modified = result.updated_at or _parse_time(properties.get("lastmodifieddate"))
        return SourceRecord("hubspot", "contacts", str(result.id), _aware(modified), properties)

    def _call(self, fn: Callable[[], Any], kind: str = "default") -> Any:
        for attempt in range(1, self._attempts + 1):
            if self._limiter is not None:
                self._limiter.acquire(kind)
            try:
                return fn()
            except self._error as exc:
                retriable = exc.status == 429 or (exc.status or 0) >= 500
                if not retriable or attempt == self._attempts:
                    raise
                self._sleep(min(10.0, 1.0 * attempt))
        raise AssertionError("unreachable")


class SalesforcePages:
    """All rows of one sObject by SOQL, ordered by Id, resumed with ``WHERE Id > last``.

    Fields the org does not have (e.g. the HubSpot id field on Contact) are left out after one
    describe call, so a missing custom field never fails the whole backfill.
    """

    page_limit = SALESFORCE_PAGE_LIMIT

    def __init__(self, client: Any, sobject: str, fields: Sequence[str]) -> None:
        self.client = client
        self.sobject = soql.identifier(sobject)
        self.name = f"backfill:salesforce:{sobject}"
        self.label = f"Salesforce {sobject}s"
        self._wanted = list(dict.fromkeys(["Id", "SystemModstamp", *fields]))
        self._fields: list[str] | None = None

    def fields(self) -> list[str]:
        """The wanted fields that exist on the object (one describe call, then cached)."""
        if self._fields is None:
            described = getattr(self.client.sf, self.sobject).describe()
            existing = {f["name"] for f in described.get("fields", [])}
            self._fields = [f for f in self._wanted if f in existing]
            missing = sorted(set(self._wanted) - existing)
            if missing:
                log.warning(
                    "fields not on the object are not read",
                    extra={"object": self.sobject, "fields": missing},
                )
        return self._fields

    def total(self) -> int | None:
        try:
            answer = self.client.sf.query(f"SELECT COUNT() FROM {self.sobject}")
        except Exception as exc:
            log.warning("could not count records", extra={"error": str(exc)[:200]})
            return None
        return int(answer.get("totalSize", 0))

    def page(self, cursor: str | None, size: int) -> Page:
        size = min(size, self.page_limit)
        where = f" WHERE Id > {soql.quote(soql.record_id(cursor))}" if cursor else ""
        query = (
            f"SELECT {', '.join(self.fields())} FROM {self.sobject}{where} "
            f"ORDER BY Id ASC LIMIT {int(size)}"
        )
        rows = self.client.query_all(query)
        records = [
            SourceRecord(
                "salesforce",
                self.sobject,
                str(row["Id"]),
                _aware(_parse_time(row.get("SystemModstamp"))),
                {k: v for k, v in row.items() if k not in ("Id", "SystemModstamp")},
            )
            for row in rows
        ]
        return Page(records, records[-1].object_id if len(records) == size else None)


class UnlinkedHubSpotContacts:
    """HubSpot contacts Baton knows (from the contacts pass) that no Salesforce record joined.

    Read from the store, not HubSpot: their state was recorded by the contacts pass.
    """

    name = "backfill:hubspot:unlinked"
    label = "Unlinked HubSpot contacts"
    page_limit = 500

    def __init__(self, store: Store) -> None:
        self.store = store

    def _unlinked(self) -> Any:
        return (
            RecordLink.hubspot_contact_id.is_not(None),
            RecordLink.salesforce_lead_id.is_(None),
            RecordLink.salesforce_contact_id.is_(None),
        )

    def total(self) -> int | None:
        with self.store.session() as session:
            return session.scalar(select(func.count()).where(*self._unlinked()))

    def page(self, cursor: str | None, size: int) -> Page:
        size = min(size, self.page_limit)
        with self.store.session() as session:
            rows = session.execute(
                select(RecordLink.id, RecordLink.hubspot_contact_id, RecordState)
                .outerjoin(
                    RecordState,
                    RecordState.record_key == "hubspot:contact:" + RecordLink.hubspot_contact_id,
                )
                .where(*self._unlinked(), RecordLink.id > int(cursor or 0))
                .order_by(RecordLink.id)
                .limit(size)
            ).all()
        records = [
            SourceRecord(
                "hubspot",
                "contacts",
                str(contact_id),
                state.stage_changed_at if state and state.stage_changed_at else _EPOCH,
                dict((state.fields or {}).get("values", {})) if state else {},
            )
            for _, contact_id, state in rows
        ]
        return Page(records, str(rows[-1][0]) if len(rows) == size else None)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _parse_time(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if value in (None, ""):
        return None
    text = str(value)
    if text.isdigit():
        return datetime.fromtimestamp(int(text) / 1000, UTC)
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def _aware(moment: datetime | None) -> datetime:
    """Aware UTC; a record without a modified stamp counts as very old (it never wins)."""
    if moment is None:
        return _EPOCH
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
