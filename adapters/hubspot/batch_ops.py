"""HubSpot batch calls with per-input outcomes, shared by the writer's steps.

``update`` sends ``(id, properties)`` items in batches of ≤ 100 and says, per id, either what
HubSpot returned for the record or why it failed. A whole-batch 400/409 cannot say which input
was bad, so the batch is split in halves until the bad inputs stand alone and the others land;
per-input errors of a 207 answer are mapped to the ids they name.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from functools import partial
from typing import Any

from adapters.batching import chunked
from adapters.errors import CrmCallError, ErrorAction
from adapters.hubspot.classify import classify_hubspot_error
from adapters.hubspot.client import BATCH_LIMIT, BatchAnswer, HubSpotClient
from adapters.retrying import CallFailed, RetryPolicy, call_with_retries
from connector.commands import Command, CommandResult, Outcome

#: Whole-batch statuses that one bad input can cause (split the batch to find it).
_INPUT_SPECIFIC_STATUSES = frozenset({400, 409})

#: What a batch call says about one input: the record's returned properties, or the failure.
InputOutcome = CallFailed | dict[str, Any]
RecordKey = tuple[str, str]
Results = dict[int, CommandResult]


def classify(exc: CrmCallError) -> ErrorAction:
    """The HubSpot decision table applied to one failed call."""
    action = classify_hubspot_error(exc.status, exc.body, exc.headers)
    if exc.status is None and exc.error_code:
        return replace(action, error_code=exc.error_code)  # e.g. UNREADABLE_RESPONSE
    return action


def input_specific(failure: CallFailed) -> bool:
    """A permanent whole-batch refusal that one bad input can cause (400 validation, 409)."""
    return failure.outcome is Outcome.DEAD and failure.status in _INPUT_SPECIFIC_STATUSES


def fail_commands(
    commands: Sequence[Command],
    failure: CallFailed,
    results: Results,
    held: dict[RecordKey, CallFailed] | None = None,
    key: RecordKey | None = None,
) -> None:
    """Record ``failure`` for ``commands``; a RETRY also holds back the record's later writes.

    A DEAD write is final, so what comes after it for the same record may still go ahead.
    """
    for command in commands:
        results[id(command)] = failure.result_for(command.idempotency_key)
    if held is not None and key is not None and failure.outcome is Outcome.RETRY:
        held[key] = failure


def blocked_by(earlier: CallFailed, min_retry_after_s: float) -> CallFailed:
    """The RETRY given to a record's later commands when an earlier one did not land."""
    return CallFailed(
        Outcome.RETRY,
        earlier.retry_after_s or min_retry_after_s,
        "EARLIER_WRITE_FAILED",
        f"an earlier command for this record did not complete ({earlier.error_code})",
    )


def hubspot_call(
    client: HubSpotClient, policy: RetryPolicy, fn: Any, *, write: bool = False
) -> Any:
    """``fn`` under the retry policy; a daily-limit refusal pauses the client's limiter.

    ``write``: an unanswered call is not repeated here (``call_with_retries``)."""
    limiter = client.limiter
    pause = limiter.pause if limiter is not None else None
    return call_with_retries(fn, classify, policy, on_defer=pause, write=write)


class HubSpotBatchOps:
    """Batch update/read with in-call retries and per-input outcomes."""

    def __init__(self, client: HubSpotClient, policy: RetryPolicy) -> None:
        self.client = client
        self.policy = policy

    def call(self, fn: Any) -> Any:
        """One HubSpot call under the retry policy (raises CallFailed)."""
        return hubspot_call(self.client, self.policy, fn)

    def update(
        self, object_type: str, items: Sequence[tuple[str, dict[str, Any]]]
    ) -> dict[str, InputOutcome]:
        """Batch-update ``(id, properties)`` items (one per record)."""
        outcomes: dict[str, InputOutcome] = {}
        for chunk in chunked(items, BATCH_LIMIT):
            outcomes.update(self._update_chunk(object_type, chunk))
        return outcomes

    def read(
        self, object_type: str, ids: Sequence[str], properties: Sequence[str]
    ) -> dict[str, dict[str, Any]]:
        """Batch-read properties of existing records, keyed by id (raises CallFailed)."""
        found: dict[str, dict[str, Any]] = {}
        for chunk in chunked(ids, BATCH_LIMIT):
            read = partial(self.client.batch_read, object_type, chunk, list(properties))
            found.update({r["id"]: r["properties"] for r in self.call(read).results})
        return found

    def _update_chunk(
        self, object_type: str, chunk: list[tuple[str, dict[str, Any]]]
    ) -> dict[str, InputOutcome]:
        inputs = [
            {"id": object_id, "properties": properties, "objectWriteTraceId": object_id}
            for object_id, properties in chunk
        ]
        try:
            update = partial(self.client.batch_update, object_type, inputs)
            answer = hubspot_call(self.client, self.policy, update, write=True)
        except CallFailed as exc:
            if input_specific(exc) and len(chunk) > 1:
                middle = len(chunk) // 2
                first = self._update_chunk(object_type, chunk[:middle])
                return {**first, **self._update_chunk(object_type, chunk[middle:])}
            return dict.fromkeys((object_id for object_id, _ in chunk), exc)
        return self._attribute(answer, [object_id for object_id, _ in chunk])

    def _attribute(self, answer: BatchAnswer, ids: list[str]) -> dict[str, InputOutcome]:
        """Map a (possibly 207) batch answer back to each input id."""
        outcomes: dict[str, InputOutcome] = {}
        unattributed: CallFailed | None = None
        for error in answer.errors:
            action = classify_hubspot_error(None, error)
            failure = CallFailed.from_action(action, self.policy, self.policy.max_attempts)
            context = error.get("context") or {}
            named = [str(i) for i in (context.get("ids") or [])]
            named += [str(i) for i in (context.get("objectWriteTraceId") or [])]
            hits = [i for i in named if i in ids]
            outcomes.update(dict.fromkeys(hits, failure))
            if not hits and unattributed is None:
                unattributed = failure
        returned = {r["id"]: r["properties"] for r in answer.results}
        traced = {r["objectWriteTraceId"]: r["properties"] for r in answer.results}
        for object_id in ids:
            if object_id in outcomes:
                continue
            properties = returned.get(object_id, traced.get(object_id))
            if properties is not None:
                outcomes[object_id] = properties
            else:
                outcomes[object_id] = unattributed or CallFailed(
                    Outcome.RETRY,
                    self.policy.min_retry_after_s,
                    "MISSING_FROM_RESPONSE",
                    "HubSpot's batch answer did not mention this record",
                )
        return outcomes
