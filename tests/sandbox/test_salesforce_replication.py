"""getUpdated / getDeleted resources of the Salesforce stand-in via SFType.updated/deleted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from simple_salesforce.exceptions import SalesforceMalformedRequest

from sandbox.salesforce import SalesforceSandbox, SalesforceSandboxConfig


class Clock:
    """A settable org clock."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def salesforce_clock() -> Clock:
    return Clock(datetime(2024, 5, 1, 12, 0, 30, tzinfo=UTC))


@pytest.fixture
def salesforce_org(salesforce_clock: Clock):
    with SalesforceSandbox(SalesforceSandboxConfig(clock=salesforce_clock)) as sf:
        yield sf


def test_updated_ids_window_and_latest_date_covered(
    salesforce_org: SalesforceSandbox, salesforce_clock: Clock
):
    before = salesforce_org.ui_create("Lead", {"LastName": "Before", "Company": "A"})  # 12:00:30
    salesforce_clock.now = datetime(2024, 5, 1, 12, 5, 10, tzinfo=UTC)
    changed = salesforce_org.ui_create("Lead", {"LastName": "Changed", "Company": "A"})
    salesforce_clock.now = datetime(2024, 5, 1, 12, 20, 45, tzinfo=UTC)
    client = salesforce_org.client()
    result = client.Lead.updated(
        datetime(2024, 5, 1, 12, 1, 59, tzinfo=UTC), datetime(2024, 5, 1, 12, 30, tzinfo=UTC)
    )
    assert result["ids"] == [changed]
    assert result["latestDateCovered"] == "2024-05-01T12:20:00.000+0000"  # now, seconds cut
    # Seconds are truncated: a start of 12:00:59 means 12:00:00, which includes `before`.
    wider = client.Lead.updated(
        datetime(2024, 5, 1, 12, 0, 59, tzinfo=UTC), datetime(2024, 5, 1, 12, 30, tzinfo=UTC)
    )
    assert wider["ids"] == [before, changed]


def test_updated_accepts_offsets(salesforce_org: SalesforceSandbox, salesforce_clock: Clock):
    lead = salesforce_org.ui_create("Lead", {"LastName": "L", "Company": "A"})
    salesforce_clock.now += timedelta(hours=1)
    cest = timezone(timedelta(hours=2))
    result = salesforce_org.client().Lead.updated(
        datetime(2024, 5, 1, 13, 0, tzinfo=cest), datetime(2024, 5, 1, 15, 0, tzinfo=cest)
    )
    assert result["ids"] == [lead]  # 11:00Z to 13:00Z


def test_start_not_before_end_is_invalid_replication_date(salesforce_org: SalesforceSandbox):
    client = salesforce_org.client()
    start = datetime(2024, 5, 1, 11, 0, 10, tzinfo=UTC)
    with pytest.raises(SalesforceMalformedRequest) as same_minute:
        client.Lead.updated(start, start + timedelta(seconds=30))
    assert same_minute.value.content[0]["errorCode"] == "INVALID_REPLICATION_DATE"
    with pytest.raises(SalesforceMalformedRequest) as too_old:
        client.Lead.updated(start - timedelta(days=31), start)
    assert too_old.value.content[0]["errorCode"] == "INVALID_REPLICATION_DATE"


def test_naive_datetimes_are_refused(salesforce_org: SalesforceSandbox):
    with pytest.raises(SalesforceMalformedRequest):
        salesforce_org.client().Lead.updated(datetime(2024, 5, 1, 11), datetime(2024, 5, 1, 12))


def test_deleted_records_and_fifteen_day_window(
    salesforce_org: SalesforceSandbox, salesforce_clock: Clock
):
    lead = salesforce_org.ui_create("Lead", {"LastName": "Gone", "Company": "A"})
    salesforce_clock.now = datetime(2024, 5, 1, 12, 10, 0, tzinfo=UTC)
    salesforce_org.ui_delete("Lead", lead)
    salesforce_clock.now = datetime(2024, 5, 1, 12, 30, 0, tzinfo=UTC)
    client = salesforce_org.client()
    result = client.Lead.deleted(
        datetime(2024, 5, 1, 12, 0, tzinfo=UTC), datetime(2024, 5, 1, 13, 0, tzinfo=UTC)
    )
    assert result["deletedRecords"] == [{"id": lead, "deletedDate": "2024-05-01T12:10:00.000+0000"}]
    assert result["earliestDateAvailable"] == "2024-04-16T12:30:00.000+0000"
    assert result["latestDateCovered"] == "2024-05-01T12:30:00.000+0000"
    updated = client.Lead.updated(
        datetime(2024, 5, 1, 12, 0, tzinfo=UTC), datetime(2024, 5, 1, 13, 0, tzinfo=UTC)
    )
    assert updated["ids"] == []
    with pytest.raises(SalesforceMalformedRequest) as too_old:
        client.Lead.deleted(
            datetime(2024, 4, 10, tzinfo=UTC), datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
        )
    assert too_old.value.content[0]["errorCode"] == "INVALID_REPLICATION_DATE"
