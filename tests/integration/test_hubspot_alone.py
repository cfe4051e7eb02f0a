"""Baton beside HubSpot alone (Marketing + Sales Hub): the jobs inside HubSpot, and proof that
Salesforce is never contacted.

Only the HubSpot stand-in runs for this module: the Salesforce section of the config is
disabled and points at a loopback port with nothing listening, every socket connect attempt is
recorded, and the Salesforce client, reader and writer classes count their constructions.
The people act in the HubSpot sandbox; Baton answers through hubspot-api-client.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from click.testing import CliRunner
from crm_guard import ConnectionLog, connections_recorded, count_constructions, dead_port
from notify_catchers import MailCatcher, SlackCatcher, slack_endpoint, smtp_server
from pydantic import SecretStr
from sqlalchemy import select
from sync_world import MQL, SQL, BatonServer, SyncWorld, hubspot_sandbox

from adapters.salesforce.client import SalesforceClient
from adapters.salesforce.reader import SalesforceReader
from adapters.salesforce.writer import SalesforceWriter
from baton.cli import main as cli_main
from connector.commands import System, command_from_payload
from connector.config import default_config, with_changes
from connector.jobs.lifecycle.lead_pipeline import UnknownLeadStage
from connector.reports.scorecard import ScorecardFilters
from connector.reports.scorecard.build import build_in
from connector.store.models import (
    AuditEntry,
    CreditJourney,
    CreditLedgerRow,
    OutboxCommand,
    PipelineDeal,
    SlaClock,
)

CUSTOMER, NEW, CONNECTED = "customer", "new-stage-id", "connected-stage-id"
DISQUALIFIED = "unqualified-stage-id"
TASK_STATUS = "hs_task_status"
DEAL_PROPERTIES = ("baton_credit_summary", "baton_top_channel", "baton_credit_computed_at")
#: what a HubSpot-only portal adds to Baton's subscriptions: the Leads stage and the deal stage
LEADS_AND_DEALS = [
    ("object.propertyChange", "hs_pipeline_stage"),
    ("deal.propertyChange", "dealstage"),
    ("contact.propertyChange", "hubspot_owner_id"),
    # SLA: a rep ticking a task off (calls, e-mails and meetings are in HUBSPOT_SUBSCRIPTIONS)
    {
        "subscriptionType": "object.propertyChange",
        "objectName": "task",
        "propertyName": TASK_STATUS,
    },
]
DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@pytest.fixture(scope="module")
def hubspot_alone(baton_server: BatonServer) -> Iterator[Any]:
    """The HubSpot stand-in alone; no Salesforce stand-in is started for this module."""
    with hubspot_sandbox(baton_server.base_url) as hs:
        hs.subscribe(baton_server.base_url + "/webhooks/hubspot", LEADS_AND_DEALS)
        for name in DEAL_PROPERTIES:
            hs.add_property("deals", name, "string")
        yield hs


@pytest.fixture
def salesforce_port() -> int:
    return dead_port()


@pytest.fixture
def guard(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[ConnectionLog, dict[str, int]]]:
    counts = count_constructions(monkeypatch, SalesforceClient, SalesforceReader, SalesforceWriter)
    with connections_recorded(monkeypatch) as log:
        yield log, counts


@pytest.fixture
def world(
    baton_server: BatonServer,
    hubspot_alone: Any,
    migrated_template: Path,
    tmp_path: Path,
    salesforce_port: int,
    guard: tuple[ConnectionLog, dict[str, int]],
) -> Iterator[SyncWorld]:
    """Baton configured for HubSpot alone, with two HubSpot owners in one routed team."""
    hs = hubspot_alone
    path = tmp_path / "baton.db"
    shutil.copyfile(migrated_template, path)
    owners = [hs.add_owner(f"rep{i}-{tmp_path.name}@example.com", "Rep", str(i)) for i in (1, 2)]
    config = default_config(
        hubspot_base_url=hs.base_url,
        salesforce_instance_url=f"https://127.0.0.1:{salesforce_port}",
        public_base_url=baton_server.base_url,
        database_url=f"sqlite:///{path}",
    )
    config = with_changes(
        config,
        {
            "salesforce.enabled": False,
            "hubspot.leads_object": {"enabled": True, "lead_type": "NEW_BUSINESS"},
            "lifecycle.within_hubspot": {
                "lead_stages": {CONNECTED: SQL},
                "deal_stages": {"closedwon": CUSTOMER},
            },
            "routing.teams": {"inbound": {"hubspot_owners": owners}},
            "routing.rules": [{"name": "everyone", "team": "inbound"}],
        },
    )
    world = SyncWorld.open(hs, None, baton_server, config)
    world.owners = owners  # type: ignore[attr-defined]
    yield world
    world.close()


def _qualified(world: SyncWorld, tag: str, **properties: Any) -> str:
    contact_id = world.new_contact(tag, **properties)
    world.settle()
    world.hs.ui_update("contacts", contact_id, {"lifecyclestage": MQL}, user_id=7)
    world.settle()
    return contact_id


def _leads_of(world: SyncWorld, contact_id: str) -> list[dict[str, Any]]:
    ids = world.hs.associations("contacts", contact_id, "leads")
    return [world.hs.get("leads", lead_id)["properties"] for lead_id in ids]


def _assert_salesforce_never_contacted(
    guard: tuple[ConnectionLog, dict[str, int]], salesforce_port: int, hs: Any
) -> None:
    log, counts = guard
    assert counts == {"SalesforceClient": 0, "SalesforceReader": 0, "SalesforceWriter": 0}
    assert log.to_port(salesforce_port) == []
    assert log.attempts, "the guard saw no connection at all: it is not recording"
    assert int(hs.base_url.rsplit(":", 1)[1].rstrip("/")) in log.ports()


def test_handoff_assigns_the_contact_owner_and_creates_a_lead_record(
    world: SyncWorld, guard: tuple[ConnectionLog, dict[str, int]], salesforce_port: int
) -> None:
    first = _qualified(world, "solo-a")
    second = _qualified(world, "solo-b")

    owners = [world.contact(c)["hubspot_owner_id"] for c in (first, second)]
    assert owners == world.owners  # type: ignore[attr-defined]  # round robin, in order
    leads = _leads_of(world, first)
    assert len(leads) == 1
    lead = leads[0]
    assert lead["hs_pipeline_stage"] == NEW and lead["hs_pipeline"] == "lead-pipeline-id"
    assert lead["hubspot_owner_id"] == owners[0] and lead["hs_lead_type"] == "NEW_BUSINESS"
    assert lead["hs_lead_name"] == "Ada Solo-A"
    assert world.dead_letters() == []
    world.assert_quiet()
    _assert_salesforce_never_contacted(guard, salesforce_port, world.hs)


def test_a_held_back_mql_gets_no_owner_and_no_lead(world: SyncWorld) -> None:
    world.configure({"handoff.mql_definition": {"required_properties": ["jobtitle"]}})
    contact_id = _qualified(world, "solo-held")
    contact = world.contact(contact_id)
    assert "missing Job Title" in contact["baton_hold_reason"]  # the label, as beside Salesforce
    assert not contact.get("hubspot_owner_id") and _leads_of(world, contact_id) == []


def test_lead_stage_and_deal_stage_move_the_lifecycle_forward(
    world: SyncWorld, guard: tuple[ConnectionLog, dict[str, int]], salesforce_port: int
) -> None:
    contact_id = _qualified(world, "solo-stages")
    lead_id = world.hs.associations("contacts", contact_id, "leads")[0]

    world.hs.ui_update("leads", lead_id, {"hs_pipeline_stage": CONNECTED}, user_id=7)
    world.settle()
    assert world.contact(contact_id)["lifecyclestage"] == SQL

    deal_id = world.hs.ui_create("deals", {"dealname": "Solo", "dealstage": "qualifiedtobuy"})
    world.hs.ui_associate("deals", deal_id, "contacts", contact_id)
    world.hs.ui_update("deals", deal_id, {"dealstage": "closedwon"}, user_id=7)
    world.settle()
    assert world.contact(contact_id)["lifecyclestage"] == CUSTOMER

    world.hs.ui_update("leads", lead_id, {"hs_pipeline_stage": CONNECTED}, user_id=7)
    world.settle()  # a later lead move never takes a customer back
    assert world.contact(contact_id)["lifecyclestage"] == CUSTOMER
    assert world.dead_letters() == []
    _assert_salesforce_never_contacted(guard, salesforce_port, world.hs)


def test_lead_stages_named_by_label_are_read_from_the_portal_and_unknown_ones_refused(
    world: SyncWorld, guard: tuple[ConnectionLog, dict[str, int]], salesforce_port: int
) -> None:
    world.configure(
        {
            "hubspot.leads_object": {"enabled": True, "pipeline": "Lead pipeline", "stage": "New"},
            "lifecycle.within_hubspot": {"lead_stages": {"Connected": SQL}},
        }
    )
    contact_id = _qualified(world, "solo-labels")
    (lead,) = _leads_of(world, contact_id)
    assert (lead["hs_pipeline"], lead["hs_pipeline_stage"]) == ("lead-pipeline-id", NEW)
    lead_id = world.hs.associations("contacts", contact_id, "leads")[0]
    world.hs.ui_update("leads", lead_id, {"hs_pipeline_stage": CONNECTED}, user_id=7)
    world.settle()
    assert world.contact(contact_id)["lifecyclestage"] == SQL

    with pytest.raises(UnknownLeadStage) as caught:
        world.configure({"lifecycle.within_hubspot": {"lead_stages": {"conected-stage-id": SQL}}})
    assert "did you mean 'connected-stage-id'?" in str(caught.value)
    assert world.dead_letters() == []
    _assert_salesforce_never_contacted(guard, salesforce_port, world.hs)


def test_a_disqualified_lead_recycles_its_contact_with_the_reason(
    world: SyncWorld, guard: tuple[ConnectionLog, dict[str, int]], salesforce_port: int
) -> None:
    contact_id = _qualified(world, "solo-recycle")
    lead_id = world.hs.associations("contacts", contact_id, "leads")[0]

    world.hs.ui_update(
        "leads",
        lead_id,
        {"hs_pipeline_stage": DISQUALIFIED, "hs_lead_disqualification_reason": "BAD_TIMING"},
        user_id=7,
    )
    world.settle()

    contact = world.contact(contact_id)
    assert contact["lifecyclestage"] == world.runtime.config.recycle.hubspot_stage
    assert contact["baton_recycle_reason"] == "bad_timing"
    assert contact["baton_recycle_count"] == "1"
    assert world.dead_letters() == []
    _assert_salesforce_never_contacted(guard, salesforce_port, world.hs)


def _disqualify_then_convert_again(world: SyncWorld, contact_id: str) -> str:
    """The rep says "not now" on the lead; weeks later the contact converts on a form again."""
    lead_id = world.hs.associations("contacts", contact_id, "leads")[0]
    world.hs.ui_update(
        "leads",
        lead_id,
        {"hs_pipeline_stage": DISQUALIFIED, "hs_lead_disqualification_reason": "BAD_TIMING"},
        user_id=7,
    )
    world.settle()
    assert world.contact(contact_id)["lifecyclestage"] == world.runtime.config.recycle.hubspot_stage
    now_ms = int(datetime.now(UTC).timestamp() * 1000)
    world.hs.system_update(
        "contacts", contact_id, {"recent_conversion_date": now_ms}, change_source="FORM"
    )
    world.settle()
    return lead_id


def test_a_reactivated_contact_goes_back_to_its_previous_owner_with_a_new_lead(
    world: SyncWorld, guard: tuple[ConnectionLog, dict[str, int]], salesforce_port: int
) -> None:
    first = _qualified(world, "solo-back-a")
    _qualified(world, "solo-back-b")
    _qualified(world, "solo-back-c")  # the round robin's next pick is the second owner
    old_lead = _disqualify_then_convert_again(world, first)

    contact = world.contact(first)
    assert contact["lifecyclestage"] == MQL
    assert contact["hubspot_owner_id"] == world.owners[0]  # type: ignore[attr-defined]
    ids = world.hs.associations("contacts", first, "leads")
    (new_lead,) = [i for i in ids if i != old_lead]
    lead = world.hs.get("leads", new_lead)["properties"]
    assert lead["hs_pipeline_stage"] == NEW
    assert lead["hubspot_owner_id"] == world.owners[0]  # type: ignore[attr-defined]
    assert world.hs.get("leads", old_lead)["properties"]["hs_pipeline_stage"] == DISQUALIFIED
    world.settle()  # Baton's own writes coming back start nothing more
    assert len(world.hs.associations("contacts", first, "leads")) == 2
    assert world.dead_letters() == []
    _assert_salesforce_never_contacted(guard, salesforce_port, world.hs)


def test_without_hand_back_to_the_previous_owner_the_round_robin_decides(world: SyncWorld) -> None:
    world.configure({"recycle.hand_back_to_previous_owner": False})
    first = _qualified(world, "solo-rr-a")
    _qualified(world, "solo-rr-b")
    _qualified(world, "solo-rr-c")
    _disqualify_then_convert_again(world, first)
    assert world.contact(first)["hubspot_owner_id"] == world.owners[1]  # type: ignore[attr-defined]
    assert sorted(lead["hubspot_owner_id"] for lead in _leads_of(world, first)) == sorted(
        world.owners  # type: ignore[attr-defined]
    )
    clocks = [(c.number, c.owner_id) for c in _clocks(world) if c.lead_id == first]
    assert clocks == [(1, world.owners[0]), (2, world.owners[1])], "one new clock, the new owner's"  # type: ignore[attr-defined]


def test_a_reactivated_contact_whose_owner_left_is_routed_round_robin(
    world: SyncWorld, guard: tuple[ConnectionLog, dict[str, int]], salesforce_port: int
) -> None:
    first = _qualified(world, "solo-left")
    owners = world.owners  # type: ignore[attr-defined]
    assert world.contact(first)["hubspot_owner_id"] == owners[0]
    newcomer = world.hs.add_owner(f"rep3-{world.tag}@example.com", "Rep", "3")
    world.hs.archive_owner(owners[0])  # the rep left; the team was staffed anew
    world.configure({"routing.teams": {"inbound": {"hubspot_owners": [owners[1], newcomer]}}})
    _disqualify_then_convert_again(world, first)

    # the first hand-off took round-robin position 0, so this one takes position 1
    assert world.contact(first)["hubspot_owner_id"] == newcomer
    owners_of_leads = sorted(lead["hubspot_owner_id"] for lead in _leads_of(world, first))
    assert owners_of_leads == sorted([owners[0], newcomer])
    assert world.dead_letters() == []
    _assert_salesforce_never_contacted(guard, salesforce_port, world.hs)


def test_the_guard_would_see_a_salesforce_call(
    guard: tuple[ConnectionLog, dict[str, int]], salesforce_port: int
) -> None:
    """The negative control: a Salesforce client that is built and called shows in both."""
    log, counts = guard
    client = SalesforceClient(f"https://127.0.0.1:{salesforce_port}", session_id="x", verify=False)
    with pytest.raises(Exception):  # noqa: B017 - refused connection, wrapped by the client
        client.sf.query("SELECT Id FROM Lead")
    assert counts["SalesforceClient"] == 1
    assert log.to_port(salesforce_port) != []


def test_a_won_hubspot_deal_is_credited_on_the_deal(
    world: SyncWorld, guard: tuple[ConnectionLog, dict[str, int]], salesforce_port: int
) -> None:
    contact_id = _qualified(world, "solo-credit")
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
    deal_id = world.hs.ui_create(
        "deals", {"dealname": "Solo deal", "dealstage": "qualifiedtobuy", "amount": "1000.01"}
    )
    world.hs.ui_associate("deals", deal_id, "contacts", contact_id)
    world.settle()
    world.hs.ui_update(
        "deals", deal_id, {"dealstage": "closedwon", "closedate": _ms(now)}, user_id=7
    )
    world.settle()

    with world.runtime.store.session() as session:
        rows = session.scalars(
            select(CreditLedgerRow).where(CreditLedgerRow.deal_id == deal_id)
        ).all()
        shares = sorted((r.channel, r.amount_minor) for r in rows if r.reversed_at is None)
    assert shares == [("form_submission", 50000), ("paid_search", 50001)]
    deal = world.hs.get("deals", deal_id)["properties"]
    assert deal["baton_top_channel"] == "paid_search"
    assert deal["baton_credit_summary"] == (
        "linear, EUR: paid_search: 500.01; form_submission: 500.00"
    )
    assert world.contact(contact_id)["lifecyclestage"] == CUSTOMER
    assert world.dead_letters() == []
    _assert_salesforce_never_contacted(guard, salesforce_port, world.hs)


def test_a_lost_hubspot_deal_records_its_journey_for_the_markov_history(
    world: SyncWorld, guard: tuple[ConnectionLog, dict[str, int]], salesforce_port: int
) -> None:
    contact_id = _qualified(world, "solo-lost")
    now = datetime.now(UTC)
    world.hs.system_update(
        "contacts",
        contact_id,
        {"hs_analytics_source": "PAID_SEARCH",
         "hs_analytics_first_timestamp": _ms(now - timedelta(days=20))},
    )  # fmt: skip
    deal_id = world.hs.ui_create(
        "deals", {"dealname": "Solo lost", "dealstage": "qualifiedtobuy", "amount": "400"}
    )
    world.hs.ui_associate("deals", deal_id, "contacts", contact_id)
    world.settle()
    # open: the HubSpot deal itself is in the marketing pipeline (its contact's source touch)
    with world.runtime.store.session() as session:
        row = session.get(PipelineDeal, deal_id)
        assert row is not None and (row.system, row.state, row.amount_minor) == (
            "hubspot", "open", 40000,
        )  # fmt: skip
        assert (row.sourced, row.influenced, row.top_channel) == (True, True, "paid_search")
        card = build_in(session, world.runtime.config, datetime.now(UTC).date(), ScorecardFilters())
    assert card.metric("pipeline_marketing").value == Decimal("400.00")
    world.hs.ui_update(
        "deals", deal_id, {"dealstage": "closedlost", "closedate": _ms(now)}, user_id=7
    )
    world.settle()

    with world.runtime.store.session() as session:
        left = session.get(PipelineDeal, deal_id)
        assert left is not None and left.state == "lost" and left.left_at is not None
        journey = session.get(CreditJourney, deal_id)
        assert journey is not None, "the lost deal's journey is recorded"
        assert (journey.won, journey.path, journey.withdrawn_at) == (
            False, [["paid_search", None]], None,
        )  # fmt: skip
        assert (
            session.scalars(select(CreditLedgerRow).where(CreditLedgerRow.deal_id == deal_id)).all()
            == []
        ), "a lost deal earns no credit"
    assert "baton_credit_summary" not in {
        k for k, v in world.hs.get("deals", deal_id)["properties"].items() if v
    }
    assert world.dead_letters() == []
    _assert_salesforce_never_contacted(guard, salesforce_port, world.hs)


def _ms(moment: datetime) -> str:
    return str(int(moment.timestamp() * 1000))


# ---- SLA: last in the module, since its time travel stamps requests hours ahead -------------


@pytest.fixture(scope="module")
def mail() -> Iterator[tuple[MailCatcher, int]]:
    with smtp_server() as caught:
        yield caught


@pytest.fixture(scope="module")
def slack() -> Iterator[tuple[SlackCatcher, str]]:
    with slack_endpoint() as caught:
        yield caught


@pytest.fixture
def sla_world(world: SyncWorld, mail: Any, slack: Any) -> dict[str, Any]:
    """One rep (the routed owner) whose manager is another HubSpot owner; a 1-hour promise."""
    catcher, port = mail
    slack_catcher, slack_url = slack
    catcher.clear()
    slack_catcher.clear()
    tag = world.tag
    manager = world.hs.add_owner(f"max-{tag}@example.com", "Max", "Manager")
    rep = world.hs.add_owner(f"rita-{tag}@example.com", "Rita", "Rep")
    world.configure(
        {
            "routing.teams": {"inbound": {"hubspot_owners": [rep]}},
            "sla.calendar": {
                "timezone": "UTC",
                "working_hours": {day: "00:00-24:00" for day in DAYS},
                "holidays": {"country": None},
            },
            "sla.policies": [
                {"name": "inbound", "applies_to": "all", "first_response_business_hours": 1}
            ],
            "escalation.managers": {rep: manager},
            "escalation.ladder": [
                {"after_business_hours": 0, "notify": "owner", "channels": ["email"]},
                {"after_business_hours": 1, "notify": "manager", "channels": ["email", "slack"]},
            ],
            "notifiers.email": {
                "smtp_host": "127.0.0.1",
                "smtp_port": port,
                "from_address": "baton@example.com",
                "starttls": False,
            },
            "notifiers.slack": {"webhook_url": SecretStr(slack_url)},
        }
    )
    return {"mail": catcher, "slack": slack_catcher, "rep": rep, "manager": manager}


def _clocks(world: SyncWorld) -> list[SlaClock]:
    with world.runtime.store.session() as session:
        rows = list(session.scalars(select(SlaClock).order_by(SlaClock.id)))
        session.expunge_all()
        return rows


def test_working_the_lead_record_meets_the_sla(world: SyncWorld, sla_world: dict[str, Any]):
    contact_id = _qualified(world, "solo-sla-met")
    (clock,) = _clocks(world)
    assert (clock.lead_id, clock.owner_id, clock.state) == (contact_id, sla_world["rep"], "running")
    assert (clock.team, clock.policy) == ("inbound", "inbound")
    lead_id = world.hs.associations("contacts", contact_id, "leads")[0]
    world.hs.ui_update("leads", lead_id, {"hs_pipeline_stage": "attempting-stage-id"}, user_id=7)
    world.settle()
    (clock,) = _clocks(world)
    assert (clock.state, clock.stopped_by) == ("met", "lead stage")


def test_a_missed_first_response_escalates_to_the_owner_then_the_manager(
    world: SyncWorld,
    sla_world: dict[str, Any],
    guard: tuple[ConnectionLog, dict[str, int]],
    salesforce_port: int,
) -> None:
    start = datetime.now(UTC)
    contact_id = _qualified(world, "solo-sla-breach")
    mail: MailCatcher = sla_world["mail"]
    with _at(start, 1):
        world.settle()
    (owner_mail,) = mail.mails
    rep_address = world.hs.state.owners[sla_world["rep"]].email
    assert owner_mail.to == (rep_address,)
    assert f"/record/0-1/{contact_id}" in owner_mail.body
    with _at(start, 2):
        world.settle()
    assert [m.to for m in mail.mails[1:]] == [(world.hs.state.owners[sla_world["manager"]].email,)]
    assert len(sla_world["slack"].posts) == 1
    (clock,) = _clocks(world)
    assert clock.state == "breached"
    _assert_salesforce_never_contacted(guard, salesforce_port, world.hs)


def _at(start: datetime, hours: float) -> Any:
    """Travel to ``hours`` after ``start`` (plus a minute), the clock ticking from there."""
    return time_machine.travel(start + timedelta(hours=hours, minutes=1), tick=True)


def _now_ms() -> str:
    return str(int(datetime.now(UTC).timestamp() * 1000))


def _log(world: SyncWorld, kind: str, contact_id: str, owner: str, **properties: Any) -> str:
    """A rep logs an activity on the contact's record in HubSpot (created associated)."""
    values = {"hs_timestamp": _now_ms(), "hubspot_owner_id": owner, **properties}
    return world.hs.ui_create(kind, values, user_id=7, associations=[("contacts", contact_id)])


def test_a_call_by_the_clocks_owner_meets_the_sla_and_anothers_does_not(
    world: SyncWorld,
    sla_world: dict[str, Any],
    guard: tuple[ConnectionLog, dict[str, int]],
    salesforce_port: int,
) -> None:
    contact_id = _qualified(world, "solo-sla-call")
    _log(world, "calls", contact_id, world.owners[0], hs_call_title="Not mine")  # type: ignore[attr-defined]
    _log(world, "emails", contact_id, sla_world["rep"], hs_email_subject="Draft")
    world.settle()
    (clock,) = _clocks(world)
    assert (clock.state, clock.touches) == ("met", 1), "the rep's e-mail is the first touch"
    assert clock.stopped_by == "email"
    call = _log(world, "calls", contact_id, sla_world["rep"], hs_call_title="Intro")
    world.settle()
    (clock,) = _clocks(world)
    assert (clock.state, clock.touches) == ("met", 2), "a later call is counted, once"
    world.hs.ui_update("calls", call, {"hs_call_title": "Intro call"}, user_id=7)
    world.settle()
    assert _clocks(world)[0].touches == 2
    assert world.dead_letters() == []
    _assert_salesforce_never_contacted(guard, salesforce_port, world.hs)


def test_a_task_completed_while_webhooks_were_lost_is_found_at_the_deadline(
    world: SyncWorld, sla_world: dict[str, Any]
) -> None:
    start = datetime.now(UTC)
    contact_id = _qualified(world, "solo-sla-task")
    open_task = _log(world, "tasks", contact_id, sla_world["rep"], hs_task_subject="To do")
    world.settle()
    assert _clocks(world)[0].state == "running", "an open task is a to-do, not a touch"
    with world.server.refusing("/webhooks/hubspot"):
        world.hs.ui_update("tasks", open_task, {TASK_STATUS: "COMPLETED"}, user_id=7)
        assert world.hs.flush_webhooks(timeout=10)
    assert world.hs.webhook_given_up, "the completion's webhook was lost"
    assert _clocks(world)[0].state == "running"
    with _at(start, 1):
        world.settle()
    (clock,) = _clocks(world)
    assert (clock.state, clock.stopped_by, clock.touches) == ("met", "task", 1)
    assert sla_world["mail"].mails == [], "a touch found at the deadline is no breach"


def _baton_tasks(world: SyncWorld, contact_id: str) -> list[tuple[str, dict[str, Any]]]:
    ids = world.hs.associations("contacts", contact_id, "tasks")
    tasks = [(i, world.hs.get("tasks", i)["properties"]) for i in ids]
    return [(i, p) for i, p in tasks if "[baton " in (p.get("hs_task_subject") or "")]


def test_a_breach_files_hubspot_tasks_once_on_contact_and_lead_never_a_touch(
    world: SyncWorld,
    sla_world: dict[str, Any],
    guard: tuple[ConnectionLog, dict[str, int]],
    salesforce_port: int,
) -> None:
    world.configure(
        {
            "escalation.ladder": [
                {"after_business_hours": 0, "notify": "owner", "channels": ["crm_task"]},
                {"after_business_hours": 1, "notify": "manager", "channels": ["crm_task"]},
            ]
        }
    )
    rep, manager = sla_world["rep"], sla_world["manager"]
    start = datetime.now(UTC)
    contact_id = _qualified(world, "solo-sla-tasked")
    (lead_id,) = world.hs.associations("contacts", contact_id, "leads")
    with _at(start, 1):
        world.settle()
    ((task_id, task),) = _baton_tasks(world, contact_id)
    assert (task["hubspot_owner_id"], task[TASK_STATUS], task["hs_task_priority"]) == (
        rep,
        "NOT_STARTED",
        "HIGH",
    )
    assert contact_id in task["hs_task_subject"] and task["hs_timestamp"]
    assert f"/record/0-1/{contact_id}" in task["hs_task_body"]
    assert world.hs.associations("tasks", task_id, "leads") == [lead_id]
    # the rep ticks Baton's reminder off without logging a call: that is no touch
    with _at(start, 1.1):
        world.hs.ui_update("tasks", task_id, {TASK_STATUS: "COMPLETED"}, user_id=7)
        world.settle()
    (clock,) = _clocks(world)
    assert (clock.state, clock.touches) == ("breached", 0)
    with _at(start, 2):
        world.settle()
    tasks = _baton_tasks(world, contact_id)
    assert sorted(p["hubspot_owner_id"] for _, p in tasks) == sorted([rep, manager])
    # a resend of the same notice (a lost answer, a second worker) finds the task it made
    with world.runtime.store.session() as session:
        sent = session.scalars(
            select(OutboxCommand).where(OutboxCommand.idempotency_key.like("%step1:crm_task"))
        ).one()
        notice = command_from_payload(sent.kind, sent.payload)
    (again,) = world.worker.dispatcher.writers[System.NOTIFY].execute([notice])
    manager_task = next(i for i, p in tasks if p["hubspot_owner_id"] == manager)
    assert again.data["task_id"] == manager_task
    assert len(_baton_tasks(world, contact_id)) == 2
    assert world.dead_letters() == []
    _assert_salesforce_never_contacted(guard, salesforce_port, world.hs)


NINE_TO_FIVE = '[{"days":"MONDAY_TO_FRIDAY","startMinute":540,"endMinute":1020}]'


def _next_monday_at_eight() -> datetime:
    today = datetime.now(UTC).replace(hour=8, minute=0, second=0, microsecond=0)
    return today + timedelta(days=7 - today.weekday())


def _audit_lines(world: SyncWorld, contact_id: str) -> list[str]:
    with world.runtime.store.session() as session:
        rows = session.scalars(
            select(AuditEntry.summary).where(
                AuditEntry.record_key == f"hubspot:contact:{contact_id}"
            )
        )
        return list(rows)


def test_a_hubspot_owner_in_another_zone_gets_a_later_deadline_from_their_working_hours(
    world: SyncWorld,
    guard: tuple[ConnectionLog, dict[str, int]],
    salesforce_port: int,
    tmp_path: Path,
) -> None:
    """Both users work 09:00-17:00 on their own clock; the SLA is one business hour."""
    tag = world.tag
    london = world.hs.add_owner(
        f"lena-{tag}@example.com", "Lena", "London", time_zone="Europe/London",
        working_hours=NINE_TO_FIVE,
    )  # fmt: skip
    new_york = world.hs.add_owner(
        f"nora-{tag}@example.com", "Nora", "NewYork", time_zone="America/New_York",
        working_hours=NINE_TO_FIVE,
    )  # fmt: skip
    world.configure(
        {
            "sla.calendar": {"timezone": "Asia/Tokyo", "holidays": {"country": None}},
            "sla.policies": [
                {"name": "inbound", "applies_to": "all", "first_response_business_hours": 1}
            ],
            "sla.owner_calendars_from_hubspot": True,
        }
    )
    monday = _next_monday_at_eight()
    deadlines: dict[str, datetime] = {}
    with time_machine.travel(monday, tick=True):
        for owner in (london, new_york):
            world.configure({"routing.teams": {"inbound": {"hubspot_owners": [owner]}}})
            contact_id = _qualified(world, f"solo-zone-{owner}")
            (clock,) = [c for c in _clocks(world) if c.lead_id == contact_id]
            assert clock.owner_id == owner
            deadlines[owner] = clock.deadline_at.replace(tzinfo=UTC)
            audit = _audit_lines(world, contact_id)
            assert any(f"HubSpot user of owner {owner}" in line for line in audit), audit

    def local(hour: int, zone: str) -> datetime:
        return monday.astimezone(ZoneInfo(zone)).replace(hour=hour).astimezone(UTC)

    assert deadlines[london] == local(10, "Europe/London"), "09:00-10:00 London time"
    assert deadlines[new_york] == local(10, "America/New_York"), "09:00-10:00 New York time"
    assert deadlines[new_york] > deadlines[london] + timedelta(hours=4)
    assert world.dead_letters() == []
    _assert_salesforce_never_contacted(guard, salesforce_port, world.hs)

    # `baton sla deadline --owner` reads the same user through the same config key
    hubspot = world.runtime.config.hubspot
    path = tmp_path / "hubspot-users.yaml"
    path.write_text(
        f"hubspot:\n  portal_id: {hubspot.portal_id}\n  base_url: {hubspot.base_url}\n"
        "  access_token: ${HUBSPOT_ACCESS_TOKEN}\n  client_secret: ${HUBSPOT_CLIENT_SECRET}\n"
        "salesforce: {enabled: false}\n"
        "sla:\n  calendar: {timezone: Asia/Tokyo, holidays: {country: null}}\n"
        "  owner_calendars_from_hubspot: true\n"
    )
    env = {
        "HUBSPOT_ACCESS_TOKEN": hubspot.access_token.get_secret_value(),
        "HUBSPOT_CLIENT_SECRET": hubspot.client_secret.get_secret_value(),
    }
    start = monday.isoformat()
    run = [
        "sla", "deadline", "--config", str(path), "--start", start, "--business-hours", "1",
    ]  # fmt: skip
    result = CliRunner().invoke(cli_main, [*run, "--owner", new_york], env=env)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert (
        lines[0]
        == f"Owner          {new_york}: HubSpot user of owner {new_york} (working hours, time zone)"
    )
    assert "Time zone      America/New_York" in lines[2] or any(
        line.startswith("Time zone      America/New_York") for line in lines
    )
    assert f"{deadlines[new_york]:%Y-%m-%d %H:%M}" in lines[1]
    absent = CliRunner().invoke(cli_main, [*run, "--owner", "1"], env=env)
    assert absent.exit_code == 0, absent.output
    assert (
        absent.output.splitlines()[0]
        == "Owner          1: no HubSpot user for owner 1: sla.calendar"
    )


def test_a_hand_back_to_the_same_owner_starts_one_new_sla_clock(world: SyncWorld) -> None:
    world.configure(
        {
            "sla.calendar": {
                "timezone": "UTC",
                "working_hours": {day: "00:00-24:00" for day in DAYS},
                "holidays": {"country": None},
            },
            "sla.policies": [
                {"name": "inbound", "applies_to": "all", "first_response_business_hours": 1}
            ],
        }
    )
    contact_id = _qualified(world, "solo-sla-back")
    owner = world.contact(contact_id)["hubspot_owner_id"]
    assert [c.number for c in _clocks(world) if c.lead_id == contact_id] == [1]
    _disqualify_then_convert_again(world, contact_id)
    world.settle()
    assert world.contact(contact_id)["hubspot_owner_id"] == owner, "handed back to the same rep"
    mine = [c for c in _clocks(world) if c.lead_id == contact_id]
    assert [(c.number, c.owner_id) for c in mine][-1] == (2, owner)
    assert len(mine) == 2, "exactly one new clock, none from the echoes"
