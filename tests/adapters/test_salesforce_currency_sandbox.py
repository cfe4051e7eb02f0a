"""Multi-currency orgs through simple-salesforce against the sandbox: the Opportunity's
``CurrencyIsoCode`` exists only there, so the reader asks describe before naming it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from adapters.retrying import RetryPolicy
from adapters.salesforce.client import SalesforceClient
from adapters.salesforce.reader import SalesforceReader
from connector.commands import System
from connector.config import default_config
from connector.jobs.base import JobSetup
from connector.jobs.credit.job import build
from connector.jobs.credit.trigger import deal_from_fields
from sandbox.salesforce import SalesforceSandbox, SalesforceSandboxConfig
from sandbox.salesforce.errors import SalesforceApiError


def _reader(org: SalesforceSandbox) -> SalesforceReader:
    assert org.instance_url is not None
    client = SalesforceClient(
        org.instance_url,
        session_id=org.config.session_id,
        api_version=org.config.api_version,
        verify=org.ca_bundle_path,
    )
    return SalesforceReader(client, policy=RetryPolicy(sleep=lambda s: None))


@pytest.fixture(scope="module")
def orgs() -> Iterator[tuple[SalesforceSandbox, SalesforceSandbox]]:
    with (
        SalesforceSandbox(SalesforceSandboxConfig(currencies=("EUR", "USD", "JPY"))) as multi,
        SalesforceSandbox(SalesforceSandboxConfig()) as single,
    ):
        yield multi, single


def test_a_multi_currency_deal_is_read_in_its_own_currency(orgs):
    multi, single = orgs
    reader = _reader(multi)
    job = build(JobSetup(default_config(), {System.SALESFORCE: reader}))
    assert job.opportunity_fields_for(reader)[-1] == "CurrencyIsoCode"
    won = {"Name": "Yen deal", "StageName": "Closed Won", "CloseDate": "2026-12-01"}
    yen = multi.ui_create("Opportunity", {**won, "Amount": 1200000, "CurrencyIsoCode": "JPY"})
    euro = multi.ui_create("Opportunity", {**won, "Amount": 999.99})  # the corporate default
    found = reader.read("Opportunity", [yen, euro], list(job.opportunity_fields_for(reader)))
    deals = {key: deal_from_fields(record.fields) for key, record in found.items()}
    assert (deals[yen].currency, deals[euro].currency) == ("JPY", "EUR")
    with pytest.raises(SalesforceApiError, match="RESTRICTED_PICKLIST"):  # not activated
        multi.ui_create("Opportunity", {**won, "Amount": 1, "CurrencyIsoCode": "GBP"})

    plain = _reader(single)
    assert "CurrencyIsoCode" not in plain.field_names("Opportunity")
    plain_job = build(JobSetup(default_config(), {System.SALESFORCE: plain}))
    fields = plain_job.opportunity_fields_for(plain)
    assert "CurrencyIsoCode" not in fields
    deal = single.ui_create("Opportunity", {**won, "Amount": 10})
    record = plain.read("Opportunity", [deal], list(fields))[deal]
    assert deal_from_fields(record.fields).currency is None, "the org's one currency: config"
