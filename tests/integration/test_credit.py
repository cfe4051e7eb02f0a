"""Credit on won deals through both sandboxes: touches from both CRMs, written once, reversed.

A person is handed off in HubSpot (with an original source and a form conversion), responds to
a Salesforce webinar campaign as a lead, is converted with an opportunity, and the deal is won.
The Salesforce org sends every Opportunity outbound message twice and out of order; HubSpot has
the deal, linked by the Salesforce opportunity id. Every assertion reads the sandboxes' own
records, their request logs, or Baton's ledger.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from pydantic import SecretStr
from sqlalchemy import select
from sync_world import (
    BatonServer,
    SyncWorld,
    base_config,
    hubspot_sandbox,
    hubspot_writes,
    salesforce_sandbox,
    salesforce_writes,
)

from connector.config import with_changes
from connector.config.defaults import SANDBOX_SALESFORCE_OUTBOUND_TOKEN
from connector.runtime import Runtime
from connector.store.models import CreditJourney, CreditLedgerRow, InboxEvent, PipelineDeal
from webhooks.app import create_app

MODEL = "Baton_Attribution"
DEAL_LINK = "salesforce_opportunity_id"
DEAL_PROPERTIES = ("baton_credit_summary", "baton_top_channel", "baton_credit_computed_at")
OPPORTUNITY_FIELDS = [
    "StageName",
    "IsWon",
    "Amount",
    "CloseDate",
    "LastModifiedById",
    "SystemModstamp",
]


@pytest.fixture(scope="module")
def credit_sandboxes(baton_server: BatonServer) -> Iterator[tuple[Any, Any]]:
    """Own sandboxes: duplicated, reordered outbound messages, Opportunity messages on."""
    with (
        hubspot_sandbox(baton_server.base_url) as hs,
        salesforce_sandbox(
            baton_server.base_url, outbound_duplicate_rate=1.0, outbound_reorder=True
        ) as sf,
    ):
        endpoint = (
            f"{baton_server.base_url}/webhooks/salesforce/outbound/"
            f"{SANDBOX_SALESFORCE_OUTBOUND_TOKEN}"
        )
        sf.add_outbound_message("Opportunity", OPPORTUNITY_FIELDS, endpoint)
        sf.add_influence_model(MODEL, "Baton attribution")
        hs.add_property("deals", DEAL_LINK, "string")
        for name in DEAL_PROPERTIES:
            hs.add_property("deals", name, "string")
        yield hs, sf


@pytest.fixture
def cworld(
    baton_server: BatonServer,
    credit_sandboxes: tuple[Any, Any],
    migrated_template: Path,
    tmp_path: Path,
) -> Iterator[SyncWorld]:
    """A fresh Baton on the credit sandboxes."""
    hs, sf = credit_sandboxes
    path = tmp_path / "baton.db"
    shutil.copyfile(migrated_template, path)
    config = base_config(hs, sf, baton_server.base_url, f"sqlite:///{path}")
    world = SyncWorld.open(hs, sf, baton_server, config)
    yield world
    world.close()


@pytest.fixture
def mworld(
    baton_server: BatonServer,
    credit_sandboxes: tuple[Any, Any],
    migrated_template: Path,
    tmp_path: Path,
) -> Iterator[SyncWorld]:
    """A fresh Baton on the credit sandboxes whose primary model is Markov (3 journeys)."""
    hs, sf = credit_sandboxes
    path = tmp_path / "baton.db"
    shutil.copyfile(migrated_template, path)
    config = with_changes(
        base_config(hs, sf, baton_server.base_url, f"sqlite:///{path}"),
        {
            "credit.models": ["linear", {"model": "markov", "min_journeys": 3}],
            "credit.primary_model": "markov",
        },
    )
    world = SyncWorld.open(hs, sf, baton_server, config)
    yield world
    world.close()


def _won_deal_setup(world: SyncWorld, tag: str, *, webinar: bool = True) -> dict[str, str]:
    """Hand-off, touches in both CRMs (``webinar``: the Salesforce campaign response too),
    conversion with an opportunity, a linked HubSpot deal."""
    contact_id, lead_id = world.hand_off(tag)
    now = datetime.now(UTC)
    world.hs.system_update(
        "contacts",
        contact_id,
        {
            "hs_analytics_source": "PAID_SEARCH",
            "hs_analytics_first_timestamp": _ms(now - timedelta(days=20)),
            "first_conversion_date": _ms(now - timedelta(days=10)),
        },
    )
    campaign = world.sf.ui_create("Campaign", {"Name": f"Webinar {tag}", "Type": "Webinar"})
    if webinar:
        world.sf.ui_create(
            "CampaignMember", {"CampaignId": campaign, "LeadId": lead_id, "Status": "Responded"}
        )
    converted = world.sf.ui_convert_lead(lead_id)
    opportunity = str(converted["opportunity_id"])
    deal = world.hs.ui_create("deals", {"dealname": f"Deal {tag}", DEAL_LINK: opportunity})
    world.settle()
    return {
        "contact": contact_id,
        "sf_contact": str(converted["contact_id"]),
        "campaign": campaign,
        "opportunity": opportunity,
        "deal": deal,
    }


def _win(world: SyncWorld, opportunity: str, amount: float) -> None:
    today = datetime.now(UTC).date().isoformat()
    won = {"StageName": "Closed Won", "Amount": amount, "CloseDate": today}
    world.sf.ui_update("Opportunity", opportunity, won)
    world.settle()


def _lose(world: SyncWorld, opportunity: str) -> None:
    today = datetime.now(UTC).date().isoformat()
    lost = {"StageName": "Closed Lost", "CloseDate": today}
    world.sf.ui_update("Opportunity", opportunity, lost)
    world.settle()


def _journeys(world: SyncWorld) -> dict[str, tuple[bool, list[Any], bool]]:
    """Deal → (won, path, counted) as Baton recorded it."""
    with world.runtime.store.session() as session:
        return {
            j.deal_id: (j.won, j.path, j.withdrawn_at is None)
            for j in session.scalars(select(CreditJourney))
        }


def _influence(world: SyncWorld, opportunity: str) -> list[dict[str, Any]]:
    return [r for r in world.sf.all("CampaignInfluence") if r["OpportunityId"] == opportunity]


def _ledger(world: SyncWorld, deal: str) -> list[CreditLedgerRow]:
    with world.runtime.store.session() as session:
        rows = list(
            session.scalars(
                select(CreditLedgerRow)
                .where(CreditLedgerRow.deal_id == deal)
                .order_by(CreditLedgerRow.revision, CreditLedgerRow.model, CreditLedgerRow.position)
            )
        )
        session.expunge_all()
        return rows


def _deal(world: SyncWorld, deal: str) -> dict[str, Any]:
    record = world.hs.get("deals", deal)
    assert record is not None
    return dict(record["properties"])


def _writes_to(requests: list[Any], fragment: str) -> list[Any]:
    return [r for r in requests if fragment in r.path]


def test_a_won_deal_is_credited_once_in_both_crms_and_reversed_when_reopened(cworld):
    world = cworld
    ids = _won_deal_setup(world, "credited")
    world.hs.reset_request_log()
    world.sf.reset_request_log()

    _win(world, ids["opportunity"], 1000.01)

    won_messages = _deliveries(world, ids["opportunity"])
    assert any(d.duplicate for d in won_messages), "the win was delivered more than once"
    rows = _ledger(world, ids["opportunity"])
    assert {(r.revision, r.reversed_at) for r in rows} == {(1, None)}
    linear = [(r.touch_source, r.channel, r.campaign, r.amount_minor) for r in rows]
    assert linear == [
        ("hubspot", "paid_search", None, 33334),
        ("hubspot", "form_submission", None, 33334),
        ("salesforce", "webinar", ids["campaign"], 33333),
    ], "linear over three touches, the earlier touch wins the odd cent"
    assert sum(r.amount_minor for r in rows) == 100001

    (influence,) = _influence(world, ids["opportunity"])
    assert influence["CampaignId"] == ids["campaign"]
    assert influence["ContactId"] == ids["sf_contact"]
    assert influence["Influence"] == pytest.approx(33.33)
    assert influence["RevenueShare"] == pytest.approx(333.30)
    model = next(
        r for r in world.sf.all("CampaignInfluenceModel") if r["Id"] == influence["ModelId"]
    )
    assert model["DeveloperName"] == MODEL
    deal = _deal(world, ids["deal"])
    assert deal["baton_top_channel"] == "paid_search"
    assert deal["baton_credit_summary"] == (
        f"linear, EUR: paid_search: 333.34; form_submission: 333.34; "
        f"webinar ({ids['campaign']}): 333.33"
    )
    assert deal["baton_credit_computed_at"]
    assert len(_writes_to(hubspot_writes(world.hs), "/deals/batch/update")) == 1, "written once"
    assert len(_writes_to(salesforce_writes(world.sf), "/composite")) == 1, "written once"

    # the rep edits the won deal (another, duplicated, outbound message): nothing is written
    world.sf.ui_update("Opportunity", ids["opportunity"], {"NextStep": "Kick-off"})
    world.settle()
    world.assert_quiet()
    assert len(_ledger(world, ids["opportunity"])) == 3

    # re-opened: the ledger rows are reversed, the influence removed, the properties cleared
    world.sf.ui_update("Opportunity", ids["opportunity"], {"StageName": "Negotiation/Review"})
    world.settle()
    assert all(r.reversed_at is not None for r in _ledger(world, ids["opportunity"]))
    assert _influence(world, ids["opportunity"]) == []
    assert all(not _deal(world, ids["deal"]).get(name) for name in DEAL_PROPERTIES)
    world.assert_quiet()

    # a late copy of the "won" message arrives after the re-open: the deal stays reversed
    world.hs.reset_request_log()
    world.sf.reset_request_log()
    late = next(d for d in won_messages if d.acked)
    # a new notification id (a retry Salesforce sent under another id, say), so the inbox takes
    # it as new and the credit job itself must decide on the opportunity as it is now
    body, renamed = re.subn(
        rb"(<Notification>\s*<Id>)[^<]+(</Id>)", rb"\g<1>04l00000000LATEAAA\g<2>", late.body
    )
    assert renamed == 1
    xml = {"Content-Type": "text/xml; charset=utf-8"}
    answer = requests.post(late.endpoint_url, data=body, headers=xml, timeout=10)
    assert answer.status_code == 200
    world.settle()
    with world.runtime.store.session() as session:
        handled = session.scalars(
            select(InboxEvent.status).where(InboxEvent.event_id == "04l00000000LATEAAA")
        ).all()
    assert handled in (["done"], ["skipped"]), "the late copy reached the jobs"
    assert _influence(world, ids["opportunity"]) == []
    assert hubspot_writes(world.hs) == [] and salesforce_writes(world.sf) == []


def test_an_amount_change_while_won_recomputes_and_replaces_the_rows(cworld):
    world = cworld
    ids = _won_deal_setup(world, "recomputed")
    _win(world, ids["opportunity"], 900.00)
    (first,) = _influence(world, ids["opportunity"])

    world.hs.reset_request_log()
    world.sf.ui_update("Opportunity", ids["opportunity"], {"Amount": 1200.00})
    world.settle()
    assert _writes_to(world.hs.requests, "/deals/search") == [], "the deal found once is read"
    assert _writes_to(world.hs.requests, "/deals/batch/read"), "by id, not searched again"

    rows = _ledger(world, ids["opportunity"])
    assert [r.amount_minor for r in rows if r.revision == 1] == [30000, 30000, 30000]
    assert all(r.reversed_at is not None for r in rows if r.revision == 1)
    assert [r.amount_minor for r in rows if r.revision == 2] == [40000, 40000, 40000]
    assert all(r.reversed_at is None for r in rows if r.revision == 2)
    (row,) = _influence(world, ids["opportunity"])
    assert row["Id"] == first["Id"], "the unchanged share is kept, not deleted and re-created"
    assert row["Influence"] == pytest.approx(33.33)
    assert row["RevenueShare"] == pytest.approx(399.96)
    assert "400.00" in _deal(world, ids["deal"])["baton_credit_summary"]
    world.assert_quiet()


def _deliveries(world: SyncWorld, opportunity: str) -> list[Any]:
    return [d for d in world.sf.outbound_deliveries if opportunity in d.record_ids]


def _ms(moment: datetime) -> str:
    return str(int(moment.timestamp() * 1000))


def test_won_and_lost_deals_build_the_history_until_markov_credit_is_written_once(mworld):
    world = mworld
    full = _won_deal_setup(world, "m-won-full")  # paid_search > form > webinar
    short = _won_deal_setup(world, "m-won-short", webinar=False)  # paid_search > form
    lost = _won_deal_setup(world, "m-lost", webinar=False)
    _win(world, full["opportunity"], 100.00)
    _win(world, short["opportunity"], 100.00)
    assert _ledger(world, full["opportunity"]), "credited in the ledger (linear)"
    assert _influence(world, full["opportunity"]) == [], "a Markov primary below 3: not written"

    _lose(world, lost["opportunity"])
    assert any(d.duplicate for d in _deliveries(world, lost["opportunity"])), "sent twice"
    hubspot_path = [["paid_search", None], ["form_submission", None]]
    assert _journeys(world) == {
        full["opportunity"]: (True, [*hubspot_path, ["webinar", full["campaign"]]], True),
        short["opportunity"]: (True, hubspot_path, True),
        lost["opportunity"]: (False, hubspot_path, True),
    }, "one journey per deal, whatever the duplicate and reordered deliveries"
    # re-opened: withdrawn; lost again: counted once more, never twice
    world.sf.ui_update("Opportunity", lost["opportunity"], {"StageName": "Negotiation/Review"})
    world.settle()
    assert _journeys(world)[lost["opportunity"]][2] is False
    _lose(world, lost["opportunity"])
    assert _journeys(world)[lost["opportunity"]] == (False, hubspot_path, True)

    deal = _won_deal_setup(world, "m-credited")
    world.hs.reset_request_log()
    world.sf.reset_request_log()
    _win(world, deal["opportunity"], 1000.01)

    # history: start→paid_search 3, paid_search→form 3, form→webinar 1 / won 1 / lost 1,
    # webinar→won 1: P = 2/3.  Without webinar P = 1/3 (effect 1/2); without paid_search or
    # form nothing converts (effect 1).  Weights 1 : 1 : 1/2 → 2/5, 2/5, 1/5 of 100001 cents
    # = 40000.4, 40000.4, 20000.2; the odd cent goes to the earlier of the equal remainders.
    rows = [r for r in _ledger(world, deal["opportunity"]) if r.model == "markov"]
    assert [(r.channel, r.amount_minor) for r in rows] == [
        ("paid_search", 40001),
        ("form_submission", 40000),
        ("webinar", 20000),
    ]
    assert sum(r.amount_minor for r in rows) == 100001
    assert rows[0].history is not None
    assert (rows[0].history["won"], rows[0].history["lost"]) == (2, 1)
    (influence,) = _influence(world, deal["opportunity"])
    assert influence["CampaignId"] == deal["campaign"]
    assert influence["Influence"] == pytest.approx(20.00)
    assert _deal(world, deal["deal"])["baton_credit_summary"] == (
        f"markov, EUR: paid_search: 400.01; form_submission: 400.00; "
        f"webinar ({deal['campaign']}): 200.00"
    )
    assert len(_writes_to(hubspot_writes(world.hs), "/deals/batch/update")) == 1, "written once"
    assert len(_writes_to(salesforce_writes(world.sf), "/composite")) == 1, "written once"
    world.assert_quiet()


def _scorecard(world: SyncWorld, path: str) -> Any:
    """``path`` of the scorecard API, with a bearer token, on this Baton's store."""
    token = "pipeline-integration-token-5d1e"
    config = with_changes(world.runtime.config, {"scorecard.api_tokens": [SecretStr(token)]})
    client = create_app(Runtime(config=config, store=world.runtime.store)).test_client()
    answer = client.get(path, headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer


def _figures(world: SyncWorld) -> dict[str, Any]:
    body = _scorecard(world, "/api/scorecard").get_json()
    return {m["key"]: m for m in body["metrics"]} | {"tables": body["tables"]}


def test_an_open_opportunity_is_marketing_pipeline_until_won_then_revenue(cworld):
    world = cworld
    ids = _won_deal_setup(world, "pipeline")
    opportunity = ids["opportunity"]
    proposal = {"Amount": 4200, "StageName": "Proposal/Price Quote"}
    world.sf.ui_update("Opportunity", opportunity, proposal)
    world.settle()

    with world.runtime.store.session() as session:
        row = session.get(PipelineDeal, opportunity)
        assert row is not None, "the open opportunity is in the pipeline"
        assert (row.state, row.amount_minor, row.currency, row.stage) == (
            "open", 420000, "EUR", "Proposal/Price Quote",
        )  # fmt: skip
        assert (row.sourced, row.influenced) == (True, True), "source, form and webinar touches"
    figures = _figures(world)
    assert figures["pipeline_marketing"]["value"] == "4200.00"
    assert figures["pipeline_marketing_sourced"]["value"] == "4200.00"
    table = next(t for t in figures["tables"] if t["key"] == "pipeline_by_currency")
    assert table["rows"] == [["EUR", 1, "4200.00", "4200.00", "4200.00"]]
    drill = figures["pipeline_marketing"]["drill_key"]
    leads = _scorecard(world, f"/api/scorecard/drill?key={drill}").get_json()["leads"]
    assert [(d["system"], d["object"], d["record_id"]) for d in leads] == [
        ("salesforce", "Opportunity", opportunity)
    ]
    assert leads[0]["url"].endswith(f"/lightning/r/Opportunity/{opportunity}/view")
    csv = _scorecard(world, "/api/scorecard.csv?table=pipeline_by_currency").get_data(True)
    assert csv == (
        "currency,deals,open_amount,sourced,influenced\r\nEUR,1,4200.00,4200.00,4200.00\r\n"
    )
    assert figures["revenue_marketing_influenced"]["value"] == "0", "nothing won yet"

    _win(world, opportunity, 4200)
    with world.runtime.store.session() as session:
        row = session.get(PipelineDeal, opportunity)
        assert row is not None and row.state == "won" and row.left_at is not None
    figures = _figures(world)
    assert figures["pipeline_marketing"]["value"] == "0", "won: out of the open pipeline"
    assert figures["revenue_marketing_influenced"]["value"] == "4200.00", "and into revenue"
    world.assert_quiet()
