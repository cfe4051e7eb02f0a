"""Erasure after a whole journey through both sandboxes, on SQLite and PostgreSQL.

One person is handed off, misses the first-response SLA (the owner is e-mailed, the manager
e-mailed and told on Slack), is called at last and recycled by sales; another is handed off,
converted and won, and credited. Then ``baton forget`` erases both (one by address, one by
HubSpot id). Every column of every table is read afterwards for their addresses, names and
ids, and the counts the reports show (credit per deal and model, clocks, breaches, recycles)
must not have moved. A second run changes nothing.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from privacy_testing import aggregates, postgres_schema_url, where_found
from sqlalchemy import select
from sync_world import BatonServer, SyncWorld, base_config, unique_email
from test_credit import _win, _won_deal_setup, credit_sandboxes  # noqa: F401 (a fixture)
from test_recycle import NOT_NOW, RECYCLE_REASON_FIELD
from test_sla import _at, _call, _configure, mail, slack  # noqa: F401 (fixtures)

from baton.cli import main
from connector.config.secrets import secrets_in
from connector.logs import configure_logging
from connector.store import upgrade
from connector.store.models import CreditLedgerRow, InboxEvent, OutboxCommand

pytestmark = pytest.mark.slow


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def jworld(
    request: pytest.FixtureRequest,
    baton_server: BatonServer,
    credit_sandboxes: tuple[Any, Any],  # noqa: F811
    migrated_template: Path,
    tmp_path: Path,
) -> Iterator[tuple[SyncWorld, str]]:
    hs, sf = credit_sandboxes
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'baton.db'}"
        yield from _open(hs, sf, baton_server, url)
        return
    with postgres_schema_url() as url:
        yield from _open(hs, sf, baton_server, url)


def _open(hs: Any, sf: Any, server: BatonServer, url: str) -> Iterator[tuple[SyncWorld, str]]:
    upgrade(url)
    world = SyncWorld.open(hs, sf, server, base_config(hs, sf, server.base_url, url))
    try:
        yield world, url
    finally:
        world.close()


def _baton(url: str, *args: str) -> Any:
    result = CliRunner().invoke(
        main, list(args), env={"BATON_DATABASE_URL": url, "BATON_CONFIG": ""}
    )
    assert result.exit_code == 0, result.output
    return result


def test_forget_after_hand_off_sla_escalation_recycle_and_credit(jworld, mail, slack) -> None:  # noqa: F811
    world, url = jworld
    catcher, port = mail
    slack_catcher, slack_url = slack
    catcher.clear()
    slack_catcher.clear()
    tag = world.tag
    director = world.sf.add_user("Dora Director", f"dora-{tag}@example.com")
    manager = world.sf.add_user("Max Manager", f"max-{tag}@example.com", manager_id=director)
    rep = world.sf.add_user("Rita Rep", f"rita-{tag}@example.com", manager_id=manager)
    _configure(world, [rep], port, slack_url)
    nurture = world.hs.add_list(f"Nurture {tag}", "MANUAL")
    queue = world.sf.add_queue(f"Marketing nurture {tag}")
    world.configure({"recycle.nurture_list_id": nurture, "recycle.marketing_queue_id": queue})

    # the first person: hand-off, a missed SLA with two escalation steps, a call, "not now"
    erin_email = unique_email("erin")
    start = datetime.now(UTC)
    erin, erin_lead = world.hand_off("zwartjes", email=erin_email, firstname="Erinja")
    with _at(start, 1):
        world.settle()
    with _at(start, 2):
        world.settle()
    assert len(catcher.mails) == 2 and len(slack_catcher.posts) == 1
    _call(world, erin_lead, rep)
    world.sf.ui_update("Lead", erin_lead, {"Status": NOT_NOW, RECYCLE_REASON_FIELD: "no_budget"})
    world.settle()

    # the second: hand-off, conversion, a won deal with credit
    won = _won_deal_setup(world, "wintermans")
    _win(world, won["opportunity"], 25_000.0)
    with world.runtime.store.session() as session:
        assert session.scalars(select(CreditLedgerRow.id)).first() is not None
    wim_email = str(world.contact(won["contact"])["email"])

    # what a subject-access request shows before the erasure
    export = json.loads(_baton(url, "export-person", erin_email).output)
    assert {"sla_clocks", "recycle_episodes", "outbox", "audit"} <= set(export["tables"])
    assert any(r["kind"] == "notify" for r in export["tables"]["outbox"])
    assert export["subject"]["salesforce_lead_ids"] == [erin_lead]
    before = aggregates(world.runtime.store)

    _baton(url, "forget", erin_email)
    _baton(url, "forget", won["contact"])

    store = world.runtime.store
    # a HubSpot contact id is named as a contact (deal 1001 may exist beside contact 1001)
    erin_values = [erin_email, "Zwartjes", "Erinja", f"contact:{erin}", erin_lead]
    wim_values = [wim_email, "Wintermans", f"contact:{won['contact']}", won["sf_contact"]]
    assert where_found(store, erin_values) == {}
    assert where_found(store, wim_values) == {}
    assert aggregates(store) == before
    for who in (erin_email, won["contact"]):
        assert _baton(url, "forget", who).output.strip().endswith("erased: 0 row(s) changed")
        assert json.loads(_baton(url, "export-person", who).output)["tables"] == {}
    with store.session() as session:
        statuses = set(session.scalars(select(OutboxCommand.status)))
    assert "pending" not in statuses
    # what went out to people named the lead by id only
    sent = [m.body + m.subject for m in catcher.mails] + slack_catcher.texts()
    assert catcher.mails and slack_catcher.texts(), "the escalation reached nobody: nothing checked"
    assert not [text for text in sent if "Zwartjes" in text or erin_email in text]


@pytest.fixture
def baton_logs(world: SyncWorld) -> Iterator[io.StringIO]:
    """Baton's log lines as its configured logging writes them (JSON, secrets and addresses
    filtered), at DEBUG so nothing is left out."""
    buffer = io.StringIO()
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    configure_logging("DEBUG", "json", secrets_in(world.runtime.config))
    root.handlers[0].setStream(buffer)  # type: ignore[attr-defined]
    try:
        yield buffer
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])


def test_a_fault_run_logs_and_stores_no_name_address_or_secret(world, baton_logs) -> None:
    email = unique_email("faultina")
    surname = "Refusewell"
    world.sf.add_validation_rule(
        "Lead",
        lambda lead: (
            f"{lead.get('Email')} ({lead.get('FirstName')} {lead.get('LastName')}) is blocked"
            if lead.get("Email") == email
            else None
        ),
        fields=["Email"],
    )
    contact_id = world.new_contact("faultina", email=email, lastname=surname, firstname="Faultina")
    world.settle()
    world.hs.inject(500, count=3, path_prefix="/crm/v3/objects/contacts")  # reads fail, retried
    world.hs.ui_update(
        "contacts", contact_id, {"lifecyclestage": "marketingqualifiedlead"}, user_id=7
    )
    world.settle(timeout=60)

    ((system, code, message),) = world.dead_letters()
    assert (system, code) == ("salesforce", "FIELD_CUSTOM_VALIDATION_EXCEPTION")
    assert "is blocked" in message and "<LastName>" in message
    personal = [email, surname, "Faultina"]
    assert not [value for value in personal if value in message]
    logs = baton_logs.getvalue()
    assert logs, "the fault run logged"
    assert not [value for value in personal if value.lower() in logs.lower()]
    assert not [secret for secret in secrets_in(world.runtime.config) if secret in logs]
    with world.runtime.store.session() as session:
        outcomes = " ".join(o or "" for o in session.scalars(select(InboxEvent.outcome)))
        errors = " ".join(e or "" for e in session.scalars(select(OutboxCommand.last_error)))
    assert not [value for value in personal if value in outcomes + errors]
