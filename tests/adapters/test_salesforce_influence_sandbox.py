"""ReplaceCampaignInfluence against the Salesforce stand-in: one unit, only the differences.

The stand-in enforces what Salesforce does: API rows are refused in the Primary Campaign Source
model, one row per (model, opportunity, campaign, contact), RevenueShare derived from Amount.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest

from adapters.retrying import RetryPolicy
from adapters.salesforce.client import SalesforceClient
from adapters.salesforce.reader import SalesforceReader
from adapters.salesforce.writer import SalesforceWriter
from connector.commands import Outcome, ReplaceCampaignInfluence, System
from sandbox.salesforce import SalesforceSandbox, SalesforceSandboxConfig

MODEL = "Baton_Attribution"
_serial = itertools.count(1)


@pytest.fixture(scope="module")
def org() -> Iterator[SalesforceSandbox]:
    with SalesforceSandbox(SalesforceSandboxConfig()) as sandbox:
        sandbox.add_influence_model(MODEL)
        yield sandbox


@pytest.fixture
def adapter(org: SalesforceSandbox) -> tuple[SalesforceWriter, SalesforceReader]:
    assert org.instance_url is not None
    client = SalesforceClient(
        org.instance_url,
        session_id=org.config.session_id,
        api_version=org.config.api_version,
        verify=org.ca_bundle_path,
    )
    policy = RetryPolicy(sleep=lambda s: None, random=lambda: 0.5)
    return SalesforceWriter(client, policy=policy), SalesforceReader(client, policy=policy)


@pytest.fixture
def deal(org: SalesforceSandbox) -> dict[str, str]:
    n = next(_serial)
    contact = org.ui_create("Contact", {"LastName": f"Buyer {n}"})
    won = {
        "Name": f"Deal {n}",
        "StageName": "Closed Won",
        "CloseDate": "2026-12-01",
        "Amount": 1000.0,
    }
    opportunity = org.ui_create("Opportunity", won)
    campaigns = [org.ui_create("Campaign", {"Name": f"C{n}-{i}", "Type": "Webinar"})
                 for i in range(3)]  # fmt: skip
    return {
        "contact": contact,
        "opportunity": opportunity,
        **{f"c{i}": c for i, c in enumerate(campaigns)},
    }


def _replace(deal: dict[str, str], rows: list[tuple[str, float]], model: str = MODEL) -> Any:
    return ReplaceCampaignInfluence(
        System.SALESFORCE, f"salesforce:opportunity:{deal['opportunity']}", f"k{next(_serial)}",
        opportunity_id=deal["opportunity"], model=model,
        rows=tuple({"CampaignId": deal[c], "ContactId": deal["contact"], "Influence": i}
                   for c, i in rows),
    )  # fmt: skip


def _rows(org: SalesforceSandbox, deal: dict[str, str]) -> dict[str, tuple[float, float]]:
    names = {deal[k]: k for k in ("c0", "c1", "c2")}
    return {
        names[r["CampaignId"]]: (r["Influence"], r["RevenueShare"])
        for r in org.all("CampaignInfluence")
        if r["OpportunityId"] == deal["opportunity"]
    }


def test_rows_are_replaced_as_one_unit_and_a_resend_writes_nothing(org, adapter, deal):
    writer, reader = adapter
    (done,) = writer.execute([_replace(deal, [("c0", 60.0), ("c1", 40.0)])])
    assert done.outcome is Outcome.DONE and done.data == {"changed": 2}
    assert _rows(org, deal) == {"c0": (60.0, 600.0), "c1": (40.0, 400.0)}

    org.reset_request_log()
    (again,) = writer.execute([_replace(deal, [("c0", 60.0), ("c1", 40.0)])])
    assert again.data == {"changed": 0}
    assert [r for r in org.requests if r.method != "GET"] == [], "nothing differs: no write"

    (moved,) = writer.execute([_replace(deal, [("c0", 50.0), ("c2", 50.0)])])
    assert moved.data == {"changed": 3}, "c1 deleted, c0 updated, c2 created"
    assert _rows(org, deal) == {"c0": (50.0, 500.0), "c2": (50.0, 500.0)}
    writes = [r for r in org.requests if r.method != "GET"]
    assert len(writes) == 1 and writes[0].path.endswith("/composite")

    (cleared,) = writer.execute([_replace(deal, [])])
    assert cleared.outcome is Outcome.DONE and _rows(org, deal) == {}
    assert reader.influence_model_id(MODEL) is not None
    assert reader.influence_model_id("No_Such_Model") is None


def test_a_refused_row_leaves_the_earlier_rows_in_place(org, adapter, deal):
    writer, _ = adapter
    writer.execute([_replace(deal, [("c0", 100.0)])])
    bad = _replace(deal, [("c1", 50.0)])
    bad = ReplaceCampaignInfluence(
        bad.system, bad.record_key, bad.idempotency_key, opportunity_id=bad.opportunity_id,
        model=bad.model, rows=(*bad.rows, {"CampaignId": "701000000000000AAA",
                                           "ContactId": None, "Influence": 50.0}),
    )  # fmt: skip
    (result,) = writer.execute([bad])
    assert result.outcome is Outcome.DEAD
    assert _rows(org, deal) == {"c0": (100.0, 1000.0)}, "all or none: the old rows stay"


@pytest.mark.parametrize(
    ("model", "code"),
    [("primaryModel", "PRIMARY_MODEL_REFUSED"), ("No_Such_Model", "NO_INFLUENCE_MODEL")],
)
def test_the_primary_model_and_a_missing_model_are_dead_letters(adapter, deal, model, code):
    writer, _ = adapter
    (result,) = writer.execute([_replace(deal, [("c0", 100.0)], model=model)])
    assert (result.outcome, result.error_code) == (Outcome.DEAD, code)


def test_a_default_model_by_another_name_is_refused_too(org, adapter, deal):
    org.add_influence_model("Team_Default", is_default=True)
    writer, _ = adapter
    (result,) = writer.execute([_replace(deal, [("c0", 100.0)], model="Team_Default")])
    assert (result.outcome, result.error_code) == (Outcome.DEAD, "PRIMARY_MODEL_REFUSED")
