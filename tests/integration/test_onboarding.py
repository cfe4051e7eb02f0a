"""`baton setup` and `baton doctor` against the sandboxes, through the official clients.

Each test gets a fresh portal and org (what setup creates must not leak into the next test) and
Baton's receivers on loopback for the signed self-test. A complete org passes; each broken
org fails with the named fix; setup run twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from sync_world import BatonServer, base_config

from adapters.registry import build_clients
from baton.onboarding_run import Admins, run_doctor, run_setup
from connector.config import BatonConfig, load_config, with_changes
from connector.config.defaults import SANDBOX_SALESFORCE_ORG_ID
from connector.runtime import Runtime
from connector.store import Store, upgrade
from webhooks.app import create_app

WORKING, WORKING_NL = "Working - Contacted", "Bezig - Gecontacteerd"


class Org:
    """A fresh HubSpot portal and Salesforce org, Baton mounted, and a config for them."""

    def __init__(self, hs: Any, sf: Any, server: BatonServer, db: str) -> None:
        self.hs, self.sf, self.server, self.db = hs, sf, server, db
        self.manager = sf.add_user("Mia Manager", "mia@example.com")
        self.director = sf.add_user("Dirk Director", "dirk@example.com")
        sf.update_user(self.manager, manager_id=self.director)
        self.rep = sf.add_user("Rob Rep", "rob@example.com", manager_id=self.manager)
        self.queue = sf.add_queue("Marketing nurture")
        self.nurture = hs.add_list("Nurture", "MANUAL")
        sf.add_influence_model("Baton_Attribution")
        self.config = self.configure({})
        self.lines: list[str] = []

    def configure(self, changes: dict[str, Any]) -> BatonConfig:
        """The complete config, with ``changes`` (dotted keys) on top."""
        config = base_config(self.hs, self.sf, self.server.base_url, self.db)
        complete = {
            "routing.teams": {"inbound": {"members": [self.rep]}},
            "routing.rules": [{"name": "all", "team": "inbound"}],
            "recycle.nurture_list_id": self.nurture,
            "recycle.marketing_queue_id": self.queue,
            "escalation.ladder": [
                {"after_business_hours": 0, "notify": "owner", "channels": ["email"]},
                {"after_business_hours": 2, "notify": "manager", "channels": ["email"]},
                {"after_business_hours": 8, "notify": "director", "channels": ["email"]},
            ],
            "sla.working_statuses": [WORKING],
            "notifiers.email": {"smtp_host": "127.0.0.1", "from_address": "baton@example.com"},
        }
        self.config = with_changes(config, {**complete, **changes})
        return self.config

    def admins(self) -> Admins:
        return Admins.build(
            self.config, build_clients(self.config, salesforce_verify=self.sf.ca_bundle_path)
        )

    def setup(self) -> list[str]:
        self.lines = []
        assert (
            run_setup(self.config, self.admins(), confirm=lambda _: True, echo=self.lines.append)
            == 0
        )
        return self.lines

    def doctor(self) -> tuple[int, list[str]]:
        self.lines = []
        code = run_doctor(self.config, self.admins(), echo=self.lines.append)
        return code, self.lines

    def failures(self) -> list[str]:
        return [line for line in self.lines if line.startswith("FAIL")]


@pytest.fixture
def org(baton_server: BatonServer, tmp_path: Path) -> Iterator[Org]:
    from sandbox.hubspot import HubSpotSandbox, HubSpotSandboxConfig
    from sandbox.salesforce import SalesforceSandbox
    from sandbox.salesforce.config import SalesforceSandboxConfig

    db = f"sqlite:///{tmp_path / 'baton.db'}"
    upgrade(db)
    sf_config = SalesforceSandboxConfig(
        org_id=SANDBOX_SALESFORCE_ORG_ID, lead_status_labels={WORKING: WORKING_NL}
    )
    with HubSpotSandbox(HubSpotSandboxConfig()) as hs, SalesforceSandbox(sf_config) as sf:
        world = Org(hs, sf, baton_server, db)
        runtime = Runtime(config=world.config, store=Store(db))
        baton_server.mount(create_app(runtime))
        yield world
        baton_server.mount(None)
        runtime.close()


def test_setup_then_doctor_passes_on_a_complete_org(org: Org) -> None:
    code, lines = org.doctor()
    assert code == 1
    assert any("baton_hold_reason" in line and "run `baton setup`" in line for line in lines)

    created = org.setup()
    assert "  created: property contacts.baton_hold_reason" in created
    assert "  created: custom field Lead.HubSpot_Contact_Id__c" in created
    assert "  created: permission set Baton_Integration" in created
    assert "  created: field access Lead.HubSpot_Contact_Id__c" in created
    assert any(
        "private app's subscriptions cannot be set through the API" in line for line in created
    )

    code, lines = org.doctor()
    assert code == 0, "\n".join(lines)
    assert lines[-1] == "Baton can run."
    assert [line for line in lines if not line.startswith("ok")] == ["Baton can run."]
    names = {line.split()[1] for line in lines[:-1]}
    assert {
        "hubspot.token",
        "hubspot.scopes",
        "hubspot.nurture_list",
        "salesforce.managers",
        "salesforce.budget",
        "hubspot.budget",
        "service.public_url",
    } <= names
    # what setup made is real in both CRMs, as the official clients read it
    prop = org.hs.client().crm.properties.core_api.get_by_name("contacts", "baton_hold_reason")
    assert prop.group_name == "baton" and prop.type == "string"
    described = {f["name"]: f for f in org.sf.client().Lead.describe()["fields"]}
    assert described["Recycle_Reason__c"]["type"] == "picklist"
    assert {v["value"] for v in described["Recycle_Reason__c"]["picklistValues"]} >= {"bad_timing"}


def test_setup_twice_changes_nothing(org: Org) -> None:
    org.setup()
    org.hs.reset_request_log()
    org.sf.reset_request_log()
    second = org.setup()
    assert second[0] == "nothing to do: every property and field Baton writes exists"
    assert not any(line.startswith("  created") for line in second)
    assert [r for r in org.hs.requests if r.method != "GET"] == []
    assert [r for r in org.sf.requests if r.method not in ("GET",)] == []


def test_a_missing_field_fails_with_its_fix(org: Org) -> None:
    org.setup()
    org.configure(
        {
            "handoff.context_fields": {
                "hs_analytics_source": "LeadSource",
                "hs_latest_source": "Latest_Touch__c",
            }
        }
    )
    org.sf.add_custom_field("Lead", "Latest_Touch__c")
    code, _ = org.doctor()
    assert code == 0
    org.configure({"handoff.context_fields": {"hs_analytics_source": "Original_Channel"}})
    code, _ = org.doctor()
    assert code == 1
    assert org.failures() == [
        "FAIL  salesforce.fields      Lead.Original_Channel (handoff.context_fields) does not "
        "exist — fix: create Lead.Original_Channel in Salesforce, or change handoff.context_fields"
    ]


def test_a_reason_code_missing_from_the_reps_picklist_fails(org: Org) -> None:
    org.sf.add_custom_field(
        "Lead", "Recycle_Reason__c", "picklist", picklist_values=("bad_timing", "Bad timing")
    )
    assert "Lead.Recycle_Reason__c" not in " ".join(org.setup())  # it exists: not created
    code, _ = org.doctor()
    assert code == 1
    failures = org.failures()
    assert any("Lead.Recycle_Reason__c has no API value 'no_budget'" in line for line in failures)
    assert any("has no API value 'Bad timing'" in line for line in failures) is False
    assert not any("'bad_timing'" in line for line in failures)


def test_a_field_created_by_hand_without_field_security_is_granted_by_setup(org: Org) -> None:
    org.setup()
    org.configure({"recycle.salesforce_history_field": "Recycle_Notes__c"})
    org.sf.client().toolingexecute(
        "sobjects/CustomField/",
        method="POST",
        data={
            "FullName": "Lead.Recycle_Notes__c",
            "Metadata": {
                "label": "Recycle notes",
                "type": "LongTextArea",
                "length": 4000,
                "visibleLines": 3,
            },
        },
    )
    code, _ = org.doctor()
    assert code == 1
    [line] = org.failures()
    assert (
        "Lead.Recycle_Notes__c (recycle.salesforce_history_field) exists but the integration"
        in line
    )
    assert "run `baton setup` (it grants read and edit" in line
    made = org.setup()
    assert "  created: field access Lead.Recycle_Notes__c" in made
    assert not any("custom field Lead.Recycle_Notes__c" in line for line in made)
    assert org.doctor()[0] == 0


def test_a_dynamic_nurture_list_fails(org: Org) -> None:
    org.setup()
    dynamic = org.hs.add_list("Everyone who opened", "DYNAMIC")
    org.configure({"recycle.nurture_list_id": dynamic})
    code, _ = org.doctor()
    assert code == 1
    [line] = org.failures()
    assert f"list {dynamic} is DYNAMIC" in line and "use a static list" in line


def test_a_lead_status_written_as_its_label_suggests_the_api_value(org: Org) -> None:
    org.setup()
    org.configure({"sla.working_statuses": [WORKING_NL]})
    code, _ = org.doctor()
    assert code == 1
    [line] = org.failures()
    assert (
        f"Lead.Status has no API value '{WORKING_NL}' (sla.working_statuses); '{WORKING_NL}' is "
        f"the label of API value '{WORKING}': did you mean '{WORKING}'?" in line
    )


def test_an_inactive_routing_user_fails(org: Org) -> None:
    org.setup()
    org.sf.update_user(org.rep, is_active=False)
    code, _ = org.doctor()
    assert code == 1
    assert any(
        f"user {org.rep} (routing.teams.inbound.members) is inactive" in line
        and "reactivate the user" in line
        for line in org.failures()
    )


def test_no_manager_for_an_escalation_step_fails(org: Org) -> None:
    org.setup()
    loner = org.sf.add_user("Lou Loner", "lou@example.com")
    org.configure({"routing.teams": {"inbound": {"members": [org.rep, loner]}}})
    code, _ = org.doctor()
    assert code == 1
    [line] = org.failures()
    assert f"no active manager for {loner} (routing.teams.inbound) at escalation.ladder[1]" in line
    assert "escalation.managers" in line
    # the config can fill the gap Salesforce leaves
    org.configure(
        {
            "routing.teams": {"inbound": {"members": [org.rep, loner]}},
            "escalation.managers": {loner: org.manager},
        }
    )
    assert org.doctor()[0] == 0


def test_a_wrong_client_secret_fails_the_self_test(org: Org) -> None:
    org.setup()
    org.configure({"hubspot.client_secret": SecretStr("not-the-apps-secret")})
    code, _ = org.doctor()
    assert code == 1
    [line] = org.failures()
    assert "refused a webhook signed with hubspot.client_secret" in line


def test_a_missing_scope_fails_and_only_enabled_crms_are_checked(org: Org) -> None:
    from sandbox.hubspot import HubSpotSandbox, HubSpotSandboxConfig
    from sandbox.hubspot.config import DEFAULT_SCOPES

    scopes = tuple(s for s in DEFAULT_SCOPES if s != "crm.lists.write")
    with HubSpotSandbox(HubSpotSandboxConfig(scopes=scopes)) as narrow:
        owner = narrow.add_owner("olga.owner@example.com", "Olga", "Owner")
        org.configure(
            {
                "hubspot.base_url": narrow.base_url,
                "salesforce.enabled": False,
                # HubSpot alone: the hand-off assigns HubSpot owners
                "routing.teams": {"inbound": {"hubspot_owners": [owner]}},
                "credit.writeback.salesforce": False,
                "escalation.ladder": [],
            }
        )
        code, lines = org.doctor()
    assert code == 1
    assert not any(" salesforce." in line for line in lines)
    scope_line = next(line for line in org.failures() if "hubspot.scopes" in line)
    assert (
        "missing crm.lists.write" in scope_line
        and "Auth → Scopes: add crm.lists.write" in scope_line
    )


def test_the_commands_ask_before_creating_and_exit_by_the_result(
    baton_server: BatonServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from baton.cli import main
    from sandbox.hubspot import HubSpotSandbox, HubSpotSandboxConfig

    with HubSpotSandbox(HubSpotSandboxConfig()) as hs:
        path = tmp_path / "baton.yaml"
        path.write_text(
            "version: 1\n"
            f"service: {{public_base_url: {baton_server.base_url}}}\n"
            f"store: {{database_url: 'sqlite:///{tmp_path / 'cli.db'}'}}\n"
            f"hubspot: {{portal_id: {hs.config.portal_id}, app_id: {hs.config.app_id}, "
            f"base_url: {hs.base_url}, access_token: '${{HS_TOKEN}}', "
            "client_secret: '${HS_SECRET}'}\n"
            "credit: {writeback: {salesforce: false}}\n"
        )
        monkeypatch.setenv("HS_TOKEN", hs.config.access_token)
        monkeypatch.setenv("HS_SECRET", hs.config.client_secret)
        config = load_config(str(path))
        upgrade(config.store.database_url)
        runtime = Runtime(config=config, store=Store(config.store.database_url))
        baton_server.mount(create_app(runtime))
        runner = CliRunner()
        try:
            refused = runner.invoke(main, ["setup", "--config", str(path)], input="n\n")
            assert refused.exit_code == 1 and "nothing created" in refused.output
            assert "create HubSpot property contacts.baton_recycle_count" in refused.output
            sick = runner.invoke(main, ["doctor", "--config", str(path)])
            assert sick.exit_code == 1 and "run `baton setup`" in sick.output
            made = runner.invoke(main, ["setup", "--config", str(path)], input="y\n")
            assert (
                made.exit_code == 0
                and "created: property contacts.baton_recycle_count" in made.output
            )
            again = runner.invoke(main, ["setup", "--yes", "--config", str(path)])
            assert again.exit_code == 0 and again.output.startswith("nothing to do")
            well = runner.invoke(main, ["doctor", "--config", str(path)])
            assert well.exit_code == 0, well.output
            assert "salesforce." not in well.output and "Baton can run." in well.output
        finally:
            baton_server.mount(None)
            runtime.close()


def test_a_public_app_gets_its_webhooks_set_through_the_api(org: Org) -> None:
    key = org.hs.config.developer_api_key
    org.configure({"hubspot.developer_api_key": SecretStr(key)})
    code, _ = org.doctor()
    assert code == 1
    assert any(
        "hubspot.webhooks" in line and "run `baton setup`" in line for line in org.failures()
    )

    made = org.setup()
    assert f"  created: webhook target URL {org.server.base_url}/webhooks/hubspot" in made
    assert "  created: webhook subscription contact.propertyChange (lifecyclestage)" in made
    assert not any("cannot be set through the API" in line for line in made)
    assert org.doctor()[0] == 0
    assert any(line.startswith("ok    hubspot.webhooks") for line in org.lines)
    assert org.setup()[0].startswith("nothing to do")

    # the subscriptions are live: a change in HubSpot reaches Baton's receiver, signed
    org.hs.ui_create("contacts", {"email": "new-admin@example.com"})
    assert org.hs.flush_webhooks(timeout=10)
    answered = [d.status for d in org.hs.webhook_deliveries if "/webhooks/hubspot" in d.url]
    assert answered and all(200 <= (status or 0) < 300 for status in answered)


def _counted(requests: list[Any]) -> dict[tuple[str, str], int]:
    counts: dict[tuple[str, str], int] = {}
    for r in requests:
        counts[(r.method, r.path)] = counts.get((r.method, r.path), 0) + 1
    return counts


def _schema_reads(org: Org) -> dict[tuple[str, str], int]:
    """Describes, property and group lists, and the Tooling field list read since the reset."""
    counts = _counted(org.hs.requests) | _counted(org.sf.requests)
    return {
        key: n
        for key, n in counts.items()
        if key[0] == "GET"
        and (key[1].endswith("/describe") or "/crm/v3/properties/" in key[1] or "tooling" in key[1])
    }


def _schema_reads_of(org: Org, run: Any) -> dict[tuple[str, str], int]:
    org.hs.reset_request_log()
    org.sf.reset_request_log()
    run()
    return _schema_reads(org)


def test_doctor_and_setup_read_each_describe_and_property_list_once(org: Org) -> None:
    doctor = _schema_reads_of(org, org.doctor)
    assert doctor and set(doctor.values()) == {1}, doctor
    assert ("GET", "/services/data/v59.0/sobjects/Lead/describe") in doctor
    setup = _schema_reads_of(org, org.setup)
    assert setup and set(setup.values()) == {1}, setup
    assert ("GET", "/crm/v3/properties/contacts") in setup


def test_the_lead_upsert_key_must_be_an_external_id_field(org: Org) -> None:
    org.setup()
    org.sf.add_custom_field("Lead", "Plain_Key__c")  # made by hand, External ID not ticked
    org.configure({"salesforce.lead_external_id_field": "Plain_Key__c"})
    code, _ = org.doctor()
    assert code == 1
    assert org.failures() == [
        "FAIL  salesforce.fields      Lead.Plain_Key__c (salesforce.lead_external_id_field) is "
        "not an External ID field, so Salesforce refuses upserts on it — fix: tick External "
        "ID on Lead.Plain_Key__c in Setup, or unset salesforce.lead_external_id_field"
    ]
    org.configure({"salesforce.lead_external_id_field": "Upsert_Key__c"})
    created = org.setup()  # a missing key is created as an External ID field
    assert any("Lead.Upsert_Key__c" in line for line in created), created
    assert org.doctor()[0] == 0
