"""Polls carry the custom fields the jobs read, when the org has them (asked by describe)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from connector.pollers.salesforce import DEFAULT_FIELDS
from connector.pollers.scheduler import _poll_fields


@pytest.fixture(scope="module")
def salesforce() -> Iterator[Any]:
    from sandbox.salesforce import SalesforceSandbox

    with SalesforceSandbox() as sf:
        sf.add_custom_field("Lead", "Recycle_Reason__c")
        yield sf


def test_a_custom_field_the_org_has_is_polled_and_one_it_lacks_is_not(salesforce):
    fields = _poll_fields(salesforce.client(), "Lead", ("Recycle_Reason__c", "Not_There__c"))
    assert fields == (*DEFAULT_FIELDS["Lead"], "Recycle_Reason__c")


def test_without_extra_fields_no_describe_is_made(salesforce):
    salesforce.reset_request_log()
    assert _poll_fields(salesforce.client(), "Contact", ()) == DEFAULT_FIELDS["Contact"]
    assert salesforce.requests == []


def test_an_org_that_cannot_be_asked_gets_the_default_fields():
    class Unreachable:
        def __getattr__(self, name: str) -> Any:
            raise ConnectionError("org down")

    assert _poll_fields(Unreachable(), "Lead", ("Recycle_Reason__c",)) == DEFAULT_FIELDS["Lead"]
