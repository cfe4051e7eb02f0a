"""Open clocks nearest to breach, breach counts per rep/team/policy, and ``baton sla status``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from click.testing import CliRunner

from baton.cli import main
from baton.sla_commands import status_text
from connector.jobs.sla.report import breach_counts, clock_states, open_clocks
from connector.store import Store
from connector.store.models import SlaBreach, SlaClock

T0 = datetime(2026, 12, 7, 9, tzinfo=UTC)
REP, REP2 = "0057Q000002RmA1QAK", "0057Q000002RmA2QAK"


def _clock(n: int, state: str, deadline: datetime, owner: str = REP) -> SlaClock:
    return SlaClock(
        lead_id=f"00Q7Q00000{n:04d}AAAA",
        number=1,
        owner_id=owner,
        team="inbound",
        policy="standard",
        state=state,
        started_at=T0,
        deadline_at=deadline,
        touches=0,
    )


def _fill(store: Store) -> None:
    with store.session() as session:
        clocks = [
            _clock(1, "running", T0 + timedelta(hours=3)),
            _clock(2, "running", T0 + timedelta(hours=1)),
            _clock(3, "breached", T0 - timedelta(hours=1)),
            _clock(4, "met", T0 + timedelta(hours=2), REP2),
        ]
        session.add_all(clocks)
        session.flush()
        for clock, kind in ((clocks[2], "first_response"), (clocks[3], "no_reason")):
            session.add(
                SlaBreach(
                    clock_id=clock.id,
                    kind=kind,
                    at=T0,
                    owner_id=clock.owner_id,
                    team=clock.team,
                    policy=clock.policy,
                )
            )
        session.add(
            SlaBreach(
                clock_id=clocks[3].id,
                kind="min_touches",
                at=T0 - timedelta(days=8),
                owner_id=REP2,
                team="inbound",
                policy="standard",
            )
        )


def test_running_clocks_come_nearest_deadline_first(sqlite_store: Store):
    _fill(sqlite_store)
    with sqlite_store.session() as session:
        running = open_clocks(session)
        assert [c.lead_id[-8:] for c in running] == ["0002AAAA", "0001AAAA"]
        assert clock_states(session) == {"running": 2, "breached": 1, "met": 1}
        assert len(open_clocks(session, limit=1)) == 1


def test_breaches_are_counted_per_kind_rep_team_and_policy(sqlite_store: Store):
    _fill(sqlite_store)
    with sqlite_store.session() as session:
        week = [
            (b.kind, b.owner_id, b.count) for b in breach_counts(session, T0 - timedelta(days=7))
        ]
        assert week == [("first_response", REP, 1), ("no_reason", REP2, 1)]
        assert len(breach_counts(session)) == 3


def test_the_status_table_shows_time_left_and_due():
    clocks = [
        type("C", (), {"deadline_at": T0, "lead_id": "00Q1", "owner_id": REP, "policy": "p",
                       "team": None})(),
        type("C", (), {"deadline_at": T0 + timedelta(minutes=95), "lead_id": "00Q2",
                       "owner_id": REP, "policy": "p", "team": "t"})(),
    ]  # fmt: skip
    text = status_text(clocks, {"running": 2}, T0)
    assert text.splitlines()[0] == "SLA clocks: 2 running"
    assert "       due  00Q1" in text and "1h35m  00Q2" in text and "p/t" in text
    assert status_text([], {}, T0) == "SLA clocks: no clocks yet\nNo running clock.\n"


def test_baton_sla_status_reads_the_configured_store(sqlite_store: Store, tmp_path, monkeypatch):
    _fill(sqlite_store)
    monkeypatch.delenv("BATON_CONFIG", raising=False)
    config = tmp_path / "baton.yaml"
    config.write_text(
        "hubspot:\n  portal_id: 26451234\n  access_token: ${HUBSPOT_ACCESS_TOKEN}\n"
        "  client_secret: ${HUBSPOT_CLIENT_SECRET}\n"
        f"store:\n  database_url: {sqlite_store.url}\n"
    )
    env = {"HUBSPOT_ACCESS_TOKEN": "t", "HUBSPOT_CLIENT_SECRET": "s"}
    result = CliRunner().invoke(main, ["sla", "status", "--config", str(config)], env=env)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "SLA clocks: 1 breached, 1 met, 2 running"
    assert [line.split()[3] for line in lines[2:]] == ["00Q7Q000000002AAAA", "00Q7Q000000001AAAA"]
