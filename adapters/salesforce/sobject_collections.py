"""Sending sObject Collections: ≤ 200 records a call, per-row outcomes, row-level retries.

A collections request answers 200 even when rows fail; each row carries ``success`` and
``errors[{statusCode, message, fields}]``. Rows that failed for a transient reason
(``UNABLE_TO_LOCK_ROW``) are sent again, alone, within the retry policy's bounds; the others
keep Salesforce's own code and message.

Creates are not idempotent: after a timeout or a 5xx Salesforce may have created the rows. Such
ambiguous failures are not retried in-call for POST; the outbox retries later, and the writer
first looks for a Lead already carrying the HubSpot id (when that field is configured).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from functools import partial
from typing import Any

from adapters.batching import chunked
from adapters.errors import CrmCallError, ErrorAction, Verdict
from adapters.retrying import CallFailed, RetryPolicy, call_with_retries
from adapters.salesforce.classify import classify_salesforce_error
from adapters.salesforce.client import COLLECTION_LIMIT, SalesforceClient
from connector.commands import Outcome

#: A row's fate: Salesforce's row result (``{"id", "success": True}``) or why it failed.
RowOutcome = CallFailed | dict[str, Any]
Record = Mapping[str, Any]


def classify(exc: CrmCallError) -> ErrorAction:
    """The Salesforce decision table applied to one failed call."""
    return classify_salesforce_error(exc.status, exc.error_code, exc.message, exc.headers)


def classify_create(exc: CrmCallError) -> ErrorAction:
    """Like :func:`classify`, but an ambiguous failure (no answer, 5xx) is not retried in-call:
    Salesforce may have created the records, and only the outbox's later attempt checks."""
    action = classify(exc)
    ambiguous = exc.status is None or exc.status >= 500
    if action.verdict is Verdict.RETRY and ambiguous:
        return replace(action, verdict=Verdict.DEFER)
    return action


def salesforce_call(
    client: SalesforceClient,
    policy: RetryPolicy,
    fn: Any,
    classifier: Any = classify,
    *,
    write: bool = False,
) -> Any:
    """``fn`` under the retry policy; a daily-limit refusal pauses the client's limiter.

    ``write``: an unanswered call is not repeated here (``call_with_retries``)."""
    limiter = client.limiter
    pause = limiter.pause if limiter is not None else None
    return call_with_retries(fn, classifier, policy, on_defer=pause, write=write)


class CollectionSender:
    """Sends records through sObject Collections with the retry policy."""

    def __init__(self, client: SalesforceClient, policy: RetryPolicy) -> None:
        self.client = client
        self.policy = policy

    def call(self, fn: Any) -> Any:
        """One Salesforce call under the retry policy (raises CallFailed)."""
        return salesforce_call(self.client, self.policy, fn)

    def update(
        self, records: Sequence[Mapping[str, Any]], *, auto_assign: bool
    ) -> list[RowOutcome]:
        """PATCH records (each with ``attributes.type`` and ``id``); one outcome per record."""
        return self._send(self.client.collection_update, classify, records, auto_assign)

    def create(
        self, records: Sequence[Mapping[str, Any]], *, auto_assign: bool
    ) -> list[RowOutcome]:
        """POST records (each with ``attributes.type``); one outcome (with ``id``) per record."""
        return self._send(self.client.collection_create, classify_create, records, auto_assign)

    def _send(
        self,
        method: Any,
        classifier: Any,
        records: Sequence[Mapping[str, Any]],
        auto_assign: bool,
    ) -> list[RowOutcome]:
        unsent = CallFailed(Outcome.RETRY, self.policy.min_retry_after_s, "NOT_SENT", "not sent")
        outcomes: list[RowOutcome] = [unsent] * len(records)
        pending = list(range(len(records)))
        attempt, slept = 0, 0.0  # slept: this send's own row retries
        while pending:
            attempt += 1
            transient: list[tuple[int, ErrorAction]] = []
            for chunk in chunked(pending, COLLECTION_LIMIT):
                batch = [records[i] for i in chunk]
                try:
                    rows = salesforce_call(
                        self.client,
                        self.policy,
                        partial(method, batch, auto_assign=auto_assign),
                        classifier,
                        write=True,
                    )
                except CallFailed as exc:
                    for index in chunk:
                        outcomes[index] = exc
                    continue
                for index, row in zip(chunk, rows, strict=True):
                    outcome, action = self._row_outcome(row)
                    outcomes[index] = outcome
                    if action is not None and action.verdict is Verdict.RETRY:
                        transient.append((index, action))
            if not transient:
                break
            wait = max(self.policy.wait_s(action, attempt) for _, action in transient)
            if attempt >= self.policy.max_attempts or not self.policy.can_sleep(wait, slept):
                break
            self.policy.pause(wait)
            slept += wait
            pending = [index for index, _ in transient]
        return outcomes

    def _row_outcome(self, row: Mapping[str, Any]) -> tuple[RowOutcome, ErrorAction | None]:
        if row.get("success"):
            return dict(row), None
        errors = row.get("errors") or [{}]
        first = errors[0] if isinstance(errors[0], Mapping) else {}
        code = first.get("statusCode") or first.get("errorCode")
        action = classify_salesforce_error(None, code or "UNKNOWN_ERROR", first.get("message"))
        failure = CallFailed.from_action(action, self.policy, self.policy.max_attempts)
        return failure, action
