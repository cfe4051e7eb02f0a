"""Outbound messages of the Salesforce stand-in: the SOAP envelope, acks, retries, collapsing."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from conftest_salesforce import *  # noqa: F403
from conftest_salesforce import SoapReceiver
from defusedxml import ElementTree

from sandbox.salesforce import ACK_ENVELOPE, SalesforceSandbox, SalesforceSandboxConfig
from sandbox.salesforce.outbound_envelope import (
    OUTBOUND_NS,
    SOAPENV_NS,
    SOBJECT_NS,
    XSI_NS,
    Notification,
    build_envelope,
    is_ack,
)

FAST = {"outbound_retry_base_s": 0.05, "outbound_batch_window_s": 0.01}


def notifications(body: bytes) -> list[tuple[str, dict[str, str]]]:
    """(notification id, {field: text}) per Notification, parsed namespace-aware."""
    root = ElementTree.fromstring(body)
    found = []
    for item in root.iter(f"{{{OUTBOUND_NS}}}Notification"):
        sobject = item.find(f"{{{OUTBOUND_NS}}}sObject")
        fields = {child.tag.split("}")[1]: child.text for child in sobject}
        found.append((item.findtext(f"{{{OUTBOUND_NS}}}Id"), fields))
    return found


@pytest.fixture
def salesforce_org(request: pytest.FixtureRequest) -> Iterator[SalesforceSandbox]:
    overrides = getattr(request, "param", {})
    with SalesforceSandbox(SalesforceSandboxConfig(**{**FAST, **overrides})) as sf:
        yield sf


def wait_for_first_attempt(sf: SalesforceSandbox) -> None:
    deadline = time.monotonic() + 5
    while not sf.outbound_deliveries and time.monotonic() < deadline:
        time.sleep(0.005)
    assert sf.outbound_deliveries, "no delivery attempt within 5 s"


def lead(sf: SalesforceSandbox, **fields: object) -> str:
    return sf.ui_create("Lead", {"LastName": "Lovelace", "Company": "AE", **fields})


def test_envelope_is_the_real_soap_shape(
    salesforce_org: SalesforceSandbox, salesforce_receiver: SoapReceiver
):
    action = salesforce_org.add_outbound_message(
        "Lead", ["Status", "Email", "OwnerId", "IsConverted"], salesforce_receiver.url
    )
    lead_id = lead(salesforce_org)  # no Email: it must not appear at all
    assert salesforce_org.flush_outbound(5)
    (body,) = salesforce_receiver.bodies
    headers = salesforce_receiver.headers[0]
    assert headers["Content-Type"] == "text/xml; charset=utf-8"
    assert headers["SOAPAction"] == '""'
    assert body.startswith(b'<?xml version="1.0" encoding="UTF-8" standalone="no"?>')
    root = ElementTree.fromstring(body)
    assert root.tag == f"{{{SOAPENV_NS}}}Envelope"
    message = root.find(f"{{{SOAPENV_NS}}}Body/{{{OUTBOUND_NS}}}notifications")
    order = [child.tag.split("}")[1] for child in message]
    assert order == [
        "OrganizationId", "ActionId", "SessionId", "EnterpriseUrl", "PartnerUrl", "Notification"
    ]  # fmt: skip
    assert message.findtext(f"{{{OUTBOUND_NS}}}OrganizationId") == salesforce_org.org_id
    assert message.findtext(f"{{{OUTBOUND_NS}}}ActionId") == action
    session = message.find(f"{{{OUTBOUND_NS}}}SessionId")
    assert session.get(f"{{{XSI_NS}}}nil") == "true"
    assert message.findtext(f"{{{OUTBOUND_NS}}}PartnerUrl").endswith(
        f"/services/Soap/u/59.0/{salesforce_org.org_id[:15]}"
    )
    sobject = message.find(f"{{{OUTBOUND_NS}}}Notification/{{{OUTBOUND_NS}}}sObject")
    assert sobject.get(f"{{{XSI_NS}}}type") == "sf:Lead"
    assert all(child.tag.startswith(f"{{{SOBJECT_NS}}}") for child in sobject)
    ((notification_id, fields),) = notifications(body)
    assert notification_id.startswith("04l") and len(notification_id) == 18
    assert list(fields) == ["Id", "IsConverted", "OwnerId", "Status"]  # populated only
    assert fields["Id"] == lead_id and fields["IsConverted"] == "false"
    assert salesforce_org.outbound_deliveries[-1].acked is True


def test_integration_user_writes_do_not_send(
    salesforce_org: SalesforceSandbox, salesforce_receiver: SoapReceiver
):
    salesforce_org.add_outbound_message("Lead", ["Status"], salesforce_receiver.url)
    client = salesforce_org.client()
    lead_id = client.Lead.create({"LastName": "A", "Company": "B"})["id"]
    client.Lead.update(lead_id, {"Status": "Working - Contacted"})
    assert salesforce_org.flush_outbound(5)
    assert salesforce_receiver.bodies == []
    salesforce_org.ui_update("Lead", lead_id, {"Status": "Closed - Not Converted"})
    assert salesforce_org.flush_outbound(5)
    assert [f["Status"] for _, f in notifications(salesforce_receiver.bodies[0])] == [
        "Closed - Not Converted"
    ]


@pytest.mark.parametrize(
    "salesforce_org", [{"integration_user_sends_outbound": True}], indirect=True
)
def test_integration_user_can_be_allowed_to_send(
    salesforce_org: SalesforceSandbox, salesforce_receiver: SoapReceiver
):
    salesforce_org.add_outbound_message("Lead", ["Status"], salesforce_receiver.url)
    salesforce_org.client().Lead.create({"LastName": "A", "Company": "B"})
    assert salesforce_org.flush_outbound(5)
    assert len(salesforce_receiver.bodies) == 1


def test_a_200_with_the_wrong_body_is_retried(
    salesforce_org: SalesforceSandbox, salesforce_receiver: SoapReceiver
):
    wrong_ack = ACK_ENVELOPE.replace(OUTBOUND_NS.encode(), b"http://example.com/other")
    salesforce_receiver.replies = [(200, b"<ok/>"), (200, wrong_ack), (500, b"boom")]
    salesforce_org.add_outbound_message("Lead", ["Status"], salesforce_receiver.url)
    lead(salesforce_org)
    assert salesforce_org.flush_outbound(10)
    attempts = salesforce_org.outbound_deliveries
    assert [(a.status, a.acked) for a in attempts] == [
        (200, False), (200, False), (500, False), (200, True)
    ]  # fmt: skip
    assert len({a.notification_ids for a in attempts}) == 1  # same notification each time
    assert attempts[0].error == "SOAP response was a nack"


def test_changes_before_delivery_collapse_into_one_notification(
    salesforce_org: SalesforceSandbox, salesforce_receiver: SoapReceiver
):
    salesforce_receiver.replies = [(503, b"down")]
    salesforce_org.add_outbound_message("Lead", ["Status", "Title"], salesforce_receiver.url)
    lead_id = lead(salesforce_org, Title="first")
    wait_for_first_attempt(salesforce_org)  # the first attempt fails ...
    salesforce_org.ui_update("Lead", lead_id, {"Title": "second"})  # ... while queued for retry
    salesforce_org.ui_update("Lead", lead_id, {"Title": "third", "Status": "Working - Contacted"})
    assert salesforce_org.flush_outbound(10)
    delivered = notifications(salesforce_receiver.bodies[-1])
    assert len(salesforce_receiver.bodies) == 2
    assert [f["Title"] for _, f in delivered] == ["third"]
    assert delivered[0][1]["Status"] == "Working - Contacted"


@pytest.mark.parametrize("salesforce_org", [{"outbound_batch_window_s": 0.3}], indirect=True)
def test_queued_notifications_are_batched(
    salesforce_org: SalesforceSandbox, salesforce_receiver: SoapReceiver
):
    salesforce_org.add_outbound_message("Lead", ["LastName"], salesforce_receiver.url)
    ids = [lead(salesforce_org, LastName=f"L{i}") for i in range(3)]
    assert salesforce_org.flush_outbound(5)
    (body,) = salesforce_receiver.bodies
    assert [f["Id"] for _, f in notifications(body)] == ids


@pytest.mark.parametrize(
    "salesforce_org", [{"outbound_max_age_s": 0.3, "outbound_retry_base_s": 0.05}], indirect=True
)
def test_undeliverable_messages_are_dropped_after_max_age(
    salesforce_org: SalesforceSandbox, salesforce_receiver: SoapReceiver
):
    salesforce_receiver.replies = [(500, b"down")] * 100
    salesforce_org.add_outbound_message("Lead", ["Status"], salesforce_receiver.url)
    lead_id = lead(salesforce_org)
    assert salesforce_org.flush_outbound(10)
    assert [record for _, record in salesforce_org.outbound.dropped] == [lead_id]
    assert not any(a.acked for a in salesforce_org.outbound_deliveries)
    delays = len(salesforce_org.outbound_deliveries)
    assert 2 <= delays < 10  # exponential backoff, not a tight loop


@pytest.mark.parametrize("salesforce_org", [{"outbound_duplicate_rate": 1.0}], indirect=True)
def test_duplicates_repeat_the_same_notification_ids(
    salesforce_org: SalesforceSandbox, salesforce_receiver: SoapReceiver
):
    salesforce_org.add_outbound_message("Lead", ["Status"], salesforce_receiver.url)
    lead(salesforce_org)
    assert salesforce_org.flush_outbound(5)
    assert len(salesforce_receiver.bodies) == 2
    first, second = (notifications(b) for b in salesforce_receiver.bodies)
    assert first == second


def test_trigger_condition_and_deleted_record(
    salesforce_org: SalesforceSandbox, salesforce_receiver: SoapReceiver
):
    salesforce_org.add_outbound_message(
        "Lead",
        ["Status"],
        salesforce_receiver.url,
        when=lambda old, new: old is not None and old["Status"] != new["Status"],
    )
    lead_id = lead(salesforce_org)
    salesforce_org.ui_update("Lead", lead_id, {"Title": "no status change"})
    assert salesforce_org.flush_outbound(5)
    assert salesforce_receiver.bodies == []
    salesforce_receiver.replies = [(503, b"down")]
    salesforce_org.ui_update("Lead", lead_id, {"Status": "Working - Contacted"})
    wait_for_first_attempt(salesforce_org)
    salesforce_org.ui_delete("Lead", lead_id)
    assert salesforce_org.flush_outbound(5)
    assert notifications(salesforce_receiver.bodies[-1])[0][1] == {"Id": lead_id}


def test_endpoint_rules():
    with SalesforceSandbox() as sf:
        with pytest.raises(ValueError):
            sf.add_outbound_message("Lead", ["Status"], "http://127.0.0.1:81/hook")
        with pytest.raises(ValueError):
            sf.add_outbound_message("Lead", ["Status"], "http://127.0.0.1:8080/hook",
                                    send_session_id=True)  # fmt: skip
        with pytest.raises(ValueError):
            sf.add_outbound_message("Lead", ["Nope"], "https://127.0.0.1:8443/hook")


def test_ack_check_is_exact():
    assert is_ack(ACK_ENVELOPE)
    assert not is_ack(ACK_ENVELOPE.replace(b"<Ack>true</Ack>", b"<Ack>false</Ack>"))
    assert not is_ack(ACK_ENVELOPE.replace(b"notificationsResponse", b"notifications"))
    no_namespace = (
        b'<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">'
        b"<soapenv:Body><notificationsResponse><Ack>true</Ack></notificationsResponse>"
        b"</soapenv:Body></soapenv:Envelope>"
    )
    assert not is_ack(no_namespace)
    assert not is_ack(b"")
    assert not is_ack(b'<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>')


def test_envelope_escapes_values_and_skips_nulls():
    body = build_envelope(
        "00D000000000001AAA",
        "04k000000000001AAA",
        "session!token",
        "https://x/services/Soap/c/59.0/00D000000000001",
        "https://x/services/Soap/u/59.0/00D000000000001",
        [Notification("04l000000000001AAA", "Lead",
                      (("Id", "00Q000000000001AAA"), ("Company", "A & <B>"), ("Email", None)))],
    )  # fmt: skip
    ((_, fields),) = notifications(body)
    assert fields == {"Id": "00Q000000000001AAA", "Company": "A & <B>"}
    assert b"<SessionId>session!token</SessionId>" in body


@pytest.mark.parametrize(
    "salesforce_org", [{"outbound_reorder": True, "outbound_batch_window_s": 0.05}], indirect=True
)
def test_reordering_still_delivers_every_notification_once(
    salesforce_org: SalesforceSandbox, salesforce_receiver: SoapReceiver
):
    salesforce_org.add_outbound_message("Lead", ["LastName"], salesforce_receiver.url)
    ids = [lead(salesforce_org, LastName=f"L{i}") for i in range(12)]
    assert salesforce_org.flush_outbound(10)
    delivered = [f["Id"] for body in salesforce_receiver.bodies for _, f in notifications(body)]
    assert sorted(delivered) == sorted(ids)
