"""One HTTP exchange at a time: what the Salesforce adapter does with each answer shape.

simple-salesforce uses requests, so ``responses`` serves the scripted answers; the official
client builds the requests and parses the answers itself.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import responses
from responses import matchers

from adapters.ratelimit import salesforce_limiter
from adapters.retrying import RetryPolicy
from adapters.salesforce.client import SalesforceClient
from adapters.salesforce.reader import SalesforceReader
from adapters.salesforce.writer import SalesforceWriter
from connector.commands import AddToList, CreateLead, Outcome, SetStage, System, UpdateFields
from connector.metrics import Metrics

BASE = "https://acme.my.salesforce.com/services/data/v59.0/"
COLLECTIONS = BASE + "composite/sobjects"
QUERY = BASE + "query/"
LEAD_A = "00Q000000000001AAA"
LEAD_B = "00Q000000000002AAA"
LEAD_C = "00Q000000000003AAA"
CONTACT = "003000000000009AAA"
LIMIT_INFO = {"Sforce-Limit-Info": "api-usage=18/100000"}


def ok(record_id: str) -> dict[str, Any]:
    return {"id": record_id, "success": True, "errors": []}


def row_error(code: str, message: str) -> dict[str, Any]:
    return {"success": False, "errors": [{"statusCode": code, "message": message, "fields": []}]}


def update(object_id: str, key: str, sobject: str = "Lead", **fields: Any) -> UpdateFields:
    return UpdateFields(
        System.SALESFORCE, f"salesforce:{sobject}:{object_id}", key,
        object_type=sobject, object_id=object_id, fields=fields,
    )  # fmt: skip


def create(key: str, hubspot_id: str = "101", **kwargs: Any) -> CreateLead:
    fields = {"LastName": "Lovelace", "Company": "Acme"}
    return CreateLead(
        System.SALESFORCE, f"hubspot:contact:{hubspot_id}", key,
        hubspot_contact_id=hubspot_id, fields=fields, **kwargs,
    )  # fmt: skip


class Harness:
    """A writer and reader with recorded sleeps and a fake clock for the limiter."""

    def __init__(self, rsps: responses.RequestsMock, **writer_kwargs: Any) -> None:
        self.rsps = rsps
        self.slept: list[float] = []
        self.now = 0.0
        self.metrics = Metrics()
        self.limiter = salesforce_limiter(clock=lambda: self.now, sleep=self.sleep)
        self.client = SalesforceClient(
            "https://acme.my.salesforce.com",
            session_id="SESSION",
            limiter=self.limiter,
            metrics=self.metrics,
        )
        policy = RetryPolicy(sleep=self.sleep, random=lambda: 0.5)
        self.writer = SalesforceWriter(self.client, policy=policy, **writer_kwargs)
        self.reader = SalesforceReader(self.client, policy=policy)

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds

    def bodies(self) -> list[Any]:
        return [
            json.loads(call.request.body) if call.request.body else None for call in self.rsps.calls
        ]

    def calls(self, status: str) -> float:
        value = self.metrics.registry.get_sample_value(
            "baton_crm_calls_total", {"system": "salesforce", "status": status}
        )
        return value or 0.0


@pytest.fixture
def rsps() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


@pytest.fixture
def sf(rsps: responses.RequestsMock) -> Harness:
    return Harness(rsps)


def test_updates_merge_per_record_into_one_collection_call(sf: Harness) -> None:
    sf.rsps.patch(
        COLLECTIONS,
        json=[ok(LEAD_A), ok(LEAD_B)],
        headers=LIMIT_INFO,
        match=[
            matchers.header_matcher(
                {
                    "Sforce-Auto-Assign": "FALSE",
                    "Sforce-Call-Options": "client=baton",
                    "Authorization": "Bearer SESSION",
                }
            )
        ],
    )
    stage = SetStage(
        System.SALESFORCE, "salesforce:Lead:a", "s", object_type="Lead", object_id=LEAD_A,
        field_name="Status", value="Working - Contacted", backwards=True,
    )  # fmt: skip
    results = sf.writer.execute(
        [update(LEAD_A, "u1", Rating="Hot"), update(LEAD_B, "u2", Rating="Cold"), stage]
    )
    assert [r.outcome for r in results] == [Outcome.DONE] * 3
    (body,) = sf.bodies()
    assert body["allOrNone"] is False
    assert body["records"] == [
        {"Rating": "Hot", "Status": "Working - Contacted", "attributes": {"type": "Lead"},
         "id": LEAD_A},
        {"Rating": "Cold", "attributes": {"type": "Lead"}, "id": LEAD_B},
    ]  # fmt: skip
    assert sf.calls("2xx") == 1


def test_250_updates_take_two_collection_calls(sf: Harness) -> None:
    ids = [f"00Q{i:012d}AAA" for i in range(250)]

    def answer(request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        records = json.loads(request.body or "{}")["records"]
        return 200, LIMIT_INFO, json.dumps([ok(r["id"]) for r in records])

    sf.rsps.add_callback(responses.PATCH, COLLECTIONS, callback=answer)
    results = sf.writer.execute([update(i, f"k{i}", Rating="Warm") for i in ids])
    assert {r.outcome for r in results} == {Outcome.DONE}
    assert [len(b["records"]) for b in sf.bodies()] == [200, 50]


def test_row_errors_reach_only_their_commands_with_salesforces_words(sf: Harness) -> None:
    sf.rsps.patch(
        COLLECTIONS,
        json=[ok(LEAD_A), row_error("FIELD_CUSTOM_VALIDATION_EXCEPTION", "Phone is required")],
    )
    results = sf.writer.execute(
        [update(LEAD_A, "a", Rating="Hot"), update(LEAD_B, "b", Rating="x")]
    )
    assert results[0].outcome is Outcome.DONE
    assert (results[1].outcome, results[1].error_code, results[1].message) == (
        Outcome.DEAD,
        "FIELD_CUSTOM_VALIDATION_EXCEPTION",
        "Phone is required",
    )


def test_locked_rows_are_sent_again_alone(sf: Harness) -> None:
    lock = row_error("UNABLE_TO_LOCK_ROW", "unable to obtain exclusive access to this record")
    sf.rsps.patch(COLLECTIONS, json=[ok(LEAD_A), lock, ok(LEAD_C)])
    sf.rsps.patch(COLLECTIONS, json=[ok(LEAD_B)])
    results = sf.writer.execute(
        [update(LEAD_A, "a", Rating="Hot"), update(LEAD_B, "b", Rating="Hot"),
         update(LEAD_C, "c", Rating="Hot")]
    )  # fmt: skip
    assert [r.outcome for r in results] == [Outcome.DONE] * 3
    assert [[r["id"] for r in b["records"]] for b in sf.bodies()] == [
        [LEAD_A, LEAD_B, LEAD_C],
        [LEAD_B],
    ]
    assert len(sf.slept) == 1


def test_a_row_that_stays_locked_goes_back_to_the_outbox(sf: Harness) -> None:
    lock = row_error("UNABLE_TO_LOCK_ROW", "unable to obtain exclusive access")
    for _ in range(4):
        sf.rsps.patch(COLLECTIONS, json=[lock])
    (result,) = sf.writer.execute([update(LEAD_A, "a", Rating="Hot")])
    assert (result.outcome, result.error_code) == (Outcome.RETRY, "UNABLE_TO_LOCK_ROW")
    assert result.retry_after_s and result.retry_after_s > 0
    assert len(sf.rsps.calls) == 4


def test_whole_request_lock_is_retried(sf: Harness) -> None:
    sf.rsps.patch(
        COLLECTIONS,
        status=400,
        json=[{"errorCode": "UNABLE_TO_LOCK_ROW", "message": "unable to obtain exclusive access"}],
    )
    sf.rsps.patch(COLLECTIONS, json=[ok(LEAD_A)])
    (result,) = sf.writer.execute([update(LEAD_A, "a", Rating="Hot")])
    assert result.outcome is Outcome.DONE
    assert len(sf.slept) == 1


def test_request_limit_exceeded_stops_with_a_long_retry(sf: Harness) -> None:
    sf.rsps.patch(
        COLLECTIONS,
        status=403,
        json=[{"errorCode": "REQUEST_LIMIT_EXCEEDED", "message": "TotalRequests Limit exceeded."}],
    )
    (result,) = sf.writer.execute([update(LEAD_A, "a", Rating="Hot")])
    assert (result.outcome, result.error_code) == (Outcome.RETRY, "REQUEST_LIMIT_EXCEEDED")
    assert result.retry_after_s >= 3600
    assert len(sf.rsps.calls) == 1
    assert sf.slept == []
    (later,) = sf.writer.execute([update(LEAD_B, "b", Rating="Hot")])
    assert (later.outcome, later.error_code) == (Outcome.RETRY, "BUDGET_EXHAUSTED")
    assert len(sf.rsps.calls) == 1


def test_server_unavailable_is_retried(sf: Harness) -> None:
    sf.rsps.patch(
        COLLECTIONS, status=503, json=[{"errorCode": "SERVER_UNAVAILABLE", "message": "x"}]
    )
    sf.rsps.patch(COLLECTIONS, json=[ok(LEAD_A)])
    (result,) = sf.writer.execute([update(LEAD_A, "a", Rating="Hot")])
    assert result.outcome is Outcome.DONE
    assert sf.calls("5xx") == 1 and sf.calls("2xx") == 1


def test_expired_session_is_dead_with_salesforces_code(sf: Harness) -> None:
    sf.rsps.patch(
        COLLECTIONS,
        status=401,
        json=[{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}],
    )
    (result,) = sf.writer.execute([update(LEAD_A, "a", Rating="Hot")])
    assert (result.outcome, result.error_code, result.message) == (
        Outcome.DEAD,
        "INVALID_SESSION_ID",
        "Session expired or invalid",
    )


def test_converted_lead_write_goes_to_its_contact(sf: Harness) -> None:
    sf.rsps.patch(
        COLLECTIONS,
        json=[
            ok(LEAD_B),
            row_error("CANNOT_UPDATE_CONVERTED_LEAD", "cannot reference converted lead"),
        ],
    )
    sf.rsps.get(
        QUERY,
        json={
            "totalSize": 1,
            "done": True,
            "records": [
                {"attributes": {"type": "Lead"}, "Id": LEAD_A, "ConvertedContactId": CONTACT}
            ],
        },
    )
    results = sf.writer.execute(
        [update(LEAD_B, "b", Rating="Hot"), update(LEAD_A, "a", Title="CTO")]
    )
    by_key = {r.idempotency_key: r for r in results}
    assert (by_key["a"].outcome, by_key["a"].error_code) == (
        Outcome.DEAD,
        "CANNOT_UPDATE_CONVERTED_LEAD",
    )
    assert by_key["a"].data == {"converted_contact_id": CONTACT}
    assert by_key["b"].data == {}
    query = sf.rsps.calls[1].request.url or ""
    assert "ConvertedContactId" in requests.utils.unquote(query)
    assert len(sf.rsps.calls) == 2  # nothing is written to the Contact


def test_create_lead_returns_the_new_id_without_assignment_rules(sf: Harness) -> None:
    sf.rsps.post(
        COLLECTIONS,
        json=[ok(LEAD_A)],
        match=[matchers.header_matcher({"Sforce-Auto-Assign": "FALSE"})],
    )
    (result,) = sf.writer.execute([create("c", owner_id="005000000000001AAA")])
    assert (result.outcome, result.data) == (Outcome.DONE, {"id": LEAD_A})
    (body,) = sf.bodies()
    assert body["records"] == [
        {"LastName": "Lovelace", "Company": "Acme", "OwnerId": "005000000000001AAA",
         "attributes": {"type": "Lead"}}
    ]  # fmt: skip


def test_create_lead_can_ask_for_the_assignment_rules(sf: Harness) -> None:
    sf.rsps.post(
        COLLECTIONS,
        json=[ok(LEAD_A)],
        match=[matchers.header_matcher({"Sforce-Auto-Assign": "TRUE"})],
    )
    (result,) = sf.writer.execute([create("c", use_assignment_rules=True)])
    assert result.outcome is Outcome.DONE


def test_create_after_an_earlier_attempt_updates_that_lead(rsps: responses.RequestsMock) -> None:
    sf = Harness(rsps, hubspot_id_field="HubSpot_Contact_Id__c")
    rsps.get(
        QUERY,
        json={
            "totalSize": 1,
            "done": True,
            "records": [
                {"Id": LEAD_A, "IsConverted": False, "ConvertedContactId": None,
                 "HubSpot_Contact_Id__c": "101"}
            ],
        },
    )  # fmt: skip
    rsps.patch(COLLECTIONS, json=[ok(LEAD_A)])
    rsps.post(COLLECTIONS, json=[ok(LEAD_B)])
    first, second = sf.writer.execute([create("c1", "101"), create("c2", "202")])
    assert first.data == {"id": LEAD_A, "existing": True}
    assert second.data == {"id": LEAD_B}
    bodies = sf.bodies()
    assert bodies[1]["records"][0]["id"] == LEAD_A
    assert bodies[2]["records"][0]["HubSpot_Contact_Id__c"] == "202"


def test_create_timeout_is_not_retried_in_call(sf: Harness) -> None:
    sf.rsps.post(COLLECTIONS, body=requests.ConnectionError("reset by peer"))
    (result,) = sf.writer.execute([create("c")])
    assert (result.outcome, result.error_code) == (Outcome.RETRY, "NETWORK_ERROR")
    assert len(sf.rsps.calls) == 1
    assert sf.calls("network") == 1


def test_org_nearly_out_of_api_calls_pauses_before_calling(sf: Harness) -> None:
    sf.rsps.patch(
        COLLECTIONS, json=[ok(LEAD_A)], headers={"Sforce-Limit-Info": "api-usage=99990/100000"}
    )
    sf.writer.execute([update(LEAD_A, "a", Rating="Hot")])
    (result,) = sf.writer.execute([update(LEAD_A, "b", Rating="Cold")])
    assert (result.outcome, result.error_code) == (Outcome.RETRY, "BUDGET_EXHAUSTED")
    assert len(sf.rsps.calls) == 1


def test_commands_the_writer_cannot_run(sf: Harness) -> None:
    results = sf.writer.execute(
        [
            AddToList(System.SALESFORCE, "x", "l", list_id="1", object_ids=("1",)),
            update("not-an-id", "bad", Rating="Hot"),
            CreateLead(System.SALESFORCE, "x", "empty", hubspot_contact_id="1"),
        ]
    )
    assert [(r.outcome, r.error_code) for r in results] == [
        (Outcome.DEAD, "UNSUPPORTED_COMMAND"),
        (Outcome.DEAD, "INVALID_COMMAND"),
        (Outcome.DEAD, "INVALID_COMMAND"),
    ]
    with pytest.raises(ValueError, match="hubspot"):
        sf.writer.execute([UpdateFields(System.HUBSPOT, "x", "k", object_type="contacts",
                                        object_id="1", fields={"a": "b"})])  # fmt: skip


def test_reader_reads_in_chunks_and_keys_by_the_id_asked(sf: Harness) -> None:
    short = LEAD_A[:15]
    sf.rsps.get(
        QUERY,
        json={"totalSize": 1, "done": True,
              "records": [{"attributes": {}, "Id": LEAD_A, "Status": "Open - Not Contacted"}]},
    )  # fmt: skip
    found = sf.reader.read("Lead", [short, LEAD_B], ["Status"])
    assert list(found) == [short]
    assert found[short].fields["Status"] == "Open - Not Contacted"
    soql = requests.utils.unquote(sf.rsps.calls[0].request.url or "").replace("+", " ")
    assert f"SELECT Id, Status FROM Lead WHERE Id IN ('{short}', '{LEAD_B}')" in soql


def test_reader_quotes_emails_and_refuses_bad_names(sf: Harness) -> None:
    sf.rsps.get(QUERY, json={"totalSize": 0, "done": True, "records": []})
    assert sf.reader.find_by_email("Lead", "o'brien@example.com", ["Status"]) == []
    soql = requests.utils.unquote(sf.rsps.calls[0].request.url or "").replace("+", " ")
    assert "WHERE Email = 'o\\'brien@example.com'" in soql
    with pytest.raises(ValueError):
        sf.reader.read("Lead; DELETE", [LEAD_A], ["Status"])
    with pytest.raises(ValueError):
        sf.reader.read("Lead", ["00Q' OR Id != '"], ["Status"])
    with pytest.raises(ValueError):
        sf.reader.find_by_email("Lead", "not-an-email", [])


def test_reader_lists_lead_statuses_in_order(sf: Harness) -> None:
    sf.rsps.get(
        QUERY,
        json={
            "totalSize": 2,
            "done": True,
            "records": [
                {"ApiName": "Abierto", "MasterLabel": "Abierto", "IsConverted": False,
                 "IsDefault": True, "SortOrder": 1},
                {"ApiName": "Convertido", "MasterLabel": "Convertido", "IsConverted": True,
                 "IsDefault": False, "SortOrder": 2},
            ],
        },
    )  # fmt: skip
    statuses = sf.reader.lead_statuses()
    assert [(s.api_name, s.is_default, s.is_converted) for s in statuses] == [
        ("Abierto", True, False),
        ("Convertido", False, True),
    ]


def test_an_answer_without_row_results_goes_back_in_doubt(sf: Harness) -> None:
    sf.rsps.patch(COLLECTIONS, status=204)  # Salesforce answered: the write may have landed
    (result,) = sf.writer.execute([update(LEAD_A, "a", Rating="Hot")])
    assert (result.outcome, result.error_code) == (Outcome.RETRY, "UNEXPECTED_RESPONSE")
    assert result.in_doubt and len(sf.rsps.calls) == 1
