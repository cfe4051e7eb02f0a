"""ReplaceCampaignInfluence: make an opportunity's rows in one custom model exactly the given.

1. The model is looked up by DeveloperName; the Primary Campaign Source model (``primaryModel``,
   or whichever ``IsDefaultModel`` row that is) is refused — Salesforce recomputes its rows and
   deletes API-written ones (salesforce.md §5). A missing model is DEAD with a clear message.
2. The opportunity's current rows in the model are read, matched by (campaign, contact):
   unchanged ones stay, changed ``Influence`` is updated, missing ones created, extra deleted.
3. The changes go in one composite request with ``allOrNone``: the deal's rows move from the
   old set to the new one as a unit, or not at all. Nothing differing → no write at all, so a
   re-sent command writes nothing twice. At most 25 changes fit one request (DEAD beyond).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any

from adapters.retrying import CallFailed, RetryPolicy
from adapters.salesforce import soql
from adapters.salesforce.classify import classify_salesforce_error
from adapters.salesforce.client import COMPOSITE_LIMIT, SalesforceClient
from adapters.salesforce.sobject_collections import (
    CollectionSender,
    classify_create,
    salesforce_call,
)
from connector.commands import CommandResult, Outcome, ReplaceCampaignInfluence

PRIMARY_MODEL = "primaryModel"
_OBJECT = "CampaignInfluence"
RowKey = tuple[str, str]


class InfluenceWriter:
    """Carries out ReplaceCampaignInfluence commands, one composite request each."""

    def __init__(self, client: SalesforceClient, sender: CollectionSender) -> None:
        self.client = client
        self.sender = sender

    def run(self, commands: Sequence[ReplaceCampaignInfluence]) -> dict[int, CommandResult]:
        """One result per command, keyed by ``id(command)``."""
        results: dict[int, CommandResult] = {}
        for command in commands:
            try:
                data = self._replace(command)
            except CallFailed as failed:
                results[id(command)] = failed.result_for(command.idempotency_key)
            else:
                results[id(command)] = CommandResult(command.idempotency_key, Outcome.DONE, data)
        return results

    def _replace(self, command: ReplaceCampaignInfluence) -> dict[str, Any]:
        opportunity = soql.record_id(command.opportunity_id)
        model_id = self._model_id(command.model)
        where = f"ModelId = {soql.quote(model_id)} AND OpportunityId = {soql.quote(opportunity)}"
        fields = ["CampaignId", "ContactId", "Influence"]
        current = self.sender.call(
            lambda: self.client.query_all(soql.select(_OBJECT, fields, where))
        )
        subrequests = plan(current, command.rows, opportunity, model_id)
        if not subrequests:
            return {"changed": 0}
        if len(subrequests) > COMPOSITE_LIMIT:
            raise CallFailed(
                Outcome.DEAD,
                None,
                "TOO_MANY_INFLUENCE_ROWS",
                f"{len(subrequests)} CampaignInfluence changes for {opportunity}: more than "
                f"{COMPOSITE_LIMIT} cannot be replaced as one unit",
            )
        # not idempotent: an ambiguous failure goes back to the outbox, whose next attempt
        # plans again from a fresh read
        send = partial(self.client.composite, subrequests)
        responses = salesforce_call(self.client, self.sender.policy, send, classify_create)
        _raise_first_failure(responses, self.sender.policy)
        return {"changed": len(subrequests)}

    def _model_id(self, developer_name: str) -> str:
        if developer_name == PRIMARY_MODEL:
            raise _refused(developer_name)
        query = soql.select(
            "CampaignInfluenceModel",
            ["DeveloperName", "IsDefaultModel"],
            f"DeveloperName = {soql.quote(developer_name)}",
        )
        rows = self.sender.call(lambda: self.client.query_all(query))
        if not rows:
            raise CallFailed(
                Outcome.DEAD,
                None,
                "NO_INFLUENCE_MODEL",
                f"no CampaignInfluenceModel {developer_name!r}: create the custom, locked model "
                "in Setup (Campaign Influence) or set credit.writeback.salesforce_influence_model",
            )
        if rows[0].get("IsDefaultModel"):  # Salesforce recomputes the default model's rows
            raise _refused(developer_name)
        return str(rows[0]["Id"])


def plan(
    current: Sequence[Mapping[str, Any]],
    wanted: Sequence[Mapping[str, Any]],
    opportunity_id: str,
    model_id: str,
) -> list[dict[str, Any]]:
    """The composite subrequests that turn ``current`` rows into ``wanted`` (pure)."""
    have = {_key(row): row for row in current}
    want = {_key(row): row for row in wanted}
    subrequests: list[dict[str, Any]] = []
    for key, row in sorted(have.items()):
        if key not in want:
            subrequests.append(_sub("DELETE", f"sobjects/{_OBJECT}/{row['Id']}", len(subrequests)))
    for key, row in sorted(want.items()):
        influence = round(float(row["Influence"]), 2)
        old = have.get(key)
        if old is None:
            body = {
                "CampaignId": row["CampaignId"],
                "OpportunityId": opportunity_id,
                "ContactId": row.get("ContactId"),
                "ModelId": model_id,
                "Influence": influence,
            }
            subrequests.append(_sub("POST", f"sobjects/{_OBJECT}", len(subrequests), body))
        elif round(float(old.get("Influence") or 0), 2) != influence:
            url = f"sobjects/{_OBJECT}/{old['Id']}"
            subrequests.append(_sub("PATCH", url, len(subrequests), {"Influence": influence}))
    return subrequests


def _key(row: Mapping[str, Any]) -> RowKey:
    return (str(row["CampaignId"])[:15], str(row.get("ContactId") or "")[:15])


def _sub(method: str, url: str, index: int, body: dict[str, Any] | None = None) -> dict[str, Any]:
    sub: dict[str, Any] = {"method": method, "url": url, "referenceId": f"r{index}"}
    if body is not None:
        sub["body"] = body
    return sub


def _raise_first_failure(responses: Sequence[Mapping[str, Any]], policy: RetryPolicy) -> None:
    """The first real failure of an all-or-none composite (the others say PROCESSING_HALTED)."""
    failures = [r for r in responses if int(r.get("httpStatusCode") or 0) >= 400]
    if not failures:
        return
    errors = [e for r in failures for e in (r.get("body") or []) if isinstance(e, Mapping)]
    first = next((e for e in errors if e.get("errorCode") != "PROCESSING_HALTED"), None)
    first = first or (errors[0] if errors else {})
    code = str(first.get("errorCode") or "UNKNOWN_ERROR")
    action = classify_salesforce_error(None, code, first.get("message"))
    raise CallFailed.from_action(action, policy, policy.max_attempts)


def _refused(name: str) -> CallFailed:
    return CallFailed(
        Outcome.DEAD,
        None,
        "PRIMARY_MODEL_REFUSED",
        f"{name!r} is the Primary Campaign Source model: Salesforce recomputes its rows and "
        "deletes API-written ones; Baton writes a custom model only",
    )
