"""CRM search of the HubSpot stand-in: filters, sorting, paging, limits, eventual consistency."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from hubspot import HubSpot
from hubspot.crm.contacts import (
    ApiException,
    PublicObjectSearchRequest,
    SimplePublicObjectInput,
)

from sandbox.hubspot import HubSpotSandbox, HubSpotSandboxConfig


class SteppedClock:
    """A clock tests move by hand, so eventual consistency needs no sleeping."""

    def __init__(self, start: float = 1_780_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def hubspot_sandbox() -> Iterator[HubSpotSandbox]:
    with HubSpotSandbox(HubSpotSandboxConfig(search_rps=1000)) as hs:
        yield hs


@pytest.fixture
def hubspot_client(hubspot_sandbox: HubSpotSandbox) -> HubSpot:
    return hubspot_sandbox.client()


def _search(client: HubSpot, **kwargs: object):
    return client.crm.contacts.search_api.do_search(PublicObjectSearchRequest(**kwargs))


def _eq(name: str, value: str, operator: str = "EQ") -> dict[str, str]:
    return {"propertyName": name, "operator": operator, "value": value}


def _seed(hs: HubSpotSandbox) -> dict[str, str]:
    people = {
        "ann": {"email": "ann@acme.com", "firstname": "Ann", "lifecyclestage": "lead",
                "hs_lead_status": "NEW"},
        "bob": {"email": "bob@acme.com", "firstname": "Bob", "lifecyclestage": "customer"},
        "cy": {"email": "cy@other.org", "firstname": "Cy", "lifecyclestage": "lead",
               "hs_lead_status": "OPEN"},
        "di": {"email": "di@other.org", "firstname": "Di", "lifecyclestage": "opportunity"},
    }  # fmt: skip
    return {name: hs.ui_create("contacts", props) for name, props in people.items()}


def test_filters_and_groups(hubspot_client: HubSpot, hubspot_sandbox: HubSpotSandbox):
    ids = _seed(hubspot_sandbox)

    leads = _search(hubspot_client, filter_groups=[{"filters": [_eq("lifecyclestage", "lead")]}])
    assert leads.total == 2 and {r.id for r in leads.results} == {ids["ann"], ids["cy"]}

    acme_or_open = _search(
        hubspot_client,
        filter_groups=[
            {"filters": [_eq("email", "*@acme.com", "CONTAINS_TOKEN")]},
            {"filters": [_eq("hs_lead_status", "OPEN")]},
        ],
    )
    assert {r.id for r in acme_or_open.results} == {ids["ann"], ids["bob"], ids["cy"]}

    in_and_has = _search(
        hubspot_client,
        filter_groups=[
            {
                "filters": [
                    {"propertyName": "lifecyclestage", "operator": "IN",
                     "values": ["lead", "opportunity"]},
                    {"propertyName": "hs_lead_status", "operator": "NOT_HAS_PROPERTY"},
                ]
            }
        ],
    )  # fmt: skip
    assert [r.id for r in in_and_has.results] == [ids["di"]]

    neq = _search(
        hubspot_client, filter_groups=[{"filters": [_eq("lifecyclestage", "lead", "NEQ")]}]
    )
    assert {r.id for r in neq.results} == {ids["bob"], ids["di"]}


def test_datetime_range_sort_and_properties(
    hubspot_client: HubSpot, hubspot_sandbox: HubSpotSandbox
):
    ids = _seed(hubspot_sandbox)
    hubspot_client.crm.contacts.basic_api.update(
        ids["cy"], SimplePublicObjectInput(properties={"firstname": "Cyrus"})
    )
    cy_modified = hubspot_sandbox.get("contacts", ids["cy"])["properties"]["lastmodifieddate"]
    recent = _search(
        hubspot_client,
        filter_groups=[{"filters": [_eq("lastmodifieddate", cy_modified, "GTE")]}],
        properties=["firstname", "lifecyclestage"],
    )
    assert [r.id for r in recent.results] == [ids["cy"]]
    assert recent.results[0].properties["firstname"] == "Cyrus"
    assert recent.results[0].properties["lifecyclestage"] == "lead"

    by_name = _search(
        hubspot_client,
        sorts=[{"propertyName": "firstname", "direction": "DESCENDING"}],
        properties=["firstname"],
    )
    assert [r.properties["firstname"] for r in by_name.results] == ["Di", "Cyrus", "Bob", "Ann"]


def test_paging_and_the_total_cap():
    with HubSpotSandbox(HubSpotSandboxConfig(search_rps=1000, search_max_total=30)) as hs:
        for i in range(35):
            hs.ui_create("contacts", {"email": f"p{i}@example.com"})
        client = hs.client()
        seen: list[str] = []
        after = None
        with pytest.raises(ApiException) as error:
            while True:
                page = _search(client, limit=10, after=after)
                assert page.total == 35
                seen.extend(r.id for r in page.results)
                after = page.paging.next.after
        assert error.value.status == 400
        assert json.loads(error.value.body)["category"] == "VALIDATION_ERROR"
        assert len(seen) == len(set(seen)) == 30


@pytest.mark.parametrize(
    "body",
    [
        {"limit": 201},
        {"filterGroups": [{"filters": [_eq("email", "a")]} for _ in range(6)]},
        {"filterGroups": [{"filters": [_eq("email", str(i)) for i in range(7)]}]},
        {"sorts": ["createdate", "-email"]},
        {"filterGroups": [{"filters": [_eq("no_such_property", "x")]}]},
    ],
    ids=["limit-201", "6-groups", "7-filters", "2-sorts", "unknown-property"],
)
def test_invalid_searches_are_400(hubspot_client: HubSpot, body: dict):
    api = hubspot_client.crm.contacts.search_api
    with pytest.raises(ApiException) as error:
        api.api_client.call_api(
            "/crm/v3/objects/contacts/search", "POST", body=body,
            header_params={"Content-Type": "application/json"},
            auth_settings=["oauth2"], response_types_map={200: "object"},
            _return_http_data_only=True,
        )  # fmt: skip
    assert error.value.status == 400


def test_search_has_its_own_limit_and_no_rate_limit_headers():
    clock = SteppedClock()
    with HubSpotSandbox(HubSpotSandboxConfig(search_rps=2), clock=clock) as hs:
        api = hs.client().crm.contacts.search_api
        request = PublicObjectSearchRequest(limit=1)
        for _ in range(2):
            _, _, headers = api.do_search_with_http_info(request)
            assert not any(h.lower().startswith("x-hubspot-ratelimit") for h in headers)
        with pytest.raises(ApiException) as error:
            api.do_search(request)
        body = json.loads(error.value.body)
        assert error.value.status == 429
        assert body["errorType"] == "RATE_LIMIT"
        assert not any(h.lower().startswith("x-hubspot-ratelimit") for h in error.value.headers)
        clock.advance(1.0)
        assert api.do_search(request).total == 0
        # The general API is not touched by the search limit.
        _, _, headers = hs.client().crm.contacts.basic_api.get_page_with_http_info()
        assert "X-HubSpot-RateLimit-Remaining" in headers


def test_search_is_eventually_consistent():
    clock = SteppedClock()
    config = HubSpotSandboxConfig(search_rps=1000, search_index_delay_s=2.0)
    with HubSpotSandbox(config, clock=clock) as hs:
        client = hs.client()
        contact_id = hs.ui_create("contacts", {"email": "late@example.com", "firstname": "Lou"})
        by_email = {"filter_groups": [{"filters": [_eq("email", "late@example.com")]}]}
        assert _search(client, **by_email).total == 0  # just written: not indexed yet
        assert client.crm.contacts.basic_api.get_by_id(contact_id).id == contact_id
        clock.advance(2.0)
        assert [r.id for r in _search(client, **by_email).results] == [contact_id]

        client.crm.contacts.basic_api.update(
            contact_id, SimplePublicObjectInput(properties={"firstname": "Louise"})
        )
        stale = _search(client, properties=["firstname"], **by_email)
        assert stale.results[0].properties["firstname"] == "Lou"  # the old version
        clock.advance(2.0)
        fresh = _search(client, properties=["firstname"], **by_email)
        assert fresh.results[0].properties["firstname"] == "Louise"

        hs.ui_delete("contacts", contact_id)
        assert _search(client, **by_email).total == 1
        clock.advance(2.0)
        assert _search(client, **by_email).total == 0
