"""Backfill, preview, sync and explain against both sandboxes, through the ``baton`` command.

Records exist in HubSpot and Salesforce before Baton starts; ``baton backfill`` links them, the
worker (``baton sync``) writes only where the two sides disagree, and ``baton explain`` tells
the story. Everything goes over real HTTP(S) through the official clients.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

import connector.config
from baton.cli import main
from connector.config.defaults import SANDBOX_SALESFORCE_ORG_ID
from connector.jobs.lifecycle.processor import HOLD_REASON_PROPERTY
from connector.store import upgrade

pytestmark = pytest.mark.slow

MQL, SQL = "marketingqualifiedlead", "salesqualifiedlead"
ID_FIELD = "HubSpot_Contact_Id__c"


@pytest.fixture
def crms() -> Iterator[tuple[Any, Any]]:
    from sandbox.hubspot import HubSpotSandbox, HubSpotSandboxConfig
    from sandbox.salesforce import SalesforceSandbox, SalesforceSandboxConfig

    with (
        HubSpotSandbox(HubSpotSandboxConfig()) as hs,
        SalesforceSandbox(SalesforceSandboxConfig(org_id=SANDBOX_SALESFORCE_ORG_ID)) as sf,
    ):
        hs.add_property("contacts", HOLD_REASON_PROPERTY, "string")
        base = connector.config.default_config()
        for name in (ID_FIELD, *base.handoff.context_fields.values()):
            if name.endswith("__c"):
                sf.add_custom_field("Lead", name)
        yield hs, sf


@pytest.fixture
def baton(crms: tuple[Any, Any], tmp_path: Path, monkeypatch):
    hs, sf = crms
    url = f"sqlite:///{tmp_path / 'baton.db'}"
    upgrade(url)
    original = connector.config.default_config
    config = original(
        hubspot_base_url=hs.base_url, salesforce_instance_url=sf.instance_url, database_url=url
    )
    monkeypatch.setattr(connector.config, "default_config", lambda: config)
    monkeypatch.delenv("BATON_CONFIG", raising=False)
    env = {"BATON_DATABASE_URL": url, "BATON_SALESFORCE_CA_BUNDLE": sf.ca_bundle_path}
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        result = runner.invoke(main, list(args), env=env)
        assert result.exception is None or isinstance(result.exception, SystemExit), result.output
        return result

    return invoke


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000+0000")


def test_backfill_then_sync_aligns_existing_records_and_explain_tells_why(crms, baton):
    hs, sf = crms
    now = datetime.now(UTC)
    # A: MQL in HubSpot; its lead (found by e-mail) was worked in Salesforce later
    a = hs.ui_create("contacts", {"email": "ann@acme.nl", "lastname": "Ann", "lifecyclestage": MQL})
    a_lead = sf.ui_create(
        "Lead", {"LastName": "Ann", "Company": "Acme", "Email": "ANN@acme.nl",
                 "Status": "Working - Contacted"},
    )  # fmt: skip
    sf.set_system_fields("Lead", a_lead, SystemModstamp=stamp(now + timedelta(hours=1)))
    # B: linked by the HubSpot-id field and already in agreement
    b = hs.ui_create("contacts", {"email": "bob@beta.nl", "lifecyclestage": MQL})
    b_fields = {"LastName": "Bob", "Company": "Beta", ID_FIELD: b, "Status": "Open - Not Contacted"}
    b_lead = sf.ui_create("Lead", b_fields)
    sf.set_system_fields("Lead", b_lead, SystemModstamp=stamp(now - timedelta(days=1)))
    # C: a plain lead in HubSpot only; D: an MQL nobody handed to sales yet
    c = hs.ui_create("contacts", {"email": "cor@gamma.nl"})
    d = hs.ui_create(
        "contacts",
        {"email": "dee@delta.nl", "lastname": "Dee", "company": "Delta", "lifecyclestage": MQL},
    )
    # E: a Salesforce lead with no HubSpot contact
    sf.ui_create("Lead", {"LastName": "Eve", "Company": "Epsilon", "Email": "eve@eps.nl"})

    filled = baton("backfill")
    assert filled.exit_code == 0, filled.output
    lines = filled.stdout.splitlines()
    assert lines[0].startswith("HubSpot contacts: 4 read; 4 state(s) recorded; 0 event(s) queued")
    assert lines[0].endswith("linked: 4 new, not yet joined [done]")
    assert lines[1].startswith("Salesforce Contacts: 0 read")
    assert lines[2].startswith("Salesforce Leads: 3 read;")
    assert "linked: 1 by e-mail, 1 by HubSpot-id field, 1 no match [done]" in lines[2]
    assert lines[3].startswith("Unlinked HubSpot contacts: 2 read;")
    assert lines[-1].startswith("backfill complete")
    assert "Salesforce Leads" in filled.stderr  # the progress bars (labels only, not a tty)

    preview = baton("sync", "--dry-run")
    assert preview.exit_code == 0, preview.output
    assert f"hubspot set_stage contacts {a}: lifecyclestage='{SQL}'" in preview.stdout
    assert f"salesforce create_lead new Lead for HubSpot contact {d}:" in preview.stdout
    assert "Would queue 2 write(s):" in preview.stdout
    assert hs.get("contacts", a)["properties"]["lifecyclestage"] == MQL  # only a preview

    synced = baton("sync", "--timeout", "30")
    assert synced.exit_code == 0, synced.output
    assert "writes done: 2" in synced.stdout and "new dead letters: 0" in synced.stdout

    assert hs.get("contacts", a)["properties"]["lifecyclestage"] == SQL
    assert sf.get("Lead", a_lead)["Status"] == "Working - Contacted"
    assert sf.get("Lead", b_lead)["Status"] == "Open - Not Contacted"
    assert hs.get("contacts", c)["properties"]["lifecyclestage"] == "lead"
    handed = [lead for lead in sf.all("Lead") if lead.get(ID_FIELD) == d]
    assert len(handed) == 1 and handed[0]["Company"] == "Delta"

    story = baton("explain", "Ann@Acme.nl")
    assert story.exit_code == 0, story.output
    text = story.stdout
    assert text.splitlines()[0] == (
        f"Person: HubSpot contact {a} <-> Salesforce Lead {a_lead}  [link #{_link_id(text)}]"
    )
    assert "salesforce backfill.Lead (updated) -> done" in text
    assert f"write HS/contact  hubspot contacts {a}: lifecyclestage='{SQL}'" in text
    assert "backfill: known state lifecyclestage='marketingqualifiedlead'" in text
    assert "ann@acme.nl" not in text.lower()

    again = baton("backfill")
    assert all("already done" in line for line in again.stdout.splitlines()[:4])


def _link_id(text: str) -> str:
    return text.splitlines()[0].rsplit("#", 1)[1].rstrip("]")
