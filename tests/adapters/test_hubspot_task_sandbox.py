"""The ``crm_task`` channel in HubSpot against the HubSpot stand-in (real HTTP, the official
client): a task for the HubSpot owner, on the contact and its Leads record, once per notice,
even after a lost answer; and the notify writer picks the CRM by the recipient's id."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from adapters.errors import CrmCallError
from adapters.hubspot.client import HubSpotClient
from adapters.notify.hubspot_task import HubSpotTaskCreator
from adapters.notify.writer import NotifyWriter
from adapters.retrying import RetryPolicy
from connector.commands import Notify, Outcome, System
from sandbox.hubspot import HubSpotSandbox, HubSpotSandboxConfig

NO_SLEEP = RetryPolicy(sleep=lambda _: None)


@pytest.fixture(scope="module")
def hs() -> Iterator[HubSpotSandbox]:
    with HubSpotSandbox(HubSpotSandboxConfig(burst_limit=100_000)) as sandbox:
        yield sandbox


def _notice(contact: str, owner: str, step: int = 0, **changes: Any) -> Notify:
    values: dict[str, Any] = {
        "channel": "crm_task",
        "to_user_id": owner,
        "role": "owner",
        "lead_id": contact,
        "lead_url": f"https://app.hubspot.com/contacts/1/record/0-1/{contact}",
        "owner_id": owner,
        "policy": "inbound",
        "step": step + 1,
        "deadline_at": "2026-12-28T10:00:00+00:00",
        "contact_id": contact,
        **changes,
    }
    return Notify(System.NOTIFY, "notify:c", f"sla:7:step{step}:crm_task", "", **values)


def _writer(hs: HubSpotSandbox, *, link_leads: bool) -> tuple[NotifyWriter, HubSpotClient]:
    client = HubSpotClient(hs.config.access_token, hs.start())
    creator = HubSpotTaskCreator(client, NO_SLEEP, link_leads=link_leads)
    return NotifyWriter(hubspot_tasks=creator), client


def _contact_with_lead(hs: HubSpotSandbox, email: str) -> tuple[str, str]:
    contact = hs.ui_create("contacts", {"email": email})
    lead = hs.ui_create(
        "leads",
        {"hs_lead_name": "Ann Lee", "hs_pipeline_stage": "new-stage-id"},
        associations=[("contacts", contact)],
    )
    return contact, lead


def test_a_task_is_filed_for_the_owner_on_the_contact_and_its_lead_once(hs):
    owner = hs.add_owner("rita-task@example.com", "Rita", "Rep")
    contact, lead = _contact_with_lead(hs, "ann-task@example.com")
    writer, _ = _writer(hs, link_leads=True)
    (first,) = writer.execute([_notice(contact, owner)])
    assert first.outcome is Outcome.DONE, first.message
    task_id = first.data["task_id"]
    task = hs.get("tasks", task_id)["properties"]
    assert task["hubspot_owner_id"] == owner
    assert (task["hs_task_status"], task["hs_task_priority"]) == ("NOT_STARTED", "HIGH")
    assert task["hs_task_subject"].endswith("[baton sla:7:step0:crm_task]")
    assert contact in task["hs_task_subject"] and task["hs_timestamp"]
    assert f"/record/0-1/{contact}" in task["hs_task_body"]
    assert hs.associations("tasks", task_id, "contacts") == [contact]
    assert hs.associations("tasks", task_id, "leads") == [lead]
    (again,) = writer.execute([_notice(contact, owner)])  # a replay, or a second worker
    assert again.data["task_id"] == task_id
    (next_step,) = writer.execute([_notice(contact, owner, step=1)])
    assert next_step.data["task_id"] != task_id, "each step is its own task"
    assert len(hs.associations("contacts", contact, "tasks")) == 2


def test_a_lost_answer_is_found_by_the_read_back_and_the_lead_link_completed(hs, monkeypatch):
    owner = hs.add_owner("rita-lost@example.com", "Rita", "Rep")
    contact, lead = _contact_with_lead(hs, "ann-lost@example.com")
    writer, client = _writer(hs, link_leads=True)
    create = client.create_associated

    def carried_out_but_unanswered(*args: Any, **kwargs: Any) -> Any:
        create(*args, **kwargs)
        raise CrmCallError("hubspot", None, message="read timed out")

    monkeypatch.setattr(client, "create_associated", carried_out_but_unanswered)
    (lost,) = writer.execute([_notice(contact, owner)])
    assert lost.outcome is Outcome.RETRY, "an unanswered create is not repeated blindly"
    (task_id,) = hs.associations("contacts", contact, "tasks")
    assert hs.associations("tasks", task_id, "leads") == [], "the create's answer never came"
    monkeypatch.setattr(client, "create_associated", create)
    (retried,) = writer.execute([_notice(contact, owner)])
    assert (retried.outcome, retried.data["task_id"]) == (Outcome.DONE, task_id)
    assert hs.associations("contacts", contact, "tasks") == [task_id]
    assert hs.associations("tasks", task_id, "leads") == [lead]


def test_a_lead_link_refused_for_good_keeps_the_task_on_the_contact(hs):
    owner = hs.add_owner("rita-refused@example.com", "Rita", "Rep")
    contact, _ = _contact_with_lead(hs, "ann-refused@example.com")
    writer, _ = _writer(hs, link_leads=True)
    hs.inject(400, 1, path_prefix="/crm/v4/objects/tasks/")
    (done,) = writer.execute([_notice(contact, owner)])
    assert done.outcome is Outcome.DONE, "the reminder is not lost for want of the lead link"
    assert hs.associations("contacts", contact, "tasks") == [done.data["task_id"]]
    assert hs.associations("tasks", done.data["task_id"], "leads") == []
    refused = [r for r in hs.requests if r.status == 400]
    assert [r.method for r in refused] == ["PUT"] and "/associations/default/leads/" in refused[
        0
    ].path


def test_beside_salesforce_no_lead_link_and_the_writer_picks_the_crm_by_the_id(hs):
    owner = hs.add_owner("rita-both@example.com", "Rita", "Rep")
    contact, _ = _contact_with_lead(hs, "ann-both@example.com")
    writer, _ = _writer(hs, link_leads=False)
    (done,) = writer.execute([_notice(contact, owner)])
    assert hs.associations("tasks", done.data["task_id"], "leads") == []
    (no_contact,) = writer.execute([_notice(contact, owner, contact_id="")])
    assert (no_contact.outcome, no_contact.error_code) == (Outcome.DEAD, "NO_CONTACT")
    salesforce_user = _notice(contact, "0057Q000002RmA1QAK", lead_id="00Q7Q000001abcdUAA")
    (no_salesforce,) = writer.execute([salesforce_user])
    assert (no_salesforce.outcome, no_salesforce.error_code) == (Outcome.DEAD, "NOT_CONFIGURED")
    assert "Salesforce" in no_salesforce.message
    (no_hubspot,) = NotifyWriter().execute([_notice(contact, owner)])
    assert (no_hubspot.outcome, no_hubspot.error_code) == (Outcome.DEAD, "NOT_CONFIGURED")
    assert "HubSpot" in no_hubspot.message
