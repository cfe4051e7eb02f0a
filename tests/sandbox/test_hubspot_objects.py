"""Objects, batch, properties, errors and auth of the HubSpot stand-in, via hubspot-api-client."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from hubspot import HubSpot
from hubspot.crm.contacts import (
    ApiException,
    BatchInputSimplePublicObjectBatchInput,
    BatchInputSimplePublicObjectBatchInputForCreate,
    BatchInputSimplePublicObjectBatchInputUpsert,
    BatchInputSimplePublicObjectId,
    BatchReadInputSimplePublicObjectId,
    PublicGdprDeleteInput,
    PublicMergeInput,
    SimplePublicObjectBatchInput,
    SimplePublicObjectBatchInputForCreate,
    SimplePublicObjectBatchInputUpsert,
    SimplePublicObjectId,
    SimplePublicObjectInput,
    SimplePublicObjectInputForCreate,
)
from hubspot.crm.objects import SimplePublicObjectInputForCreate as ObjectInputForCreate
from hubspot.crm.objects.tasks import ApiException as TaskApiException

from sandbox.hubspot import HubSpotSandbox, HubSpotSandboxConfig


@pytest.fixture
def hubspot_sandbox() -> Iterator[HubSpotSandbox]:
    with HubSpotSandbox(HubSpotSandboxConfig(seed=3)) as hs:
        yield hs


@pytest.fixture
def hubspot_client(hubspot_sandbox: HubSpotSandbox) -> HubSpot:
    return hubspot_sandbox.client()


def _create_contact(client: HubSpot, **props: str) -> str:
    return client.crm.contacts.basic_api.create(
        SimplePublicObjectInputForCreate(properties=props)
    ).id


def test_create_read_update_round_trip(hubspot_client: HubSpot, hubspot_sandbox: HubSpotSandbox):
    created = hubspot_client.crm.contacts.basic_api.create(
        SimplePublicObjectInputForCreate(
            properties={"email": "Ada@Example.com", "firstname": "Ada"}
        )
    )
    assert created.properties["email"] == "ada@example.com"
    assert created.properties["hs_object_id"] == created.id
    assert created.properties["createdate"]

    read = hubspot_client.crm.contacts.basic_api.get_by_id(
        created.id, properties=["firstname", "hs_lead_status"]
    )
    assert read.properties["firstname"] == "Ada"
    assert read.properties["hs_lead_status"] is None  # asked for, unset: null as in HubSpot
    assert "lastmodifieddate" in read.properties

    updated = hubspot_client.crm.contacts.basic_api.update(
        created.id, SimplePublicObjectInput(properties={"hs_lead_status": "OPEN"})
    )
    assert updated.properties["hs_lead_status"] == "OPEN"
    assert hubspot_sandbox.get("contacts", created.id)["properties"]["hs_lead_status"] == "OPEN"

    by_email = hubspot_client.crm.contacts.basic_api.get_by_id(
        "ada@example.com", id_property="email", properties=["firstname"]
    )
    assert by_email.id == created.id


def test_property_history_records_integration_source(hubspot_client: HubSpot):
    contact_id = _create_contact(hubspot_client, email="h@example.com", hs_lead_status="NEW")
    hubspot_client.crm.contacts.basic_api.update(
        contact_id, SimplePublicObjectInput(properties={"hs_lead_status": "CONNECTED"})
    )
    read = hubspot_client.crm.contacts.basic_api.get_by_id(
        contact_id, properties_with_history=["hs_lead_status"]
    )
    history = read.properties_with_history["hs_lead_status"]
    assert [h.value for h in history] == ["CONNECTED", "NEW"]
    assert {h.source_type for h in history} == {"INTEGRATION"}
    assert history[0].source_id == "54321"


def test_missing_record_is_404_and_archive_hides_it(hubspot_client: HubSpot):
    with pytest.raises(ApiException) as missing:
        hubspot_client.crm.contacts.basic_api.get_by_id("999999")
    assert missing.value.status == 404
    assert json.loads(missing.value.body)["category"] == "OBJECT_NOT_FOUND"

    contact_id = _create_contact(hubspot_client, email="gone@example.com")
    hubspot_client.crm.contacts.basic_api.archive(contact_id)
    with pytest.raises(ApiException) as archived:
        hubspot_client.crm.contacts.basic_api.get_by_id(contact_id)
    assert archived.value.status == 404
    again = hubspot_client.crm.contacts.basic_api.get_by_id(contact_id, archived=True)
    assert again.archived is True


def test_paging_lists_every_record_once(hubspot_client: HubSpot, hubspot_sandbox: HubSpotSandbox):
    ids = {hubspot_sandbox.ui_create("contacts", {"email": f"p{i}@example.com"}) for i in range(7)}
    seen: list[str] = []
    after = None
    while True:
        page = hubspot_client.crm.contacts.basic_api.get_page(limit=3, after=after)
        seen.extend(r.id for r in page.results)
        if page.paging is None:
            break
        after = page.paging.next.after
    assert sorted(seen) == sorted(ids)
    with pytest.raises(ApiException) as too_big:
        hubspot_client.crm.contacts.basic_api.get_page(limit=101)
    assert too_big.value.status == 400


def test_batch_create_read_update_upsert_archive(hubspot_client: HubSpot):
    batch = hubspot_client.crm.contacts.batch_api
    created = batch.create(
        BatchInputSimplePublicObjectBatchInputForCreate(
            inputs=[
                SimplePublicObjectBatchInputForCreate(properties={"email": f"b{i}@example.com"})
                for i in range(5)
            ]
        )
    )
    assert created.status == "COMPLETE"
    ids = [r.id for r in created.results]
    assert len(set(ids)) == 5

    read = batch.read(
        BatchReadInputSimplePublicObjectId(
            inputs=[SimplePublicObjectId(id=i) for i in [*ids, "424242"]],
            properties=["email"],
            properties_with_history=[],
        )
    )
    assert sorted(r.id for r in read.results) == sorted(ids)
    assert read.num_errors == 1 and read.errors[0].context["ids"] == ["424242"]

    updated = batch.update(
        BatchInputSimplePublicObjectBatchInput(
            inputs=[SimplePublicObjectBatchInput(id=i, properties={"firstname": "Z"}) for i in ids]
        )
    )
    assert {r.properties["firstname"] for r in updated.results} == {"Z"}

    upserted = batch.upsert(
        BatchInputSimplePublicObjectBatchInputUpsert(
            inputs=[
                SimplePublicObjectBatchInputUpsert(
                    id="b0@example.com", id_property="email", properties={"lastname": "Old"}
                ),
                SimplePublicObjectBatchInputUpsert(
                    id="new@example.com", id_property="email", properties={"lastname": "New"}
                ),
            ]
        )
    )
    by_new = {r.new: r for r in upserted.results}
    assert by_new[False].id == ids[0]
    assert by_new[True].properties["email"] == "new@example.com"

    batch.archive(BatchInputSimplePublicObjectId(inputs=[SimplePublicObjectId(id=ids[0])]))
    with pytest.raises(ApiException):
        hubspot_client.crm.contacts.basic_api.get_by_id(ids[0])


@pytest.mark.parametrize("operation", ["create", "update", "read", "upsert"])
def test_batch_of_101_inputs_is_rejected(hubspot_client: HubSpot, operation: str):
    batch = hubspot_client.crm.contacts.batch_api
    bodies = {
        "create": lambda: batch.create(
            BatchInputSimplePublicObjectBatchInputForCreate(
                inputs=[SimplePublicObjectBatchInputForCreate(properties={}) for _ in range(101)]
            )
        ),
        "update": lambda: batch.update(
            BatchInputSimplePublicObjectBatchInput(
                inputs=[SimplePublicObjectBatchInput(id=str(i), properties={}) for i in range(101)]
            )
        ),
        "read": lambda: batch.read(
            BatchReadInputSimplePublicObjectId(
                inputs=[SimplePublicObjectId(id=str(i)) for i in range(101)],
                properties=[],
                properties_with_history=[],
            )
        ),
        "upsert": lambda: batch.upsert(
            BatchInputSimplePublicObjectBatchInputUpsert(
                inputs=[
                    SimplePublicObjectBatchInputUpsert(
                        id=f"u{i}@example.com", id_property="email", properties={}
                    )
                    for i in range(101)
                ]
            )
        ),
    }
    with pytest.raises(ApiException) as error:
        bodies[operation]()
    assert error.value.status == 400
    assert json.loads(error.value.body)["category"] == "VALIDATION_ERROR"


def test_batch_update_refuses_duplicate_ids(hubspot_client: HubSpot):
    contact_id = _create_contact(hubspot_client, email="dup@example.com")
    with pytest.raises(ApiException) as error:
        hubspot_client.crm.contacts.batch_api.update(
            BatchInputSimplePublicObjectBatchInput(
                inputs=[
                    SimplePublicObjectBatchInput(id=contact_id, properties={"firstname": "a"}),
                    SimplePublicObjectBatchInput(id=contact_id, properties={"firstname": "b"}),
                ]
            )
        )
    assert error.value.status == 400
    assert "Duplicate IDs" in json.loads(error.value.body)["message"]


def test_batch_upsert_refuses_two_inputs_for_one_record(hubspot_client: HubSpot):
    _create_contact(hubspot_client, email="twice@example.com")
    with pytest.raises(ApiException) as error:
        hubspot_client.crm.contacts.batch_api.upsert(
            BatchInputSimplePublicObjectBatchInputUpsert(
                inputs=[
                    SimplePublicObjectBatchInputUpsert(
                        id=email, id_property="email", properties={"firstname": "x"}
                    )
                    for email in ("twice@example.com", "TWICE@example.com")
                ]
            )
        )
    assert error.value.status == 400


def test_unknown_property_error_body(hubspot_client: HubSpot):
    with pytest.raises(ApiException) as error:
        _create_contact(hubspot_client, email="u@example.com", favourite_colour="blue")
    body = json.loads(error.value.body)
    assert error.value.status == 400
    assert body["status"] == "error"
    assert body["category"] == "VALIDATION_ERROR"
    assert body["correlationId"]
    assert "PROPERTY_DOESNT_EXIST" in body["message"]
    assert body["errors"][0]["code"] == "PROPERTY_DOESNT_EXIST"
    assert body["errors"][0]["context"] == {"propertyName": ["favourite_colour"]}


def test_invalid_option_and_read_only_are_refused(hubspot_client: HubSpot):
    with pytest.raises(ApiException) as bad_option:
        _create_contact(hubspot_client, email="o@example.com", hs_lead_status="SHOUTING")
    assert json.loads(bad_option.value.body)["errors"][0]["code"] == "INVALID_OPTION"
    with pytest.raises(ApiException) as read_only:
        _create_contact(hubspot_client, email="r@example.com", hs_object_id="5")
    assert json.loads(read_only.value.body)["errors"][0]["code"] == "READ_ONLY_VALUE"


def test_duplicate_email_is_409_with_existing_id(hubspot_client: HubSpot):
    first = _create_contact(hubspot_client, email="same@example.com")
    with pytest.raises(ApiException) as error:
        _create_contact(hubspot_client, email="SAME@example.com")
    body = json.loads(error.value.body)
    assert error.value.status == 409
    assert body["category"] == "CONFLICT"
    assert f"Existing ID: {first}" in body["message"]


def test_wrong_token_is_401(hubspot_sandbox: HubSpotSandbox):
    intruder = HubSpot(access_token="not-the-token", host=hubspot_sandbox.start())
    with pytest.raises(ApiException) as error:
        intruder.crm.contacts.basic_api.get_page()
    assert error.value.status == 401
    assert json.loads(error.value.body)["category"] == "INVALID_AUTHENTICATION"


def test_task_needs_hs_timestamp_and_takes_associations(
    hubspot_client: HubSpot, hubspot_sandbox: HubSpotSandbox
):
    contact_id = _create_contact(hubspot_client, email="t@example.com")
    tasks = hubspot_client.crm.objects.tasks.basic_api
    with pytest.raises(TaskApiException) as error:
        tasks.create(ObjectInputForCreate(properties={"hs_task_subject": "Call back"}))
    assert "hs_timestamp" in json.loads(error.value.body)["message"]
    task = tasks.create(
        ObjectInputForCreate(
            properties={
                "hs_timestamp": "2026-10-06T17:00:00Z",
                "hs_task_subject": "Call back",
                "hs_task_priority": "HIGH",
            },
            associations=[
                {
                    "to": {"id": contact_id},
                    "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 204}],
                }
            ],
        )
    )
    assert task.properties["hs_timestamp"] == "2026-10-06T17:00:00.000Z"
    assert hubspot_sandbox.associations("tasks", task.id, "contacts") == [contact_id]
    assert hubspot_sandbox.associations("contacts", contact_id, "tasks") == [task.id]


def test_merge_retires_the_merged_id(hubspot_client: HubSpot, hubspot_sandbox: HubSpotSandbox):
    primary = _create_contact(hubspot_client, email="keep@example.com", lifecyclestage="lead")
    merged = _create_contact(
        hubspot_client, email="lose@example.com", lifecyclestage="customer", jobtitle="CTO"
    )
    result = hubspot_client.crm.contacts.basic_api.merge(
        PublicMergeInput(primary_object_id=primary, object_id_to_merge=merged)
    )
    assert result.id == primary
    assert result.properties["lifecyclestage"] == "customer"  # the furthest stage wins
    assert result.properties["jobtitle"] == "CTO"  # blanks filled from the merged contact
    with pytest.raises(ApiException) as error:
        hubspot_client.crm.contacts.basic_api.get_by_id(merged)
    assert error.value.status == 404
    assert hubspot_sandbox.get("contacts", merged) is None
    by_old_email = hubspot_client.crm.contacts.basic_api.get_by_id(
        "lose@example.com", id_property="email"
    )
    assert by_old_email.id == primary


def test_gdpr_delete_removes_for_good(hubspot_client: HubSpot, hubspot_sandbox: HubSpotSandbox):
    contact_id = _create_contact(hubspot_client, email="forget@example.com")
    hubspot_client.crm.contacts.basic_api.purge(PublicGdprDeleteInput(object_id=contact_id))
    assert hubspot_sandbox.get("contacts", contact_id) is None
    # The email is free again.
    assert _create_contact(hubspot_client, email="forget@example.com") != contact_id


def test_properties_api_and_custom_properties(
    hubspot_client: HubSpot, hubspot_sandbox: HubSpotSandbox
):
    core = hubspot_client.crm.properties.core_api
    lead_status = core.get_by_name("contacts", "hs_lead_status")
    assert [o.value for o in lead_status.options] == [
        "NEW", "OPEN", "IN_PROGRESS", "OPEN_DEAL", "UNQUALIFIED", "ATTEMPTED_TO_CONTACT",
        "CONNECTED", "BAD_TIMING",
    ]  # fmt: skip
    hubspot_sandbox.add_property("contacts", "recycle_reason", "enumeration", ["timing", "budget"])
    names = {p.name for p in core.get_all("contacts").results}
    assert {"email", "lifecyclestage", "recycle_reason"} <= names
    contact_id = _create_contact(hubspot_client, email="c@example.com", recycle_reason="budget")
    assert hubspot_sandbox.get("contacts", contact_id)["properties"]["recycle_reason"] == "budget"
    with pytest.raises(ApiException):
        _create_contact(hubspot_client, email="d@example.com", recycle_reason="weather")


def test_deal_stage_sets_closed_won_flags(hubspot_client: HubSpot, hubspot_sandbox: HubSpotSandbox):
    deals = hubspot_client.crm.deals.basic_api
    from hubspot.crm.deals import ApiException as DealApiException
    from hubspot.crm.deals import SimplePublicObjectInput as DealInput
    from hubspot.crm.deals import SimplePublicObjectInputForCreate as DealCreate

    deal = deals.create(DealCreate(properties={"dealname": "Big", "dealstage": "contractsent"}))
    assert deal.properties["pipeline"] == "default"
    assert deal.properties["hs_is_closed_won"] == "false"
    won = deals.update(deal.id, DealInput(properties={"dealstage": "closedwon"}))
    assert won.properties["hs_is_closed_won"] == "true"
    assert won.properties["hs_v2_date_entered_closedwon"]
    with pytest.raises(DealApiException) as error:
        deals.update(deal.id, DealInput(properties={"dealstage": "nonsense"}))
    assert json.loads(error.value.body)["errors"][0]["code"] == "INVALID_OPTION"
    pipelines = hubspot_client.crm.pipelines.pipelines_api.get_all("deals").results
    won_stage = next(s for s in pipelines[0].stages if s.id == "closedwon")
    assert won_stage.metadata == {"isClosed": "true", "probability": "1.0"}


def test_unknown_requested_properties_are_left_out(hubspot_client: HubSpot):
    contact_id = _create_contact(hubspot_client, email="k@example.com")
    read = hubspot_client.crm.contacts.basic_api.get_by_id(
        contact_id, properties=["email", "no_such_thing"]
    )
    assert read.properties["email"] == "k@example.com"
    assert "no_such_thing" not in read.properties


def test_concurrent_clients_get_distinct_records(hubspot_sandbox: HubSpotSandbox):
    from concurrent.futures import ThreadPoolExecutor

    def create_many(worker: int) -> list[str]:
        client = hubspot_sandbox.client()
        return [_create_contact(client, email=f"w{worker}-{i}@example.com") for i in range(10)]

    with ThreadPoolExecutor(max_workers=6) as pool:
        ids = [i for batch in pool.map(create_many, range(6)) for i in batch]
    assert len(set(ids)) == 60
    assert len(hubspot_sandbox.all("contacts")) == 60
    assert {r.status for r in hubspot_sandbox.requests} == {201}


def test_batch_create_with_trace_ids_answers_207_with_per_input_errors(
    hubspot_client: HubSpot,
) -> None:
    inputs = [
        SimplePublicObjectBatchInputForCreate(
            properties={"email": "ok@trace.example"}, object_write_trace_id="t-ok"
        ),
        SimplePublicObjectBatchInputForCreate(
            properties={"email": "bad@trace.example", "no_such_property": "x"},
            object_write_trace_id="t-bad",
        ),
    ]
    answer = hubspot_client.crm.contacts.batch_api.create(
        BatchInputSimplePublicObjectBatchInputForCreate(inputs=inputs)
    )
    assert [r.properties["email"] for r in answer.results] == ["ok@trace.example"]
    assert answer.results[0].object_write_trace_id == "t-ok"
    (error,) = answer.errors
    assert error.context == {"objectWriteTraceId": ["t-bad"]}
    assert "PROPERTY_DOESNT_EXIST" in error.message


def test_batch_create_without_trace_ids_refuses_the_whole_batch(hubspot_client: HubSpot) -> None:
    inputs = [
        SimplePublicObjectBatchInputForCreate(properties={"email": "ok2@trace.example"}),
        SimplePublicObjectBatchInputForCreate(properties={"no_such_property": "x"}),
    ]
    with pytest.raises(ApiException) as refused:
        hubspot_client.crm.contacts.batch_api.create(
            BatchInputSimplePublicObjectBatchInputForCreate(inputs=inputs)
        )
    assert refused.value.status == 400
