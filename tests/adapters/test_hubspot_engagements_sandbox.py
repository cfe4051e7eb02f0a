"""HubSpot calls, e-mails, meetings and tasks read through the official client against the sandbox:
the SLA job's view of who logged what, when, on which contacts."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from adapters.hubspot.client import HubSpotClient
from adapters.hubspot.reader import HubSpotReader
from adapters.retrying import RetryPolicy
from sandbox.hubspot import HubSpotSandbox, HubSpotSandboxConfig

MS = "1796371200000"  # 2026-12-04 08:00 UTC


@pytest.fixture(scope="module")
def hs() -> Iterator[HubSpotSandbox]:
    with HubSpotSandbox(HubSpotSandboxConfig(burst_limit=100_000)) as sandbox:
        yield sandbox


@pytest.fixture
def reader(hs: HubSpotSandbox) -> HubSpotReader:
    client = HubSpotClient(hs.config.access_token, hs.start())
    return HubSpotReader(client, policy=RetryPolicy(sleep=lambda s: None))


def test_an_engagement_is_read_with_its_owner_time_and_contacts(hs, reader):
    ada = hs.ui_create("contacts", {"email": "ada@example.com"})
    bob = hs.ui_create("contacts", {"email": "bob@example.com"})
    owner = hs.add_owner("Rita@Example.com", "Rita", "Rep")
    call = hs.ui_create(
        "calls",
        {"hs_timestamp": MS, "hubspot_owner_id": owner},
        associations=[("contacts", ada), ("contacts", bob)],
    )
    record = reader.engagement("call", call)
    assert record is not None and record.object_type == "call"
    assert record.fields["hubspot_owner_id"] == owner
    assert sorted(record.fields["contacts"]) == sorted([ada, bob])
    assert record.fields["hs_createdate"], "when it was logged"
    assert reader.engagement("call", "999999999") is None, "a deleted call is gone, no error"
    assert reader.owner_email(owner) == "rita@example.com"
    assert reader.owner_email("123456") is None and reader.owner_email("not-an-id") is None


def test_a_contacts_engagements_of_every_kind(hs, reader):
    ada = hs.ui_create("contacts", {"email": "ada2@example.com"})
    other = hs.ui_create("contacts", {"email": "eve@example.com"})
    made = [
        (kind, hs.ui_create(kind, {"hs_timestamp": MS}, associations=[("contacts", ada)]))
        for kind in ("meetings", "calls", "emails")
    ]
    hs.ui_create("calls", {"hs_timestamp": MS}, associations=[("contacts", other)])
    made.append(
        (
            "tasks",
            hs.ui_create(
                "tasks",
                {"hs_timestamp": MS, "hs_task_status": "COMPLETED", "hs_task_subject": "Call"},
                associations=[("contacts", ada)],
            ),
        )
    )
    found = reader.engagements_of(ada)
    singular = {"meetings": "meeting", "calls": "call", "emails": "email", "tasks": "task"}
    assert sorted((r.object_type, r.object_id) for r in found) == sorted(
        (singular[kind], record_id) for kind, record_id in made
    ), "another contact's call is not among them"
    (task,) = [r for r in found if r.object_type == "task"]
    assert task.fields["hs_task_status"] == "COMPLETED" and task.fields["hs_task_subject"] == "Call"
    assert task.fields["hs_task_completion_date"], "HubSpot stamps the completion"
    assert "hs_task_status" not in next(r for r in found if r.object_type == "call").fields
    stamps = [str(r.fields["hs_createdate"]) for r in found]
    assert stamps == sorted(stamps), "oldest logged first"
