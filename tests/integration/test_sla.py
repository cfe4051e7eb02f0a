"""SLA clocks and escalations through both sandboxes, a real SMTP server and a Slack stand-in.

Marketing hands a contact off in HubSpot, Baton creates the Salesforce Lead for a rep, and the
rep's first logged touch (a Task, or a working status) is what the clock waits for. Time is moved
with time-machine (the calendar is 24/7 in UTC so the arithmetic stays visible: a 1-hour first
response, steps at 0, 1, 2 and 3 hours after the breach). Inside a time travel the tests only
let timers fire and Salesforce answer: the sandboxes are shared by the session, and requests
stamped hours ahead would stay in HubSpot's rolling 10-second window after the travel ends.
Every assertion reads what arrived at the SMTP server or the Slack endpoint, the sandboxes'
records, or Baton's store.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from notify_catchers import MailCatcher, SlackCatcher, slack_endpoint, smtp_server
from pydantic import SecretStr
from sqlalchemy import create_engine, select, text
from sync_world import RECYCLE_REASON_FIELD, WORKING, SyncWorld, base_config

from connector.commands import System, command_from_payload
from connector.jobs.sla.rules import period_of
from connector.store import upgrade
from connector.store.models import (
    AuditEntry,
    OutboxCommand,
    SlaBreach,
    SlaClock,
    SlaRepMiss,
    Timer,
)
from connector.worker import Worker

DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
REVOPS = "revops@example.com"
NOT_NOW = "Closed - Not Converted"


@pytest.fixture(scope="module", autouse=True)
def _leave_the_portal_window_free(sandboxes: tuple[Any, Any]) -> Iterator[None]:
    """Ten quick hand-offs fill much of the shared portal's rolling 10-second window; let it
    drain before the next module, whose first calls would otherwise be refused with 429."""
    yield
    hs, _ = sandboxes
    limit = hs.config.burst_limit
    give_up = time.monotonic() + 11
    while hs.limiter.peek()[0] < limit * 0.9 and time.monotonic() < give_up:
        time.sleep(0.2)


@pytest.fixture(scope="module")
def mail() -> Iterator[tuple[MailCatcher, int]]:
    with smtp_server() as caught:
        yield caught


@pytest.fixture(scope="module")
def slack() -> Iterator[tuple[SlackCatcher, str]]:
    with slack_endpoint() as caught:
        yield caught


@pytest.fixture
def team(world: SyncWorld, mail: Any, slack: Any) -> dict[str, Any]:
    """A rep with a manager and a director, one team, a 24/7 calendar, a four-step ladder."""
    catcher, port = mail
    slack_catcher, slack_url = slack
    catcher.clear()
    slack_catcher.clear()
    tag = world.tag
    director = world.sf.add_user("Dora Director", f"dora-{tag}@example.com")
    manager = world.sf.add_user("Max Manager", f"max-{tag}@example.com", manager_id=director)
    rep = world.sf.add_user("Rita Rep", f"rita-{tag}@example.com", manager_id=manager)
    people = {"rep": rep, "manager": manager, "director": director}
    _configure(world, [rep], port, slack_url)
    return {"mail": catcher, "slack": slack_catcher, "port": port, "slack_url": slack_url, **people}


def _configure(world: SyncWorld, members: list[str], port: int, slack_url: str) -> None:
    world.configure(
        {
            "routing.teams": {"inbound": {"members": members}},
            "routing.rules": [{"name": "everyone", "when": [], "team": "inbound"}],
            "sla.calendar": {
                "timezone": "UTC",
                "working_hours": {day: "00:00-24:00" for day in DAYS},
                "holidays": {"country": None},
            },
            "sla.policies": [
                {
                    "name": "inbound",
                    "applies_to": "all",
                    "first_response_business_hours": 1,
                    "min_touches_before_disqualify": 2,
                }
            ],
            "escalation.ladder": [
                {"after_business_hours": 0, "notify": "owner", "channels": ["email"]},
                {"after_business_hours": 1, "notify": "manager", "channels": ["email", "slack"]},
                {"after_business_hours": 2, "notify": "director", "channels": ["email"]},
                {"after_business_hours": 3, "notify": REVOPS, "channels": ["email"]},
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


def _email(world: SyncWorld, user_id: str) -> str:
    return str(world.sf.get("User", user_id)["Email"])


def _clocks(world: SyncWorld) -> list[SlaClock]:
    with world.runtime.store.session() as session:
        rows = list(session.scalars(select(SlaClock).order_by(SlaClock.id)))
        session.expunge_all()
        return rows


def _breaches(world: SyncWorld) -> list[tuple[str, str]]:
    with world.runtime.store.session() as session:
        return [(b.kind, b.owner_id) for b in session.scalars(select(SlaBreach))]


def _timers(world: SyncWorld) -> list[tuple[str, str]]:
    with world.runtime.store.session() as session:
        rows = session.scalars(select(Timer).where(Timer.job == "sla"))
        return [(t.kind, t.status) for t in rows]


def _audit(world: SyncWorld, lead_id: str) -> list[str]:
    with world.runtime.store.session() as session:
        rows = session.scalars(
            select(AuditEntry.summary)
            .where(AuditEntry.record_key == f"salesforce:lead:{lead_id}")
            .order_by(AuditEntry.id)
        )
        return list(rows)


def _call(world: SyncWorld, lead_id: str, rep: str) -> str:
    """The rep logs a call on the lead in Salesforce (a Task, fired as an outbound message)."""
    task = world.sf.ui_create(
        "Task",
        {
            "WhoId": lead_id,
            "OwnerId": rep,
            "Subject": "Call",
            "Status": "Completed",
            "TaskSubtype": "Call",
        },
        user_id=rep,
    )
    world.settle()
    return task


def _at(start: datetime, hours: float) -> Any:
    """Travel to ``hours`` after ``start`` (plus a minute), the clock ticking from there."""
    return time_machine.travel(start + timedelta(hours=hours, minutes=1), tick=True)


def test_a_call_within_the_hour_meets_the_sla_and_nobody_hears(world, team):
    start = datetime.now(UTC)
    _, lead_id = world.hand_off("met")
    (clock,) = _clocks(world)
    assert (clock.state, clock.owner_id, clock.policy, clock.team) == (
        "running",
        team["rep"],
        "inbound",
        "inbound",
    )
    assert abs(clock.deadline_at - (clock.started_at + timedelta(hours=1))) < timedelta(seconds=1)
    _call(world, lead_id, team["rep"])
    (clock,) = _clocks(world)
    assert (clock.state, clock.stopped_by, clock.touches) == ("met", "task", 1)
    with _at(start, 5):
        world.settle()
    assert team["mail"].mails == [] and team["slack"].posts == []
    assert _breaches(world) == []
    assert _timers(world) == [("sla.breach", "cancelled")]
    assert any("met: task" in line for line in _audit(world, lead_id))


def test_a_meeting_logged_on_the_lead_meets_the_sla(world, team):
    _, lead_id = world.hand_off("meeting")
    start = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    meeting = world.sf.ui_create(
        "Event",
        {"WhoId": lead_id, "OwnerId": team["rep"], "Subject": "Intro", "StartDateTime": start,
         "DurationInMinutes": 30},
        user_id=team["rep"],
    )  # fmt: skip
    world.settle()
    (clock,) = _clocks(world)
    assert (clock.state, clock.stopped_by, clock.touches) == ("met", "event", 1)
    assert any(f"met: event {meeting}" in line for line in _audit(world, lead_id))


def _hubspot_call(world: SyncWorld, contact_id: str, owner_id: str) -> str:
    """A call logged on the contact's record in HubSpot (created with its association)."""
    now_ms = str(int(datetime.now(UTC).timestamp() * 1000))
    properties = {"hs_timestamp": now_ms, "hubspot_owner_id": owner_id, "hs_call_title": "Intro"}
    return world.hs.ui_create(
        "calls", properties, user_id=7, associations=[("contacts", contact_id)]
    )


def test_a_call_logged_in_hubspot_by_the_owner_meets_the_sla(world, team):
    rep_owner = world.hs.add_owner(_email(world, team["rep"]).upper(), "Rita", "Rep")
    someone = world.hs.add_owner(f"someone-{world.tag}@example.com", "Some", "One")
    contact_id, lead_id = world.hand_off("hubspot-call")
    _hubspot_call(world, contact_id, someone)
    world.settle()
    (clock,) = _clocks(world)
    assert (clock.state, clock.touches) == ("running", 0), "another owner's call is no touch"
    call = _hubspot_call(world, contact_id, rep_owner)
    world.settle()
    (clock,) = _clocks(world)
    assert (clock.state, clock.stopped_by, clock.touches) == ("met", "call", 1)
    assert any(f"met: HubSpot call {call}" in line for line in _audit(world, lead_id))


def test_the_deadline_reads_each_address_once_however_many_hubspot_engagements(world, team):
    """Five engagements by two owners: one User read, one owner read each (OwnerMatch, and the
    worker's per-pass read cache under it; tests/sla/test_sla_hubspot_touches.py checks the
    first alone)."""
    rep_owner = world.hs.add_owner(_email(world, team["rep"]), "Rita", "Rep")
    someone = world.hs.add_owner(f"someone-else-{world.tag}@example.com", "Some", "One")
    start = datetime.now(UTC)
    contact_id, _ = world.hand_off("many-calls")
    with world.server.refusing("/webhooks/hubspot"):  # the calls' webhooks are lost
        for owner in (someone, someone, someone, rep_owner, rep_owner):
            _hubspot_call(world, contact_id, owner)
        assert world.hs.flush_webhooks(timeout=10)
    world.hs.reset_request_log()
    world.sf.reset_request_log()
    with _at(start, 1):
        world.settle()
    (clock,) = _clocks(world)
    assert (clock.state, clock.stopped_by) == ("met", "call"), "found by the deadline's re-read"
    owner_reads = [r.path for r in world.hs.requests if r.path.startswith("/crm/v3/owners/")]
    assert sorted(owner_reads) == sorted(f"/crm/v3/owners/{o}" for o in (someone, rep_owner))
    user_reads = [r for r in world.sf.requests if "User" in r.path + r.query]
    assert len(user_reads) == 1, [(r.path, r.query) for r in user_reads]
    assert team["mail"].mails == []


def test_a_working_status_meets_the_sla(world, team):
    _, lead_id = world.hand_off("status")
    world.sf.ui_update("Lead", lead_id, {"Status": WORKING}, user_id=team["rep"])
    world.settle()
    (clock,) = _clocks(world)
    assert (clock.state, clock.stopped_by) == ("met", "status")


def test_a_breach_walks_every_step_once_with_a_restart_between_steps(world, team):
    start = datetime.now(UTC)
    _, lead_id = world.hand_off("breach")
    mail: MailCatcher = team["mail"]
    with _at(start, 1):
        world.settle()
    (owner_mail,) = mail.mails
    assert owner_mail.to == (_email(world, team["rep"]),)
    assert lead_id in owner_mail.subject
    assert f"/lightning/r/Lead/{lead_id}/view" in owner_mail.body
    assert _breaches(world) == [("first_response", team["rep"])]
    world._rebuild()  # a restart between steps (on today's clock: a rebuild reads HubSpot)
    with _at(start, 2):
        world.settle()
    world._rebuild()  # and one after the step fired
    with _at(start, 2):
        world.settle()
    assert [m.to for m in mail.mails[1:]] == [(_email(world, team["manager"]),)]
    (post,) = team["slack"].texts()
    assert lead_id in post and team["rep"] in post
    assert "Rita Rep" not in post, "Slack history is beyond erasure: ids, not names"
    with _at(start, 3):
        world.settle()
    with _at(start, 4):
        world.settle()
    with _at(start, 9):
        world.settle()
    assert [m.to[0] for m in mail.mails] == [
        _email(world, team["rep"]),
        _email(world, team["manager"]),
        _email(world, team["director"]),
        REVOPS,
    ]
    assert len(team["slack"].posts) == 1
    # the first step (0 hours) goes out with the breach itself; the other three are timers
    assert sorted(_timers(world)) == [("sla.breach", "done")] + [("sla.step", "done")] * 3
    (clock,) = _clocks(world)
    assert clock.state == "breached"
    lines = _audit(world, lead_id)
    assert sum(line.startswith("escalation step") for line in lines) == 4


def test_the_rep_acting_between_steps_stops_the_ladder(world, team):
    start = datetime.now(UTC)
    _, lead_id = world.hand_off("acts")
    with _at(start, 1):
        world.settle()
        assert len(team["mail"].mails) == 1
        _call(world, lead_id, team["rep"])
    with _at(start, 9):
        world.settle()
    assert len(team["mail"].mails) == 1, "nobody above the rep heard of it"
    assert team["slack"].posts == []
    (clock,) = _clocks(world)
    assert (clock.state, clock.stopped_by) == ("acted", "task")
    assert sorted(_timers(world)) == [("sla.breach", "done")] + [("sla.step", "cancelled")] * 3
    assert any("escalation stopped" in line for line in _audit(world, lead_id))


def _baton_tasks(world: SyncWorld, lead_id: str) -> list[dict[str, Any]]:
    return [t for t in world.sf.all("Task") if t["WhoId"] == lead_id and "[baton " in t["Subject"]]


def test_crm_tasks_reach_owner_and_manager_once_and_never_count_as_a_touch(world, team):
    ladder = [
        {"after_business_hours": 0, "notify": "owner", "channels": ["crm_task"]},
        {"after_business_hours": 1, "notify": "manager", "channels": ["crm_task", "email"]},
    ]
    world.configure({"escalation.ladder": ladder})
    start = datetime.now(UTC)
    _, lead_id = world.hand_off("tasked")
    with _at(start, 1):
        world.settle()
    (reminder,) = _baton_tasks(world, lead_id)
    assert (reminder["OwnerId"], reminder["Status"], reminder["Priority"]) == (
        team["rep"],
        "Not Started",
        "High",
    )
    assert lead_id in reminder["Subject"] and "/lightning/r/Lead/" in reminder["Description"]
    assert reminder["CreatedById"] == world.sf.integration_user_id
    # the rep ticks Baton's reminder off without logging a call: that is no touch
    world.sf.ui_update("Task", reminder["Id"], {"Status": "Completed"}, user_id=team["rep"])
    world.settle()
    (clock,) = _clocks(world)
    assert (clock.state, clock.touches) == ("breached", 0)
    with _at(start, 2):
        world.settle()
    tasks = _baton_tasks(world, lead_id)
    assert sorted(t["OwnerId"] for t in tasks) == sorted([team["rep"], team["manager"]])
    assert [m.to for m in team["mail"].mails] == [(_email(world, team["manager"]),)]
    # a resend of the same notice (a lost answer, a second worker) finds the Task it made
    with world.runtime.store.session() as session:
        sent = session.scalars(
            select(OutboxCommand).where(OutboxCommand.idempotency_key.like("%step1:crm_task"))
        ).one()
        notice = command_from_payload(sent.kind, sent.payload)
    writer = world.worker.dispatcher.writers[System.NOTIFY]
    (again,) = writer.execute([notice])
    manager_task = next(t for t in tasks if t["OwnerId"] == team["manager"])
    assert again.data["task_id"] == manager_task["Id"]
    assert len(_baton_tasks(world, lead_id)) == 2
    lines = _audit(world, lead_id)
    steps = [line for line in lines if line.startswith("escalation step")]
    assert [("by crm_task" in line) for line in steps] == [True, True]


def test_a_manager_who_is_a_hubspot_owner_gets_a_hubspot_task_on_the_contact_and_mail(world, team):
    """escalation.managers may name a HubSpot owner beside Salesforce: reached as one."""
    loner = world.sf.add_user("Lone Rep", f"lone-{world.tag}@example.com")  # no ManagerId
    hub_manager = world.hs.add_owner(f"hub-max-{world.tag}@example.com", "Hub", "Max")
    _configure(world, [loner], team["port"], team["slack_url"])
    world.configure(
        {
            "escalation.managers": {loner: hub_manager},
            "escalation.ladder": [
                {"after_business_hours": 0, "notify": "owner", "channels": ["email"]},
                {"after_business_hours": 1, "notify": "manager", "channels": ["crm_task", "email"]},
            ],
        }
    )
    start = datetime.now(UTC)
    contact_id, lead_id = world.hand_off("hub-manager")
    with _at(start, 1):
        world.settle()
    with _at(start, 2):
        world.settle()
    assert [m.to for m in team["mail"].mails] == [
        (_email(world, loner),),
        (world.hs.state.owners[hub_manager].email,),
    ]
    (task_id,) = world.hs.associations("contacts", contact_id, "tasks")
    task = world.hs.get("tasks", task_id)["properties"]
    assert task["hubspot_owner_id"] == hub_manager and lead_id in task["hs_task_subject"]
    assert f"/lightning/r/Lead/{lead_id}/view" in task["hs_task_body"]
    assert _baton_tasks(world, lead_id) == [], "no Salesforce Task for a HubSpot owner"
    assert world.dead_letters() == []


def test_the_last_step_reassigns_the_lead_in_salesforce_and_starts_the_next_reps_clock(world, team):
    rep2 = world.sf.add_user("Ruud Rep", f"ruud-{world.tag}@example.com")
    world.configure(
        {
            "routing.teams": {"inbound": {"members": [team["rep"], rep2]}},
            "escalation.ladder": [
                {"after_business_hours": 0, "notify": "owner", "channels": ["email"]},
                {"after_business_hours": 1, "notify": "manager", "channels": ["email"]},
            ],
            "escalation.reassign_at_last_step": True,
        }
    )
    start = datetime.now(UTC)
    _, lead_id = world.hand_off("reassigned")
    owner = world.lead(lead_id)["OwnerId"]
    other = rep2 if owner == team["rep"] else team["rep"]
    with _at(start, 1):
        world.settle()
    assert world.lead(lead_id)["OwnerId"] == owner, "not before the last step"
    with _at(start, 2):
        world.settle()
    assert world.lead(lead_id)["OwnerId"] == other
    first, second = _clocks(world)
    assert (first.state, first.stopped_by, first.owner_id) == ("ended", "reassigned", owner)
    assert (second.number, second.state, second.owner_id) == (2, "running", other)
    with _at(start, 2.5):
        world.settle()  # the write's echo and any repeat change nothing
    assert len(_clocks(world)) == 2 and world.lead(lead_id)["OwnerId"] == other
    assert any(f"reassigned from {owner} to {other}" in line for line in _audit(world, lead_id))


def test_a_queue_owned_lead_starts_its_clock_when_a_person_takes_it(world, team):
    queue = world.sf.add_queue(f"Inbound queue {world.tag}")
    world.sf.set_assignment_rule(lambda lead: queue)
    try:
        world.configure({"routing.rules": [], "salesforce.use_assignment_rules": True})
        _, lead_id = world.hand_off("queued")
        assert world.lead(lead_id)["OwnerId"] == queue
        assert _clocks(world) == []
        queued_at = datetime.now(UTC)
        time.sleep(1.1)  # Salesforce stamps whole seconds
        world.sf.ui_update("Lead", lead_id, {"OwnerId": team["rep"]}, user_id=team["rep"])
        world.settle()
        (clock,) = _clocks(world)
        assert clock.owner_id == team["rep"] and clock.state == "running"
        assert clock.started_at > queued_at, "the clock starts when the person takes the lead"
        assert clock.deadline_at - clock.started_at == timedelta(hours=1)
        with _at(clock.started_at, 1):
            world.settle()
        (owner_mail,) = team["mail"].mails
        assert owner_mail.to == (_email(world, team["rep"]),)
    finally:
        world.sf.set_assignment_rule(None)


def test_a_missing_manager_skips_to_the_fixed_address(world, team):
    loner = world.sf.add_user("Lone Rep", f"lone-{world.tag}@example.com")
    _configure(world, [loner], team["port"], team["slack_url"])
    start = datetime.now(UTC)
    _, lead_id = world.hand_off("nomanager")
    with _at(start, 9):
        for _ in range(5):
            world.settle()
    assert [m.to[0] for m in team["mail"].mails] == [_email(world, loner), REVOPS]
    assert team["slack"].posts == []
    lines = _audit(world, lead_id)
    assert any("(manager) skipped: no active manager" in line for line in lines)
    assert any("(director) skipped: no active director" in line for line in lines)


def test_an_inactive_manager_is_passed_over(world, team):
    tag = world.tag
    boss = world.sf.add_user("Bo Boss", f"bo-{tag}@example.com")
    gone = world.sf.add_user("Gone Manager", f"gone-{tag}@example.com", manager_id=boss)
    rep = world.sf.add_user("Ria Rep", f"ria-{tag}@example.com", manager_id=gone)
    world.sf.ui_update("User", gone, {"IsActive": False})
    assert world.sf.get("User", gone)["IsActive"] is False
    _configure(world, [rep], team["port"], team["slack_url"])
    start = datetime.now(UTC)
    world.hand_off("inactive")
    with _at(start, 9):
        for _ in range(5):
            world.settle()
    assert [m.to[0] for m in team["mail"].mails] == [
        _email(world, rep),
        _email(world, boss),  # the manager's level went to the active person above
        REVOPS,  # nobody active above the boss: the director step is skipped
    ]


def test_closing_with_too_few_touches_and_no_reason_is_a_breach(world, team):
    _, lead_id = world.hand_off("closed")
    _call(world, lead_id, team["rep"])
    world.sf.ui_update("Lead", lead_id, {"Status": NOT_NOW}, user_id=team["rep"])
    world.settle()
    assert sorted(_breaches(world)) == [
        ("min_touches", team["rep"]),
        ("no_reason", team["rep"]),
    ]
    (clock,) = _clocks(world)
    assert (clock.state, clock.stopped_by, clock.touches) == ("met", "closed", 1)


def test_closing_after_enough_touches_with_a_reason_keeps_the_promise(world, team):
    _, lead_id = world.hand_off("closedwell")
    _call(world, lead_id, team["rep"])
    _call(world, lead_id, team["rep"])
    fields = {"Status": NOT_NOW, RECYCLE_REASON_FIELD: "no_budget"}
    world.sf.ui_update("Lead", lead_id, fields, user_id=team["rep"])
    world.settle()
    assert _breaches(world) == []
    (clock,) = _clocks(world)
    assert clock.touches == 2


# ---------------------------------------------------------------------------- PostgreSQL


@pytest.fixture
def postgres_world(baton_server: Any, sandboxes: tuple[Any, Any]) -> Iterator[SyncWorld]:
    """A Baton on its own PostgreSQL schema (BATON_TEST_POSTGRES_URL), wired to the sandboxes."""
    url = os.environ.get("BATON_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("PostgreSQL not configured: set BATON_TEST_POSTGRES_URL to run these tests")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    scoped = f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"
    upgrade(scoped)
    hs, sf = sandboxes
    world = SyncWorld.open(hs, sf, baton_server, base_config(hs, sf, baton_server.base_url, scoped))
    try:
        yield world
    finally:
        world.close()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _second_worker(world: SyncWorld) -> Worker:
    other = Worker.from_runtime(world.runtime)
    other.owner = other.dispatcher.owner = f"{other.owner}:second"
    return other


def _pg_team(world: SyncWorld, mail: Any, slack: Any) -> tuple[MailCatcher, SlackCatcher, dict]:
    """Empty catchers, and a rep under a manager under a director, configured as ``team``."""
    catcher, port = mail
    slack_catcher, slack_url = slack
    catcher.clear()
    slack_catcher.clear()
    tag = world.tag
    director = world.sf.add_user("Dirk Director", f"dirk-{tag}@example.com")
    manager = world.sf.add_user("Mia Manager", f"mia-{tag}@example.com", manager_id=director)
    rep = world.sf.add_user("Rob Rep", f"rob-{tag}@example.com", manager_id=manager)
    _configure(world, [rep], port, slack_url)
    return catcher, slack_catcher, {"rep": rep, "manager": manager, "director": director}


def _race(world: SyncWorld, rounds: int = 4) -> None:
    """Two workers race for the due timers and the notices, ``rounds`` times."""
    workers = [world.worker, _second_worker(world)]
    for _ in range(rounds):
        threads = [
            threading.Thread(target=w.run_until_idle, kwargs={"timeout": 20}) for w in workers
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        world.flush()


@pytest.mark.postgres
def test_two_workers_on_postgresql_send_each_step_once(postgres_world, mail, slack):
    world = postgres_world
    catcher, slack_catcher, people = _pg_team(world, mail, slack)
    rep, manager, director = people["rep"], people["manager"], people["director"]
    start = datetime.now(UTC)
    world.hand_off("twoworkers")
    for hours in (1, 9):  # the breach with its first step, then the three step timers
        with _at(start, hours):
            _race(world)
            world.settle()
    assert sorted(m.to[0] for m in catcher.mails) == sorted(
        [_email(world, rep), _email(world, manager), _email(world, director), REVOPS]
    )
    assert len(slack_catcher.posts) == 1
    # the first step (0 hours) goes out with the breach itself; the other three are timers
    assert sorted(_timers(world)) == [("sla.breach", "done")] + [("sla.step", "done")] * 3
    with world.runtime.store.session() as session:
        notices = session.scalars(select(OutboxCommand).where(OutboxCommand.kind == "notify"))
        assert sorted((n.status, n.attempts) for n in notices) == [("done", 1)] * 5


# ---------------------------------------------------------------------------- per-rep ladder

PER_REP = {"steps": ["manager", "director"], "channels": ["email", "slack"]}


def _policy(hours: float) -> list[dict[str, Any]]:
    return [{"name": "inbound", "applies_to": "all", "first_response_business_hours": hours}]


def _expected_roles(clocks: list[SlaClock]) -> list[str]:
    """manager for a clock's first miss in its week, director for the later ones (computed, so
    a run across Sunday midnight UTC expects the reset it gets)."""
    seen: dict[str, int] = {}
    roles = []
    for clock in sorted(clocks, key=lambda c: c.deadline_at):
        code = period_of(clock.deadline_at, ZoneInfo("UTC"), "week").code
        seen[code] = seen.get(code, 0) + 1
        roles.append("manager" if seen[code] == 1 else "director")
    return roles


def test_the_per_rep_ladder_tells_the_manager_then_the_director_once_across_a_restart(world, team):
    world.configure({"escalation.ladder": [], "escalation.per_rep": PER_REP})
    start = datetime.now(UTC)
    leads = []
    for hours in (1, 2, 3):  # three leads, due one, two and three hours from now
        world.configure({"sla.policies": _policy(hours)})
        leads.append(world.hand_off(f"perrep{hours}")[1])
    address = {role: _email(world, team[role]) for role in ("manager", "director")}
    mail: MailCatcher = team["mail"]
    with _at(start, 1):
        world.settle()
    (first,) = mail.mails
    world._rebuild()  # a restart after the first miss
    with _at(start, 1):
        world.settle()
    assert len(mail.mails) == 1, "the restart sent nothing again"
    for hours in (2, 3, 9):
        with _at(start, hours):
            world.settle()
    clocks = _clocks(world)
    assert [c.state for c in clocks] == ["breached"] * 3
    expected = _expected_roles(clocks)
    assert [m.to[0] for m in mail.mails] == [address[role] for role in expected]
    assert team["rep"] in first.subject and leads[0] in first.subject
    assert "miss 1" in first.subject
    # the rep's week in numbers: three leads this week, none met, one missed so far, three open
    assert "3 lead(s) assigned, 0 % within the SLA (0 met, 1 missed); 3 lead(s) open now" in (
        first.body
    )
    assert f"/lightning/r/Lead/{leads[0]}/view" in first.body
    assert "Rita Rep" not in first.body + first.subject, "the rep is named by id"
    posts = team["slack"].texts()
    assert len(posts) == 3 and all(team["rep"] in post for post in posts)
    with world.runtime.store.session() as session:
        notices = session.scalars(select(OutboxCommand).where(OutboxCommand.kind == "notify"))
        assert (
            sorted((n.idempotency_key.split(":")[2], n.status, n.attempts) for n in notices)
            == [("rep", "done", 1)] * 6
        )
    lines = _audit(world, leads[0])
    assert any("per-rep ladder: miss 1 of" in line for line in lines)


@pytest.mark.postgres
def test_two_workers_on_postgresql_give_each_miss_its_own_place(postgres_world, mail, slack):
    world = postgres_world
    catcher, slack_catcher, people = _pg_team(world, mail, slack)
    manager, director = people["manager"], people["director"]
    world.configure({"escalation.ladder": [], "escalation.per_rep": PER_REP})
    start = datetime.now(UTC)
    for n in range(3):  # three leads due within the same few seconds
        world.hand_off(f"perrep-pg{n}")
    with _at(start, 1):
        _race(world)  # both workers race for the three deadlines and their notices
        world.settle()
    address = {"manager": _email(world, manager), "director": _email(world, director)}
    expected = _expected_roles(_clocks(world))
    assert sorted(m.to[0] for m in catcher.mails) == sorted(address[r] for r in expected)
    assert len(slack_catcher.posts) == 3
    with world.runtime.store.session() as session:
        places = session.execute(select(SlaRepMiss.period, SlaRepMiss.ordinal)).all()
    by_period: dict[str, list[int]] = {}
    for period, place in places:
        by_period.setdefault(period, []).append(place)
    assert all(sorted(p) == list(range(1, len(p) + 1)) for p in by_period.values())
