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


def _move(contact_id: str, key: str, stage: str) -> CreateHubSpotLead:
    command = _command(contact_id, key)
    return CreateHubSpotLead(
        command.system,
        command.record_key,
        key,
        contact_id=contact_id,
        properties=command.properties,
        closed_stages=CLOSED,
        move_to_stage=stage,
    )


def test_a_mirror_moves_the_open_lead_closes_it_and_never_reopens_a_closed_one(
    hs: HubSpotSandbox,
) -> None:
    contact_id = hs.ui_create("contacts", {"email": "mia@example.com"})
    writer = HubSpotWriter(_client(hs), policy=RetryPolicy(sleep=lambda _: None))
    (none_open,) = writer.execute([_move(contact_id, "move:0", "qualified-stage-id")])
    assert none_open.data == {"lead_id": None, "no_open_lead": True}
    assert hs.associations("contacts", contact_id, "leads") == []

    (created,) = writer.execute([_move(contact_id, "move:1", "attempting-stage-id")])
    lead_id = created.data["lead_id"]  # no open lead to move: one is made in that stage
    assert hs.get("leads", lead_id)["properties"]["hs_pipeline_stage"] == "attempting-stage-id"
    (same,) = writer.execute([_move(contact_id, "move:1-again", "attempting-stage-id")])
    assert same.data == {"lead_id": lead_id, "existing": True}
    (closed,) = writer.execute([_move(contact_id, "move:2", "qualified-stage-id")])
    assert closed.data == {"lead_id": lead_id, "moved_to": "qualified-stage-id"}
    assert hs.get("leads", lead_id)["properties"]["hs_pipeline_stage"] == "qualified-stage-id"
    (after,) = writer.execute([_move(contact_id, "move:3", "unqualified-stage-id")])
    assert after.data == {"lead_id": None, "no_open_lead": True}  # a closed lead stays closed
    assert hs.associations("contacts", contact_id, "leads") == [lead_id]


def test_the_reader_tells_an_archived_owner_and_reads_the_lead_pipelines(
    hs: HubSpotSandbox,
) -> None:
    reader = HubSpotReader(_client(hs))
    owner = hs.add_owner("leaver@example.com", "Lee", "Leaver")
    assert reader.owner_is_active(owner) is True
    hs.archive_owner(owner)
    assert reader.owner_is_active(owner) is False
    assert reader.owner_is_active("not-an-id") is False
    (pipeline,) = reader.pipelines("leads")
    assert pipeline["id"] == "lead-pipeline-id"
    assert [s["label"] for s in pipeline["stages"]] == [
        "New", "Attempting", "Connected", "Qualified", "Disqualified",
    ]  # fmt: skip
