"""CreateLead as an upsert on a Lead External ID field (``salesforce.lead_external_id_field``).

Through simple-salesforce over real TLS against the stand-in, which models External ID upsert
as Salesforce does: 201 created, 200 updated (API 46.0+; earlier 204), 300 for more than one
match. A create whose answer was lost is sent again in-call and updates the Lead the first
attempt made: never a second Lead.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest

from adapters.retrying import RetryPolicy
from adapters.salesforce.client import SalesforceClient
from adapters.salesforce.writer import SalesforceWriter
from connector.commands import CreateLead, Outcome, System
from sandbox.chaos import ApiChaos
from sandbox.salesforce import SalesforceSandbox, SalesforceSandboxConfig

EXTERNAL_ID = "HubSpot_Contact_Id__c"
_serial = itertools.count(1)


class LoseFirstAnswer(ApiChaos):
    """The first call is carried out and its answer lost (a 504, as after a read timeout)."""

    def lose_answer(self) -> bool:
        if self.lost:
            return False
        self.lost += 1
        return True


@pytest.fixture(scope="module")
def org() -> Iterator[SalesforceSandbox]:
    with SalesforceSandbox(SalesforceSandboxConfig()) as sandbox:
        sandbox.add_custom_field("Lead", EXTERNAL_ID, external_id=True)
        yield sandbox


@pytest.fixture
def sf(org: SalesforceSandbox) -> SalesforceSandbox:
    org.chaos = ApiChaos()
    org.reset_request_log()
    return org


def _writer(sf: SalesforceSandbox, **kwargs: str | None) -> SalesforceWriter:
    assert sf.instance_url is not None
    client = SalesforceClient(
        sf.instance_url, session_id=sf.config.session_id, verify=sf.ca_bundle_path
    )
    options = {"hubspot_id_field": EXTERNAL_ID, "lead_external_id_field": EXTERNAL_ID, **kwargs}
    return SalesforceWriter(client, policy=RetryPolicy(sleep=lambda _s: None), **options)


def _create(hubspot_id: str, last_name: str = "Upserted") -> CreateLead:
    return CreateLead(
        System.SALESFORCE, f"hubspot:contact:{hubspot_id}", f"c-{hubspot_id}-{next(_serial)}",
        hubspot_contact_id=hubspot_id, fields={"LastName": last_name, "Company": "Acme"},
    )  # fmt: skip


def _leads(sf: SalesforceSandbox, hubspot_id: str) -> list[dict]:
    return [r for r in sf.all("Lead") if r.get(EXTERNAL_ID) == hubspot_id]


def _upserts(sf: SalesforceSandbox, hubspot_id: str) -> list[tuple[str, int]]:
    path = f"/sobjects/Lead/{EXTERNAL_ID}/{hubspot_id}"
    return [(r.method, r.status) for r in sf.requests if r.path.endswith(path)]


def test_a_new_lead_is_an_upsert_on_the_external_id(sf: SalesforceSandbox) -> None:
    hubspot_id = f"9{next(_serial)}01"
    (result,) = _writer(sf).execute([_create(hubspot_id)])
    assert result.outcome is Outcome.DONE
    (lead,) = _leads(sf, hubspot_id)
    assert result.data == {"id": lead["Id"]}
    assert _upserts(sf, hubspot_id) == [("PATCH", 201)]
    assert not [r for r in sf.requests if r.method == "POST"]  # no collection create
    (call,) = [r for r in sf.requests if r.method == "PATCH"]
    assert call.headers.get("Sforce-Auto-Assign") == "FALSE"


def test_a_create_whose_answer_was_lost_is_sent_again_and_makes_one_lead(
    sf: SalesforceSandbox,
) -> None:
    hubspot_id = f"9{next(_serial)}02"
    writer = _writer(sf, hubspot_id_field=None)  # no look-up first: the upsert alone decides
    sf.chaos = LoseFirstAnswer()
    (result,) = writer.execute([_create(hubspot_id)])
    assert result.outcome is Outcome.DONE and not result.in_doubt
    (lead,) = _leads(sf, hubspot_id)
    # the first upsert created the Lead (answer lost), the second found and updated it
    assert _upserts(sf, hubspot_id) == [("PATCH", 504), ("PATCH", 200)]
    assert result.data == {"id": lead["Id"], "existing": True}


def test_a_create_sent_again_later_updates_the_same_lead(sf: SalesforceSandbox) -> None:
    hubspot_id = f"9{next(_serial)}03"
    writer = _writer(sf, hubspot_id_field=None)
    (first,) = writer.execute([_create(hubspot_id, "First")])
    (again,) = writer.execute([_create(hubspot_id, "Again")])
    assert first.outcome is again.outcome is Outcome.DONE
    assert again.data == {"id": first.data["id"], "existing": True}
    (lead,) = _leads(sf, hubspot_id)
    assert lead["LastName"] == "Again"


def test_two_leads_on_one_external_id_are_a_dead_letter_naming_it(sf: SalesforceSandbox) -> None:
    hubspot_id = f"9{next(_serial)}04"
    for name in ("Twin A", "Twin B"):  # an admin's import made two
        sf.ui_create("Lead", {"LastName": name, "Company": "Acme", EXTERNAL_ID: hubspot_id})
    (result,) = _writer(sf, hubspot_id_field=None).execute([_create(hubspot_id)])
    assert result.outcome is Outcome.DEAD
    assert result.error_code == "MULTIPLE_EXTERNAL_ID_MATCHES"
    assert EXTERNAL_ID in (result.message or "")
    assert _upserts(sf, hubspot_id) == [("PATCH", 300)]
    assert len(_leads(sf, hubspot_id)) == 2


def test_without_the_field_creates_stay_collection_posts(sf: SalesforceSandbox) -> None:
    hubspot_id = f"9{next(_serial)}05"
    (result,) = _writer(sf, lead_external_id_field=None).execute([_create(hubspot_id)])
    assert result.outcome is Outcome.DONE
    assert [r.method for r in sf.requests if r.method != "GET"] == ["POST"]
    assert len(_leads(sf, hubspot_id)) == 1
