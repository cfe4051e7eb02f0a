"""The ``crm_task`` channel in HubSpot: a task for the HubSpot owner a ladder step reaches.

As with the Salesforce Task (``crm_task.py``), a create is not idempotent, so the task carries
its outbox key in ``hs_task_subject`` (``[baton sla:<clock>:step<i>:crm_task]``) and the creator
reads the contact's tasks (v4 associations and a batch read: consistent, unlike search) before it
creates one; a retry after a lost answer, a replay or a second worker finds the first task. The
task is created associated to the contact (task → contact, 204) and, with HubSpot alone, then
linked to the contact's newest Leads record through the default association, which is safe to
repeat, so a retry completes a half-done link. The SLA job never counts a task whose subject
carries the mark as a touch (``connector.jobs.sla.touches``).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from functools import partial
from typing import Any

from adapters.batching import chunked
from adapters.hubspot.batch_ops import hubspot_call
from adapters.hubspot.client import BATCH_LIMIT, HubSpotClient
from adapters.notify.crm_task import task_subject
from adapters.notify.templates import task_message
from adapters.retrying import CallFailed, RetryPolicy
from connector.commands import Notify, Outcome

log = logging.getLogger(__name__)

TASKS, CONTACTS, LEADS = "tasks", "contacts", "leads"
#: HUBSPOT_DEFINED association type: task → contact (hubspot.md §4.7)
TASK_TO_CONTACT = 204
SUBJECT = "hs_task_subject"


class HubSpotTaskCreator:
    """Creates (or finds) the reminder task of one notice in HubSpot."""

    def __init__(
        self,
        client: HubSpotClient,
        policy: RetryPolicy | None = None,
        timezone: str = "UTC",
        *,
        link_leads: bool = False,
    ) -> None:
        self.client = client
        self.policy = policy or RetryPolicy()
        self.timezone = timezone
        #: HubSpot alone: the task also belongs on the contact's Leads record (the work item)
        self.link_leads = link_leads

    def create(self, notice: Notify) -> str:
        """The task's id, created now or found from an earlier attempt; raises CallFailed."""
        contact = notice.contact_id
        subject = task_subject(notice, self.timezone)
        task_id = self._existing(contact, subject)
        if task_id is None:
            properties = {
                SUBJECT: subject,
                "hs_task_body": task_message(notice, self.timezone).body,
                "hubspot_owner_id": notice.to_user_id,
                "hs_timestamp": str(int(datetime.now(UTC).timestamp() * 1000)),  # due now
                "hs_task_status": "NOT_STARTED",
                "hs_task_priority": "HIGH",
                "hs_task_type": "TODO",
            }
            create = partial(
                self.client.create_associated, TASKS, properties, contact, TASK_TO_CONTACT
            )
            task_id = str(self._call(create, write=True)["id"])
        lead = self._newest_lead(contact) if self.link_leads else None
        if lead is not None:
            self._link(task_id, lead)
        return task_id

    def _link(self, task_id: str, lead: str) -> None:
        """Put the task on the Leads record too; a refusal for good leaves it on the contact
        (where the rep sees it as well) rather than losing the reminder."""
        try:
            self._call(partial(self.client.associate_default, TASKS, task_id, LEADS, lead))
        except CallFailed as failed:
            if failed.outcome is not Outcome.DEAD:
                raise  # a retry of the notice finds the task and links it then
            log.warning(
                "task not linked to its lead",
                extra={"task": task_id, "lead": lead, "error": str(failed)[:200]},
            )

    def _existing(self, contact: str, subject: str) -> str | None:
        ids = self._call(partial(self.client.associated_ids, CONTACTS, contact, TASKS))
        for chunk in chunked(ids, BATCH_LIMIT):
            answer = self._call(partial(self.client.batch_read, TASKS, chunk, [SUBJECT]))
            for row in answer.results:
                if row["properties"].get(SUBJECT) == subject:
                    return str(row["id"])
        return None

    def _newest_lead(self, contact: str) -> str | None:
        ids = self._call(partial(self.client.associated_ids, CONTACTS, contact, LEADS))
        return max(ids, key=lambda i: (len(i), i), default=None)

    def _call(self, fn: Any, *, write: bool = False) -> Any:
        return hubspot_call(self.client, self.policy, fn, write=write)
