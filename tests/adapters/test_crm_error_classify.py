"""The two decision tables: every CRM failure Baton knows → RETRY / DEFER / DEAD."""

from __future__ import annotations

from typing import Any

import pytest

from adapters.errors import Verdict, parse_retry_after
from adapters.hubspot.classify import classify_hubspot_error
from adapters.salesforce.classify import classify_salesforce_error

DAILY_429 = {
    "status": "error",
    "message": "You have reached your daily limit.",
    "errorType": "RATE_LIMIT",
    "correlationId": "c",
    "policyName": "DAILY",
}
BURST_429 = {**DAILY_429, "policyName": "TEN_SECONDLY_ROLLING", "message": "ten secondly"}
VALIDATION = {
    "status": "error",
    "message": 'Property values were not valid: [{"error":"PROPERTY_DOESNT_EXIST"}]',
    "category": "VALIDATION_ERROR",
    "correlationId": "c",
}


@pytest.mark.parametrize(
    ("status", "body", "headers", "verdict", "wait", "code"),
    [
        pytest.param(None, None, {}, Verdict.RETRY, None, "NETWORK_ERROR", id="no-response"),
        pytest.param(429, BURST_429, {}, Verdict.RETRY, None, "TEN_SECONDLY_ROLLING", id="burst"),
        pytest.param(
            429,
            BURST_429,
            {"retry-after": "7"},
            Verdict.RETRY,
            7.0,
            "TEN_SECONDLY_ROLLING",
            id="burst-retry-after",
        ),
        pytest.param(429, DAILY_429, {}, Verdict.DEFER, 3600.0, "DAILY", id="daily"),
        pytest.param(
            429,
            DAILY_429,
            {"retry-after": "7200"},
            Verdict.DEFER,
            7200.0,
            "DAILY",
            id="daily-longer-retry-after",
        ),
        pytest.param(
            429,
            {**BURST_429, "policyName": "SECONDLY"},
            {},
            Verdict.RETRY,
            None,
            "SECONDLY",
            id="search-secondly",
        ),
        pytest.param(423, {"category": "LOCKED"}, {}, Verdict.RETRY, 2.0, "LOCKED", id="423"),
        pytest.param(
            423,
            {"category": "LOCKED"},
            {"retry-after": "5"},
            Verdict.RETRY,
            5.0,
            "LOCKED",
            id="423-longer-retry-after",
        ),
        pytest.param(
            423,
            {"category": "LOCKED"},
            {"retry-after": "1"},
            Verdict.RETRY,
            2.0,
            "LOCKED",
            id="423-never-below-2s",
        ),
        pytest.param(
            477,
            {"category": "MIGRATION_IN_PROGRESS"},
            {"retry-after": "30"},
            Verdict.RETRY,
            30.0,
            "MIGRATION_IN_PROGRESS",
            id="477",
        ),
        pytest.param(
            500, {"category": "INTERNAL_ERROR"}, {}, Verdict.RETRY, None, "INTERNAL_ERROR", id="500"
        ),
        pytest.param(
            502, "<html>Bad gateway</html>", {}, Verdict.RETRY, None, "HTTP_502", id="502-html"
        ),
        pytest.param(504, None, {"retry-after": "3"}, Verdict.RETRY, 3.0, "HTTP_504", id="504"),
        pytest.param(524, None, {}, Verdict.RETRY, None, "HTTP_524", id="cloudflare-524"),
        pytest.param(408, None, {}, Verdict.RETRY, None, "HTTP_408", id="408"),
        pytest.param(400, VALIDATION, {}, Verdict.DEAD, None, "VALIDATION_ERROR", id="400"),
        pytest.param(
            401,
            {"category": "INVALID_AUTHENTICATION", "message": "bad token"},
            {},
            Verdict.DEAD,
            None,
            "INVALID_AUTHENTICATION",
            id="401",
        ),
        pytest.param(
            404,
            {"category": "OBJECT_NOT_FOUND", "message": "gone"},
            {},
            Verdict.DEAD,
            None,
            "OBJECT_NOT_FOUND",
            id="404",
        ),
        pytest.param(409, {"category": "CONFLICT"}, {}, Verdict.DEAD, None, "CONFLICT", id="409"),
        pytest.param(414, "URI too long", {}, Verdict.DEAD, None, "HTTP_414", id="414-text"),
        pytest.param(
            None,
            {"status": "error", "category": "OBJECT_NOT_FOUND", "message": "x"},
            {},
            Verdict.DEAD,
            None,
            "OBJECT_NOT_FOUND",
            id="207-input-not-found",
        ),
        pytest.param(
            None,
            {"status": "error", "category": "LOCKED"},
            {},
            Verdict.RETRY,
            2.0,
            "LOCKED",
            id="207-input-locked",
        ),
        pytest.param(
            None,
            {"status": "error", "category": "SOMETHING_NEW"},
            {},
            Verdict.DEAD,
            None,
            "SOMETHING_NEW",
            id="207-unknown-category",
        ),
    ],
)
def test_hubspot_table(
    status: int | None,
    body: Any,
    headers: dict[str, str],
    verdict: Verdict,
    wait: float | None,
    code: str,
) -> None:
    action = classify_hubspot_error(status, body, headers)
    assert (action.verdict, action.wait_s, action.error_code) == (verdict, wait, code)


def test_hubspot_dead_keeps_the_crm_message() -> None:
    action = classify_hubspot_error(400, VALIDATION, {})
    assert action.message == VALIDATION["message"]
    assert classify_hubspot_error(414, "URI too long", {}).message == "URI too long"


@pytest.mark.parametrize(
    ("status", "code", "message", "headers", "verdict", "wait"),
    [
        pytest.param(None, None, None, {}, Verdict.RETRY, None, id="no-response"),
        pytest.param(
            None,
            "UNABLE_TO_LOCK_ROW",
            "unable to obtain exclusive access",
            {},
            Verdict.RETRY,
            None,
            id="row-lock",
        ),
        pytest.param(400, "UNABLE_TO_LOCK_ROW", "lock", {}, Verdict.RETRY, None, id="request-lock"),
        pytest.param(
            403,
            "REQUEST_LIMIT_EXCEEDED",
            "TotalRequests Limit exceeded.",
            {},
            Verdict.DEFER,
            3600.0,
            id="daily-allocation",
        ),
        pytest.param(
            403,
            "REQUEST_LIMIT_EXCEEDED",
            "ConcurrentPerOrgLongTxn Limit exceeded.",
            {},
            Verdict.RETRY,
            None,
            id="concurrency",
        ),
        pytest.param(
            503, "SERVER_UNAVAILABLE", "down", {"retry-after": "4"}, Verdict.RETRY, 4.0, id="503"
        ),
        pytest.param(500, "UNKNOWN_EXCEPTION", "boom", {}, Verdict.RETRY, None, id="500"),
        pytest.param(
            None,
            "ALL_OR_NONE_OPERATION_ROLLED_BACK",
            "rolled back",
            {},
            Verdict.RETRY,
            None,
            id="rolled-back-row",
        ),
        pytest.param(
            401,
            "INVALID_SESSION_ID",
            "Session expired or invalid",
            {},
            Verdict.DEAD,
            None,
            id="session",
        ),
        pytest.param(
            400,
            "FIELD_CUSTOM_VALIDATION_EXCEPTION",
            "Phone required",
            {},
            Verdict.DEAD,
            None,
            id="validation-rule",
        ),
        pytest.param(
            None,
            "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
            "bad value: Foo",
            {},
            Verdict.DEAD,
            None,
            id="picklist-row",
        ),
        pytest.param(
            None,
            "CANNOT_UPDATE_CONVERTED_LEAD",
            "converted",
            {},
            Verdict.DEAD,
            None,
            id="converted-row",
        ),
        pytest.param(
            404,
            "NOT_FOUND",
            "The requested resource does not exist",
            {},
            Verdict.DEAD,
            None,
            id="404",
        ),
        pytest.param(400, None, "<html>", {}, Verdict.DEAD, None, id="400-no-code"),
    ],
)
def test_salesforce_table(
    status: int | None,
    code: str | None,
    message: str | None,
    headers: dict[str, str],
    verdict: Verdict,
    wait: float | None,
) -> None:
    action = classify_salesforce_error(status, code, message, headers)
    assert (action.verdict, action.wait_s) == (verdict, wait)
    if code is not None:
        assert action.error_code == code
    if verdict is Verdict.DEAD and message:
        assert action.message == message


def test_salesforce_dead_without_code_names_the_status() -> None:
    assert classify_salesforce_error(400, None, "").error_code == "HTTP_400"


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after": "5"}, 5.0),
        ({"retry-after": " 2.5 "}, 2.5),
        ({}, None),
        ({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}, None),
        ({"retry-after": "-3"}, 0.0),
    ],
)
def test_parse_retry_after(headers: dict[str, str], expected: float | None) -> None:
    assert parse_retry_after(headers) == expected
