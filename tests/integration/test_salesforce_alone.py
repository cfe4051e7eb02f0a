"""Baton beside Salesforce alone (with Account Engagement): the jobs inside Salesforce, and
proof that HubSpot is never contacted.

Only the Salesforce stand-in runs for this module: the HubSpot section is disabled and points at
a loopback port with nothing listening, every socket connect attempt is recorded, and the
HubSpot client, reader and writer classes count their constructions. People act in the
Salesforce sandbox; Baton answers through simple-salesforce.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from crm_guard import ConnectionLog, connections_recorded, count_constructions, dead_port
from notify_catchers import MailCatcher, smtp_server
from sqlalchemy import select
from sync_world import (
    CONTACT_STAGE_FIELD,
    MQL,
    OPEN,
    OPPORTUNITY,
    RECYCLE_HISTORY_FIELD,
    RECYCLE_REASON_FIELD,
    SQL,
    WORKING,
    BatonServer,
    SyncWorld,
    salesforce_sandbox,
    unique_email,
)

from adapters.hubspot.client import HubSpotClient
from adapters.hubspot.reader import HubSpotReader
from adapters.hubspot.writer import HubSpotWriter
from connector.config import default_config, with_changes
from connector.store.models import (
    AuditEntry,
    CreditJourney,
    CreditLedgerRow,
    PipelineDeal,
    RecycleEpisode,
    SlaClock,
)

#: the Lead and Contact field the lifecycle lives in (the sandbox's Contact already has it)
STAGE_FIELD = CONTACT_STAGE_FIELD
MODEL = "Baton_Attribution"
NOT_NOW = "Closed - Not Converted"
HOLD_FIELD = "Baton_Hold_Reason__c"
DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@pytest.fixture(scope="module")
def salesforce_alone(baton_server: BatonServer) -> Iterator[Any]:
    """The Salesforce stand-in alone; no HubSpot stand-in is started for this module."""
    with salesforce_sandbox(baton_server.base_url) as sf:
        sf.add_custom_field("Lead", STAGE_FIELD)
        sf.add_custom_field("Lead", HOLD_FIELD, length=1000)  # `baton setup` creates it
        sf.add_influence_model(MODEL, "Baton attribution")
        yield sf


@pytest.fixture(scope="module")
def mail() -> Iterator[tuple[MailCatcher, int]]:
    with smtp_server() as caught:
        yield caught


@pytest.fixture
def hubspot_port() -> int:
    return dead_port()


@pytest.fixture
def guard(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[ConnectionLog, dict[str, int]]]:
    counts = count_constructions(monkeypatch, HubSpotClient, HubSpotReader, HubSpotWriter)
    with connections_recorded(monkeypatch) as log:
        yield log, counts


@pytest.fixture
def world(
    baton_server: BatonServer,
    salesforce_alone: Any,
    migrated_template: Path,
    tmp_path: Path,
    hubspot_port: int,
    guard: tuple[ConnectionLog, dict[str, int]],
    mail: tuple[MailCatcher, int],
) -> Iterator[SyncWorld]:
    """Baton configured for Salesforce alone: two reps in one routed team, a 1-hour SLA."""
    sf = salesforce_alone
    catcher, smtp_port = mail
    catcher.clear()
    path = tmp_path / "baton.db"
    shutil.copyfile(migrated_template, path)
    tag = id(tmp_path)
    manager = sf.add_user("Max Manager", f"max-{tag}@example.com")
    reps = [
        sf.add_user(f"Rep {i}", f"rep{i}-{tag}@example.com", manager_id=manager) for i in (1, 2)
    ]
    config = default_config(
        hubspot_base_url=f"http://127.0.0.1:{hubspot_port}",
        salesforce_instance_url=sf.instance_url,
        public_base_url=baton_server.base_url,
        database_url=f"sqlite:///{path}",
    )
    config = with_changes(
        config,
        {
            "hubspot.enabled": False,
            "salesforce.integration_user_id": sf.integration_user_id,
            "salesforce.lifecycle_field": STAGE_FIELD,
            "routing.teams": {"inbound": {"members": reps}},
            "routing.rules": [{"name": "everyone", "team": "inbound"}],
            "recycle.reason_field": RECYCLE_REASON_FIELD,
            "recycle.salesforce_history_field": RECYCLE_HISTORY_FIELD,
            "credit.writeback.salesforce_influence_model": MODEL,
            "sla.calendar": {
                "timezone": "UTC",
                "working_hours": {day: "00:00-24:00" for day in DAYS},
                "holidays": {"country": None},
            },
            "sla.policies": [
                {"name": "inbound", "applies_to": "all", "first_response_business_hours": 1}
            ],
            "escalation.ladder": [
                {"after_business_hours": 0, "notify": "owner", "channels": ["email"]},
                {"after_business_hours": 1, "notify": "manager", "channels": ["email", "crm_task"]},
            ],
            "notifiers.email": {
                "smtp_host": "127.0.0.1",
                "smtp_port": smtp_port,
                "from_address": "baton@example.com",
                "starttls": False,
            },
        },
    )
    world = SyncWorld.open(None, sf, baton_server, config)
    world.reps = reps  # type: ignore[attr-defined]
    world.manager = manager  # type: ignore[attr-defined]
    world.mail = catcher  # type: ignore[attr-defined]
    yield world
    world.close()


def _new_lead(world: SyncWorld, tag: str) -> str:
    """Marketing (Account Engagement) qualifies a lead: it arrives as an open lead."""
    lead_id = world.sf.ui_create(
        "Lead",
        {"LastName": tag.title(), "Company": "Acme BV", "Email": unique_email(tag), "Status": OPEN},
    )
    world.settle()
    return lead_id


def _assert_hubspot_never_contacted(
    guard: tuple[ConnectionLog, dict[str, int]], hubspot_port: int
) -> None:
    log, counts = guard
    assert counts == {"HubSpotClient": 0, "HubSpotReader": 0, "HubSpotWriter": 0}
    assert log.to_port(hubspot_port) == []
    assert log.attempts, "the guard saw no connection at all: it is not recording"


def test_status_conversion_and_opportunity_drive_the_lifecycle_field_and_handoff_routes(
    world: SyncWorld, guard: tuple[ConnectionLog, dict[str, int]], hubspot_port: int
) -> None:
    first, second = _new_lead(world, "sf-a"), _new_lead(world, "sf-b")
    leads = [world.lead(first), world.lead(second)]
    assert [lead[STAGE_FIELD] for lead in leads] == [MQL, MQL]
    assert [lead["OwnerId"] for lead in leads] == world.reps  # type: ignore[attr-defined]

    world.sf.ui_update("Lead", first, {"Status": WORKING}, user_id=world.reps[0])  # type: ignore[attr-defined]
    world.settle()
    assert world.lead(first)[STAGE_FIELD] == SQL

    converted = world.sf.ui_convert_lead(first)
    world.settle()
    contact_id = str(converted["contact_id"])
    # the conversion carries SQL to the contact; its new "Prospecting" opportunity moves it on
    assert world.sf.get("Contact", contact_id)[STAGE_FIELD] == OPPORTUNITY
    with world.runtime.store.session() as session:
        story = list(session.scalars(select(AuditEntry.summary).order_by(AuditEntry.id)))
    # the lead's and the opportunity's events arrive in either order; neither moves it back
    carried = f"lead converted: Contact {contact_id} {STAGE_FIELD} → {SQL!r}"
    assert carried in story or "lead converted: contact already there" in story

    today = datetime.now(UTC).date().isoformat()
    world.sf.ui_update(
        "Opportunity",
        str(converted["opportunity_id"]),
        {"StageName": "Closed Won", "Amount": 500, "CloseDate": today},
    )
    world.settle()
    assert world.sf.get("Contact", contact_id)[STAGE_FIELD] == "customer"
    assert world.dead_letters() == []
    world.assert_quiet()
    _assert_hubspot_never_contacted(guard, hubspot_port)


def test_a_lead_failing_the_mql_definition_is_held_by_label_until_fixed_then_routed(
    world: SyncWorld, guard: tuple[ConnectionLog, dict[str, int]], hubspot_port: int
) -> None:
    world.configure(
        {
            "handoff.mql_definition": {
                "required_properties": ["email", "company", "jobtitle"],
                "criteria": [{"property": "numemployees", "op": "gte", "value": 50}],
            }
        }
    )
    lead_id = _new_lead(world, "sf-held")
    lead = world.lead(lead_id)
    assert lead[STAGE_FIELD] == MQL  # marketing's stage stands; sales does not get it yet
    assert lead["OwnerId"] not in world.reps  # type: ignore[attr-defined]
    # reasons name the Lead fields by their labels (Title; "Number Of Employees" in this org)
    assert lead[HOLD_FIELD] == (
        "missing Title; does not meet: Number Of Employees gte 50 (is None)"
    )

    world.sf.ui_update("Lead", lead_id, {"NumberOfEmployees": 10})
    world.settle()  # still short of the definition: still held, the reason current
    assert world.lead(lead_id)["OwnerId"] not in world.reps  # type: ignore[attr-defined]
    assert world.lead(lead_id)[HOLD_FIELD].startswith("missing Title; does not meet")
    assert "(is 10)" in world.lead(lead_id)[HOLD_FIELD]

    world.sf.ui_update("Lead", lead_id, {"Title": "CTO", "NumberOfEmployees": 200})
    world.settle()
    lead = world.lead(lead_id)
    assert lead["OwnerId"] == world.reps[0]  # type: ignore[attr-defined]
    assert not lead.get(HOLD_FIELD)
    second = _new_lead(world, "sf-held-2")  # the round robin moved on by one, not more
    world.sf.ui_update("Lead", second, {"Title": "CFO", "NumberOfEmployees": 60})
    world.settle()
    assert world.lead(second)["OwnerId"] == world.reps[1]  # type: ignore[attr-defined]
    assert world.dead_letters() == []
    _assert_hubspot_never_contacted(guard, hubspot_port)


def test_not_now_with_a_reason_is_recycled_in_salesforce(
    world: SyncWorld, guard: tuple[ConnectionLog, dict[str, int]], hubspot_port: int
) -> None:
    lead_id = _new_lead(world, "sf-recycle")
    world.sf.ui_update(
        "Lead",
        lead_id,
        {"Status": NOT_NOW, RECYCLE_REASON_FIELD: "bad_timing"},
        user_id=world.reps[0],  # type: ignore[attr-defined]
    )
    world.settle()
    with world.runtime.store.session() as session:
        (episode,) = session.scalars(select(RecycleEpisode)).all()
        assert (episode.state, episode.reason_code) == ("recycled", "bad_timing")
        assert episode.salesforce_lead_id == lead_id and episode.hubspot_contact_id is None
    assert "Bad timing" in (world.lead(lead_id)[RECYCLE_HISTORY_FIELD] or "")
    assert world.lead(lead_id)[STAGE_FIELD] == world.runtime.config.recycle.hubspot_stage
    assert world.dead_letters() == []
    _assert_hubspot_never_contacted(guard, hubspot_port)


def test_a_won_opportunity_is_credited_to_campaign_influence(
    world: SyncWorld, guard: tuple[ConnectionLog, dict[str, int]], hubspot_port: int
) -> None:
    lead_id = _new_lead(world, "sf-credit")
    campaign = world.sf.ui_create("Campaign", {"Name": "Webinar sf", "Type": "Webinar"})
    world.sf.ui_create(
        "CampaignMember", {"CampaignId": campaign, "LeadId": lead_id, "Status": "Responded"}
    )
    converted = world.sf.ui_convert_lead(lead_id)
    opportunity = str(converted["opportunity_id"])
    world.settle()
    today = datetime.now(UTC).date().isoformat()
    world.sf.ui_update(
        "Opportunity", opportunity, {"StageName": "Closed Won", "Amount": 300, "CloseDate": today}
    )
    world.settle()

    influence = [r for r in world.sf.all("CampaignInfluence") if r["OpportunityId"] == opportunity]
    assert [(r["CampaignId"], r["ContactId"]) for r in influence] == [
        (campaign, str(converted["contact_id"]))
    ]
    with world.runtime.store.session() as session:
        rows = session.scalars(
            select(CreditLedgerRow).where(CreditLedgerRow.deal_id == opportunity)
        )
        assert sum(r.amount_minor for r in rows) == 30000
    assert world.dead_letters() == []
    _assert_hubspot_never_contacted(guard, hubspot_port)


def test_a_lost_opportunity_records_its_journey_for_the_markov_history(
    world: SyncWorld, guard: tuple[ConnectionLog, dict[str, int]], hubspot_port: int
) -> None:
    lead_id = _new_lead(world, "sf-lost")
    campaign = world.sf.ui_create("Campaign", {"Name": "Webinar lost", "Type": "Webinar"})
    world.sf.ui_create(
        "CampaignMember", {"CampaignId": campaign, "LeadId": lead_id, "Status": "Responded"}
    )
    converted = world.sf.ui_convert_lead(lead_id)
    opportunity = str(converted["opportunity_id"])
    world.settle()
    with world.runtime.store.session() as session:  # open: in the pipeline, the webinar's deal
        row = session.get(PipelineDeal, opportunity)
        assert row is not None and (row.system, row.state) == ("salesforce", "open")
        assert (row.influenced, row.top_channel) == (True, "webinar")
    today = datetime.now(UTC).date().isoformat()
    world.sf.ui_update("Opportunity", opportunity, {"StageName": "Closed Lost", "CloseDate": today})
    world.settle()

    with world.runtime.store.session() as session:
        left = session.get(PipelineDeal, opportunity)
        assert left is not None and left.state == "lost", "lost: out of the open pipeline"
        journey = session.get(CreditJourney, opportunity)
        assert journey is not None, "the lost opportunity's journey is recorded"
        assert (journey.won, journey.path) == (False, [["webinar", campaign]])
    assert [r for r in world.sf.all("CampaignInfluence") if r["OpportunityId"] == opportunity] == []
    assert world.dead_letters() == []
    _assert_hubspot_never_contacted(guard, hubspot_port)


def test_a_missed_first_response_escalates_through_the_manager_chain(
    world: SyncWorld, guard: tuple[ConnectionLog, dict[str, int]], hubspot_port: int
) -> None:
    start = datetime.now(UTC)
    lead_id = _new_lead(world, "sf-sla")
    with world.runtime.store.session() as session:
        (clock,) = session.scalars(select(SlaClock)).all()
        assert (clock.lead_id, clock.owner_id, clock.state) == (lead_id, world.reps[0], "running")  # type: ignore[attr-defined]
    mail: MailCatcher = world.mail  # type: ignore[attr-defined]
    with time_machine.travel(start + timedelta(hours=1, minutes=1), tick=True):
        world.settle()
    with time_machine.travel(start + timedelta(hours=2, minutes=1), tick=True):
        world.settle()
    addresses = [m.to for m in mail.mails]
    rep_mail = world.sf.get("User", world.reps[0])["Email"]  # type: ignore[attr-defined]
    manager_mail = world.sf.get("User", world.manager)["Email"]  # type: ignore[attr-defined]
    assert addresses == [(rep_mail,), (manager_mail,)]
    # the manager's step also files a Salesforce Task on the lead, for the manager
    tasks = [t for t in world.sf.all("Task") if t["WhoId"] == lead_id and "[baton " in t["Subject"]]
    assert [t["OwnerId"] for t in tasks] == [world.manager]  # type: ignore[attr-defined]
    _assert_hubspot_never_contacted(guard, hubspot_port)
