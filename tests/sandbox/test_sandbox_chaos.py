"""Random API faults of both stand-ins, through the official clients: a refused call changes
nothing, a lost answer hides a write that did land (what a timeout looks like to a caller)."""

from __future__ import annotations

import pytest
from hubspot.crm.contacts import ApiException, SimplePublicObjectInput
from simple_salesforce.exceptions import SalesforceError

from sandbox.chaos import ApiChaos
from sandbox.hubspot import HubSpotSandbox, HubSpotSandboxConfig
from sandbox.salesforce import SalesforceSandbox


def test_hubspot_refusals_change_nothing_and_lost_answers_hide_a_landed_write():
    with HubSpotSandbox(HubSpotSandboxConfig(seed=1)) as hs:
        contact = hs.ui_create("contacts", {"email": "c@chaos.example", "lastname": "C"})
        client = hs.client()
        hs.chaos = ApiChaos(refuse_rate=1.0, seed=2)
        with pytest.raises(ApiException) as refused:
            client.crm.contacts.basic_api.update(
                contact, SimplePublicObjectInput(properties={"jobtitle": "refused"})
            )
        assert refused.value.status in (429, 500, 503)
        assert hs.get("contacts", contact)["properties"].get("jobtitle") in (None, "")
        hs.chaos = ApiChaos(lost_answer_rate=1.0)
        with pytest.raises(ApiException) as lost:
            client.crm.contacts.basic_api.update(
                contact, SimplePublicObjectInput(properties={"jobtitle": "landed"})
            )
        assert lost.value.status == 504
        assert hs.get("contacts", contact)["properties"]["jobtitle"] == "landed"
        assert hs.integration_writes(contact, "jobtitle") == {"landed": 1}
        assert (hs.chaos.refused, hs.chaos.lost) == (0, 1)


def test_salesforce_refusals_change_nothing_and_lost_answers_hide_a_landed_write():
    with SalesforceSandbox() as sf:
        client = sf.client()
        lead = client.Lead.create({"LastName": "C", "Company": "Chaos"})["id"]
        sf.chaos = ApiChaos(refuse_rate=1.0, refuse_statuses=(500, 503))
        with pytest.raises(SalesforceError) as refused:
            client.Lead.update(lead, {"Title": "refused"})
        assert refused.value.status in (500, 503)
        assert sf.get("Lead", lead)["Title"] in (None, "")
        sf.chaos = ApiChaos(lost_answer_rate=1.0)
        with pytest.raises(SalesforceError) as lost:
            client.Lead.update(lead, {"Title": "landed"})
        assert lost.value.status == 504
        assert sf.get("Lead", lead)["Title"] == "landed"


def test_chaos_rates_are_shares():
    with pytest.raises(ValueError, match="refuse_rate"):
        ApiChaos(refuse_rate=1.5)
