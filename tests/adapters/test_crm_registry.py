"""Adapters built from the admin's config: per enabled CRM, sharing one budget per CRM."""

from __future__ import annotations

from adapters.hubspot.reader import HubSpotReader
from adapters.hubspot.writer import HubSpotWriter
from adapters.registry import build_clients, build_readers, build_writers
from adapters.salesforce.reader import SalesforceReader
from adapters.salesforce.writer import SalesforceWriter
from connector.commands import Outcome, System, UpdateFields
from connector.config import default_config, with_changes
from connector.metrics import Metrics
from sandbox.hubspot import HubSpotSandbox
from sandbox.salesforce import SalesforceSandbox


def test_both_crms_enabled_give_a_writer_and_reader_each_on_shared_clients() -> None:
    config = default_config()
    clients = build_clients(config, Metrics())
    writers = build_writers(config, clients=clients)
    readers = build_readers(config, clients=clients)
    assert isinstance(writers[System.HUBSPOT], HubSpotWriter)
    assert isinstance(writers[System.SALESFORCE], SalesforceWriter)
    assert isinstance(readers[System.HUBSPOT], HubSpotReader)
    assert isinstance(readers[System.SALESFORCE], SalesforceReader)
    assert writers[System.HUBSPOT].client is readers[System.HUBSPOT].client is clients.hubspot
    assert writers[System.SALESFORCE].client is readers[System.SALESFORCE].client


def test_a_disabled_crm_has_no_writer_and_no_reader() -> None:
    hubspot_only = with_changes(default_config(), {"salesforce.enabled": False})
    # with HubSpot on, the notify writer can always create crm_task HubSpot tasks
    assert set(build_writers(hubspot_only)) == {System.HUBSPOT, System.NOTIFY}
    notify = build_writers(hubspot_only)[System.NOTIFY]
    assert notify.tasks is None and notify.hubspot_tasks is not None
    assert set(build_readers(hubspot_only)) == {System.HUBSPOT}
    salesforce_only = with_changes(default_config(), {"hubspot.enabled": False})
    # with Salesforce on, the notify writer can always create crm_task Tasks
    assert set(build_writers(salesforce_only)) == {System.SALESFORCE, System.NOTIFY}
    assert build_writers(salesforce_only)[System.NOTIFY].tasks is not None
    assert build_writers(salesforce_only)[System.NOTIFY].hubspot_tasks is None


def test_limits_are_the_configured_share() -> None:
    config = with_changes(
        default_config(),
        {
            "hubspot.rate_limit.share": 0.25,
            "hubspot.rate_limit.burst_limit": 100,
            "salesforce.rate_limit.daily_limit": 15_000,
            "salesforce.rate_limit.share": 0.2,
        },
    )
    clients = build_clients(config)
    assert clients.hubspot is not None and clients.hubspot.limiter is not None
    hubspot = clients.hubspot.limiter.limits
    assert hubspot.scaled(hubspot.burst_limit) == 25
    assert clients.salesforce is not None and clients.salesforce.limiter is not None
    salesforce = clients.salesforce.limiter.limits
    assert salesforce.scaled(salesforce.daily_limit) == 3000


def test_salesforce_writer_gets_the_id_field_and_assignment_choice() -> None:
    config = with_changes(
        default_config(),
        {"salesforce.hubspot_id_field": "HS_Id__c", "salesforce.use_assignment_rules": True},
    )
    writer = build_writers(config)[System.SALESFORCE]
    assert isinstance(writer, SalesforceWriter)
    assert writer.hubspot_id_field == "HS_Id__c"
    assert writer.use_assignment_rules is True


def test_a_writer_built_from_config_writes_to_the_portal() -> None:
    with HubSpotSandbox() as hs:
        contact = hs.ui_create("contacts", {"email": "registry@example.com"})
        config = with_changes(
            default_config(hubspot_base_url=hs.start()), {"salesforce.enabled": False}
        )
        metrics = Metrics()
        writer = build_writers(config, metrics)[System.HUBSPOT]
        command = UpdateFields(
            System.HUBSPOT, f"hubspot:contact:{contact}", "k",
            object_type="contacts", object_id=contact, fields={"city": "Utrecht"},
        )  # fmt: skip
        (result,) = writer.execute([command])
        assert result.outcome is Outcome.DONE
        record = hs.get("contacts", contact)
        assert record is not None and record["properties"]["city"] == "Utrecht"
        assert (
            metrics.registry.get_sample_value(
                "baton_crm_calls_total", {"system": "hubspot", "status": "2xx"}
            )
            == 1
        )


def test_a_salesforce_writer_built_from_config_writes_over_tls() -> None:
    with SalesforceSandbox() as sf:
        lead = sf.ui_create("Lead", {"LastName": "Registry", "Company": "Acme"})
        assert sf.instance_url is not None
        config = with_changes(
            default_config(salesforce_instance_url=sf.instance_url), {"hubspot.enabled": False}
        )
        clients = build_clients(config, salesforce_verify=sf.ca_bundle_path)
        writer = build_writers(config, clients=clients)[System.SALESFORCE]
        command = UpdateFields(
            System.SALESFORCE, f"salesforce:Lead:{lead}", "k",
            object_type="Lead", object_id=lead, fields={"Rating": "Hot"},
        )  # fmt: skip
        (result,) = writer.execute([command])
        assert result.outcome is Outcome.DONE
        record = sf.get("Lead", lead)
        assert record is not None and record["Rating"] == "Hot"
