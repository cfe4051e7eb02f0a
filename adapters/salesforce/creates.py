"""CreateLead on Salesforce: create, or update the Lead an earlier attempt already made.

Creates are the one write that is not naturally idempotent. When ``hubspot_id_field`` (the
Lead field holding the HubSpot contact id) is configured, Baton writes it on every new Lead and
looks it up before creating, so a retried or replayed CreateLead finds its Lead and updates it.
A Lead that has since been converted is left alone (sales owns the person now) and reported.
CreateLead commands for the same HubSpot contact in one batch become one Lead.

With ``external_id_field`` (a Lead External ID field holding the HubSpot id) a new Lead is an
upsert on that field instead (``PATCH sobjects/Lead/<field>/<HubSpot id>``, one call per Lead):
a create sent again, after a lost answer or a crash, updates the Lead the first one made, so
it is safe to repeat and never doubles. Without it, new Leads go out in one POST
collection per 200 and a create in doubt is looked up before it is sent again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import Any

from adapters.batching import chunked
from adapters.retrying import CallFailed
from adapters.salesforce import soql
from adapters.salesforce.sobject_collections import CollectionSender, RowOutcome
from connector.commands import CommandResult, CreateLead, Outcome


@dataclass(slots=True)
class _NewLead:
    """One Lead to create or update, and the commands that asked for it."""

    hubspot_id: str
    commands: list[CreateLead] = field(default_factory=list)
    fields: dict[str, Any] = field(default_factory=dict)
    owner_id: str | None = None
    assignment_rules: bool = False


class LeadCreator:
    """Runs CreateLead commands through sObject Collections."""

    def __init__(
        self,
        sender: CollectionSender,
        *,
        hubspot_id_field: str | None,
        use_assignment_rules: bool,
        external_id_field: str | None = None,
    ) -> None:
        self.sender = sender
        self.hubspot_id_field = hubspot_id_field
        self.use_assignment_rules = use_assignment_rules
        self.external_id_field = external_id_field

    def run(self, commands: list[CreateLead]) -> dict[int, CommandResult]:
        """One result per command, keyed by ``id(command)``."""
        results: dict[int, CommandResult] = {}
        leads = self._group(commands, results)
        if not leads:
            return results
        try:
            existing = self._find_existing(leads)
        except CallFailed as exc:
            for lead in leads:
                self._report(lead, exc, {}, results)
            return results
        updates: list[tuple[_NewLead, str]] = []
        creates: list[_NewLead] = []
        for lead in leads:
            found = existing.get(lead.hubspot_id) if lead.hubspot_id else None
            if found is None:
                creates.append(lead)
            elif found.get("IsConverted"):
                data = {
                    "id": found["Id"],
                    "existing": True,
                    "converted_contact_id": found.get("ConvertedContactId"),
                }
                self._report(lead, {"success": True}, data, results)
            else:
                updates.append((lead, found["Id"]))
        for rules in (False, True):
            self._update(
                [(lead, lead_id) for lead, lead_id in updates if lead.assignment_rules is rules],
                rules,
                results,
            )
            self._create(
                [lead for lead in creates if lead.assignment_rules is rules], rules, results
            )
        return results

    def _group(
        self, commands: list[CreateLead], results: dict[int, CommandResult]
    ) -> list[_NewLead]:
        by_contact: dict[str, _NewLead] = {}
        leads: list[_NewLead] = []
        for command in commands:
            problem = _problem(command)
            if problem:
                results[id(command)] = CommandResult(
                    command.idempotency_key,
                    Outcome.DEAD,
                    error_code="INVALID_COMMAND",
                    message=problem,
                )
                continue
            key = command.hubspot_contact_id
            lead = by_contact.get(key) if key else None
            if lead is None:
                lead = _NewLead(key)
                leads.append(lead)
                if key:
                    by_contact[key] = lead
            lead.commands.append(command)
            lead.fields.update(command.fields)
            lead.owner_id = command.owner_id or lead.owner_id
            lead.assignment_rules = (
                lead.assignment_rules
                or command.use_assignment_rules
                or (self.use_assignment_rules and lead.owner_id is None)
            )
        return leads

    def _find_existing(self, leads: list[_NewLead]) -> dict[str, dict[str, Any]]:
        """Leads already carrying one of these HubSpot ids (empty without the id field)."""
        id_field = self.hubspot_id_field
        wanted = [lead.hubspot_id for lead in leads if lead.hubspot_id]
        if id_field is None or not wanted:
            return {}
        found: dict[str, dict[str, Any]] = {}
        columns = ["IsConverted", "ConvertedContactId", id_field]
        for chunk in chunked(wanted, soql.IDS_PER_QUERY):
            query = soql.select("Lead", columns, soql.in_list(id_field, chunk))
            rows = self.sender.call(lambda q=query: self.sender.client.query_all(q))
            for row in rows:
                key = str(row.get(id_field) or "")
                # Prefer an open Lead over a converted one if both carry the id.
                if key and (key not in found or found[key].get("IsConverted")):
                    found[key] = row
        return found

    def _record(self, lead: _NewLead) -> dict[str, Any]:
        record = dict(lead.fields)
        if lead.owner_id:
            record["OwnerId"] = lead.owner_id
        if self.hubspot_id_field and lead.hubspot_id:
            record.setdefault(self.hubspot_id_field, lead.hubspot_id)
        return record

    def _upsert(
        self, leads: list[_NewLead], rules: bool, results: dict[int, CommandResult]
    ) -> None:
        """One idempotent upsert per Lead on the External ID field (unanswered: read back, as any
        write in doubt, and safe to send again)."""
        field_name = self.external_id_field
        assert field_name is not None
        client = self.sender.client
        for lead in leads:
            upsert = partial(
                client.upsert, "Lead", field_name, lead.hubspot_id, self._record(lead),
                auto_assign=rules,
            )  # fmt: skip
            try:
                row = self.sender.call(upsert)
            except CallFailed as exc:
                self._report(lead, exc, {}, results)
                continue
            data = {"id": row["id"], **({} if row["created"] else {"existing": True})}
            self._report(lead, {"success": True}, data, results)

    def _update(
        self, leads: list[tuple[_NewLead, str]], rules: bool, results: dict[int, CommandResult]
    ) -> None:
        if not leads:
            return
        records = [
            {**self._record(lead), "attributes": {"type": "Lead"}, "id": lead_id}
            for lead, lead_id in leads
        ]
        outcomes = self.sender.update(records, auto_assign=rules)
        for (lead, lead_id), outcome in zip(leads, outcomes, strict=True):
            self._report(lead, outcome, {"id": lead_id, "existing": True}, results)

    def _create(
        self, leads: list[_NewLead], rules: bool, results: dict[int, CommandResult]
    ) -> None:
        if self.external_id_field:
            self._upsert([lead for lead in leads if lead.hubspot_id], rules, results)
            leads = [lead for lead in leads if not lead.hubspot_id]
        if not leads:
            return
        records = [{**self._record(lead), "attributes": {"type": "Lead"}} for lead in leads]
        outcomes = self.sender.create(records, auto_assign=rules)
        for lead, outcome in zip(leads, outcomes, strict=True):
            data = {} if isinstance(outcome, CallFailed) else {"id": outcome.get("id")}
            self._report(lead, outcome, data, results)

    @staticmethod
    def _report(
        lead: _NewLead, outcome: RowOutcome, data: dict[str, Any], results: dict[int, CommandResult]
    ) -> None:
        for command in lead.commands:
            if isinstance(outcome, CallFailed):
                results[id(command)] = CommandResult(
                    command.idempotency_key,
                    outcome.outcome,
                    data,
                    retry_after_s=outcome.retry_after_s,
                    error_code=outcome.error_code,
                    message=outcome.message,
                    in_doubt=outcome.in_doubt,
                )
            else:
                results[id(command)] = CommandResult(command.idempotency_key, Outcome.DONE, data)


def _problem(command: CreateLead) -> str | None:
    if not isinstance(command.fields, dict) or not command.fields:
        return "a CreateLead needs fields (at least LastName and Company)"
    if command.owner_id is not None:
        try:
            soql.record_id(command.owner_id)
        except ValueError as exc:
            return f"owner_id: {exc}"
    return None
