"""Salesforce reconciliation: SOQL on ``SystemModstamp`` with timezone-aware bounds.

``SystemModstamp`` is indexed and never earlier than ``LastModifiedDate`` (salesforce.md §3.1).
The poller asks queryAll (deleted rows included) for rows in ``[cursor - overlap, now]`` ordered
by the stamp, stores them page by page as snapshots and advances its cursor with each page.
Bounds are written as whole-second UTC literals (``2024-05-01T10:00:00Z``): the start rounded
down and the end rounded up, so nothing between polls falls through a rounding gap. A naive
datetime is refused: it is the classic source of wrong windows (simple-salesforce formats it
without an offset).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from itertools import islice
from typing import Any

from adapters.salesforce.events import SOBJECT_TYPES, is_integration_user
from connector.events import ChangeEvent, EventKind, ObjectType, Source
from connector.pollers.base import PollResult, read_cursor, store_page
from connector.store import Store

PAGE_SIZE = 200

CONTACT_ROLE = "OpportunityContactRole"
# Map sObject: the fields read beside Id, SystemModstamp, LastModifiedById and IsDeleted
DEFAULT_FIELDS: dict[str, tuple[str, ...]] = {
    "Lead": ("Status", "OwnerId", "IsConverted", "ConvertedContactId", "ConvertedOpportunityId"),
    "Contact": ("OwnerId", "AccountId"),
    "Opportunity": ("StageName", "IsClosed", "IsWon", "Amount", "CloseDate", "OwnerId"),
    #: touches for the SLA job (a missed outbound message must not read as a missed SLA)
    "Task": ("WhoId", "OwnerId", "Status", "TaskSubtype", "CreatedDate", "CreatedById"),
    "Event": ("WhoId", "OwnerId", "StartDateTime", "EventSubtype", "CreatedDate", "CreatedById"),
    #: contact roles, for credit: a role change does not touch the Opportunity's SystemModstamp
    CONTACT_ROLE: ("OpportunityId", "ContactId", "Role", "IsPrimary"),
}
_SYSTEM_FIELDS = ("Id", "SystemModstamp", "LastModifiedById", "IsDeleted")


def soql_datetime(moment: datetime, *, round_up: bool = False) -> str:
    """A SOQL datetime literal in UTC with whole seconds (rounded down, or up when asked).

    Raises:
        ValueError: ``moment`` is naive.
    """
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("SOQL bounds must be timezone-aware datetimes")
    utc = moment.astimezone(UTC)
    seconds = utc.timestamp()
    whole = math.ceil(seconds) if round_up else math.floor(seconds)
    return datetime.fromtimestamp(whole, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def modstamp_query(sobject: str, fields: Sequence[str], start: datetime, end: datetime) -> str:
    """The reconciliation SOQL for one object and one window (both bounds inclusive)."""
    if not sobject.isidentifier() or not all(f.replace(".", "_").isidentifier() for f in fields):
        raise ValueError("object and field names must be API names")
    selected = ", ".join(dict.fromkeys([*_SYSTEM_FIELDS, *fields]))
    return (
        f"SELECT {selected} FROM {sobject} "
        f"WHERE SystemModstamp >= {soql_datetime(start)} "
        f"AND SystemModstamp <= {soql_datetime(end, round_up=True)} "
        "ORDER BY SystemModstamp ASC"
    )


def salesforce_snapshot_event(
    sobject: str,
    record: dict[str, Any],
    *,
    organization_id: str | None,
    integration_user_id: str | None,
) -> ChangeEvent | None:
    """One queried row as a snapshot (DELETED when IsDeleted); None without Id or stamp.

    The event id ``poll:<sObject>:<Id>:<SystemModstamp>`` is stable across overlapping polls.
    """
    record_id = record.get("Id")
    stamp = _parse_stamp(record.get("SystemModstamp"))
    if not isinstance(record_id, str) or stamp is None:
        return None
    fields = {k: v for k, v in record.items() if k != "attributes"}
    modified_by = record.get("LastModifiedById")
    actor = modified_by if isinstance(modified_by, str) else None
    if sobject == CONTACT_ROLE:
        return _contact_role_event(record_id, fields, stamp, actor, organization_id)
    return ChangeEvent(
        source=Source.SALESFORCE,
        kind=EventKind.DELETED if record.get("IsDeleted") is True else EventKind.UPDATED,
        object_type=SOBJECT_TYPES.get(sobject, ObjectType.OTHER),
        object_id=record_id,
        event_id=f"poll:{sobject}:{record_id}:{record.get('SystemModstamp')}",
        occurred_at=stamp,
        changes=fields,
        is_snapshot=True,
        actor=actor,
        is_echo=is_integration_user(actor, integration_user_id),
        account_id=organization_id,
        provider_type=f"soql.{sobject}",
    )


def _contact_role_event(
    role_id: str,
    fields: dict[str, Any],
    stamp: datetime,
    actor: str | None,
    organization_id: str | None,
) -> ChangeEvent | None:
    """A contact role added, changed or removed, as a change of its opportunity.

    Filed under the opportunity, it is handled under the opportunity's lease and in order with
    its other changes; the credit job re-reads the deal on every Opportunity event and
    recomputes when the roles changed. It is no snapshot: it carries no stage or amount, so the
    other jobs find nothing to act on in it.
    """
    opportunity = fields.get("OpportunityId")
    if not isinstance(opportunity, str) or not opportunity:
        return None
    return ChangeEvent(
        source=Source.SALESFORCE,
        kind=EventKind.UPDATED,
        object_type=ObjectType.OPPORTUNITY,
        object_id=opportunity,
        event_id=f"poll:{CONTACT_ROLE}:{role_id}:{fields.get('SystemModstamp')}",
        occurred_at=stamp,
        changes={
            "OpportunityContactRoleId": role_id,
            "ContactId": fields.get("ContactId"),
            "ContactRoleRemoved": fields.get("IsDeleted") is True,
        },
        is_snapshot=False,
        actor=actor,
        account_id=organization_id,
        provider_type=f"soql.{CONTACT_ROLE}",
    )


class SalesforceModstampPoller:
    """Reads one sObject's rows changed since the cursor through simple-salesforce."""

    def __init__(
        self,
        store: Store,
        client: Any,
        *,
        sobject: str = "Lead",
        fields: Sequence[str] | None = None,
        organization_id: str | None = None,
        integration_user_id: str | None = None,
        interval_s: float = 300,
        overlap: timedelta = timedelta(minutes=5),
        initial_lookback: timedelta = timedelta(hours=1),
    ) -> None:
        self.store = store
        self.client = client
        self.sobject = sobject
        self.fields = tuple(fields if fields is not None else DEFAULT_FIELDS.get(sobject, ()))
        self.organization_id = organization_id
        self.integration_user_id = integration_user_id
        self.interval_s = interval_s
        self.overlap = overlap
        self.initial_lookback = initial_lookback
        self.name = f"salesforce:{sobject}"

    def poll_once(self, now: datetime) -> PollResult:
        """One reconciliation pass up to ``now`` (aware)."""
        if now.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        with self.store.session() as session:
            stored = read_cursor(session, self.name)
        cursor = _parse_stamp(stored) if stored else now - self.initial_lookback
        assert cursor is not None
        soql = modstamp_query(self.sobject, self.fields, cursor - self.overlap, now)
        rows = self.client.query_all_iter(soql, include_deleted=True)
        fetched = accepted = duplicates = 0
        high_water = cursor
        for page in _chunks(rows, PAGE_SIZE):
            events = [event for row in page if (event := self._event(dict(row))) is not None]
            if events:
                high_water = max(high_water, *(e.occurred_at for e in events))
            result = store_page(self.store, self.name, events, high_water.isoformat())
            fetched += len(page)
            accepted += result.accepted
            duplicates += result.duplicates
        return PollResult(self.name, fetched, accepted, duplicates, high_water.isoformat())

    def _event(self, row: dict[str, Any]) -> ChangeEvent | None:
        return salesforce_snapshot_event(
            self.sobject,
            row,
            organization_id=self.organization_id,
            integration_user_id=self.integration_user_id,
        )


def _parse_stamp(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo is not None else None


def _chunks(rows: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(rows)
    while page := list(islice(iterator, size)):
        yield page
