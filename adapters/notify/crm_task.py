"""The ``crm_task`` channel: a Salesforce Task for the person a ladder step reaches.

A create is the one write that is not naturally idempotent, so each Task carries its outbox key
in its Subject (``[baton sla:<clock>:step<i>:crm_task]``) and the creator looks for a Task with
that Subject on the lead before creating one. A retry after a lost answer, a replay or a second
worker therefore finds the first Task: one per breach and step. The SLA job never counts a Task
Baton's integration user created as a touch (``connector.jobs.sla.job._is_touch``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial
from zoneinfo import ZoneInfo

from adapters.notify.templates import task_message
from adapters.retrying import CallFailed, RetryPolicy
from adapters.salesforce import soql
from adapters.salesforce.client import SalesforceClient
from adapters.salesforce.sobject_collections import CollectionSender
from connector.commands import Notify

#: ``Task.Status`` of a new reminder; every org has it (the default TaskStatus value)
OPEN_STATUS = "Not Started"


def task_subject(notice: Notify, timezone: str = "UTC") -> str:
    """The Task's Subject: the words, then the outbox key that makes it findable (≤ 255)."""
    mark = f" [baton {notice.idempotency_key}]"
    return task_message(notice, timezone).subject[: 255 - len(mark)] + mark


class SalesforceTaskCreator:
    """Creates (or finds) the reminder Task of one notice."""

    def __init__(
        self, client: SalesforceClient, policy: RetryPolicy | None = None, timezone: str = "UTC"
    ) -> None:
        self.sender = CollectionSender(client, policy or RetryPolicy())
        self.timezone = timezone

    def create(self, notice: Notify) -> str:
        """The Task's id, created now or found from an earlier attempt; raises CallFailed."""
        subject = task_subject(notice, self.timezone)
        found = self._existing(notice, subject)
        if found is not None:
            return found
        message = task_message(notice, self.timezone)
        record = {
            "attributes": {"type": "Task"},
            "WhoId": notice.lead_id,
            "OwnerId": notice.to_user_id,
            "Subject": subject,
            "Description": message.body,
            "Status": OPEN_STATUS,
            "Priority": "High",
            "ActivityDate": datetime.now(UTC)
            .astimezone(ZoneInfo(self.timezone))
            .date()
            .isoformat(),
        }
        (outcome,) = self.sender.create([record], auto_assign=False)
        if isinstance(outcome, CallFailed):
            raise outcome
        return str(outcome["id"])

    def _existing(self, notice: Notify, subject: str) -> str | None:
        where = (
            f"WhoId = {soql.quote(soql.record_id(notice.lead_id))} "
            f"AND Subject = {soql.quote(subject)}"
        )
        query = soql.select("Task", ["Subject"], where)
        rows = self.sender.call(partial(self.sender.client.query_all, query))
        return str(rows[0]["Id"]) if rows else None
