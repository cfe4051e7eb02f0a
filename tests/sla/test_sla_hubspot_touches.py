"""HubSpot activities as touches: which ones count, when, and what the owner check reads.

The owner check compares e-mail addresses beside Salesforce; :class:`OwnerMatch` must read the
Salesforce user's once and each HubSpot owner's once per pass, however many engagements there
are (the deadline's re-read used to read two addresses per engagement).
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

from connector.commands import System
from connector.jobs.sla import touches as t
from connector.ports import CrmRecord

USER = "0057Q000002RmA1QAK"
DONE_AT = "2026-12-03T10:15:00Z"


def _task(**fields: Any) -> CrmRecord:
    base = {"hubspot_owner_id": "61", "hs_createdate": "2026-12-03T09:00:00Z"}
    return CrmRecord("task", "901", {**base, **fields})


def test_an_open_task_is_no_touch_and_a_completed_one_counts_at_its_completion():
    assert t.from_hubspot(_task(hs_task_status="NOT_STARTED")) is None
    done = t.from_hubspot(_task(hs_task_status="COMPLETED", hs_task_completion_date=DONE_AT))
    assert done is not None
    assert (done.kind, done.activity_id, done.owner) == ("task", "t:901", "61")
    assert done.at == datetime(2026, 12, 3, 10, 15, tzinfo=UTC) and not done.by_baton


def test_batons_own_escalation_task_is_marked_whoever_completes_it():
    mine = _task(
        hs_task_status="COMPLETED",
        hs_task_completion_date=DONE_AT,
        hs_task_subject="SLA missed: lead 51 [baton sla:3:step0:crm_task]",
    )
    touch = t.from_hubspot(mine)
    assert touch is not None and touch.by_baton


def test_a_call_counts_when_logged_whatever_it_says():
    call = CrmRecord("call", "77", {"hubspot_owner_id": "61", "hs_createdate": DONE_AT})
    touch = t.from_hubspot(call)
    assert touch is not None and (touch.activity_id, touch.by_baton) == ("c:77", False)


class Reader:
    """Counts what the owner check asks of each CRM."""

    def __init__(self, system: System, emails: dict[str, str]) -> None:
        self.system = system
        self.emails = emails
        self.asked: Counter[str] = Counter()

    def read(self, object_type: str, ids: Any, fields: Any) -> dict[str, CrmRecord]:
        self.asked.update(ids)
        return {i: CrmRecord("User", i, {"Email": self.emails[i]}) for i in ids}

    def owner_email(self, owner_id: str) -> str | None:
        self.asked[owner_id] += 1
        return self.emails.get(owner_id)


def test_each_address_is_read_once_per_pass_however_many_engagements():
    salesforce = Reader(System.SALESFORCE, {USER: "Rita@Example.com "})
    hubspot = Reader(System.HUBSPOT, {"61": "rita@example.com", "62": "max@example.com"})
    readers: Any = {System.SALESFORCE: salesforce, System.HUBSPOT: hubspot}
    owns = t.OwnerMatch(readers, USER, hubspot_alone=False)
    verdicts = [owns(owner) for owner in ("61", "62", "61", "61", "62", "")]
    assert verdicts == [True, False, True, True, False, False]
    assert salesforce.asked == Counter({USER: 1})
    assert hubspot.asked == Counter({"61": 1, "62": 1})
    again = t.OwnerMatch(readers, USER, hubspot_alone=False)
    assert again("61") and salesforce.asked[USER] == 2, "the next pass reads afresh"


def test_with_hubspot_alone_the_owner_ids_are_compared_without_reading():
    hubspot = Reader(System.HUBSPOT, {})
    owns = t.OwnerMatch({System.HUBSPOT: hubspot}, "61", hubspot_alone=True)  # type: ignore[dict-item]
    assert owns("61") and not owns("62") and not owns("")
    assert hubspot.asked == Counter()


def test_a_user_without_an_address_matches_nobody_and_is_read_once():
    salesforce = Reader(System.SALESFORCE, {USER: ""})
    hubspot = Reader(System.HUBSPOT, {"61": ""})
    readers: Any = {System.SALESFORCE: salesforce, System.HUBSPOT: hubspot}
    owns = t.OwnerMatch(readers, USER, hubspot_alone=False)
    assert not owns("61") and not owns("63")
    assert salesforce.asked == Counter({USER: 1}) and hubspot.asked == Counter()
