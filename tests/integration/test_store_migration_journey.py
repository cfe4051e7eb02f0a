"""SQLite → PostgreSQL through ``baton migrate-store`` after a real journey, then on with PG.

Baton runs on SQLite through both sandboxes until most tables hold rows: hand-offs, a missed
SLA escalated by e-mail and Slack, a call, a recycle, a conversion and a won deal with credit,
an erasure, and a qualification whose webhook is in the inbox but not yet worked. Baton stops,
the store is copied, and a Baton on PostgreSQL works on: the waiting change gets its Lead, no
command done on SQLite runs again (same idempotency keys, same attempts), no Lead is created
twice and nobody is notified twice.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from privacy_testing import POSTGRES_URL, postgres_schema_url
from sqlalchemy import func, select
from sync_world import (
    MQL,
    BatonServer,
    SyncWorld,
    base_config,
    salesforce_writes,
    unique_email,
)
from test_credit import _win, _won_deal_setup, credit_sandboxes  # noqa: F401 (a fixture)
from test_recycle import NOT_NOW, RECYCLE_REASON_FIELD
from test_sla import _at, _call, _configure, mail, slack  # noqa: F401 (fixtures)

from baton.cli import main
from connector.config import with_changes
from connector.store import Store, upgrade
from connector.store.models import Base, InboxEvent, OutboxCommand

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

#: the tables the journey must have filled on SQLite (the copy is checked on each); not here:
#: seen_requests (HubSpot v1/v2 workflow calls only), dead_letters, leases and heartbeats
#: (empty once a worker is idle and stopped)
FILLED = {
    "raw_requests", "inbox_events", "record_links", "record_states", "own_writes", "outbox",
    "audit", "timers", "cursors", "sla_clocks", "sla_breaches", "sla_touches",
    "recycle_episodes", "credit_ledger", "erasures",
}  # fmt: skip


def _counts(store: Store) -> dict[str, int]:
    with store.session() as session:
        return {
            table.name: int(session.scalar(select(func.count()).select_from(table)) or 0)
            for table in Base.metadata.sorted_tables
        }


def _commands(store: Store) -> dict[str, tuple[str, int]]:
    with store.session() as session:
        rows = session.execute(
            select(OutboxCommand.idempotency_key, OutboxCommand.status, OutboxCommand.attempts)
        )
        return {key: (status, attempts) for key, status, attempts in rows}


def _journey(world: SyncWorld, port: int, slack_url: str) -> dict[str, str]:
    tag = world.tag
    director = world.sf.add_user("Dora Director", f"dora-{tag}@example.com")
    manager = world.sf.add_user("Max Manager", f"max-{tag}@example.com", manager_id=director)
    rep = world.sf.add_user("Rita Rep", f"rita-{tag}@example.com", manager_id=manager)
    _configure(world, [rep], port, slack_url)
    nurture = world.hs.add_list(f"Nurture {tag}", "MANUAL")
    queue = world.sf.add_queue(f"Marketing nurture {tag}")
    world.configure({"recycle.nurture_list_id": nurture, "recycle.marketing_queue_id": queue})

    start = datetime.now(UTC)
    erin, erin_lead = world.hand_off("zwartjes", email=unique_email("erin"))
    with _at(start, 1):
        world.settle()
    with _at(start, 2):
        world.settle()
    _call(world, erin_lead, rep)
    world.sf.ui_update("Lead", erin_lead, {"Status": NOT_NOW, RECYCLE_REASON_FIELD: "no_budget"})
    world.settle()
    won = _won_deal_setup(world, "wintermans")
    _win(world, won["opportunity"], 25_000.0)
    gone = world.new_contact("gone")
    world.settle()
    result = CliRunner().invoke(
        main, ["forget", gone], env={"BATON_DATABASE_URL": world.runtime.config.store.database_url}
    )
    assert result.exit_code == 0, result.output

    # a qualification Baton has received but not worked when it stops
    waiting = world.new_contact("waiting")
    world.settle()
    world.hs.ui_update("contacts", waiting, {"lifecyclestage": MQL}, user_id=7)
    world.flush()
    return {"erin": erin, "won": won["contact"], "waiting": waiting}


def test_a_journey_on_sqlite_goes_on_on_postgresql_without_loss_or_repeats(
    baton_server: BatonServer,
    credit_sandboxes: tuple[Any, Any],  # noqa: F811
    mail: Any,  # noqa: F811
    slack: Any,  # noqa: F811
    tmp_path: Path,
) -> None:
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL not configured: set BATON_TEST_POSTGRES_URL to run these tests")
    hs, sf = credit_sandboxes
    catcher, port = mail
    slack_catcher, slack_url = slack
    sqlite_url = f"sqlite:///{tmp_path / 'baton.db'}"
    upgrade(sqlite_url)
    world = SyncWorld.open(
        hs, sf, baton_server, base_config(hs, sf, baton_server.base_url, sqlite_url)
    )
    try:
        people = _journey(world, port, slack_url)
        store = world.runtime.store
        before = _counts(store)
        commands = _commands(store)
        with store.session() as session:
            pending = session.scalar(select(func.count()).where(InboxEvent.status == "pending"))
        config = world.runtime.config
    finally:
        world.close()
    assert pending, "nothing was left for the PostgreSQL Baton to do: the test would prove less"
    empty = sorted(FILLED - {name for name, n in before.items() if n})
    assert not empty, f"the journey left these tables empty: {empty}"
    assert any(status == "done" for status, _ in commands.values())
    mails, posts = len(catcher.mails), len(slack_catcher.posts)
    assert mails and posts, "the SLA escalation reached nobody: nothing to check"

    with postgres_schema_url() as pg_url:
        upgrade(pg_url)
        result = CliRunner().invoke(
            main, ["migrate-store", "--from", sqlite_url, "--to", pg_url], env={"BATON_CONFIG": ""}
        )
        assert result.exit_code == 0, result.output
        assert "verified: row counts and checksums match on every table" in result.output
        copied = Store(pg_url)
        try:
            assert copied.dialect == "postgresql"
            assert _counts(copied) == before
        finally:
            copied.dispose()

        pg_world = SyncWorld.open(
            hs, sf, baton_server, with_changes(config, {"store.database_url": pg_url})
        )
        try:
            sf.reset_request_log()
            pg_world.settle()

            # the change waiting in the inbox reached Salesforce: one Lead, created on PG
            assert len(pg_world.leads_for(people["waiting"])) == 1
            # and it is the only record written to Salesforce since the copy
            assert sum(r.n_records for r in salesforce_writes(sf)) == 1
            for who in ("erin", "won"):
                assert len(pg_world.leads_for(people[who])) == 1
            # every command finished on SQLite is untouched on PG (not run again)
            after = _commands(pg_world.runtime.store)
            for key, (status, attempts) in commands.items():
                if status == "done":
                    assert after[key] == (status, attempts), key
            assert set(commands) < set(after)  # the new Lead's commands were added
            assert (len(catcher.mails), len(slack_catcher.posts)) == (mails, posts)
            pg_world.assert_quiet()
        finally:
            pg_world.close()
