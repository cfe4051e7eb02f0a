"""The HubSpot stand-in's Leads object (0-136) through hubspot-api-client: the rules HubSpot
documents (name required, created with its contact), its pipeline, and object.* webhooks."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from hubspot import HubSpot
from hubspot.crm.objects import (
    AssociationSpec,
    PublicAssociationsForObject,
    PublicObjectId,
    SimplePublicObjectInput,
    SimplePublicObjectInputForCreate,
)
from hubspot.crm.objects.exceptions import ApiException
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from sandbox.hubspot import HubSpotSandbox, HubSpotSandboxConfig


@pytest.fixture
def hs() -> Iterator[HubSpotSandbox]:
    with HubSpotSandbox(HubSpotSandboxConfig(webhook_retry_base_s=0.05)) as sandbox:
        yield sandbox


def _to_contact(contact_id: str, type_id: int = 578) -> list[PublicAssociationsForObject]:
    spec = AssociationSpec(association_category="HUBSPOT_DEFINED", association_type_id=type_id)
    return [PublicAssociationsForObject(to=PublicObjectId(id=contact_id), types=[spec])]


def _contact(client: HubSpot) -> str:
    email = f"l{uuid.uuid4().hex[:12]}@example.com"
    body = SimplePublicObjectInputForCreate(properties={"email": email})
    return client.crm.objects.basic_api.create("contacts", body).id


def test_a_lead_needs_its_name_and_its_contact(hs: HubSpotSandbox) -> None:
    client = hs.client()
    contact_id = _contact(client)
    unnamed = SimplePublicObjectInputForCreate(properties={}, associations=_to_contact(contact_id))
    alone = SimplePublicObjectInputForCreate(properties={"hs_lead_name": "Ann Lee"})
    for body, expected in ((unnamed, "hs_lead_name"), (alone, "associated to an existing contact")):
        with pytest.raises(ApiException) as refused:
            client.crm.objects.basic_api.create("leads", body)
        assert refused.value.status == 400 and expected in refused.value.body

    body = SimplePublicObjectInputForCreate(
        properties={"hs_lead_name": "Ann Lee"}, associations=_to_contact(contact_id)
    )
    lead = client.crm.objects.basic_api.create("leads", body)
    assert lead.properties["hs_pipeline"] == "lead-pipeline-id"
    assert lead.properties["hs_pipeline_stage"] == "new-stage-id"  # the pipeline's first stage
    page = client.crm.associations.v4.basic_api.get_page("contacts", contact_id, "leads")
    assert [str(item.to_object_id) for item in page.results] == [lead.id]


def test_lead_stages_come_from_the_lead_pipeline(hs: HubSpotSandbox) -> None:
    client = hs.client()
    pipelines = client.crm.pipelines.pipelines_api.get_all("leads").results
    assert [p.id for p in pipelines] == ["lead-pipeline-id"]
    assert [s.id for s in pipelines[0].stages] == [
        "new-stage-id",
        "attempting-stage-id",
        "connected-stage-id",
        "qualified-stage-id",
        "unqualified-stage-id",
    ]
    body = SimplePublicObjectInputForCreate(
        properties={"hs_lead_name": "Bo", "hs_pipeline_stage": "no-such-stage"},
        associations=_to_contact(_contact(client)),
    )
    with pytest.raises(ApiException) as refused:
        client.crm.objects.basic_api.create("leads", body)
    assert refused.value.status == 400


def test_a_lead_stage_change_is_an_object_webhook_with_type_0_136(hs: HubSpotSandbox) -> None:
    received: list[dict[str, Any]] = []

    def app(environ: Any, start_response: Any) -> Any:
        received.extend(json.loads(Request(environ).get_data()))
        return Response(status=204)(environ, start_response)

    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        hs.subscribe(
            f"http://127.0.0.1:{server.port}/hooks",
            [("object.propertyChange", "hs_pipeline_stage")],
        )
        client = hs.client()
        body = SimplePublicObjectInputForCreate(
            properties={"hs_lead_name": "Cy"}, associations=_to_contact(_contact(client))
        )
        lead_id = client.crm.objects.basic_api.create("leads", body).id
        hs.ui_update("leads", lead_id, {"hs_pipeline_stage": "connected-stage-id"}, user_id=5)
        client.crm.objects.basic_api.update(
            "leads", lead_id, SimplePublicObjectInput(properties={"hs_lead_label": "HOT"})
        )
        assert hs.flush_webhooks(timeout=10)
    finally:
        server.shutdown()
    stage_changes = [e for e in received if e.get("propertyName") == "hs_pipeline_stage"]
    connected = [e for e in stage_changes if e["propertyValue"] == "connected-stage-id"]
    assert connected and connected[0]["objectTypeId"] == "0-136"
    assert connected[0]["objectId"] == int(lead_id) and connected[0]["changeSource"] == "CRM_UI"
