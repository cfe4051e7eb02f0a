"""The weekly digest through a real SMTP server and a Slack stand-in, exactly once per week.

Two workers share one store and a third starts later (a restart); time is moved with
time-machine to the send moment (Monday 08:00 Amsterdam). Every assertion reads what reached
the SMTP server or the Slack endpoint, or Baton's store.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from pydantic import SecretStr
from sqlalchemy import select

from adapters.registry import CrmClients, build_notify_writer
from connector.commands import System
from connector.config import BatonConfig, default_config, with_changes
from connector.dispatcher import Dispatcher
from connector.jobs.digest.job import DigestJob
from connector.jobs.runner import JobRunner
from connector.store import Store
from connector.store.models import OutboxCommand, Timer
from connector.worker import Worker

sys.path.insert(0, str(Path(__file__).parents[1] / "integration"))
sys.path.insert(0, str(Path(__file__).parents[1] / "scorecard"))
from notify_catchers import MailCatcher, SlackCatcher, slack_endpoint, smtp_server
from scorecard_scenario import seed

SALES, BOSS = "sales-lead@example.com", "cro@example.com"
#: Monday 30 November 2026, 08:00 in Amsterdam: the digest of the week of 23 November
SEND = datetime(2026, 11, 30, 7, tzinfo=UTC)


@pytest.fixture
def catchers() -> Iterator[tuple[MailCatcher, int, SlackCatcher, str]]:
    with smtp_server() as (mail, port), slack_endpoint() as (slack, url):
        yield mail, port, slack, url


def _config(store: Store, port: int, slack_url: str, **changes: Any) -> BatonConfig:
    config = default_config(public_base_url="https://baton.example.com", database_url=store.url)
    return with_changes(
        config,
        {
            "notifiers.email": {
                "smtp_host": "127.0.0.1",
                "smtp_port": port,
                "from_address": "baton@example.com",
                "starttls": False,
            },
            "notifiers.slack": {"webhook_url": SecretStr(slack_url)},
            "scorecard.recipients": [SALES],
            "scorecard.management": [BOSS],
            "scorecard.slack": True,
            "scorecard.dashboard_url": "https://baton.example.com/",
            **changes,
        },
    )


def _worker(store: Store, config: BatonConfig, name: str) -> Worker:
    writer = build_notify_writer(config, CrmClients())
    assert writer is not None
    runner = JobRunner((DigestJob(config),))
    return Worker(store, runner, Dispatcher(store, {System.NOTIFY: writer}, name), owner=name)


def _run(*workers: Worker) -> None:
    for _ in range(3):
        for worker in workers:
            worker.run_once()


def test_the_digest_goes_out_once_per_week_to_mail_and_slack(
    store: Store, catchers: tuple[MailCatcher, int, SlackCatcher, str]
) -> None:
    mail, port, slack, url = catchers
    seed(store)
    config = _config(store, port, url, **{"scorecard.escalate_after_weeks": 1})
    with time_machine.travel(SEND - timedelta(days=2), tick=False):
        first, second = _worker(store, config, "w1"), _worker(store, config, "w2")
        _run(first, second)  # Saturday: the timer is set, nothing is sent
    assert mail.mails == [] and slack.posts == []
    with store.session() as session:
        (timer,) = session.scalars(select(Timer).where(Timer.job == "digest"))
        assert (timer.due_at, timer.status, timer.payload) == (
            SEND,
            "pending",
            {"week": "2026-11-23"},
        )

    with time_machine.travel(SEND + timedelta(minutes=1), tick=False):
        _run(first, second)
        restarted = _worker(store, config, "w3")  # a restart at the send moment sends nothing again
        _run(restarted, first, second)

    assert sorted(m.to for m in mail.mails) == [(BOSS,), (SALES,)]  # once each
    message = mail.to(BOSS)[0]
    assert message.subject == "Baton weekly scorecard: week of Nov 23, 2026"
    body = message.body
    assert "- MQLs delivered: 4" in body
    assert "- First response (median): 2.5 h (target 4.0 h, on target)" in body
    assert "- Pipeline, marketing-influenced: €5,900" in body
    assert "For management: Feedback with a reason has been below target for 1 weeks" in body
    assert "Dashboard: https://baton.example.com/" in body
    html = message.message.get_body(("html",)).get_content()
    assert "<li>MQLs delivered: 4</li>" in html
    (post,) = slack.texts()
    assert "*Sales*" in post and "• Escalations: 2" in post
    assert "@" not in post and "Ada" not in body  # ids and figures, no people's details

    with store.session() as session:
        keys = sorted(session.scalars(select(OutboxCommand.idempotency_key).where(
            OutboxCommand.kind == "send_digest")))  # fmt: skip
        assert len(keys) == 3 and all(k.startswith("digest:2026-11-23:") for k in keys)
        assert not any(SALES in str(p) or BOSS in str(p) for p in session.scalars(
            select(OutboxCommand.payload).where(OutboxCommand.kind == "send_digest")))  # fmt: skip
        due = sorted(t.due_at for t in session.scalars(select(Timer).where(Timer.job == "digest")))
    assert due == [SEND, SEND + timedelta(days=7)]  # the next Monday is set

    mail.clear()
    slack.clear()
    with time_machine.travel(SEND + timedelta(days=7, minutes=1), tick=False):
        _run(first, second)
    assert [m.subject for m in mail.to(SALES)] == ["Baton weekly scorecard: week of Nov 30, 2026"]
    assert len(slack.posts) == 1


def test_a_digest_missed_while_baton_was_down_goes_out_when_it_is_back(
    store: Store, catchers: tuple[MailCatcher, int, SlackCatcher, str]
) -> None:
    mail, port, slack, url = catchers
    config = _config(store, port, url, **{"scorecard.slack": False})
    with time_machine.travel(SEND - timedelta(days=1), tick=False):
        _run(_worker(store, config, "before"))
    with time_machine.travel(SEND + timedelta(hours=5), tick=False):  # back after the moment
        _run(_worker(store, config, "after"))
    assert sorted(m.to for m in mail.mails) == [(BOSS,), (SALES,)]
    assert "week of Nov 23, 2026" in mail.mails[0].subject and slack.posts == []


def test_without_anyone_to_tell_no_digest_timer_is_set(store: Store) -> None:
    config = default_config(public_base_url="https://baton.example.com", database_url=store.url)
    _run(_worker_without_notifiers(store, config))
    with store.session() as session:
        assert list(session.scalars(select(Timer))) == []


def _worker_without_notifiers(store: Store, config: BatonConfig) -> Worker:
    runner = JobRunner((DigestJob(config),))
    return Worker(store, runner, Dispatcher(store, {}, "solo"), owner="solo")


def test_a_dutch_team_gets_its_digest_in_dutch_words_and_formats(
    store: Store, catchers: tuple[MailCatcher, int, SlackCatcher, str]
) -> None:
    mail, port, slack, url = catchers
    seed(store)
    config = _config(
        store, port, url, **{"dashboard.language": "nl", "scorecard.escalate_after_weeks": 1}
    )
    with time_machine.travel(SEND - timedelta(days=1), tick=False):
        _run(_worker(store, config, "w1"))
    with time_machine.travel(SEND + timedelta(minutes=1), tick=False):
        _run(_worker(store, config, "w1"))

    message = mail.to(BOSS)[0]
    assert message.subject == "Baton wekelijkse scorecard: week van 23 nov 2026"
    body = message.body
    assert "Wekelijkse scorecard, 23 nov 2026 tot en met 29 nov 2026 (Europe/Amsterdam)" in body
    assert "- Geleverde MQL's: 4" in body
    assert "- Eerste reactie (mediaan): 2,5 u (doel 4,0 u, op doel)" in body
    assert "- Binnen de SLA: 66,7%" in body
    assert "- Omzet, door marketing beïnvloed: €\N{NO-BREAK SPACE}2.000" in body
    assert "- Pipeline, door marketing beïnvloed: €\N{NO-BREAK SPACE}5.900" in body
    assert "Voor het management: Feedback met een reden zit al 1 weken op rij" in body
    html = message.message.get_body(("html",)).get_content()
    assert '<html lang="nl">' in html and "<h2>Samen</h2>" in html
    assert "<li>Omzet, door marketing aangebracht: €\N{NO-BREAK SPACE}1.000</li>" in html
    (post,) = slack.texts()
    assert "*Sales*" in post and "• Escalaties: 2" in post
    assert "English" not in body and "target" not in body  # no English phrase left over
