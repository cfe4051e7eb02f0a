"""Lists, owners, users and v4 associations of the HubSpot stand-in, via hubspot-api-client."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from hubspot import HubSpot
from hubspot.crm.associations.v4 import (
    BatchInputPublicDefaultAssociationMultiPost,
    BatchInputPublicFetchAssociationsBatchRequest,
    PublicDefaultAssociationMultiPost,
    PublicFetchAssociationsBatchRequest,
)
from hubspot.crm.contacts import ApiException as ContactApiException
from hubspot.crm.contacts import SimplePublicObjectInput
from hubspot.crm.lists import ApiException as ListApiException
from hubspot.crm.lists import ListCreateRequest
from hubspot.crm.owners import ApiException as OwnerApiException

from sandbox.hubspot import HubSpotSandbox, HubSpotSandboxConfig


@pytest.fixture
def hubspot_sandbox() -> Iterator[HubSpotSandbox]:
    with HubSpotSandbox(HubSpotSandboxConfig()) as hs:
        yield hs


@pytest.fixture
def hubspot_client(hubspot_sandbox: HubSpotSandbox) -> HubSpot:
    return hubspot_sandbox.client()


def test_manual_list_membership_add_is_idempotent(
    hubspot_client: HubSpot, hubspot_sandbox: HubSpotSandbox
):
    a = hubspot_sandbox.ui_create("contacts", {"email": "a@example.com"})
    b = hubspot_sandbox.ui_create("contacts", {"email": "b@example.com"})
    list_id = hubspot_sandbox.add_list("Nurture", "MANUAL")
    memberships = hubspot_client.crm.lists.memberships_api

    first = memberships.add(list_id, [a, b, "987654"])
    assert sorted(first.records_ids_added) == sorted([a, b])
    assert first.record_ids_missing == ["987654"]
    again = memberships.add(list_id, [a])
    assert again.records_ids_added == []

    raw = memberships.add(list_id, [a], _preload_content=False)
    assert set(json.loads(raw.data)) == {"recordsIdsAdded", "recordIdsRemoved", "recordIdsMissing"}

    page = memberships.get_page(list_id)
    assert sorted(m.record_id for m in page.results) == sorted([a, b])
    removed = memberships.remove(list_id, [b])
    assert removed.record_ids_removed == [b]
    assert hubspot_sandbox.list_members(list_id) == [a]


def test_dynamic_list_refuses_manual_membership(
    hubspot_client: HubSpot, hubspot_sandbox: HubSpotSandbox
):
    a = hubspot_sandbox.ui_create("contacts", {"email": "a@example.com"})
    list_id = hubspot_sandbox.add_list("All MQLs", "DYNAMIC")
    with pytest.raises(ListApiException) as error:
        hubspot_client.crm.lists.memberships_api.add(list_id, [a])
    assert error.value.status == 400
    assert "DYNAMIC" in json.loads(error.value.body)["message"]
    assert hubspot_sandbox.list_members(list_id) == []


def test_lists_created_through_the_api(hubspot_client: HubSpot):
    lists = hubspot_client.crm.lists.lists_api
    created = lists.create(
        ListCreateRequest(name="Recycled", object_type_id="0-1", processing_type="SNAPSHOT")
    ).list
    assert created.processing_type == "SNAPSHOT"
    fetched = lists.get_by_id(created.list_id).list
    assert (fetched.name, fetched.size) == ("Recycled", 0)
    by_name = lists.get_by_name("Recycled", "0-1").list
    assert by_name.list_id == created.list_id
    with pytest.raises(ListApiException) as missing:
        lists.get_by_id("99999999")
    assert missing.value.status == 404


def test_owners_paging_email_filter_and_no_manager(
    hubspot_client: HubSpot, hubspot_sandbox: HubSpotSandbox
):
    rep = hubspot_sandbox.add_owner("Rep@Example.com", "Rae", "Rep", user_id=501, teams=["SDR"])
    boss = hubspot_sandbox.add_owner("boss@example.com", "Bo", "Ss", user_id=502, teams=["SDR"])
    gone = hubspot_sandbox.add_owner("gone@example.com", "Ex", "Rep", user_id=503)
    hubspot_sandbox.archive_owner(gone)
    owners = hubspot_client.crm.owners.owners_api

    first = owners.get_page(limit=1)
    second = owners.get_page(limit=1, after=first.paging.next.after)
    assert [first.results[0].id, second.results[0].id] == [rep, boss]
    assert second.paging is None

    only = owners.get_page(email="rep@example.com").results
    assert [o.id for o in only] == [rep]
    assert only[0].teams[0].name == "SDR" and only[0].teams[0].primary is True
    assert only[0].teams[0].id == owners.get_by_id(boss).teams[0].id

    raw = owners.get_by_id(rep, _preload_content=False)
    assert not any("manager" in key.lower() for key in json.loads(raw.data))
    assert owners.get_by_id("501", id_property="userId").id == rep

    archived = owners.get_page(archived=True).results
    assert [(o.user_id, o.user_id_including_inactive) for o in archived] == [(None, 503)]
    with pytest.raises(OwnerApiException):
        owners.get_by_id("123")


def test_users_carry_working_hours_and_time_zone(
    hubspot_client: HubSpot, hubspot_sandbox: HubSpotSandbox
):
    hubspot_sandbox.add_owner("tz@example.com", "T", "Z", user_id=77, time_zone="Europe/Berlin")
    users = hubspot_client.crm.objects.basic_api.get_page(
        "users", properties=["hs_internal_user_id", "hs_standard_time_zone", "hs_working_hours"]
    ).results
    assert len(users) == 1
    props = users[0].properties
    assert props["hs_internal_user_id"] == "77"
    assert props["hs_standard_time_zone"] == "Europe/Berlin"
    assert json.loads(props["hs_working_hours"])[0]["days"] == "MONDAY_TO_FRIDAY"


def test_owner_ids_are_validated_and_stamped(
    hubspot_client: HubSpot, hubspot_sandbox: HubSpotSandbox
):
    owner = hubspot_sandbox.add_owner("o@example.com", "O", "Wner")
    contact_id = hubspot_sandbox.ui_create("contacts", {"email": "c@example.com"})
    api = hubspot_client.crm.contacts.basic_api
    with pytest.raises(ContactApiException) as error:
        api.update(contact_id, SimplePublicObjectInput(properties={"hubspot_owner_id": "42"}))
    assert json.loads(error.value.body)["errors"][0]["code"] == "INVALID_OWNER_ID"
    api.update(contact_id, SimplePublicObjectInput(properties={"hubspot_owner_id": owner}))
    props = hubspot_sandbox.get("contacts", contact_id)["properties"]
    assert props["hubspot_owner_id"] == owner
    assert props["hubspot_owner_assigneddate"]


def test_default_associations_both_ways(hubspot_client: HubSpot, hubspot_sandbox: HubSpotSandbox):
    contact = hubspot_sandbox.ui_create("contacts", {"email": "c@example.com"})
    deal = hubspot_sandbox.ui_create("deals", {"dealname": "D", "dealstage": "qualifiedtobuy"})
    v4 = hubspot_client.crm.associations.v4

    created = v4.basic_api.create_default("contacts", contact, "deals", deal)
    specs = {(r._from.id, r.to.id): r.association_spec.association_type_id for r in created.results}
    assert specs == {(contact, deal): 4, (deal, contact): 3}

    from_deal = v4.basic_api.get_page("deals", deal, "contacts").results
    assert [(r.to_object_id, r.association_types[0].type_id) for r in from_deal] == [(contact, 3)]
    read = hubspot_client.crm.contacts.basic_api.get_by_id(contact, associations=["deals"])
    assert read.associations["deals"].results[0].id == deal

    v4.basic_api.archive("contacts", contact, "deals", deal)
    assert hubspot_sandbox.associations("deals", deal, "contacts") == []


def test_batch_associate_and_batch_read(hubspot_client: HubSpot, hubspot_sandbox: HubSpotSandbox):
    contacts = [hubspot_sandbox.ui_create("contacts", {"email": f"{i}@example.com"}) for i in "ab"]
    deal = hubspot_sandbox.ui_create("deals", {"dealname": "D"})
    lonely = hubspot_sandbox.ui_create("contacts", {"email": "lonely@example.com"})
    batch = hubspot_client.crm.associations.v4.batch_api

    batch.create_default(
        "contacts",
        "deals",
        BatchInputPublicDefaultAssociationMultiPost(
            inputs=[
                PublicDefaultAssociationMultiPost(_from={"id": c}, to={"id": deal})
                for c in contacts
            ]
        ),
    )
    read = batch.get_page(
        "contacts",
        "deals",
        BatchInputPublicFetchAssociationsBatchRequest(
            inputs=[PublicFetchAssociationsBatchRequest(id=c) for c in [*contacts, lonely]]
        ),
    )
    assert sorted(r._from.id for r in read.results) == sorted(contacts)
    assert {r.to[0].to_object_id for r in read.results} == {deal}
    assert read.num_errors == 1
    assert read.errors[0].context == {"fromObjectId": [lonely]}
    assert sorted(hubspot_sandbox.associations("deals", deal, "contacts")) == sorted(contacts)
