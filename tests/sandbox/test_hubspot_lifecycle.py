"""The lifecycle-stage rule of the HubSpot stand-in: forward only, backwards silently ignored,
clear-then-set in separate requests, batch order not kept, stage dates maintained."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hubspot import HubSpot
from hubspot.crm.contacts import (
    BatchInputSimplePublicObjectBatchInputForCreate,
    SimplePublicObjectBatchInputForCreate,
    SimplePublicObjectInput,
    SimplePublicObjectInputForCreate,
)

from sandbox.hubspot import HubSpotSandbox, HubSpotSandboxConfig


@pytest.fixture
def hubspot_sandbox() -> Iterator[HubSpotSandbox]:
    with HubSpotSandbox(HubSpotSandboxConfig(seed=11)) as hs:
        yield hs


@pytest.fixture
def hubspot_client(hubspot_sandbox: HubSpotSandbox) -> HubSpot:
    return hubspot_sandbox.client()


def _contact(client: HubSpot, **props: str) -> str:
    return client.crm.contacts.basic_api.create(
        SimplePublicObjectInputForCreate(properties=props)
    ).id


def _patch(client: HubSpot, contact_id: str, **props: str) -> dict[str, str]:
    return client.crm.contacts.basic_api.update(
        contact_id, SimplePublicObjectInput(properties=props)
    ).properties


def test_backwards_write_is_answered_as_success_and_ignored(
    hubspot_client: HubSpot, hubspot_sandbox: HubSpotSandbox
):
    contact_id = _contact(hubspot_client, email="mql@example.com", lifecyclestage="customer")
    before = hubspot_sandbox.get("contacts", contact_id)["properties"]

    answer = _patch(hubspot_client, contact_id, lifecyclestage="lead")  # no exception: 200

    assert answer["lifecyclestage"] == "customer"
    after = hubspot_sandbox.get("contacts", contact_id)["properties"]
    assert after["lifecyclestage"] == "customer"
    assert after["lastmodifieddate"] == before["lastmodifieddate"]  # nothing changed at all
    assert [
        h["value"] for h in hubspot_sandbox.history("contacts", contact_id, "lifecyclestage")
    ] == ["customer"]


def test_backwards_write_keeps_the_other_properties_of_the_same_request(
    hubspot_client: HubSpot, hubspot_sandbox: HubSpotSandbox
):
    contact_id = _contact(hubspot_client, email="x@example.com", lifecyclestage="opportunity")
    _patch(hubspot_client, contact_id, lifecyclestage="subscriber", hs_lead_status="BAD_TIMING")
    props = hubspot_sandbox.get("contacts", contact_id)["properties"]
    assert props["lifecyclestage"] == "opportunity"
    assert props["hs_lead_status"] == "BAD_TIMING"


def test_clear_then_set_in_separate_requests_moves_back(
    hubspot_client: HubSpot, hubspot_sandbox: HubSpotSandbox
):
    contact_id = _contact(
        hubspot_client, email="recycle@example.com", lifecyclestage="marketingqualifiedlead"
    )
    first_mql_entry = hubspot_sandbox.get("contacts", contact_id)["properties"][
        "hs_v2_date_entered_marketingqualifiedlead"
    ]
    assert _patch(hubspot_client, contact_id, lifecyclestage="")["lifecyclestage"] == ""
    assert hubspot_sandbox.get("contacts", contact_id)["properties"]["lifecyclestage"] == ""
    assert _patch(hubspot_client, contact_id, lifecyclestage="lead")["lifecyclestage"] == "lead"

    props = hubspot_sandbox.get("contacts", contact_id)["properties"]
    assert props["lifecyclestage"] == "lead"
    assert props["hs_v2_date_entered_lead"]
    assert props["hs_v2_date_exited_marketingqualifiedlead"]
    # Moving forward again re-stamps the entry date (latest entry wins).
    _patch(hubspot_client, contact_id, lifecyclestage="marketingqualifiedlead")
    again = hubspot_sandbox.get("contacts", contact_id)["properties"]
    assert again["hs_v2_date_entered_marketingqualifiedlead"] >= first_mql_entry
    history = hubspot_sandbox.history("contacts", contact_id, "lifecyclestage")
    assert [h["value"] for h in history] == [
        "marketingqualifiedlead",
        "lead",
        "",
        "marketingqualifiedlead",
    ]


def test_order_comes_from_display_order_including_custom_numeric_stages(
    hubspot_client: HubSpot, hubspot_sandbox: HubSpotSandbox
):
    # A custom stage between lead (1) and MQL (2); numeric internal value like real portals.
    hubspot_sandbox.add_lifecycle_stage("153180554", "Engaged", 2)
    prop = hubspot_client.crm.properties.core_api.get_by_name("contacts", "lifecyclestage")
    values = [o.value for o in sorted(prop.options, key=lambda o: o.display_order)]
    assert values.index("lead") < values.index("153180554") < values.index("marketingqualifiedlead")

    contact_id = _contact(hubspot_client, email="n@example.com", lifecyclestage="lead")
    _patch(hubspot_client, contact_id, lifecyclestage="153180554")
    props = hubspot_sandbox.get("contacts", contact_id)["properties"]
    assert props["lifecyclestage"] == "153180554"
    assert props["hs_v2_date_entered_153180554"]
    _patch(hubspot_client, contact_id, lifecyclestage="lead")  # backwards: ignored
    assert (
        hubspot_sandbox.get("contacts", contact_id)["properties"]["lifecyclestage"] == "153180554"
    )


def test_batch_inputs_are_not_processed_in_input_order(hubspot_client: HubSpot):
    emails = [f"order{i:02d}@example.com" for i in range(20)]
    result = hubspot_client.crm.contacts.batch_api.create(
        BatchInputSimplePublicObjectBatchInputForCreate(
            inputs=[SimplePublicObjectBatchInputForCreate(properties={"email": e}) for e in emails]
        )
    )
    created_in_id_order = [
        r.properties["email"] for r in sorted(result.results, key=lambda r: int(r.id))
    ]
    assert sorted(created_in_id_order) == emails
    assert created_in_id_order != emails


def test_new_api_contacts_have_no_stage_unless_given_but_ui_contacts_are_leads(
    hubspot_client: HubSpot, hubspot_sandbox: HubSpotSandbox
):
    api_id = _contact(hubspot_client, email="api@example.com")
    ui_id = hubspot_sandbox.ui_create("contacts", {"email": "ui@example.com"}, user_id=77)
    assert hubspot_sandbox.get("contacts", api_id)["properties"].get("lifecyclestage", "") == ""
    assert hubspot_sandbox.get("contacts", ui_id)["properties"]["lifecyclestage"] == "lead"
    assert (
        hubspot_sandbox.history("contacts", ui_id, "lifecyclestage")[0]["sourceId"] == "userId:77"
    )
