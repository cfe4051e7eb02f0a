"""The admin commands through click's CliRunner, on a SQLite store the sync loop filled."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner, Result

import connector.config
from baton.cli import main
from connector.config import with_changes
from connector.jobs.lifecycle.mapping import DEFAULT_LIFECYCLE_ORDER
from connector.store import Store
from tests.admin.conftest import dead_letter_on_status, store_snapshot
from tests.sync.harness import Loop, loop_config


@pytest.fixture
def baton(store: Store, monkeypatch):
    """Run ``baton …`` against the test store, with the loop's stage mapping as the config."""
    config = with_changes(
        loop_config(),
        {
            "store.database_url": store.url,
            "lifecycle.stage_order": list(DEFAULT_LIFECYCLE_ORDER),  # no HubSpot call at start
        },
    )
    monkeypatch.setattr(connector.config, "default_config", lambda: config)
    monkeypatch.delenv("BATON_CONFIG", raising=False)
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(main, list(args), env={"BATON_DATABASE_URL": store.url})

    return invoke


def test_explain_prints_the_person_and_exits_0(loop: Loop, baton):
    lead_id = dead_letter_on_status(loop)
    result = baton("explain", "101@acme.nl")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == f"Person: HubSpot contact 101 <-> Salesforce Lead {lead_id}  [link #1]"
    assert "Known state" in lines and any(line.startswith("History (") for line in lines)
    assert any(" DEAD  SF/lead  dead letter #1:" in line for line in lines)


def test_explain_json(loop: Loop, baton):
    lead_id = loop.handed_off_pair("101")
    result = baton("explain", lead_id, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["people"][0]["link"]["hubspot_contact_id"] == "101"
    assert data["query"] == f"salesforce:lead:{lead_id}"


def test_explain_unknown_record_exits_1(loop: Loop, baton):
    loop.handed_off_pair("101")
    result = baton("explain", "999")
    assert result.exit_code == 1
    assert result.stderr.strip().startswith("no record found for hubspot:contact:999 in ")
    assert result.stderr.strip().endswith("(BATON_DATABASE_URL)")
    assert result.stdout == ""


def test_explain_refuses_what_is_not_an_id(baton):
    result = baton("explain", "Ann Visser")
    assert result.exit_code == 2
    assert "is not an e-mail address, a HubSpot contact id" in result.stderr


def test_dead_letters_list_retry_drop(loop: Loop, baton):
    dead_letter_on_status(loop)
    listed = baton("dead-letters", "list")
    assert listed.exit_code == 0
    assert listed.stdout.splitlines()[0] == "1 dead letter(s)"
    assert "INVALID: refused by validation rule" in listed.stdout
    (row,) = json.loads(baton("dead-letters", "list", "--json").stdout)
    assert row["id"] == 1 and row["attempts"] == 1

    dropped = baton("dead-letters", "drop", "1")
    assert dropped.exit_code == 0 and dropped.stdout.splitlines()[0] == "#1 dropped"
    assert baton("dead-letters", "list").stdout.strip() == "no dead letters"
    assert "[dropped" in baton("dead-letters", "list", "--all").stdout

    retried = baton("dead-letters", "retry", "--all")
    assert retried.stdout.strip() == "0 of 0 dead letter(s) retried"  # --all: open ones only
    retried = baton("dead-letters", "retry", "1")
    assert retried.exit_code == 0
    assert retried.stdout.splitlines() == ["#1 retried", "1 of 1 dead letter(s) retried"]
    again = baton("dead-letters", "retry", "1")
    assert again.stdout.splitlines() == ["#1 already retried", "0 of 1 dead letter(s) retried"]


def test_dead_letters_unknown_ids_exit_1_and_change_nothing(loop: Loop, baton, store):
    dead_letter_on_status(loop)
    before = store_snapshot(store)
    for verb in ("retry", "drop"):
        result = baton("dead-letters", verb, "1", "77")
        assert result.exit_code == 1
        assert result.stderr.strip() == "no dead letter with id 77; nothing was changed"
    assert store_snapshot(store) == before


def test_dead_letters_retry_needs_ids_or_all(baton):
    assert baton("dead-letters", "retry").exit_code == 2
    assert baton("dead-letters", "retry", "1", "--all").exit_code == 2
    narrowed = baton("dead-letters", "retry", "1", "--system", "hubspot")
    assert narrowed.exit_code == 2 and "--system only narrows --all" in narrowed.stderr
    assert baton("dead-letters", "drop").exit_code == 2


def test_sync_dry_run_previews_and_stores_nothing(loop: Loop, baton, store):
    lead_id = loop.handed_off_pair("101")
    loop.hubspot.ui_set("101", lifecyclestage="salesqualifiedlead")
    loop.deliver(loop.hubspot.take_events())
    before = store_snapshot(store)

    result = baton("sync", "--dry-run")

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "DRY RUN: nothing was written or stored."
    assert (
        f"  salesforce set_stage Lead {lead_id}: Status='Working - Contacted' (from event #"
        in result.stdout
    )
    data = json.loads(baton("sync", "--dry-run", "--json").stdout)
    assert [c["fields"] for c in data["would_enqueue"]] == [{"Status": "Working - Contacted"}]
    assert store_snapshot(store) == before


def test_sync_help_says_reads_may_reach_the_crms(baton):
    text = " ".join(baton("sync", "--help").stdout.split())
    assert "Reads MAY reach the CRMs" in text


def test_sync_without_work_prints_an_empty_summary(baton):
    result = baton("sync", "--timeout", "2")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "events processed: 0",
        "writes done: 0",
        "new dead letters: 0",
        "still pending: 0 event(s), 0 write(s)",
    ]
    assert baton("sync", "--json").exit_code == 2  # --json belongs to --dry-run


class _Interrupted:
    """A backfill whose run is cut short by Ctrl-C."""

    def restart(self) -> None:
        raise AssertionError("--resume is the default")

    def run(self, **_kwargs):
        raise KeyboardInterrupt


def test_backfill_ctrl_c_says_how_to_resume(baton, monkeypatch):
    import connector.admin.backfill_setup as backfill_module

    monkeypatch.setattr(backfill_module, "build_backfill", lambda runtime: _Interrupted())
    result = baton("backfill")
    assert result.exit_code == 130
    assert "interrupted: every stored page is kept; run `baton backfill` to resume" in (
        result.stderr
    )
