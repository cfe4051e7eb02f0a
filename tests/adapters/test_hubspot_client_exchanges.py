"""One HTTP exchange at a time: what the HubSpot adapter does with each answer shape.

The official client runs against a scripted loopback server (hubspot-api-client uses urllib3,
which ``responses`` cannot intercept), so real bytes go through the SDK's own parsing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from crm_http_script import Reply, ScriptedServer

from adapters.hubspot.client import HubSpotClient
from adapters.hubspot.reader import HubSpotReader
from adapters.hubspot.writer import HubSpotWriter
from adapters.ratelimit import hubspot_limiter
from adapters.retrying import RetryPolicy
from connector.commands import AddToList, Outcome, SetStage, System, UpdateFields
from connector.metrics import Metrics

NOW = "2026-01-01T00:00:00.000Z"


def record(object_id: str, **properties: str) -> dict[str, Any]:
    return {
        "id": object_id,
        "properties": properties,
        "createdAt": NOW,
        "updatedAt": NOW,
        "archived": False,
    }


def batch(*records: dict[str, Any], errors: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "status": "COMPLETE",
        "results": list(records),
        "startedAt": NOW,
        "completedAt": NOW,
    }
    if errors:
        body["errors"] = errors
        body["numErrors"] = len(errors)
    return body


def std_error(category: str, message: str, **context: list[str]) -> dict[str, Any]:
    return {
        "status": "error",
        "category": category,
        "message": message,
        "context": context,
        "errors": [],
        "links": {},
    }


def update(key: str, object_id: str, **fields: str) -> UpdateFields:
    return UpdateFields(
        System.HUBSPOT, f"hubspot:contact:{object_id}", key,
        object_type="contacts", object_id=object_id, fields=fields,
    )  # fmt: skip


class Harness:
    """A writer and reader wired to the scripted server; sleeps are recorded, not slept."""

    def __init__(self, server: ScriptedServer) -> None:
        self.server = server
        self.slept: list[float] = []
        self.now = 0.0
        self.metrics = Metrics()
        self.limiter = hubspot_limiter(clock=lambda: self.now, sleep=self.sleep)
        self.client = HubSpotClient(
            "pat-test", server.url, limiter=self.limiter, metrics=self.metrics, timeout_s=(2, 5)
        )
        policy = RetryPolicy(sleep=self.sleep, random=lambda: 0.5)
        self.writer = HubSpotWriter(self.client, policy=policy)
        self.reader = HubSpotReader(self.client, policy=policy)

    def sleep(self, seconds: float) -> None:
        """Record the sleep and move the limiter's clock instead of waiting."""
        self.slept.append(seconds)
        self.now += seconds

    def calls(self, status: str) -> float:
        value = self.metrics.registry.get_sample_value(
            "baton_crm_calls_total", {"system": "hubspot", "status": status}
        )
        return value or 0.0


@pytest.fixture
def hs() -> Iterator[Harness]:
    with ScriptedServer() as server:
        yield Harness(server)


def test_batch_update_sends_one_input_per_record_with_the_token(hs: Harness) -> None:
    hs.server.script(Reply(200, batch(record("1", firstname="Ann"), record("2", city="Oslo"))))
    results = hs.writer.execute(
        [update("a", "1", firstname="Ann"), update("b", "2", city="Oslo"),
         update("c", "1", lastname="Lee")]
    )  # fmt: skip
    assert [r.outcome for r in results] == [Outcome.DONE] * 3
    (seen,) = hs.server.seen
    assert seen.path == "/crm/v3/objects/contacts/batch/update"
    assert seen.headers["authorization"] == "Bearer pat-test"
    inputs = {i["id"]: i["properties"] for i in seen.body["inputs"]}
    assert inputs == {"1": {"firstname": "Ann", "lastname": "Lee"}, "2": {"city": "Oslo"}}
    assert hs.calls("2xx") == 1


def test_daily_429_stops_at_once_with_a_long_retry(hs: Harness) -> None:
    daily = {
        "status": "error",
        "message": "You have reached your daily limit.",
        "errorType": "RATE_LIMIT",
        "correlationId": "x",
        "policyName": "DAILY",
    }
    hs.server.script(Reply(429, daily))
    (result,) = hs.writer.execute([update("a", "1", firstname="Ann")])
    assert result.outcome is Outcome.RETRY
    assert result.retry_after_s >= 3600
    assert result.error_code == "DAILY"
    assert len(hs.server.seen) == 1
    assert hs.slept == []
    assert hs.calls("429") == 1
    # Every later batch stays away too, instead of spending one more refusal each.
    (later,) = hs.writer.execute([update("b", "2", firstname="Bo")])
    assert (later.outcome, later.error_code) == (Outcome.RETRY, "BUDGET_EXHAUSTED")
    assert len(hs.server.seen) == 1


def test_burst_429_honours_retry_after_then_succeeds(hs: Harness) -> None:
    burst = {"status": "error", "message": "ten secondly", "policyName": "TEN_SECONDLY_ROLLING"}
    hs.server.script(Reply(429, burst, {"Retry-After": "3"}), Reply(200, batch(record("1"))))
    (result,) = hs.writer.execute([update("a", "1", firstname="Ann")])
    assert result.outcome is Outcome.DONE
    assert hs.slept == [3.0]
    assert len(hs.server.seen) == 2


def test_locked_423_waits_at_least_two_seconds(hs: Harness) -> None:
    locked = {"status": "error", "message": "locked", "category": "LOCKED"}
    hs.server.script(Reply(423, locked), Reply(200, batch(record("1"))))
    (result,) = hs.writer.execute([update("a", "1", firstname="Ann")])
    assert result.outcome is Outcome.DONE
    assert hs.slept == [2.0]


def test_migration_477_honours_retry_after_seconds(hs: Harness) -> None:
    body = {"status": "error", "message": "Migration in progress", "category": "MIGRATION"}
    hs.server.script(Reply(477, body, {"Retry-After": "4"}), Reply(200, batch(record("1"))))
    (result,) = hs.writer.execute([update("a", "1", firstname="Ann")])
    assert result.outcome is Outcome.DONE
    assert hs.slept == [4.0]


def test_long_477_goes_back_to_the_outbox_instead_of_sleeping(hs: Harness) -> None:
    body = {"status": "error", "message": "Migration in progress"}
    hs.server.script(Reply(477, body, {"Retry-After": "7200"}))
    (result,) = hs.writer.execute([update("a", "1", firstname="Ann")])
    assert (result.outcome, result.retry_after_s) == (Outcome.RETRY, 7200.0)
    assert hs.slept == []


def test_gateway_errors_on_reads_are_retried_with_growing_backoff(hs: Harness) -> None:
    hs.server.script(
        Reply(502, "<html>bad gateway</html>"),
        Reply(504, None),
        Reply(200, batch(record("9", email="ann@example.com"))),
    )
    (found,) = hs.reader.find_by_email("contacts", "ann@example.com", ["email"])
    assert found.object_id == "9"
    assert len(hs.slept) == 2 and hs.slept[1] > hs.slept[0]
    assert hs.calls("5xx") == 2


def test_a_gateway_error_on_a_write_goes_back_in_doubt_after_one_call(hs: Harness) -> None:
    hs.server.script(Reply(504, None))
    (result,) = hs.writer.execute([update("a", "1", firstname="Ann")])
    assert (result.outcome, result.in_doubt) == (Outcome.RETRY, True)
    assert result.retry_after_s and result.retry_after_s > 0
    assert len(hs.server.seen) == 1, "it may have landed: not sent again blindly"
    assert hs.slept == []


def test_validation_400_is_dead_with_hubspots_category_and_message(hs: Harness) -> None:
    body = std_error("VALIDATION_ERROR", 'Property values were not valid: [{"name":"nope"}]')
    hs.server.script(Reply(400, body))
    (result,) = hs.writer.execute([update("a", "1", nope="x")])
    assert result.outcome is Outcome.DEAD
    assert result.error_code == "VALIDATION_ERROR"
    assert result.message == body["message"]
    assert len(hs.server.seen) == 1


def test_whole_batch_400_is_split_until_the_bad_input_stands_alone(hs: Harness) -> None:
    bad = std_error("VALIDATION_ERROR", "Property nope does not exist")
    hs.server.script(
        Reply(400, bad),  # [1, 2, 3]
        Reply(200, batch(record("1"))),  # [1]
        Reply(400, bad),  # [2, 3]
        Reply(400, bad),  # [2]
        Reply(200, batch(record("3"))),  # [3]
    )
    results = hs.writer.execute(
        [update("a", "1", city="A"), update("b", "2", nope="x"), update("c", "3", city="C")]
    )
    assert [r.outcome for r in results] == [Outcome.DONE, Outcome.DEAD, Outcome.DONE]
    assert [len(s.body["inputs"]) for s in hs.server.seen] == [3, 1, 2, 1, 1]


def test_207_errors_reach_only_the_named_records(hs: Harness) -> None:
    missing = std_error("OBJECT_NOT_FOUND", "Could not find some CONTACT objects", ids=["2"])
    hs.server.script(Reply(207, batch(record("1"), errors=[missing])))
    results = hs.writer.execute([update("a", "1", city="A"), update("b", "2", city="B")])
    assert results[0].outcome is Outcome.DONE
    assert (results[1].outcome, results[1].error_code) == (Outcome.DEAD, "OBJECT_NOT_FOUND")
    assert results[1].message == "Could not find some CONTACT objects"


def test_ignored_forward_stage_write_is_repaired_by_clear_then_set(hs: Harness) -> None:
    hs.server.script(
        Reply(200, batch(record("1", lifecyclestage="customer"))),  # write ignored
        Reply(200, batch(record("1", lifecyclestage="customer"))),  # read before the clear
        Reply(200, batch(record("1", lifecyclestage=""))),  # clear
        Reply(200, batch(record("1", lifecyclestage="lead"))),  # set
        Reply(200, batch(record("1", lifecyclestage="lead"))),  # verify
    )
    command = SetStage(
        System.HUBSPOT, "hubspot:contact:1", "k",
        object_type="contacts", object_id="1", field_name="lifecyclestage", value="lead",
    )  # fmt: skip
    (result,) = hs.writer.execute([command])
    assert result.outcome is Outcome.DONE
    assert result.data["repaired"] is True
    clear, set_ = hs.server.seen[2].body["inputs"], hs.server.seen[3].body["inputs"]
    assert clear[0]["properties"]["lifecyclestage"] == ""
    assert set_[0]["properties"]["lifecyclestage"] == "lead"


def test_dynamic_list_refusal_is_dead_for_that_list(hs: Harness) -> None:
    refusal = std_error("VALIDATION_ERROR", "List 7 is DYNAMIC; memberships cannot be added")
    hs.server.script(Reply(400, refusal))
    command = AddToList(System.HUBSPOT, "hubspot:list:7", "k", list_id="7", object_ids=("1",))
    (result,) = hs.writer.execute([command])
    assert result.outcome is Outcome.DEAD
    assert "DYNAMIC" in (result.message or "")
    assert hs.server.seen[0].method == "PUT"
    assert hs.server.seen[0].path == "/crm/v3/lists/7/memberships/add"
    assert hs.server.seen[0].body == ["1"]


def test_network_failure_is_retried_then_handed_to_the_outbox() -> None:
    slept: list[float] = []
    metrics = Metrics()
    client = HubSpotClient("pat", "http://127.0.0.1:9", metrics=metrics, timeout_s=(1, 1))
    writer = HubSpotWriter(client, policy=RetryPolicy(sleep=slept.append, max_attempts=2))
    (result,) = writer.execute([update("a", "1", city="A")])
    assert (result.outcome, result.error_code) == (Outcome.RETRY, "NETWORK_ERROR")
    assert len(slept) == 1
    assert (
        metrics.registry.get_sample_value(
            "baton_crm_calls_total", {"system": "hubspot", "status": "network"}
        )
        == 2
    )


def test_rate_limit_headers_slow_the_next_call(hs: Harness) -> None:
    low = {
        "X-HubSpot-RateLimit-Max": "190",
        "X-HubSpot-RateLimit-Remaining": "1",
        "X-HubSpot-RateLimit-Interval-Milliseconds": "10000",
    }
    hs.server.script(Reply(200, batch(record("1")), low), Reply(200, batch(record("2"))))
    hs.writer.execute([update("a", "1", city="A")])
    assert hs.slept == []
    hs.writer.execute([update("b", "2", city="B")])
    assert hs.slept == [pytest.approx(5.0)]  # the window's 10 s spread over the 2 slots left


def test_reader_orders_lifecycle_stages_by_display_order(hs: Harness) -> None:
    definition = {
        "name": "lifecyclestage",
        "label": "Lifecycle stage",
        "type": "enumeration",
        "fieldType": "radio",
        "groupName": "contactinformation",
        "description": "",
        "options": [
            {"value": "customer", "label": "Customer", "displayOrder": 5, "hidden": False},
            {"value": "lead", "label": "Lead", "displayOrder": 1, "hidden": False},
            {"value": "153180554", "label": "Nurture", "displayOrder": 2, "hidden": False},
            {"value": "subscriber", "label": "Subscriber", "displayOrder": 0, "hidden": False},
        ],
    }
    hs.server.script(Reply(200, definition))
    order = hs.reader.lifecycle_stage_order()
    assert order == ["subscriber", "lead", "153180554", "customer"]
    assert hs.server.seen[0].path == "/crm/v3/properties/contacts/lifecyclestage"


def test_reader_finds_contacts_by_email_with_a_batch_read(hs: Harness) -> None:
    hs.server.script(Reply(200, batch(record("9", email="ann@example.com", lifecyclestage="lead"))))
    (found,) = hs.reader.find_by_email("contacts", "  Ann@Example.com ", ["lifecyclestage"])
    assert found.object_id == "9" and found.fields["lifecyclestage"] == "lead"
    body = hs.server.seen[0].body
    assert body["idProperty"] == "email"
    assert body["inputs"] == [{"id": "ann@example.com"}]


def test_reader_rejects_a_non_email() -> None:
    reader = HubSpotReader(HubSpotClient("pat", "http://127.0.0.1:9"))
    with pytest.raises(ValueError, match="not an e-mail"):
        reader.find_by_email("contacts", "nobody", [])


def test_an_unreadable_answer_is_retried_not_a_crash(hs: Harness) -> None:
    hs.server.script(Reply(200, "<html>maintenance</html>"))
    (result,) = hs.writer.execute([update("a", "1", city="A")])
    assert result.outcome is Outcome.RETRY
    assert result.error_code == "MISSING_FROM_RESPONSE"


def _property(name: str, label: str) -> dict[str, object]:
    return {"name": name, "label": label, "type": "number", "fieldType": "number",
            "groupName": "contactinformation", "options": []}  # fmt: skip


def test_property_labels_are_read_once_and_cached(hs: Harness) -> None:
    pageviews = _property("hs_analytics_num_page_views", "Number of Pageviews")
    hs.server.script(Reply(200, {"results": [pageviews]}))
    assert hs.reader.property_labels("contacts") == {
        "hs_analytics_num_page_views": "Number of Pageviews"
    }
    assert hs.reader.property_labels("contacts")["hs_analytics_num_page_views"]  # cached
    assert [s.path for s in hs.server.seen] == ["/crm/v3/properties/contacts"]


def test_property_labels_unavailable_answer_empty_and_are_tried_again(hs: Harness) -> None:
    body = std_error("MISSING_SCOPES", "This app hasn't been granted all required scopes")
    hs.server.script(Reply(403, body))
    assert hs.reader.property_labels("contacts") == {}  # the API names stand in
    hs.server.script(Reply(200, {"results": [_property("jobtitle", "Job Title")]}))
    assert hs.reader.property_labels("contacts") == {"jobtitle": "Job Title"}
