"""The in-call retry policy: a few bounded retries, then RETRY for the outbox, never a hot loop."""

from __future__ import annotations

import pytest

from adapters.errors import BudgetExhausted, CrmCallError
from adapters.hubspot.classify import classify_hubspot_error
from adapters.retrying import CallFailed, RetryPolicy, call_with_retries
from connector.commands import Outcome


def hubspot_classify(exc: CrmCallError):
    return classify_hubspot_error(exc.status, exc.body, exc.headers)


class Script:
    """A fake CRM call that fails with the given errors, then returns 'ok'."""

    def __init__(self, *failures: CrmCallError | BudgetExhausted) -> None:
        self.failures = list(failures)
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        if self.failures:
            raise self.failures.pop(0)
        return "ok"


def error(
    status: int | None, body: object = None, message: str = "", **headers: str
) -> CrmCallError:
    return CrmCallError("hubspot", status, body=body, headers=headers, message=message)


def policy(slept: list[float], **kwargs: float) -> RetryPolicy:
    return RetryPolicy(sleep=slept.append, random=lambda: 0.5, **kwargs)


def test_transient_failures_are_retried_until_success() -> None:
    slept: list[float] = []
    script = Script(error(502), error(None))
    assert call_with_retries(script, hubspot_classify, policy(slept)) == "ok"
    assert script.calls == 3
    assert len(slept) == 2
    assert slept[1] > slept[0]  # exponential


def test_retry_after_is_honoured_as_the_minimum_sleep() -> None:
    slept: list[float] = []
    script = Script(error(429, {"policyName": "TEN_SECONDLY_ROLLING"}, **{"Retry-After": "3"}))
    call_with_retries(script, hubspot_classify, policy(slept))
    assert slept == [3.0]


def test_locked_waits_at_least_two_seconds() -> None:
    slept: list[float] = []
    call_with_retries(Script(error(423, {"category": "LOCKED"})), hubspot_classify, policy(slept))
    assert slept == [2.0]


def test_permanent_error_is_not_retried_and_keeps_the_crm_message() -> None:
    slept: list[float] = []
    script = Script(error(400, {"category": "VALIDATION_ERROR", "message": "bad property"}))
    with pytest.raises(CallFailed) as info:
        call_with_retries(script, hubspot_classify, policy(slept))
    assert script.calls == 1
    assert slept == []
    assert info.value.outcome is Outcome.DEAD
    assert (info.value.error_code, info.value.message) == ("VALIDATION_ERROR", "bad property")


def test_daily_limit_stops_at_once_with_a_long_retry_after() -> None:
    slept: list[float] = []
    script = Script(error(429, {"policyName": "DAILY", "message": "daily"}))
    with pytest.raises(CallFailed) as info:
        call_with_retries(script, hubspot_classify, policy(slept))
    assert script.calls == 1
    assert slept == []
    assert info.value.outcome is Outcome.RETRY
    assert info.value.retry_after_s >= 3600
    assert info.value.error_code == "DAILY"


def test_attempts_are_capped_then_the_outbox_gets_a_retry() -> None:
    slept: list[float] = []
    script = Script(*[error(503) for _ in range(10)])
    with pytest.raises(CallFailed) as info:
        call_with_retries(script, hubspot_classify, policy(slept, max_attempts=3))
    assert script.calls == 3
    assert len(slept) == 2
    assert info.value.outcome is Outcome.RETRY
    assert info.value.retry_after_s >= 5.0


def test_a_wait_beyond_the_sleep_budget_is_handed_to_the_outbox() -> None:
    slept: list[float] = []
    script = Script(error(477, {"category": "MIGRATION_IN_PROGRESS"}, **{"Retry-After": "600"}))
    with pytest.raises(CallFailed) as info:
        call_with_retries(script, hubspot_classify, policy(slept, max_total_sleep_s=20))
    assert script.calls == 1
    assert slept == []
    assert info.value.outcome is Outcome.RETRY
    assert info.value.retry_after_s == 600.0


def test_total_sleep_stays_within_budget() -> None:
    slept: list[float] = []
    script = Script(*[error(500) for _ in range(50)])
    with pytest.raises(CallFailed):
        call_with_retries(
            script,
            hubspot_classify,
            policy(slept, max_attempts=50, max_total_sleep_s=10, max_backoff_s=4),
        )
    assert sum(slept) <= 10


def test_budget_exhausted_becomes_a_retry_without_calling() -> None:
    slept: list[float] = []
    script = Script(BudgetExhausted("salesforce", "daily share spent", 1234.0))
    with pytest.raises(CallFailed) as info:
        call_with_retries(script, hubspot_classify, policy(slept))
    assert info.value.outcome is Outcome.RETRY
    assert info.value.retry_after_s == 1234.0
    assert info.value.error_code == "BUDGET_EXHAUSTED"


def test_backoff_is_jittered_and_capped() -> None:
    low = RetryPolicy(random=lambda: 0.0, initial_backoff_s=1, max_backoff_s=8)
    high = RetryPolicy(random=lambda: 1.0, initial_backoff_s=1, max_backoff_s=8)
    assert [low.backoff_s(n) for n in (1, 2, 3, 4, 5)] == [0.5, 1.0, 2.0, 4.0, 4.0]
    assert [high.backoff_s(n) for n in (1, 2, 3, 4, 5)] == [1.0, 2.0, 4.0, 8.0, 8.0]


def test_calls_of_one_batch_share_one_sleep_budget() -> None:
    slept: list[float] = []
    single = policy(slept, max_attempts=10, max_total_sleep_s=6, max_backoff_s=2)
    batch_policy = single.for_one_batch()
    outcomes = []
    for _ in range(5):  # five chunks of one batch, each failing for good
        with pytest.raises(CallFailed) as info:
            failing = Script(*[error(503) for _ in range(10)])
            call_with_retries(failing, hubspot_classify, batch_policy)
        outcomes.append(info.value.outcome)
    assert outcomes == [Outcome.RETRY] * 5
    assert sum(slept) <= 6
    # Without the shared budget, each call would have had 6 s of its own.
    assert batch_policy.budget is not None and batch_policy.budget.spent == sum(slept)


@pytest.mark.parametrize("status", [None, 500, 502, 504])
def test_an_unanswered_write_is_not_sent_again_in_call_but_handed_back_in_doubt(status) -> None:
    slept: list[float] = []
    script = Script(error(status))
    with pytest.raises(CallFailed) as info:
        call_with_retries(script, hubspot_classify, policy(slept), write=True)
    assert script.calls == 1, "it may have landed: the outbox reads back before re-sending"
    assert info.value.outcome is Outcome.RETRY
    assert info.value.in_doubt
    assert info.value.result_for("k").in_doubt


@pytest.mark.parametrize("refusal", [error(503), error(None, message="Connection refused")])
def test_a_write_that_never_got_in_is_retried_in_call(refusal: CrmCallError) -> None:
    assert call_with_retries(Script(refusal), hubspot_classify, policy([]), write=True) == "ok"


def test_a_refused_write_is_retried_in_call_and_is_not_in_doubt() -> None:
    slept: list[float] = []
    limited = error(429, {"policyName": "TEN_SECONDLY_ROLLING"})
    assert call_with_retries(Script(limited), hubspot_classify, policy(slept), write=True) == "ok"
    script = Script(*[limited for _ in range(10)])
    with pytest.raises(CallFailed) as info:
        call_with_retries(script, hubspot_classify, policy(slept, max_attempts=2), write=True)
    assert script.calls == 2
    assert not info.value.in_doubt, "a 429 was refused: nothing landed"


def test_the_dispatchers_writes_never_sleep_in_call_they_are_rescheduled() -> None:
    """30 % CRM failures stalled the dispatcher while it slept between retries (issue 14)."""
    from dataclasses import replace

    from adapters.registry import build_writers
    from connector.commands import System
    from connector.config import default_config

    slept: list[float] = []
    rescheduling = replace(RetryPolicy.rescheduling(), sleep=slept.append)
    script = Script(error(429, {"policyName": "TEN_SECONDLY_ROLLING"}, **{"Retry-After": "3"}))
    with pytest.raises(CallFailed) as failed:
        call_with_retries(script, hubspot_classify, rescheduling, write=True)
    assert (script.calls, slept) == (1, [])
    assert failed.value.outcome is Outcome.RETRY and failed.value.retry_after_s == 3.0
    script = Script(error(502))
    with pytest.raises(CallFailed) as failed:
        call_with_retries(script, hubspot_classify, rescheduling)
    assert (script.calls, slept) == (1, []) and failed.value.retry_after_s >= 1.0
    writers = build_writers(default_config())
    for system in (System.HUBSPOT, System.SALESFORCE):
        assert writers[system].policy.max_attempts == 1  # type: ignore[attr-defined]
