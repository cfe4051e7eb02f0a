"""End to end: the sandbox CRMs' own signed webhooks and outbound messages reach a running Baton.

Baton (the real app, the built-in sandbox config, a SQLite file) is served by werkzeug on
loopback; the stand-ins deliver to it over HTTP exactly as they would to any receiver, with their
own signing, batching and retry code. Every delivery must be acknowledged on the first attempt
and every event must land in the inbox normalized.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hubspot.crm.contacts import (
    PublicGdprDeleteInput,
    PublicMergeInput,
    SimplePublicObjectInput,
    SimplePublicObjectInputForCreate,
)
from intake_helpers import inbox
from werkzeug.serving import make_server

from connector.config import default_config, with_changes
from connector.config.defaults import (
    SANDBOX_SALESFORCE_ORG_ID,
    SANDBOX_SALESFORCE_OUTBOUND_TOKEN,
)
from connector.runtime import Runtime
from connector.store import Store, upgrade
from webhooks.app import create_app

pytestmark = pytest.mark.slow


@dataclass
class RunningBaton:
    """Baton served on loopback."""

    base_url: str
    runtime: Runtime


@pytest.fixture
def baton(tmp_path: Path) -> Iterator[RunningBaton]:
    holder: dict[str, Any] = {}
    server = make_server("127.0.0.1", 0, lambda e, s: holder["app"](e, s), threaded=True)
    base_url = f"http://127.0.0.1:{server.server_address[1]}"
    database_url = f"sqlite:///{tmp_path / 'baton.db'}"
    upgrade(database_url)
    store = Store(database_url)
    config = default_config(public_base_url=base_url, database_url=database_url)
    runtime = Runtime(config=config, store=store)
    holder["app"] = create_app(runtime)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield RunningBaton(base_url, runtime)
    server.shutdown()
    server.server_close()
    thread.join()
    store.dispose()


def _kinds(runtime: Runtime) -> list[tuple[str, str, str, bool]]:
    return [(r.provider_type, r.kind, r.object_id, r.is_echo) for r in inbox(runtime)]


def test_hubspot_sandbox_webhooks_are_accepted(baton: RunningBaton) -> None:
    from sandbox.hubspot import HubSpotSandbox, HubSpotSandboxConfig

    config = HubSpotSandboxConfig(webhook_retry_base_s=0.05, webhook_max_attempts=2)
    with HubSpotSandbox(config) as hs:
        hs.subscribe(
            baton.base_url + "/webhooks/hubspot",
            [
                "contact.creation", ("contact.propertyChange", "lifecyclestage"),
                "contact.merge", "contact.deletion", "contact.privacyDeletion",
                "contact.associationChange", ("deal.propertyChange", "dealstage"),
            ],
        )  # fmt: skip
        client = hs.client()
        contacts = client.crm.contacts.basic_api
        ours = contacts.create(SimplePublicObjectInputForCreate(properties={"email": "a@x.io"})).id
        contacts.update(ours, SimplePublicObjectInput(properties={"lifecyclestage": "lead"}))
        theirs = hs.ui_create("contacts", {"email": "b@x.io"}, user_id=7)
        hs.ui_update("contacts", theirs, {"lifecyclestage": "marketingqualifiedlead"}, user_id=7)
        lose = hs.ui_create("contacts", {"email": "c@x.io"}, user_id=7)
        contacts.merge(PublicMergeInput(primary_object_id=theirs, object_id_to_merge=lose))
        deal = hs.ui_create("deals", {"dealname": "D", "dealstage": "appointmentscheduled"})
        hs.ui_associate("contacts", theirs, "deals", deal, user_id=7)
        hs.ui_update("deals", deal, {"dealstage": "closedwon"}, user_id=7)
        contacts.purge(PublicGdprDeleteInput(object_id=ours))
        assert hs.flush_webhooks(timeout=20)
        deliveries = hs.webhook_deliveries
        assert hs.webhook_given_up == []

    assert deliveries and all(d.status == 200 for d in deliveries), [
        (d.status, d.error) for d in deliveries
    ]
    assert all(set(d.attempt_numbers) == {0} for d in deliveries)  # no retry was needed
    rows = _kinds(baton.runtime)
    delivered = sum(len(d.event_ids) for d in deliveries)
    assert len(rows) == delivered
    assert ("contact.creation", "created", ours, True) in rows  # our API write: an echo
    assert ("contact.creation", "created", theirs, False) in rows
    assert ("contact.propertyChange", "updated", theirs, False) in rows
    assert ("contact.merge", "merged", theirs, True) in rows  # merged through our API client
    assert ("contact.privacyDeletion", "privacy_deleted", ours, True) in rows
    assert ("contact.deletion", "deleted", ours, True) in rows
    sides = {(r.object_type, r.object_id) for r in inbox(baton.runtime) if r.kind == "association"}
    assert sides == {("contact", theirs), ("deal", deal)}
    stage_rows = [r for r in inbox(baton.runtime) if r.provider_type == "deal.propertyChange"]
    stages = [r.changes["dealstage"] for r in stage_rows]
    assert sorted(stages) == ["appointmentscheduled", "closedwon"]
    merged = next(r for r in inbox(baton.runtime) if r.kind == "merged")
    assert merged.related_ids == [lose]
    assert not any(r.kind == "unknown" for r in inbox(baton.runtime))


def test_hubspot_duplicates_and_reordering_are_harmless(baton: RunningBaton) -> None:
    from sandbox.hubspot import HubSpotSandbox, HubSpotSandboxConfig

    config = HubSpotSandboxConfig(
        webhook_retry_base_s=0.05, webhook_duplicate_rate=0.5, webhook_reorder=True, seed=3
    )
    with HubSpotSandbox(config) as hs:
        hs.subscribe(baton.base_url + "/webhooks/hubspot", ["contact.creation"])
        created = [hs.ui_create("contacts", {"email": f"p{i}@x.io"}) for i in range(30)]
        assert hs.flush_webhooks(timeout=20)
        deliveries = hs.webhook_deliveries
    sent = sum(len(d.event_ids) for d in deliveries)
    assert all(d.status == 200 for d in deliveries)
    assert sent > 30  # the stand-in did duplicate
    assert sorted(r.object_id for r in inbox(baton.runtime)) == sorted(created)


@pytest.fixture
def baton_with_salesforce_user(baton: RunningBaton) -> Iterator[RunningBaton]:
    """Baton whose config names the sandbox's integration user (for echo marking)."""
    from sandbox.salesforce.config import SalesforceSandboxConfig

    user_id = _sandbox_integration_user(SalesforceSandboxConfig)
    config = with_changes(baton.runtime.config, {"salesforce.integration_user_id": user_id})
    baton.runtime.config = config
    yield baton


def _sandbox_integration_user(config_type: Any) -> str:
    from sandbox.salesforce import SalesforceSandbox

    with SalesforceSandbox(config_type(org_id=SANDBOX_SALESFORCE_ORG_ID)) as probe:
        return probe.integration_user_id


def test_salesforce_sandbox_outbound_messages_are_acknowledged(
    baton_with_salesforce_user: RunningBaton,
) -> None:
    from sandbox.salesforce import SalesforceSandbox
    from sandbox.salesforce.config import SalesforceSandboxConfig

    baton = baton_with_salesforce_user
    config = SalesforceSandboxConfig(
        org_id=SANDBOX_SALESFORCE_ORG_ID,  # the id default_config allows
        outbound_retry_base_s=0.05,
        integration_user_sends_outbound=True,  # so our own write comes back, as an echo
        lead_statuses=[
            ("Abierto - Sin contactar", True, False),
            ("Trabajando", False, False),
            ("Convertido", False, True),
        ],
    )
    endpoint = f"{baton.base_url}/webhooks/salesforce/outbound/{SANDBOX_SALESFORCE_OUTBOUND_TOKEN}"
    with SalesforceSandbox(config) as sf:
        sf.add_outbound_message(
            "Lead", ["Status", "Company", "LastModifiedById", "SystemModstamp"], endpoint
        )
        lead = sf.ui_create("Lead", {"LastName": "Uno", "Company": "Acme"})
        sf.ui_update("Lead", lead, {"Status": "Trabajando"})
        ours = sf.client().Lead.create({"LastName": "Dos", "Company": "Beta"})["id"]
        assert sf.flush_outbound(timeout=20)
        attempts = sf.outbound_deliveries

    assert attempts and all(a.acked for a in attempts), [(a.status, a.error) for a in attempts]
    rows = inbox(baton.runtime)
    by_record = {}
    for row in rows:
        by_record.setdefault(row.object_id, []).append(row)
    assert set(by_record) == {lead, ours}
    assert all(r.source == "salesforce" and r.object_type == "lead" for r in rows)
    latest = max(by_record[lead], key=lambda r: r.occurred_at)
    assert latest.changes["Status"] == "Trabajando"  # the org's own picklist value, untouched
    assert not latest.is_echo
    assert all(r.is_echo for r in by_record[ours])
    notification_ids = {n for a in attempts for n in a.notification_ids}
    assert {r.event_id for r in rows} == notification_ids


def test_salesforce_duplicate_deliveries_are_acknowledged_once_stored(
    baton: RunningBaton,
) -> None:
    from sandbox.salesforce import SalesforceSandbox
    from sandbox.salesforce.config import SalesforceSandboxConfig

    config = SalesforceSandboxConfig(
        org_id=SANDBOX_SALESFORCE_ORG_ID,
        outbound_retry_base_s=0.05,
        outbound_duplicate_rate=1.0,
        outbound_reorder=True,
    )
    endpoint = f"{baton.base_url}/webhooks/salesforce/outbound/{SANDBOX_SALESFORCE_OUTBOUND_TOKEN}"
    with SalesforceSandbox(config) as sf:
        sf.add_outbound_message("Lead", ["Status"], endpoint)
        leads = [sf.ui_create("Lead", {"LastName": f"L{i}", "Company": "C"}) for i in range(10)]
        assert sf.flush_outbound(timeout=20)
        attempts = sf.outbound_deliveries
    assert any(a.duplicate for a in attempts)
    assert all(a.acked for a in attempts)
    assert sorted(r.object_id for r in inbox(baton.runtime)) == sorted(leads)


def test_outbound_message_to_a_wrong_token_is_retried_not_acknowledged(
    baton: RunningBaton,
) -> None:
    from sandbox.salesforce import SalesforceSandbox
    from sandbox.salesforce.config import SalesforceSandboxConfig

    config = SalesforceSandboxConfig(
        org_id=SANDBOX_SALESFORCE_ORG_ID, outbound_retry_base_s=0.05, outbound_max_age_s=1.0
    )
    endpoint = f"{baton.base_url}/webhooks/salesforce/outbound/not-the-token-0000000"
    with SalesforceSandbox(config) as sf:
        sf.add_outbound_message("Lead", ["Status"], endpoint)
        sf.ui_create("Lead", {"LastName": "X", "Company": "C"})
        sf.flush_outbound(timeout=10)
        attempts = sf.outbound_deliveries
    assert attempts and not any(a.acked for a in attempts)
    assert {a.status for a in attempts} == {401}
    assert inbox(baton.runtime) == []
