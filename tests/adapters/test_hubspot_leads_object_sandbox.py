"""HubSpotWriter creating Leads-object records against the HubSpot stand-in (real HTTP, the
official client): associated to the contact, never a second open lead, a new one after a
finished lead, and the owner directory the escalation mail uses."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from adapters.hubspot.client import HubSpotClient
from adapters.hubspot.owners import HubSpotOwnerDirectory
from adapters.hubspot.reader import HubSpotReader
from adapters.hubspot.writer import HubSpotWriter
from adapters.retrying import RetryPolicy
from connector.commands import CreateHubSpotLead, Outcome, System
from sandbox.hubspot import HubSpotSandbox, HubSpotSandboxConfig

CLOSED = ("qualified-stage-id", "unqualified-stage-id")


@pytest.fixture(scope="module")
def hs() -> Iterator[HubSpotSandbox]:
    with HubSpotSandbox(HubSpotSandboxConfig(burst_limit=100_000)) as sandbox:
        yield sandbox


def _client(hs: HubSpotSandbox) -> HubSpotClient:
    return HubSpotClient(hs.config.access_token, hs.start())


def _command(contact_id: str, key: str) -> CreateHubSpotLead:
    return CreateHubSpotLead(
        System.HUBSPOT,
        f"hubspot:contact:{contact_id}",
        key,
        contact_id=contact_id,
        properties={"hs_lead_name": "Ann Lee", "hs_pipeline_stage": "new-stage-id"},
        closed_stages=CLOSED,
    )


def test_a_lead_is_created_with_its_contact_and_never_twice(hs: HubSpotSandbox) -> None:
    contact_id = hs.ui_create("contacts", {"email": "ann@example.com"})
    writer = HubSpotWriter(_client(hs), policy=RetryPolicy(sleep=lambda _: None))
    (first,) = writer.execute([_command(contact_id, "create:1")])
    (again,) = writer.execute([_command(contact_id, "create:1-retried")])
    assert first.outcome is Outcome.DONE and again.outcome is Outcome.DONE
    assert again.data == {"lead_id": first.data["lead_id"], "existing": True}
    assert hs.associations("contacts", contact_id, "leads") == [first.data["lead_id"]]
    lead = hs.get("leads", first.data["lead_id"])["properties"]
    assert lead["hs_lead_name"] == "Ann Lee"

    hs.ui_update("leads", first.data["lead_id"], {"hs_pipeline_stage": "unqualified-stage-id"})
    (second,) = writer.execute([_command(contact_id, "create:2")])
    assert second.data.get("existing") is None and second.data["lead_id"] != first.data["lead_id"]
    reader = HubSpotReader(_client(hs))
    assert reader.associated_ids("contacts", contact_id, "leads") == sorted(
        [first.data["lead_id"], second.data["lead_id"]], key=lambda i: (len(i), i)
    )


def test_a_missing_contact_is_refused_for_good(hs: HubSpotSandbox) -> None:
    writer = HubSpotWriter(_client(hs), policy=RetryPolicy(sleep=lambda _: None))
    (result,) = writer.execute([_command("999999", "create:missing")])
    assert result.outcome is Outcome.DEAD


def test_the_owner_directory_gives_an_owners_address(hs: HubSpotSandbox) -> None:
    owner = hs.add_owner("rita@example.com", "Rita", "Rep")
    directory = HubSpotOwnerDirectory(_client(hs), policy=RetryPolicy(sleep=lambda _: None))
    found = directory.read("User", [owner, "424242", "005000000000001AAA"], ["Email"])
    assert {k: dict(v.fields) for k, v in found.items()} == {owner: {"Email": "rita@example.com"}}
