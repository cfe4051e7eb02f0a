"""A read-back that fails: in passing, the write in doubt waits for another read-back; refused
for good (a bad id or address, a DEAD refusal), the write goes as it did before, because
waiting would only delay it and end in the same re-send (``connector.readback``)."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from adapters.retrying import CallFailed
from connector.commands import CreateLead, Outcome, SetStage, System
from connector.readback import UNKNOWN, landed_writes

LEAD = "00Q000000000001AAA"


def _refusal(outcome: Outcome) -> CallFailed:
    """What the adapters raise for a call that failed, with their verdict."""
    return CallFailed(outcome, None, "UNKNOWN_EXCEPTION", "refused")


class FailingReader:
    system = System.SALESFORCE

    def __init__(self, error: Exception) -> None:
        self.error = error

    def read(self, object_type: str, ids: Sequence[str], fields: Sequence[str]) -> dict:
        raise self.error

    def find_by_email(self, object_type: str, email: str, fields: Sequence[str]) -> list:
        raise self.error


def _stage() -> SetStage:
    return SetStage(
        System.SALESFORCE, f"salesforce:lead:{LEAD}", "k-stage", object_type="Lead",
        object_id=LEAD, field_name="Status", value="Working - Contacted",
    )  # fmt: skip


def _create() -> CreateLead:
    return CreateLead(
        System.SALESFORCE, "salesforce:lead:new:1", "k-create", hubspot_contact_id="1",
        fields={"Email": "ada@acme.nl", "LastName": "L", "Company": "Acme"},
    )  # fmt: skip


@pytest.mark.parametrize("command", [_stage(), _create()], ids=["update", "create"])
@pytest.mark.parametrize(
    ("error", "waits"),
    [
        (ConnectionError("the CRM is down"), True),
        (_refusal(Outcome.RETRY), True),
        (ValueError("not a Salesforce record id"), False),
        (_refusal(Outcome.DEAD), False),
    ],
    ids=["outage", "retry", "bad-input", "dead"],
)
def test_only_a_passing_failure_makes_the_write_wait(command, error, waits) -> None:
    results = landed_writes({System.SALESFORCE: FailingReader(error)}, [command])
    if waits:
        result = results[command.idempotency_key]
        assert result.outcome is Outcome.RETRY and result.in_doubt
        assert result.data == {"read_back": UNKNOWN}
    else:
        assert results == {}, "refused for good: the write is sent again, as before"
