"""The credit job on a real store with in-memory readers: credit once, recompute, reverse.

The readers answer like the adapters do (current opportunity, contact roles, campaign
responses, HubSpot contacts and deals); the job's outcome, the ledger and ``baton credit show``
are checked. The sandboxes' end-to-end run is tests/integration/test_credit.py.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import pytest
from click.testing import CliRunner

import connector.config
from baton.cli import main
from connector.commands import ReplaceCampaignInfluence, System, UpdateFields
from connector.config import default_config, with_changes
from connector.events import ObjectType, Source, record_key
from connector.jobs.base import DONE, SKIPPED, JobContext, JobSetup
from connector.jobs.credit.job import build
from connector.jobs.credit.report import deal_credit, revenue_by_source
from connector.ports import CrmRecord
from connector.store import Store
from connector.store.models import InboxEvent, RecordLink

OPP, CONTACT, HS_CONTACT, DEAL = "0068d0000000001AAA", "0038d0000000001AAA", "501", "9001"
NOW = datetime(2026, 12, 3, 13, 0, tzinfo=UTC)


class FakeSalesforce:
    system = System.SALESFORCE

    def __init__(self) -> None:
        self.opportunity: dict[str, Any] | None = {
            "IsWon": True,
            "Amount": 1000.01,
            "CloseDate": "2026-12-01",
            "CreatedDate": "2026-11-20T10:00:00.000+0000",
        }
        self.responses = [
            {"Id": "00v1", "CampaignId": "7011", "ContactId": CONTACT,
             "FirstRespondedDate": "2026-11-25", "CampaignType": "Webinar"},
        ]  # fmt: skip

    def read(self, object_type: str, ids: Sequence[str], fields: Sequence[str]) -> dict:
        if object_type != "Opportunity" or self.opportunity is None:
            return {}
        return {OPP: CrmRecord("Opportunity", OPP, dict(self.opportunity))}

    def contacts_of_opportunity(self, opportunity_id: str) -> list[str]:
        return [CONTACT]

    def campaign_responses(self, contact_ids: tuple[str, ...]) -> list[dict[str, Any]]:
        return [dict(r) for r in self.responses]


class FakeHubSpot:
    system = System.HUBSPOT

    def read(self, object_type: str, ids: Sequence[str], fields: Sequence[str]) -> dict:
        properties = {
            "hs_analytics_source": "PAID_SEARCH",
            "hs_analytics_first_timestamp": "2026-11-10T08:00:00.000Z",
            "hs_v2_date_entered_marketingqualifiedlead": "2026-11-12T08:00:00.000Z",
        }
        return {HS_CONTACT: CrmRecord("contacts", HS_CONTACT, properties)}

    def deals_for_opportunity(self, opportunity_id: str, prop: str) -> list[str]:
        return [DEAL]


@pytest.fixture
def readers() -> dict[System, Any]:
    return {System.SALESFORCE: FakeSalesforce(), System.HUBSPOT: FakeHubSpot()}


@pytest.fixture
def run(store: Store, readers):
    job = build(JobSetup(default_config(), readers))
    with store.session() as session:
        session.add(RecordLink(hubspot_contact_id=HS_CONTACT, salesforce_contact_id=CONTACT))

    def handle(at: datetime = NOW):
        with store.session() as session:
            event = InboxEvent(
                source=Source.SALESFORCE, event_id=f"e{at.timestamp()}", kind="updated",
                object_type=ObjectType.OPPORTUNITY, object_id=OPP,
                record_key=record_key(Source.SALESFORCE, ObjectType.OPPORTUNITY, OPP),
                occurred_at=at, changes={},
            )  # fmt: skip
            outcome = job.handle(JobContext(session, at, readers), event)
            session.commit()
            return outcome

    return handle


def test_a_won_deal_is_credited_once_and_reversed_once(run, readers, store):
    first = run()
    assert first.status == DONE
    hubspot, salesforce = first.commands
    assert isinstance(hubspot, UpdateFields) and hubspot.object_type == "deals"
    assert hubspot.object_id == DEAL
    assert hubspot.fields["baton_credit_summary"] == (
        "linear, EUR: paid_search: 500.01; webinar (7011): 500.00"
    )
    assert isinstance(salesforce, ReplaceCampaignInfluence)
    assert salesforce.model == "Baton_Attribution"
    assert salesforce.rows == ({"CampaignId": "7011", "ContactId": CONTACT, "Influence": 50.0},)

    again = run()
    assert (again.status, again.commands) == (SKIPPED, ()), "the same inputs write nothing"

    readers[System.SALESFORCE].opportunity["IsWon"] = False
    reversed_ = run()
    assert reversed_.status == DONE
    cleared, removed = reversed_.commands
    assert set(cleared.fields.values()) == {""}
    assert isinstance(removed, ReplaceCampaignInfluence) and removed.rows == ()
    assert run().status == SKIPPED, "reversed once"
    with store.session() as session:
        credit = deal_credit(session, OPP)
    assert credit is not None and credit.reversed_at is not None and credit.revision == 1


def test_new_inputs_make_a_new_revision_and_the_report_counts_live_credit(run, readers, store):
    run()
    readers[System.SALESFORCE].opportunity["Amount"] = 2000
    second = run()
    assert second.status == DONE
    assert {c.idempotency_key.split(":")[2] for c in second.commands} == {"2"}
    with store.session() as session:
        credit = deal_credit(session, OPP)
        revenue = revenue_by_source(session)
    assert credit is not None and credit.revision == 2 and credit.reversed_at is None
    (linear,) = credit.models
    assert [t.minor for t in linear.touches] == [100000, 100000]
    assert [(r.channel, r.campaign, r.minor, r.deals) for r in revenue] == [
        ("paid_search", None, 100000, 1),
        ("webinar", "7011", 100000, 1),
    ], "only the live revision counts"


def test_a_deal_without_touches_goes_to_the_no_marketing_touch_bucket(run, readers):
    readers[System.SALESFORCE].responses = []
    readers[System.HUBSPOT].read = lambda *args: {}
    outcome = run()
    hubspot, salesforce = outcome.commands
    assert hubspot.fields["baton_top_channel"] == "no_marketing_touch"
    assert salesforce.rows == ()


def test_an_amount_finer_than_the_currency_is_not_credited(run, readers):
    readers[System.SALESFORCE].opportunity["Amount"] = 10.005
    outcome = run()
    assert outcome.status == SKIPPED and outcome.commands == ()
    assert "not creditable in EUR" in outcome.summary


def test_baton_credit_show_explains_the_deal_touch_by_touch(run, store, monkeypatch):
    run()
    config = with_changes(default_config(), {"store.database_url": store.url})
    monkeypatch.setattr(connector.config, "default_config", lambda: config)
    monkeypatch.delenv("BATON_CONFIG", raising=False)
    env = {"BATON_DATABASE_URL": store.url}
    runner = CliRunner()
    text = runner.invoke(main, ["credit", "show", OPP], env=env)
    assert text.exit_code == 0, text.output
    assert "revision 1" in text.output and "live" in text.output
    assert "paid_search" in text.output and "500.01" in text.output and "total" in text.output
    answer = runner.invoke(main, ["credit", "show", OPP, "--json"], env=env)
    data = json.loads(answer.output)
    assert [t["amount"] for t in data["models"]["linear"]["touches"]] == ["500.01", "500.00"]
    missing = runner.invoke(main, ["credit", "show", "0068d0000000009AAA"], env=env)
    assert missing.exit_code == 1


def test_write_back_targets_missing_at_start_are_switched_off_and_said(sqlite_store, readers):
    readers[System.HUBSPOT].property_names = lambda object_type: {"salesforce_opportunity_id"}
    readers[System.SALESFORCE].influence_model_id = lambda name: None
    job = build(JobSetup(default_config(), readers))
    assert set(job.off) == {System.HUBSPOT, System.SALESFORCE}
    with sqlite_store.session() as session:
        session.add(RecordLink(hubspot_contact_id=HS_CONTACT, salesforce_contact_id=CONTACT))
        event = InboxEvent(
            source=Source.SALESFORCE, event_id="e1", kind="updated",
            object_type=ObjectType.OPPORTUNITY, object_id=OPP,
            record_key=record_key(Source.SALESFORCE, ObjectType.OPPORTUNITY, OPP),
            occurred_at=NOW, changes={},
        )  # fmt: skip
        outcome = job.handle(JobContext(session, NOW, readers), event)
    assert outcome.status == DONE and outcome.commands == (), "the ledger still gets the credit"
    assert "HubSpot deals have no property baton_credit_summary" in outcome.summary
    assert "Salesforce has no CampaignInfluenceModel Baton_Attribution" in outcome.summary


def test_targets_that_cannot_be_checked_at_start_stay_on(readers):
    def unreachable(*args):
        raise ConnectionError("portal down")

    readers[System.HUBSPOT].property_names = unreachable
    readers[System.SALESFORCE].influence_model_id = unreachable
    assert build(JobSetup(default_config(), readers)).off == {}


class MultiCurrencySalesforce(FakeSalesforce):
    """An org with multi-currency on: Opportunity has CurrencyIsoCode, the reader says so."""

    def field_names(self, sobject: str) -> set[str]:
        return {"Id", "Amount", "CurrencyIsoCode"}

    def read(self, object_type: str, ids: Sequence[str], fields: Sequence[str]) -> dict:
        assert "CurrencyIsoCode" in fields, "a multi-currency org's deals are read with it"
        return super().read(object_type, ids, fields)


def _multi_currency_run(store: Store, readers: dict[System, Any]):
    readers[System.SALESFORCE] = salesforce = MultiCurrencySalesforce()
    job = build(JobSetup(default_config(), readers))
    with store.session() as session:
        session.add(RecordLink(hubspot_contact_id=HS_CONTACT, salesforce_contact_id=CONTACT))

    def handle():
        with store.session() as session:
            event = InboxEvent(
                source=Source.SALESFORCE, event_id=f"m{uuid.uuid4().hex}",
                kind="updated", object_type=ObjectType.OPPORTUNITY, object_id=OPP,
                record_key=record_key(Source.SALESFORCE, ObjectType.OPPORTUNITY, OPP),
                occurred_at=NOW, changes={},
            )  # fmt: skip
            outcome = job.handle(JobContext(session, NOW, readers), event)
            session.commit()
            return outcome

    return salesforce, handle


def test_a_deal_keeps_its_own_currency_exact_to_its_minor_unit(store, readers):
    salesforce, handle = _multi_currency_run(store, readers)
    salesforce.opportunity.update(CurrencyIsoCode="JPY", Amount=1000001)
    hubspot, _ = handle().commands
    assert hubspot.fields["baton_credit_summary"] == (
        "linear, JPY: paid_search: 500001; webinar (7011): 500000"
    ), "yen have no minor unit: the odd yen goes by the tie-break, nothing is converted"
    salesforce.opportunity.update(CurrencyIsoCode="KWD", Amount=10.001)
    second = handle()
    assert second.status == DONE, "a new currency is a new input: a new revision"
    assert second.commands[0].fields["baton_credit_summary"] == (
        "linear, KWD: paid_search: 5.001; webinar (7011): 5.000"
    )
    with store.session() as session:
        credit = deal_credit(session, OPP)
        revenue = revenue_by_source(session)
    assert credit is not None and credit.revision == 2
    assert {(r.currency, r.minor) for r in revenue} == {("KWD", 5001), ("KWD", 5000)}
    salesforce.opportunity.update(CurrencyIsoCode="JPY", Amount=10.5)
    refused = handle()
    assert refused.status == SKIPPED and "not creditable in JPY" in refused.summary


def test_a_single_currency_org_is_read_without_the_currency_field(store, readers):
    salesforce = readers[System.SALESFORCE]
    salesforce.field_names = lambda sobject: {"Id", "Amount"}
    job = build(JobSetup(default_config(), readers))
    assert job.opportunity_fields is None, "not asked at start: a CRM down must not stop serve"
    assert "CurrencyIsoCode" not in job.opportunity_fields_for(salesforce)
    salesforce.field_names = lambda sobject: {"Id", "CurrencyIsoCode"}
    assert "CurrencyIsoCode" not in job.opportunity_fields_for(salesforce), "asked once"


def test_a_form_and_the_campaign_response_it_caused_are_credited_once(run, readers, store):
    hubspot = readers[System.HUBSPOT]
    properties = hubspot.read("contacts", [HS_CONTACT], [])[HS_CONTACT].fields
    properties["first_conversion_date"] = "2026-11-25T09:30:00.000Z"  # the webinar sign-up
    hubspot.read = lambda *args: {HS_CONTACT: CrmRecord("contacts", HS_CONTACT, properties)}
    outcome = run()
    assert outcome.commands[0].fields["baton_credit_summary"] == (
        "linear, EUR: paid_search: 500.01; webinar (7011): 500.00"
    ), "two touches, not three: the form is the webinar response"
    with store.session() as session:
        credit = deal_credit(session, OPP)
    assert credit is not None
    (linear,) = credit.models
    webinar = next(t for t in linear.touches if t.channel == "webinar")
    assert webinar.at == datetime(2026, 11, 25, 9, 30, tzinfo=UTC), "at the form's exact time"


def test_a_contact_role_added_after_the_win_reverses_and_makes_a_new_revision(run, readers, store):
    run()
    salesforce = readers[System.SALESFORCE]
    other = "0038d0000000002AAA"
    salesforce.contacts_of_opportunity = lambda opportunity_id: [CONTACT, other]
    salesforce.responses.append(
        {"Id": "00v2", "CampaignId": "7012", "ContactId": other,
         "FirstRespondedDate": "2026-11-27", "CampaignType": "Event"}
    )  # fmt: skip
    outcome = run()  # the poller files the role change as an event of the opportunity
    assert outcome.status == DONE
    assert {c.idempotency_key.split(":")[2] for c in outcome.commands} == {"2"}
    with store.session() as session:
        credit = deal_credit(session, OPP)
    assert credit is not None and credit.revision == 2 and credit.reversed_at is None
    (linear,) = credit.models
    assert sorted(t.channel for t in linear.touches) == ["event", "paid_search", "webinar"]
