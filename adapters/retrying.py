"""The in-call retry policy (tenacity): a few quick retries, then hand the rest to the outbox.

A worker thread must never sleep for minutes inside one command batch, and must never hot-loop
against a CRM that said "come back tomorrow". So a call is retried only for transient verdicts
(RETRY), with exponential backoff and jitter, never sooner than the CRM asked (``Retry-After``,
HubSpot's 2 s lock), for at most ``max_attempts`` attempts and ``max_total_sleep_s`` of sleep.
Whatever is still failing after that becomes a :class:`CallFailed` whose outcome is RETRY with
the earliest sensible ``retry_after_s``; the outbox reschedules it. DEFER verdicts (a daily
limit) and the limiter's :class:`BudgetExhausted` stop at once; DEAD verdicts never retry.

One ``execute()`` may make several calls (chunks, a split batch, the steps of a backwards move);
:meth:`RetryPolicy.for_one_batch` gives them one shared sleep budget, so the whole batch — not
each call — stays within ``max_total_sleep_s``.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TypeVar

from tenacity import RetryCallState, Retrying, retry_if_exception

from adapters.errors import BudgetExhausted, CrmCallError, ErrorAction, Verdict
from connector.commands import CommandResult, Outcome

T = TypeVar("T")

Classifier = Callable[[CrmCallError], ErrorAction]


class SleepBudget:
    """Seconds slept so far by the calls of one batch (used by one thread at a time)."""

    def __init__(self) -> None:
        self.spent = 0.0


@dataclass(frozen=True)
class RetryPolicy:
    """How hard one call (or, with a budget, one batch of calls) is retried before the outbox
    takes over."""

    max_attempts: int = 4
    max_total_sleep_s: float = 20.0
    initial_backoff_s: float = 0.5
    max_backoff_s: float = 8.0
    #: retry_after_s reported when giving up without any hint from the CRM
    min_retry_after_s: float = 5.0
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)
    random: Callable[[], float] = field(default=random.random, compare=False)
    #: shared by every call of one batch; None: each call has its own max_total_sleep_s
    budget: SleepBudget | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.max_total_sleep_s < 0 or self.initial_backoff_s < 0 or self.max_backoff_s < 0:
            raise ValueError("sleep and backoff bounds must be >= 0")

    def backoff_s(self, attempt: int) -> float:
        """Exponential backoff with "equal jitter": half fixed, half random, capped."""
        base = min(self.max_backoff_s, self.initial_backoff_s * (2 ** max(0, attempt - 1)))
        return base / 2 + self.random() * base / 2

    def wait_s(self, action: ErrorAction, attempt: int) -> float:
        """Sleep before the next attempt: the backoff, but never less than the CRM asked."""
        return max(action.wait_s or 0.0, self.backoff_s(attempt))

    @classmethod
    def rescheduling(cls) -> RetryPolicy:
        """The dispatcher's writes: one attempt per pass, a transient failure goes back to the
        outbox with its retry time. Sleeping in-call between retries stalled every other
        record's writes behind one failing batch (30 % injected failures: the last fault run).
        """
        return cls(max_attempts=1, max_total_sleep_s=0.0, min_retry_after_s=1.0)

    def for_one_batch(self) -> RetryPolicy:
        """This policy with a fresh sleep budget shared by all calls of one batch."""
        return replace(self, budget=SleepBudget())

    def can_sleep(self, seconds: float, slept_in_call: float) -> bool:
        """Whether ``seconds`` more still fit in the budget (the batch's, else the call's)."""
        spent = self.budget.spent if self.budget is not None else slept_in_call
        return spent + seconds <= self.max_total_sleep_s

    def pause(self, seconds: float) -> None:
        """Sleep, charging the batch's budget."""
        if self.budget is not None:
            self.budget.spent += seconds
        self.sleep(seconds)


class CallFailed(Exception):
    """A call that did not succeed in this attempt: RETRY later or DEAD, with the CRM's words."""

    def __init__(
        self,
        outcome: Outcome,
        retry_after_s: float | None,
        error_code: str | None,
        message: str | None,
        *,
        status: int | None = None,
        in_doubt: bool = False,
    ) -> None:
        self.outcome = outcome
        self.retry_after_s = retry_after_s
        self.error_code = error_code
        self.message = message
        #: HTTP status of the whole request, when the failure came from one
        self.status = status
        #: a write that got no answer (timeout, 5xx): it may have been carried out
        self.in_doubt = in_doubt
        super().__init__(f"{outcome.value}: {error_code}: {message}")

    def result_for(self, idempotency_key: str) -> CommandResult:
        """This failure as the result of one command."""
        return CommandResult(
            idempotency_key,
            self.outcome,
            retry_after_s=self.retry_after_s,
            error_code=self.error_code,
            message=self.message,
            in_doubt=self.in_doubt,
        )

    @classmethod
    def from_action(
        cls,
        action: ErrorAction,
        policy: RetryPolicy,
        attempt: int,
        *,
        status: int | None = None,
    ) -> CallFailed:
        """The failure the outbox sees after the in-call retries stopped on ``action``."""
        if action.verdict is Verdict.DEAD:
            return cls(Outcome.DEAD, None, action.error_code, action.message, status=status)
        hinted = action.wait_s or 0.0
        retry_after = max(hinted, policy.backoff_s(attempt + 1), policy.min_retry_after_s)
        return cls(Outcome.RETRY, retry_after, action.error_code, action.message, status=status)


def call_with_retries(
    fn: Callable[[], T],
    classify: Classifier,
    policy: RetryPolicy,
    *,
    on_defer: Callable[[float], None] | None = None,
    write: bool = False,
) -> T:
    """Run ``fn`` (one CRM call), retrying transient failures within ``policy``'s bounds.

    ``on_defer(seconds)`` is told when the CRM said to stay away (a daily limit), so the rate
    limiter can stop every other call too instead of each batch spending one more refusal.
    A ``write`` that got no answer (a timeout, a 500/502/504) is not sent again here: it may
    have been carried out, so it goes back to the outbox in doubt, and the next attempt reads
    back first (``connector.readback``).

    Raises:
        CallFailed: the call failed for good in this attempt (DEAD) or should be tried again
            later by the outbox (RETRY with ``retry_after_s``).
    """

    def transient(exc: BaseException) -> bool:
        if write and isinstance(exc, CrmCallError) and unanswered(exc):
            return False
        return isinstance(exc, CrmCallError) and classify(exc).verdict is Verdict.RETRY

    def wait(state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        assert isinstance(exc, CrmCallError)
        return policy.wait_s(classify(exc), state.attempt_number)

    def stop(state: RetryCallState) -> bool:
        too_long = not policy.can_sleep(state.upcoming_sleep, state.idle_for)
        return state.attempt_number >= policy.max_attempts or too_long

    retrying = Retrying(
        retry=retry_if_exception(transient),
        wait=wait,
        stop=stop,
        sleep=policy.pause,
        reraise=True,
    )
    try:
        return retrying(fn)
    except CrmCallError as exc:
        attempts = retrying.statistics.get("attempt_number", 1)
        action = classify(exc)
        if action.verdict is Verdict.DEFER and action.wait_s and on_defer is not None:
            on_defer(action.wait_s)
        failed = CallFailed.from_action(action, policy, attempts, status=exc.status)
        failed.in_doubt = write and failed.outcome is Outcome.RETRY and unanswered(exc)
        raise failed from exc
    except BudgetExhausted as exc:
        raise CallFailed(Outcome.RETRY, exc.retry_after_s, "BUDGET_EXHAUSTED", str(exc)) from exc


#: transport failures that happen before the request leaves (nothing can have landed)
_NEVER_SENT = ("NewConnectionError", "ConnectTimeout", "Connection refused", "Name or service")


def unanswered(exc: CrmCallError) -> bool:
    """No answer, or a server error: the CRM may or may not have carried the call out.

    Not in doubt: a connection that was never made (refused, connect timeout, unknown host),
    and 503, the server saying it is unavailable to handle the request at all.
    """
    if exc.status is None:
        return not any(mark in (exc.message or "") for mark in _NEVER_SENT)
    return exc.status >= 500 and exc.status != 503
