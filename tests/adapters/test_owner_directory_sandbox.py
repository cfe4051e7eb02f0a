"""Owner names for the pages from the CRMs' own APIs, over the official clients against the
sandboxes: HubSpot /crm/v3/owners (paged), Salesforce User and Group by id; cached, and a CRM
that fails leaves the id on the page instead of breaking it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from adapters.hubspot.client import HubSpotClient
from adapters.owner_directory import OwnerDirectory
from adapters.salesforce.client import SalesforceClient
from sandbox.hubspot import HubSpotSandbox, HubSpotSandboxConfig
from sandbox.salesforce import SalesforceSandbox, SalesforceSandboxConfig

OWNERS_PATH = "/crm/v3/owners"


@pytest.fixture(scope="module")
def hubspot() -> Iterator[HubSpotSandbox]:
    with HubSpotSandbox(HubSpotSandboxConfig(burst_limit=100_000)) as hs:
        yield hs


@pytest.fixture(scope="module")
def salesforce() -> Iterator[SalesforceSandbox]:
    with SalesforceSandbox(SalesforceSandboxConfig()) as sf:
        yield sf


def _clients(hs: HubSpotSandbox, sf: SalesforceSandbox) -> tuple[HubSpotClient, SalesforceClient]:
    assert sf.instance_url is not None
    return (
        HubSpotClient(hs.config.access_token, hs.start()),
        SalesforceClient(
            sf.instance_url,
            session_id=sf.config.session_id,
            api_version=sf.config.api_version,
            verify=sf.ca_bundle_path,
        ),
    )


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_names_come_from_both_crms_and_are_cached(
    hubspot: HubSpotSandbox, salesforce: SalesforceSandbox
) -> None:
    owners = [hubspot.add_owner(f"rep{i}@acme.example", "Rep", f"Number {i}") for i in range(520)]
    sanne = salesforce.add_user("Sanne Jansen", "sanne@acme.example")
    queue = salesforce.add_queue("Inbound Leads Queue")
    hs_client, sf_client = _clients(hubspot, salesforce)
    clock = Clock()
    directory = OwnerDirectory(hs_client, sf_client, ttl_s=900, clock=clock)
    hubspot.reset_request_log()
    salesforce.reset_request_log()

    assert directory.name(owners[0]) == "Rep Number 0"
    assert directory.name(owners[519]) == "Rep Number 519"  # from the second page
    directory.warm([sanne, queue, "005000000000000AAA"])
    assert directory.name(sanne) == "Sanne Jansen"
    assert directory.name(queue) == "Inbound Leads Queue"
    assert directory.name("005000000000000AAA") is None  # no such user: the page shows the id
    owner_pages = [r for r in hubspot.requests if r.path.startswith(OWNERS_PATH)]
    assert len(owner_pages) == 2  # 520 owners, 500 a page (the most HubSpot gives)
    queries = [r for r in salesforce.requests if "query" in r.path]
    assert len(queries) == 2  # one for users, one for queues, however many ids

    clock.now = 899  # within the cache's lifetime: no new calls
    assert directory.name(owners[5]) == "Rep Number 5"
    assert directory.name(sanne) == "Sanne Jansen"
    assert len([r for r in hubspot.requests if r.path.startswith(OWNERS_PATH)]) == 2
    assert len([r for r in salesforce.requests if "query" in r.path]) == 2
    clock.now = 901  # expired: asked again
    assert directory.name(sanne) == "Sanne Jansen"
    assert len([r for r in salesforce.requests if "query" in r.path]) == 3


def test_a_failing_crm_leaves_ids_and_is_not_asked_again_at_once(
    hubspot: HubSpotSandbox, salesforce: SalesforceSandbox
) -> None:
    owner = hubspot.add_owner("later@acme.example", "Lieke", "Later")
    hs_client, sf_client = _clients(hubspot, salesforce)
    clock = Clock()
    directory = OwnerDirectory(hs_client, sf_client, retry_s=60, clock=clock)
    hubspot.reset_request_log()
    hubspot.inject(503, count=1, path_prefix=OWNERS_PATH)
    assert directory.name(owner) is None
    assert directory.name(owner) is None  # within retry_s: no second call
    assert len([r for r in hubspot.requests if r.path.startswith(OWNERS_PATH)]) == 1
    clock.now = 61
    assert directory.name(owner) == "Lieke Later"
