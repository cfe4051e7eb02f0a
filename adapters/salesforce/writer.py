"""SalesforceWriter: carries out commands with sObject Collections, one result per command.

- UpdateFields and SetStage (Salesforce has no forward-only rule, so ``backwards`` changes
  nothing) are merged per record, in order, into PATCH collections of ≤ 200 records.
- A write refused with ``CANNOT_UPDATE_CONVERTED_LEAD`` (converted leads are read-only) is
  not copied to the Contact — the Lead's fields (``Status``) need not exist there. The result
  is DEAD with that code and ``{"converted_contact_id": "003…"}``: the sync re-links the person
  and decides the Contact's write from the admin's mapping for Contacts.
- CreateLead: POST collections; DONE carries ``{"id": "00Q…"}``. With ``hubspot_id_field`` set,
  the HubSpot id is written on the Lead and looked up first, so a retried create updates the
  Lead an earlier attempt made instead of creating a twin.
- ReplaceCampaignInfluence: the opportunity's rows in the custom model, replaced as one unit by
  one all-or-none composite request (``influence.py``).
- Every write sends ``Sforce-Auto-Assign: FALSE`` (a plain API update would otherwise re-run
  the lead assignment rule and change the owner), except a CreateLead that asks for the
  assignment rules (``use_assignment_rules``, or the admin's default for leads with no owner).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from adapters.batching import RecordWrite, invalid_record_command, plan_record_writes
from adapters.retrying import CallFailed, RetryPolicy
from adapters.salesforce import soql
from adapters.salesforce.client import SalesforceClient
from adapters.salesforce.creates import LeadCreator
from adapters.salesforce.influence import InfluenceWriter
from adapters.salesforce.sobject_collections import CollectionSender, RowOutcome
from connector.commands import (
    Command,
    CommandResult,
    CreateLead,
    Outcome,
    ReplaceCampaignInfluence,
    SetStage,
    System,
    UpdateFields,
)

CONVERTED = "CANNOT_UPDATE_CONVERTED_LEAD"
Results = dict[int, CommandResult]


class SalesforceWriter:
    """CrmWriter for Salesforce (see the module docstring for what each command becomes)."""

    system = System.SALESFORCE

    def __init__(
        self,
        client: SalesforceClient,
        *,
        policy: RetryPolicy | None = None,
        hubspot_id_field: str | None = None,
        use_assignment_rules: bool = False,
        lead_external_id_field: str | None = None,
    ) -> None:
        self.client = client
        self.policy = policy or RetryPolicy()
        self.hubspot_id_field = soql.identifier(hubspot_id_field) if hubspot_id_field else None
        self.use_assignment_rules = use_assignment_rules
        self.lead_external_id_field = (
            soql.identifier(lead_external_id_field) if lead_external_id_field else None
        )

    def execute(self, commands: Sequence[Command]) -> list[CommandResult]:
        """Run ``commands``; one result per command, in the order given.

        Raises:
            ValueError: a command for another system (a programming error).
        """
        results: Results = {}
        sender = CollectionSender(self.client, self.policy.for_one_batch())
        updates: list[UpdateFields | SetStage] = []
        creates: list[CreateLead] = []
        influences: list[ReplaceCampaignInfluence] = []
        for command in commands:
            if command.system is not System.SALESFORCE:
                raise ValueError(f"SalesforceWriter got a {command.system} command: {command!r}")
            if isinstance(command, UpdateFields | SetStage):
                problem = invalid_record_command(command) or _bad_id(command.object_id)
                if problem:
                    results[id(command)] = _dead(command, "INVALID_COMMAND", problem)
                else:
                    updates.append(command)
            elif isinstance(command, CreateLead):
                creates.append(command)
            elif isinstance(command, ReplaceCampaignInfluence):
                influences.append(command)
            else:
                message = f"Salesforce cannot carry out {command.kind} commands"
                results[id(command)] = _dead(command, "UNSUPPORTED_COMMAND", message)
        self._run_updates(sender, updates, results)
        creator = LeadCreator(
            sender,
            hubspot_id_field=self.hubspot_id_field,
            use_assignment_rules=self.use_assignment_rules,
            external_id_field=self.lead_external_id_field,
        )
        results.update(creator.run(creates))
        results.update(InfluenceWriter(self.client, sender).run(influences))
        return [results[id(command)] for command in commands]

    def _run_updates(
        self, sender: CollectionSender, commands: list[UpdateFields | SetStage], results: Results
    ) -> None:
        phases = plan_record_writes(commands, split_on_backwards=False)
        if not phases:
            return
        (writes,) = phases
        writes = sorted(writes, key=lambda w: w.object_type)  # fewer type chunks per request
        records = [_record(w.object_type, w.object_id, w.fields) for w in writes]
        outcomes = sender.update(records, auto_assign=False)
        converted = [
            i
            for i, outcome in enumerate(outcomes)
            if isinstance(outcome, CallFailed)
            and outcome.error_code == CONVERTED
            and writes[i].object_type == "Lead"
        ]
        redirected = self._redirect_converted(sender, [writes[i] for i in converted])
        for index, write in enumerate(writes):
            outcome, data = redirected.get(write.object_id, (outcomes[index], {}))
            for command in write.commands:
                results[id(command)] = _result(command, outcome, data)

    def _redirect_converted(
        self, sender: CollectionSender, writes: list[RecordWrite]
    ) -> dict[str, tuple[RowOutcome, dict[str, Any]]]:
        """Per converted lead id: the refusal, with the Contact it was converted to."""
        if not writes:
            return {}
        lead_ids = [w.object_id for w in writes]
        try:
            rows = sender.call(
                lambda: self.client.query_all(
                    soql.select("Lead", ["ConvertedContactId"], soql.in_list("Id", lead_ids))
                )
            )
        except CallFailed as exc:
            return {lead: (exc, {}) for lead in lead_ids}
        contact_of = {_id15(r["Id"]): r.get("ConvertedContactId") for r in rows}
        refused: dict[str, tuple[RowOutcome, dict[str, Any]]] = {}
        for write in writes:
            contact = contact_of.get(_id15(write.object_id))
            if not contact:
                continue
            message = f"Lead {write.object_id} was converted to Contact {contact}; it is read-only"
            refusal = CallFailed(Outcome.DEAD, None, CONVERTED, message)
            refused[write.object_id] = (refusal, {"converted_contact_id": contact})
        return refused


def _record(object_type: str, object_id: str, fields: dict[str, Any]) -> dict[str, Any]:
    return {**fields, "attributes": {"type": object_type}, "id": object_id}


def _result(command: Command, outcome: RowOutcome, data: dict[str, Any]) -> CommandResult:
    if isinstance(outcome, CallFailed):
        return CommandResult(
            command.idempotency_key,
            outcome.outcome,
            data,
            retry_after_s=outcome.retry_after_s,
            error_code=outcome.error_code,
            message=outcome.message,
            in_doubt=outcome.in_doubt,
        )
    return CommandResult(command.idempotency_key, Outcome.DONE, data)


def _bad_id(object_id: str) -> str | None:
    try:
        soql.record_id(object_id)
    except ValueError as exc:
        return str(exc)
    return None


def _id15(record_id: str) -> str:
    return record_id[:15]


def _dead(command: Command, code: str, message: str) -> CommandResult:
    return CommandResult(command.idempotency_key, Outcome.DEAD, error_code=code, message=message)
