"""The reconciliation pollers against the sandbox CRMs, through the official clients.

Both stand-ins run on a controllable clock, so modification stamps are distinct and the HubSpot
search limit (5 per second on the stand-in's clock) is met by pacing, not by sleeping.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from connector.events import ObjectType
from connector.pollers import HubSpotSearchPoller, SalesforceModstampPoller
from connector.pollers.base import Pacer, read_cursor
from connector.store import Store
from connector.store.models import InboxEvent

pytestmark = pytest.mark.slow


class ManualClock:
    """Seconds since the epoch that move only when told to."""

    def __init__(self, start: float = 1_763_900_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    def aware(self) -> datetime:
        return datetime.fromtimestamp(self.now, UTC)


Sandboxed = tuple[Any, ManualClock]


def rows(store: Store) -> list[InboxEvent]:
    with store.session() as session:
        return list(session.scalars(select(InboxEvent).order_by(InboxEvent.id)))


# ------------------------------------------------------------------------------------ HubSpot


@pytest.fixture
def hubspot() -> Iterator[Sandboxed]:
    from sandbox.hubspot import HubSpotSandbox, HubSpotSandboxConfig

    clock = ManualClock()
    sandbox = HubSpotSandbox(HubSpotSandboxConfig(search_max_total=40), clock=clock)
    sandbox.start()
    yield sandbox, clock
    sandbox.stop()


def hubspot_poller(
    store: Store, sandbox: Any, clock: ManualClock, object_type: ObjectType = ObjectType.CONTACT
) -> HubSpotSearchPoller:
    return HubSpotSearchPoller(
        store,
        sandbox.client(),
        object_type=object_type,
        portal_id="62515",
        pacer=Pacer(5, clock=clock, sleep=clock.advance),
        retry_sleep=clock.advance,
        max_results=40,  # the stand-in is configured with the same cap as 10,000 in HubSpot
        page_size=10,
        initial_lookback=timedelta(days=1),
    )


def test_hubspot_search_windows_past_the_result_cap(
    hubspot: Sandboxed, sqlite_store: Store
) -> None:
    sandbox, clock = hubspot
    created = []
    for i in range(95):
        created.append(sandbox.ui_create("contacts", {"email": f"c{i}@x.io"}))
        clock.advance(1)
    clock.advance(5)
    poller = hubspot_poller(sqlite_store, sandbox, clock)
    result = poller.poll_once(clock.aware())

    assert result.accepted == 95
    # A new window starts at the last stamp seen, so those rows are read twice (and deduped).
    assert result.duplicates == result.fetched - 95
    stored = rows(sqlite_store)
    assert sorted(r.object_id for r in stored) == sorted(created)
    assert all(r.is_snapshot and r.changes["lifecyclestage"] == "lead" for r in stored)
    searches = [r for r in sandbox.requests if "/search" in r.path]
    assert len(searches) >= 10  # 95 rows in pages of 10, across several windows of <= 40
    assert all(r.status != 429 for r in searches)  # paced under 5 per second
    assert all(r.status == 200 for r in searches)  # never paged past the cap (that is a 400)


def test_hubspot_repeated_polls_are_duplicates_and_changes_are_new(
    hubspot: Sandboxed, sqlite_store: Store
) -> None:
    sandbox, clock = hubspot
    ids = [sandbox.ui_create("contacts", {"email": f"d{i}@x.io"}) for i in range(3)]
    clock.advance(2)
    hubspot_poller(sqlite_store, sandbox, clock).poll_once(clock.aware())

    clock.advance(60)
    sandbox.ui_update("contacts", ids[1], {"lifecyclestage": "marketingqualifiedlead"})
    clock.advance(2)
    # A new poller instance (a restart) resumes from the persisted cursor.
    again = hubspot_poller(sqlite_store, sandbox, clock).poll_once(clock.aware())

    assert again.accepted == 1
    latest = rows(sqlite_store)[-1]
    assert (latest.object_id, latest.changes["lifecyclestage"]) == (
        ids[1],
        "marketingqualifiedlead",
    )
    with sqlite_store.session() as session:
        cursor = read_cursor(session, "hubspot:contacts")
    assert cursor is not None and int(cursor) == int(latest.occurred_at.timestamp() * 1000)


def test_hubspot_calls_and_meetings_are_polled_for_sla_touches(
    hubspot: Sandboxed, sqlite_store: Store
) -> None:
    sandbox, clock = hubspot
    contact = sandbox.ui_create("contacts", {"email": "touched@x.io"})
    owner = sandbox.add_owner("rep@x.io", "Rita", "Rep")
    stamp = {"hs_timestamp": "2026-01-01T00:00:00Z", "hubspot_owner_id": owner}
    call = sandbox.ui_create("calls", stamp, associations=[("contacts", contact)])
    meeting = sandbox.ui_create("meetings", stamp, associations=[("contacts", contact)])
    clock.advance(2)
    for object_type in (ObjectType.CALL, ObjectType.MEETING, ObjectType.EMAIL):
        hubspot_poller(sqlite_store, sandbox, clock, object_type).poll_once(clock.aware())
    found = {
        (r.object_type, r.object_id, r.changes["hubspot_owner_id"]) for r in rows(sqlite_store)
    }
    assert {("call", call, owner), ("meeting", meeting, owner)} <= found
    assert not any(r.object_type == "email" for r in rows(sqlite_store))


def test_hubspot_record_missing_from_a_lagging_index_is_found_next_poll(
    sqlite_store: Store,
) -> None:
    from sandbox.hubspot import HubSpotSandbox, HubSpotSandboxConfig

    clock = ManualClock()
    with HubSpotSandbox(HubSpotSandboxConfig(search_index_delay_s=30), clock=clock) as sandbox:
        contact = sandbox.ui_create("contacts", {"email": "late@x.io"})
        clock.advance(1)
        first = hubspot_poller(sqlite_store, sandbox, clock).poll_once(clock.aware())
        clock.advance(60)
        second = hubspot_poller(sqlite_store, sandbox, clock).poll_once(clock.aware())
    assert (first.accepted, second.accepted) == (0, 1)
    assert rows(sqlite_store)[0].object_id == contact


# --------------------------------------------------------------------------------- Salesforce


@pytest.fixture
def salesforce() -> Iterator[Sandboxed]:
    from sandbox.salesforce import SalesforceSandbox
    from sandbox.salesforce.config import SalesforceSandboxConfig

    clock = ManualClock()
    config = SalesforceSandboxConfig(
        org_id="00D000000000001EAA", clock=clock.aware, query_batch_size=100
    )
    sandbox = SalesforceSandbox(config)
    sandbox.start()
    yield sandbox, clock
    sandbox.stop()


def salesforce_poller(
    store: Store, sandbox: Any, sobject: str = "Lead"
) -> SalesforceModstampPoller:
    return SalesforceModstampPoller(
        store,
        sandbox.client(),
        sobject=sobject,
        organization_id="00D000000000001EAA",
        integration_user_id=sandbox.integration_user_id,
        initial_lookback=timedelta(days=1),
    )


def test_salesforce_modstamp_poll_reads_every_page(
    salesforce: Sandboxed, sqlite_store: Store
) -> None:
    sandbox, clock = salesforce
    leads = []
    for i in range(250):
        leads.append(sandbox.ui_create("Lead", {"LastName": f"L{i}", "Company": "C"}))
        clock.advance(1)
    result = salesforce_poller(sqlite_store, sandbox).poll_once(clock.aware())

    assert (result.fetched, result.accepted) == (250, 250)
    stored = rows(sqlite_store)
    assert sorted(r.object_id for r in stored) == sorted(leads)
    assert all(r.object_type == "lead" and r.is_snapshot for r in stored)
    assert stored[0].changes["Status"] == "Open - Not Contacted"
    with sqlite_store.session() as session:
        cursor = read_cursor(session, "salesforce:Lead")
    assert cursor is not None
    assert datetime.fromisoformat(cursor) == max(r.occurred_at for r in stored)


def test_salesforce_deletions_echoes_and_restarts(
    salesforce: Sandboxed, sqlite_store: Store
) -> None:
    sandbox, clock = salesforce
    theirs = sandbox.ui_create("Lead", {"LastName": "A", "Company": "C"})
    clock.advance(1)
    salesforce_poller(sqlite_store, sandbox).poll_once(clock.aware())

    clock.advance(120)
    ours = sandbox.client().Lead.create({"LastName": "B", "Company": "C"})["id"]
    clock.advance(1)
    sandbox.ui_delete("Lead", theirs)
    clock.advance(1)
    result = salesforce_poller(sqlite_store, sandbox).poll_once(clock.aware())

    assert result.accepted == 2
    new = {r.object_id: r for r in rows(sqlite_store)[1:]}
    assert new[ours].is_echo and new[ours].kind == "updated"
    assert new[theirs].kind == "deleted" and not new[theirs].is_echo


def test_salesforce_poll_refuses_a_naive_now(salesforce: Sandboxed, sqlite_store: Store) -> None:
    sandbox, _ = salesforce
    with pytest.raises(ValueError, match="timezone-aware"):
        salesforce_poller(sqlite_store, sandbox).poll_once(datetime(2026, 1, 1))


def test_a_contact_role_change_is_polled_as_a_change_of_its_opportunity(
    salesforce: Sandboxed, sqlite_store: Store
) -> None:
    sandbox, clock = salesforce
    won = {"Name": "Deal", "StageName": "Closed Won", "CloseDate": "2026-12-01", "Amount": 10}
    opportunity = sandbox.ui_create("Opportunity", won)
    contact = sandbox.ui_create("Contact", {"LastName": "Buyer"})
    clock.advance(60)
    role = sandbox.ui_create(
        "OpportunityContactRole", {"OpportunityId": opportunity, "ContactId": contact}
    )
    clock.advance(2)
    salesforce_poller(sqlite_store, sandbox, "OpportunityContactRole").poll_once(clock.aware())
    clock.advance(60)
    sandbox.ui_delete("OpportunityContactRole", role)
    clock.advance(2)
    salesforce_poller(sqlite_store, sandbox, "OpportunityContactRole").poll_once(clock.aware())
    added, removed = rows(sqlite_store)
    for event in (added, removed):
        assert (event.object_type, event.object_id, event.is_snapshot) == (
            "opportunity",
            opportunity,
            False,
        ), "filed under the opportunity: the credit job reads the deal again"
        assert event.changes["OpportunityContactRoleId"] == role
    assert (added.changes["ContactRoleRemoved"], removed.changes["ContactRoleRemoved"]) == (
        False,
        True,
    )
