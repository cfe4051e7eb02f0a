"""The Salesforce adapter against the Salesforce stand-in: simple-salesforce over real TLS.

Calls are counted in the sandbox's own request log, so "2 collection calls for 250 updates" is
what the server saw.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest

from adapters.ratelimit import salesforce_limiter
from adapters.retrying import RetryPolicy
from adapters.salesforce.client import SalesforceClient
from adapters.salesforce.reader import SalesforceReader
from adapters.salesforce.writer import SalesforceWriter
from connector.commands import Command, CreateLead, Outcome, SetStage, System, UpdateFields
from connector.metrics import Metrics
from sandbox.salesforce import SalesforceSandbox, SalesforceSandboxConfig

COLLECTIONS = "composite/sobjects"
HUBSPOT_ID_FIELD = "HubSpot_Contact_Id__c"
_serial = itertools.count(1)


@pytest.fixture(scope="module")
def org() -> Iterator[SalesforceSandbox]:
    with SalesforceSandbox(SalesforceSandboxConfig()) as sandbox:
        sandbox.add_custom_field("Lead", HUBSPOT_ID_FIELD, external_id=True)
        yield sandbox


@pytest.fixture
def sf(org: SalesforceSandbox) -> SalesforceSandbox:
    org.set_assignment_rule(None)
    org.reset_request_log()
    return org


class Adapter:
    """Writer and reader on one metered client; sleeps are recorded, not slept."""

    def __init__(self, sf: SalesforceSandbox, **writer_kwargs: Any) -> None:
        self.slept: list[float] = []
        self.metrics = Metrics()
        assert sf.instance_url is not None
        self.client = SalesforceClient(
            sf.instance_url,
            session_id=sf.config.session_id,
            api_version=sf.config.api_version,
            verify=sf.ca_bundle_path,
            limiter=salesforce_limiter(daily_limit=sf.config.daily_api_limit, share=1.0),
            metrics=self.metrics,
        )
        policy = RetryPolicy(sleep=self.slept.append, random=lambda: 0.5)
        self.writer = SalesforceWriter(self.client, policy=policy, **writer_kwargs)
        self.reader = SalesforceReader(self.client, policy=policy)

    def run(self, *commands: Command) -> list:
        return self.writer.execute(list(commands))


def leads(sf: SalesforceSandbox, n: int, **fields: Any) -> list[str]:
    return [
        sf.ui_create("Lead", {"LastName": f"Lead {next(_serial)}", "Company": "Acme", **fields})
        for _ in range(n)
    ]


def update(object_id: str, sobject: str = "Lead", **fields: Any) -> UpdateFields:
    return UpdateFields(
        System.SALESFORCE, f"salesforce:{sobject}:{object_id}", f"u-{object_id}-{next(_serial)}",
        object_type=sobject, object_id=object_id, fields=fields,
    )  # fmt: skip


def status(object_id: str, value: str) -> SetStage:
    return SetStage(
        System.SALESFORCE, f"salesforce:Lead:{object_id}", f"s-{object_id}-{next(_serial)}",
        object_type="Lead", object_id=object_id, field_name="Status", value=value,
    )  # fmt: skip


def create(hubspot_id: str, **kwargs: Any) -> CreateLead:
    return CreateLead(
        System.SALESFORCE, f"hubspot:contact:{hubspot_id}", f"c-{hubspot_id}-{next(_serial)}",
        hubspot_contact_id=hubspot_id,
        fields={"LastName": f"Handed {hubspot_id}", "Company": "Acme"}, **kwargs,
    )  # fmt: skip


def field(sf: SalesforceSandbox, sobject: str, record_id: str, name: str) -> Any:
    record = sf.get(sobject, record_id)
    assert record is not None, f"{sobject} {record_id} not found"
    return record[name]


def collection_calls(sf: SalesforceSandbox) -> list[Any]:
    return [r for r in sf.requests if r.path.endswith(f"/{COLLECTIONS}")]


def test_250_updates_take_two_collection_calls(sf: SalesforceSandbox) -> None:
    ids = leads(sf, 250)
    sf.reset_request_log()
    adapter = Adapter(sf)
    results = adapter.run(*[update(i, Rating="Warm") for i in ids])
    assert {r.outcome for r in results} == {Outcome.DONE}
    calls = collection_calls(sf)
    assert [(c.method, c.n_records) for c in calls] == [("PATCH", 200), ("PATCH", 50)]
    assert len(sf.requests) == 2
    assert all(field(sf, "Lead", i, "Rating") == "Warm" for i in ids)
    assert (
        adapter.metrics.registry.get_sample_value(
            "baton_crm_calls_total", {"system": "salesforce", "status": "2xx"}
        )
        == 2
    )


def test_status_writes_do_not_rerun_the_assignment_rule(sf: SalesforceSandbox) -> None:
    rep = sf.add_user("Rep One", f"rep{next(_serial)}@example.com")
    queue = sf.add_queue(f"Rule Queue {next(_serial)}")
    (lead,) = leads(sf, 1, OwnerId=rep)
    sf.set_assignment_rule(lambda record: queue)
    sf.reset_request_log()
    (result,) = Adapter(sf).run(status(lead, "Working - Contacted"))
    assert result.outcome is Outcome.DONE
    assert field(sf, "Lead", lead, "Status") == "Working - Contacted"
    assert field(sf, "Lead", lead, "OwnerId")[:15] == rep[:15]  # the rule did not run
    (call,) = collection_calls(sf)
    assert call.headers.get("Sforce-Auto-Assign") == "FALSE"
    assert call.headers.get("Sforce-Call-Options") == "client=baton"


def test_create_lead_routes_to_the_given_owner_or_to_the_rule(sf: SalesforceSandbox) -> None:
    rep = sf.add_user("Rep Two", f"rep{next(_serial)}@example.com")
    queue = sf.add_queue(f"Rule Queue {next(_serial)}")
    sf.set_assignment_rule(lambda record: queue)
    routed, by_rule = Adapter(sf).run(
        create("h-routed", owner_id=rep), create("h-rule", use_assignment_rules=True)
    )
    assert routed.outcome is by_rule.outcome is Outcome.DONE
    assert field(sf, "Lead", routed.data["id"], "OwnerId")[:15] == rep[:15]
    assert field(sf, "Lead", by_rule.data["id"], "OwnerId")[:15] == queue[:15]
    headers = [c.headers.get("Sforce-Auto-Assign") for c in collection_calls(sf)]
    assert sorted(headers) == ["FALSE", "TRUE"]


def test_a_replayed_create_finds_its_lead_instead_of_making_a_twin(sf: SalesforceSandbox) -> None:
    adapter = Adapter(sf, hubspot_id_field=HUBSPOT_ID_FIELD)
    hubspot_id = f"hs-{next(_serial)}"
    (first,) = adapter.run(create(hubspot_id))
    (again,) = adapter.run(create(hubspot_id))
    assert first.outcome is again.outcome is Outcome.DONE
    assert again.data == {"id": first.data["id"], "existing": True}
    twins = [r for r in sf.all("Lead") if r.get(HUBSPOT_ID_FIELD) == hubspot_id]
    assert len(twins) == 1


def test_locked_rows_are_retried(sf: SalesforceSandbox) -> None:
    (lead,) = leads(sf, 1)
    sf.inject(400, "UNABLE_TO_LOCK_ROW", count=2, path_prefix=COLLECTIONS)
    adapter = Adapter(sf)
    (result,) = adapter.run(update(lead, Rating="Hot"))
    assert result.outcome is Outcome.DONE
    assert [c.status for c in collection_calls(sf)] == [400, 400, 200]
    assert len(adapter.slept) == 2
    assert field(sf, "Lead", lead, "Rating") == "Hot"


def test_permanent_error_is_dead_with_salesforces_message(sf: SalesforceSandbox) -> None:
    good, bad = leads(sf, 2)
    results = Adapter(sf).run(status(good, "Working - Contacted"), status(bad, "Not A Status"))
    assert results[0].outcome is Outcome.DONE
    assert results[1].outcome is Outcome.DEAD
    assert results[1].error_code == "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"
    assert "Not A Status" in (results[1].message or "")
    assert field(sf, "Lead", good, "Status") == "Working - Contacted"


def test_write_to_a_converted_lead_reports_its_contact_and_writes_nothing(
    sf: SalesforceSandbox,
) -> None:
    (lead,) = leads(sf, 1)
    converted = sf.ui_convert_lead(lead)
    contact = converted["contact_id"]
    title_before = field(sf, "Contact", contact, "Title")
    (result,) = Adapter(sf).run(update(lead, Title="VP Marketing"))
    assert (result.outcome, result.error_code) == (Outcome.DEAD, "CANNOT_UPDATE_CONVERTED_LEAD")
    assert result.data["converted_contact_id"][:15] == contact[:15]
    # Lead fields are not copied to the Contact: the sync decides the Contact's write itself
    assert field(sf, "Contact", contact, "Title") == title_before


def test_an_exhausted_org_allocation_is_a_long_retry(sf: SalesforceSandbox) -> None:
    (lead,) = leads(sf, 1)
    sf.set_api_calls_used(sf.config.daily_api_limit)
    try:
        adapter = Adapter(sf)
        (result,) = adapter.run(update(lead, Rating="Cold"))
    finally:
        sf.set_api_calls_used(0)
    assert (result.outcome, result.error_code) == (Outcome.RETRY, "REQUEST_LIMIT_EXCEEDED")
    assert result.retry_after_s >= 3600
    assert len(collection_calls(sf)) == 1
    assert adapter.slept == []


def test_reader_reads_finds_and_lists_statuses(sf: SalesforceSandbox) -> None:
    email = f"Grace.{next(_serial)}@Example.com"
    (lead,) = leads(sf, 1, Email=email)
    adapter = Adapter(sf)
    found = adapter.reader.read("Lead", [lead], ["Status", "Email"])
    assert found[lead].fields["Email"] == email
    # asked in both forms (two records' reads merged): answered under each, as each asked
    both = adapter.reader.read("Lead", [lead, lead[:15]], ["Status"])
    assert {key: record.object_id for key, record in both.items()} == {
        lead: lead,
        lead[:15]: lead[:15],
    }
    by_email = adapter.reader.find_by_email("Lead", email.lower(), ["Status"])
    assert [r.object_id[:15] for r in by_email] == [lead[:15]]
    names = [s.api_name for s in adapter.reader.lead_statuses()]
    assert names[0] == "Open - Not Contacted" and "Closed - Converted" in names


def test_reader_finds_many_emails_in_one_query(sf: SalesforceSandbox) -> None:
    first, second = (f"Many.{next(_serial)}@Example.com" for _ in range(2))
    (lead_a,) = leads(sf, 1, Email=first)
    (lead_b,) = leads(sf, 1, Email=second)
    sf.reset_request_log()
    asked = [first.lower(), second.upper(), "nobody@example.com"]
    found = Adapter(sf).reader.find_by_emails("Lead", asked, ["Status"])
    assert {email: [r.object_id[:15] for r in hits] for email, hits in found.items()} == {
        first.lower(): [lead_a[:15]],
        second.upper(): [lead_b[:15]],
        "nobody@example.com": [],
    }
    assert len([r for r in sf.requests if "/query" in r.path]) == 1
    with pytest.raises(ValueError, match="not an e-mail"):
        Adapter(sf).reader.find_by_emails("Lead", ["ok@example.com", "x' OR Name != '"], [])
