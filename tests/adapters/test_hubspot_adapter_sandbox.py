"""The HubSpot adapter against the HubSpot stand-in, through hubspot-api-client over real HTTP.

Calls are counted in the sandbox's own request log, so "3 batch calls for 250 updates" is what
the server saw, not what the adapter believes it sent.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from adapters.hubspot.client import HubSpotClient
from adapters.hubspot.reader import HubSpotReader
from adapters.hubspot.writer import HubSpotWriter
from adapters.ratelimit import hubspot_limiter
from adapters.retrying import RetryPolicy
from connector.commands import AddToList, Command, Outcome, SetStage, System, UpdateFields
from connector.metrics import Metrics
from sandbox.hubspot import HubSpotSandbox, HubSpotSandboxConfig

UPDATE_PATH = "/crm/v3/objects/contacts/batch/update"
READ_PATH = "/crm/v3/objects/contacts/batch/read"


@pytest.fixture(scope="module")
def sandbox() -> Iterator[HubSpotSandbox]:
    with HubSpotSandbox(HubSpotSandboxConfig(burst_limit=100_000)) as hs:
        yield hs


@pytest.fixture
def hs(sandbox: HubSpotSandbox) -> HubSpotSandbox:
    sandbox.faults.clear()
    sandbox.reset_request_log()
    return sandbox


class Adapter:
    """Writer and reader on one metered client; sleeps are recorded, not slept."""

    def __init__(self, hs: HubSpotSandbox, **limits: float) -> None:
        self.slept: list[float] = []
        self.metrics = Metrics()
        limiter = hubspot_limiter(**limits) if limits else None
        self.client = HubSpotClient(
            hs.config.access_token, hs.start(), limiter=limiter, metrics=self.metrics
        )
        policy = RetryPolicy(sleep=self.slept.append, random=lambda: 0.5)
        self.writer = HubSpotWriter(self.client, policy=policy)
        self.reader = HubSpotReader(self.client, policy=policy)

    def run(self, *commands: Command) -> list:
        return self.writer.execute(list(commands))


def contacts(hs: HubSpotSandbox, n: int, stage: str = "lead") -> list[str]:
    stamp = time.monotonic_ns()
    return [
        hs.ui_create("contacts", {"email": f"c{stamp}-{i}@example.com", "lifecyclestage": stage})
        for i in range(n)
    ]


def update(object_id: str, key: str | None = None, **fields: str) -> UpdateFields:
    return UpdateFields(
        System.HUBSPOT, f"hubspot:contact:{object_id}", key or f"u-{object_id}-{fields}",
        object_type="contacts", object_id=object_id, fields=fields,
    )  # fmt: skip


def stage(object_id: str, value: str, *, backwards: bool = False, **extra: str) -> SetStage:
    return SetStage(
        System.HUBSPOT, f"hubspot:contact:{object_id}", f"s-{object_id}-{value}",
        object_type="contacts", object_id=object_id, field_name="lifecyclestage", value=value,
        backwards=backwards, extra_fields=extra,
    )  # fmt: skip


def prop(hs: HubSpotSandbox, object_id: str, name: str) -> str | None:
    record = hs.get("contacts", object_id)
    assert record is not None
    return record["properties"].get(name)


def calls(hs: HubSpotSandbox, path: str) -> list[int]:
    """n_inputs of each request to ``path``, in order."""
    return [r.n_inputs for r in hs.requests if r.path == path]


def test_250_updates_take_three_batch_calls(hs: HubSpotSandbox) -> None:
    ids = contacts(hs, 250)
    hs.reset_request_log()
    adapter = Adapter(hs)
    results = adapter.run(*[update(i, city=f"City {i}") for i in ids])
    assert {r.outcome for r in results} == {Outcome.DONE}
    assert calls(hs, UPDATE_PATH) == [100, 100, 50]
    assert len(hs.requests) == 3
    assert all(prop(hs, i, "city") == f"City {i}" for i in ids)
    sent = adapter.metrics.registry.get_sample_value(
        "baton_crm_calls_total", {"system": "hubspot", "status": "2xx"}
    )
    assert sent == 3


def test_backwards_lifecycle_move_really_lands(hs: HubSpotSandbox) -> None:
    (contact,) = contacts(hs, 1, stage="customer")
    hs.reset_request_log()
    (result,) = Adapter(hs).run(
        stage(contact, "marketingqualifiedlead", backwards=True, hs_lead_status="OPEN")
    )
    assert result.outcome is Outcome.DONE
    assert result.data == {"cleared_first": True, "verified": True}
    assert prop(hs, contact, "lifecyclestage") == "marketingqualifiedlead"
    assert prop(hs, contact, "hs_lead_status") == "OPEN"
    # read, clear, set (two separate requests), read back
    assert [r.path for r in hs.requests] == [READ_PATH, UPDATE_PATH, UPDATE_PATH, READ_PATH]
    values = [h["value"] for h in hs.history("contacts", contact, "lifecyclestage")]
    assert values[:3] == ["marketingqualifiedlead", "", "customer"]


def test_a_stale_forward_write_ignored_by_hubspot_is_repaired(hs: HubSpotSandbox) -> None:
    # Baton thought the contact was earlier than "lead"; HubSpot had moved on to "customer"
    (contact,) = contacts(hs, 1, stage="customer")
    hs.reset_request_log()
    (result,) = Adapter(hs).run(stage(contact, "lead"))
    assert result.outcome is Outcome.DONE
    assert result.data == {"cleared_first": True, "verified": True, "repaired": True}
    assert prop(hs, contact, "lifecyclestage") == "lead"
    # the ignored write, then read, clear, set, read back
    assert [r.path for r in hs.requests] == [
        UPDATE_PATH,
        READ_PATH,
        UPDATE_PATH,
        UPDATE_PATH,
        READ_PATH,
    ]


def test_replayed_backwards_move_changes_nothing(hs: HubSpotSandbox) -> None:
    (contact,) = contacts(hs, 1, stage="lead")
    adapter = Adapter(hs)
    (first,) = adapter.run(stage(contact, "subscriber", backwards=True))
    hs.reset_request_log()
    (again,) = adapter.run(stage(contact, "subscriber", backwards=True))
    assert first.outcome is again.outcome is Outcome.DONE
    assert again.data == {"already_set": True}
    assert [r.path for r in hs.requests] == [READ_PATH]


def test_record_order_holds_around_a_backwards_move(hs: HubSpotSandbox) -> None:
    a, b = contacts(hs, 2, stage="lead")
    results = Adapter(hs).run(
        stage(a, "salesqualifiedlead"),
        stage(a, "subscriber", backwards=True),
        stage(a, "lead"),
        stage(b, "customer"),
    )
    assert [r.outcome for r in results] == [Outcome.DONE] * 4
    assert prop(hs, a, "lifecyclestage") == "lead"
    assert prop(hs, b, "lifecyclestage") == "customer"


def test_injected_429_storm_is_ridden_out(hs: HubSpotSandbox) -> None:
    ids = contacts(hs, 3)
    hs.reset_request_log()
    hs.inject(429, count=3, path_prefix=UPDATE_PATH)
    adapter = Adapter(hs)
    results = adapter.run(*[update(i, city="Storm") for i in ids])
    assert {r.outcome for r in results} == {Outcome.DONE}
    assert [r.status for r in hs.requests] == [429, 429, 429, 200]
    assert len(adapter.slept) == 3


def test_real_rolling_window_429s_are_recovered() -> None:
    # The stand-in allows 4 requests per 300 ms; this adapter was told a far higher limit, so
    # the stand-in refuses with TEN_SECONDLY_ROLLING and the retries must ride it out.
    config = HubSpotSandboxConfig(burst_limit=4, burst_window_ms=300)
    with HubSpotSandbox(config) as hs:
        ids = contacts(hs, 8)
        hs.reset_request_log()
        client = HubSpotClient(config.access_token, hs.start())
        policy = RetryPolicy(initial_backoff_s=0.1, max_backoff_s=0.4, max_attempts=8)
        writer = HubSpotWriter(client, policy=policy)
        results = [writer.execute([update(i, city="Window")])[0] for i in ids]
        assert {r.outcome for r in results} == {Outcome.DONE}
        assert 429 in [r.status for r in hs.requests]
        assert all(prop(hs, i, "city") == "Window" for i in ids)


def test_a_limiter_sized_to_the_window_avoids_429s_altogether() -> None:
    config = HubSpotSandboxConfig(burst_limit=4, burst_window_ms=300)
    with HubSpotSandbox(config) as hs:
        ids = contacts(hs, 8)
        hs.reset_request_log()
        limiter = hubspot_limiter(burst_limit=4, burst_window_ms=300, share=1.0)
        writer = HubSpotWriter(HubSpotClient(config.access_token, hs.start(), limiter=limiter))
        results = [writer.execute([update(i, city="Calm")])[0] for i in ids]
        assert {r.outcome for r in results} == {Outcome.DONE}
        assert {r.status for r in hs.requests} == {200}


def test_daily_limit_gives_one_call_and_a_long_retry(hs: HubSpotSandbox) -> None:
    (contact,) = contacts(hs, 1)
    with HubSpotSandbox() as exhausted:
        exhausted.exhaust_daily_limit()
        adapter = Adapter(exhausted)
        (result,) = adapter.run(update(contact, city="Never"))
        assert result.outcome is Outcome.RETRY
        assert result.error_code == "DAILY"
        assert result.retry_after_s >= 3600
        assert len(exhausted.requests) == 1
        assert adapter.slept == []


def test_a_write_answered_with_a_server_error_goes_back_in_doubt_not_sent_again(
    hs: HubSpotSandbox,
) -> None:
    (contact,) = contacts(hs, 1)
    hs.reset_request_log()
    hs.inject(502, count=1, path_prefix=UPDATE_PATH)
    adapter = Adapter(hs)
    (result,) = adapter.run(update(contact, city="Maybe"))
    assert result.outcome is Outcome.RETRY
    assert result.in_doubt, "a 502 may follow a landed write: the outbox reads back first"
    assert [r.status for r in hs.requests] == [502]


@pytest.mark.parametrize(("status", "least_wait"), [(423, 2.0), (477, 1.0)])
def test_transient_statuses_are_retried(hs: HubSpotSandbox, status: int, least_wait: float) -> None:
    (contact,) = contacts(hs, 1)
    hs.reset_request_log()
    hs.inject(status, count=1, path_prefix=UPDATE_PATH, retry_after_s=1 if status == 477 else None)
    adapter = Adapter(hs)
    (result,) = adapter.run(update(contact, city="Later"))
    assert result.outcome is Outcome.DONE
    assert [r.status for r in hs.requests] == [status, 200]
    assert adapter.slept[0] >= least_wait


def test_permanent_error_is_dead_with_hubspots_message_and_spares_the_rest(
    hs: HubSpotSandbox,
) -> None:
    good, bad, other = contacts(hs, 3)
    results = Adapter(hs).run(
        update(good, city="Fine"),
        update(bad, no_such_property="x"),
        update(other, city="Also fine"),
    )
    assert [r.outcome for r in results] == [Outcome.DONE, Outcome.DEAD, Outcome.DONE]
    assert results[1].error_code == "VALIDATION_ERROR"
    assert "PROPERTY_DOESNT_EXIST" in (results[1].message or "")
    assert "no_such_property" in (results[1].message or "")
    assert prop(hs, good, "city") == "Fine"
    assert prop(hs, other, "city") == "Also fine"


def test_a_bad_field_does_not_sink_the_records_other_commands(hs: HubSpotSandbox) -> None:
    (contact,) = contacts(hs, 1)
    results = Adapter(hs).run(
        update(contact, "first", city="Kept"),
        update(contact, "second", no_such_property="x"),
        update(contact, "third", jobtitle="Also kept"),
    )
    assert [r.outcome for r in results] == [Outcome.DONE, Outcome.DEAD, Outcome.DONE]
    assert prop(hs, contact, "city") == "Kept"
    assert prop(hs, contact, "jobtitle") == "Also kept"


def test_deleted_record_is_dead_only_for_its_commands(hs: HubSpotSandbox) -> None:
    alive, gone = contacts(hs, 2)
    hs.ui_delete("contacts", gone)
    hs.reset_request_log()
    results = Adapter(hs).run(update(alive, city="Here"), update(gone, city="Nowhere"))
    assert results[0].outcome is Outcome.DONE
    assert (results[1].outcome, results[1].error_code) == (Outcome.DEAD, "OBJECT_NOT_FOUND")
    assert [r.status for r in hs.requests] == [207]


def test_add_to_list_merges_commands_per_list(hs: HubSpotSandbox) -> None:
    a, b, c = contacts(hs, 3)
    nurture = hs.add_list("Nurture")
    dynamic = hs.add_list("Everyone", processing_type="DYNAMIC")
    results = Adapter(hs).run(
        AddToList(System.HUBSPOT, "hubspot:list", "l1", list_id=nurture, object_ids=(a, b)),
        AddToList(System.HUBSPOT, "hubspot:list", "l2", list_id=nurture, object_ids=(b, c)),
        AddToList(System.HUBSPOT, "hubspot:list", "l3", list_id=dynamic, object_ids=(a,)),
    )
    assert [r.outcome for r in results] == [Outcome.DONE, Outcome.DONE, Outcome.DEAD]
    assert sorted(hs.list_members(nurture)) == sorted([a, b, c])
    assert len([r for r in hs.requests if r.path.endswith(f"/{nurture}/memberships/add")]) == 1
    assert results[2].message


def test_reader_reads_in_batches_and_skips_missing_ids(hs: HubSpotSandbox) -> None:
    ids = contacts(hs, 150)
    hs.reset_request_log()
    found = Adapter(hs).reader.read("contacts", [*ids, "987654321"], ["lifecyclestage"])
    assert set(found) == set(ids)
    assert found[ids[0]].fields["lifecyclestage"] == "lead"
    assert calls(hs, READ_PATH) == [100, 51]


def test_reader_finds_by_email_case_insensitively(hs: HubSpotSandbox) -> None:
    email = f"Mixed.Case.{time.monotonic_ns()}@Example.com"
    contact = hs.ui_create("contacts", {"email": email})
    found = Adapter(hs).reader.find_by_email("contacts", email.upper(), ["lifecyclestage"])
    assert [r.object_id for r in found] == [contact]
    assert Adapter(hs).reader.find_by_email("contacts", "nobody@example.com", []) == []


def test_reader_finds_many_contacts_by_email_in_one_batch_read(hs: HubSpotSandbox) -> None:
    emails = [f"Batch.{i}.{time.monotonic_ns()}@Example.com" for i in range(3)]
    contacts = [hs.ui_create("contacts", {"email": email}) for email in emails]
    hs.reset_request_log()
    asked = [email.upper() for email in emails] + ["nobody@example.com"]
    found = Adapter(hs).reader.find_by_emails("contacts", asked, ["lifecyclestage"])
    assert [[r.object_id for r in found[email]] for email in asked] == [
        [contact] for contact in contacts
    ] + [[]]
    reads = [r for r in hs.requests if r.path.endswith("/contacts/batch/read")]
    assert [r.n_inputs for r in reads] == [4]


def test_reader_reads_the_portals_stage_order_with_custom_stages() -> None:
    with HubSpotSandbox() as hs:
        hs.add_lifecycle_stage("153180554", "Nurture", 2)
        order = Adapter(hs).reader.lifecycle_stage_order()
        assert order.index("lead") < order.index("153180554") < order.index("customer")
        assert order[0] == "subscriber"
