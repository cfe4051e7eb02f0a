"""The fault harness (bench/faults.py), CI-sized: real ``baton serve`` / ``baton worker``
processes SIGKILLed mid-run while both stand-ins refuse or lose the answer of 30 % of the API
calls and send 30 % of their deliveries twice, out of order. Nothing may be lost, no Lead made
twice, no value written but the newest, no Lead handed to the assignment rule's queue; on
SQLite Salesforce sessions end every 5 s, on PostgreSQL every Baton connection is terminated
twice mid-run."""

from __future__ import annotations

import pytest

from bench.faults import Report, parse_args, run
from tests.conftest import POSTGRES_URL

pytestmark = pytest.mark.slow


def _check(report: Report, kills: int) -> None:
    assert report.settled, report
    assert sum(report.kills.values()) == kills
    assert report.refused_calls > 0 and report.lost_answers > 0, "the faults were on"
    assert report.events > 2 * report.changes, "both directions, echoes and duplicates"
    assert report.lost == 0, report
    assert report.created_twice == 0, report
    assert report.ping_pong == 0, report
    assert report.reassigned == 0, report
    assert report.dead_letters == 0, report


@pytest.mark.timeout(600)
def test_sigkills_and_crm_faults_on_sqlite_lose_nothing_and_create_nothing_twice():
    args = parse_args(
        ["--changes", "300", "--rate", "30", "--kills", "4", "--max-seconds", "300",
         "--session-lifetime", "5"]
    )  # fmt: skip
    report = run(args)
    _check(report, kills=4)
    # Salesforce sessions ended mid-run and a running Baton logged in again (nothing lost:
    # _check). Counted from Baton's log, not as "more logins than kills": restarts log in
    # too, and a process killed before its first Salesforce call does not
    assert report.expired_session_refusals > 0, report
    assert report.salesforce_relogins > 0, report


@pytest.mark.postgres
@pytest.mark.timeout(600)
def test_sigkills_of_three_workers_on_postgresql_lose_nothing():
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL not configured: set BATON_TEST_POSTGRES_URL to run these tests")
    args = parse_args(
        ["--changes", "300", "--rate", "30", "--kills", "4", "--max-seconds", "300",
         "--database-url", POSTGRES_URL, "--workers", "3", "--db-restarts", "2"]
    )  # fmt: skip
    report = run(args)
    _check(report, kills=4)
    # every Baton connection was ended twice mid-run; Baton reconnected (nothing lost: _check)
    assert report.database_restarts == 2 and report.backends_terminated > 0, report
