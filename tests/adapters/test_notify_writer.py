"""The notify writer against a real SMTP server (aiosmtpd) and a scripted Slack webhook.

What matters is the verdict per notice: sent (DONE), worth another try (RETRY: a busy relay,
a refused connection, Slack's 429) or never (DEAD: no notifier, no address, a refused recipient).
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from typing import Any

import pytest
import responses
from aiosmtpd.controller import Controller
from pydantic import SecretStr

from adapters.notify.email import SmtpSender
from adapters.notify.slack import SlackSender
from adapters.notify.templates import email_message, slack_text
from adapters.notify.writer import NotifyWriter
from connector.commands import Notify, Outcome, System, UpdateFields
from connector.config.models.notifiers import EmailNotifier, SlackNotifier
from connector.ports import CrmRecord

HOOK = "https://hooks.slack.com/services/T000/B000/XXXX"
REP = "0057Q000002RmA1QAK"


@dataclass
class Relay:
    """An SMTP handler that answers what the test tells it to."""

    answer: str = "250 OK"
    refuse_rcpt: str | None = None
    messages: list[Any] = field(default_factory=list)

    async def handle_RCPT(self, server, session, envelope, address, options):
        if self.refuse_rcpt == address:
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.answer.startswith("250"):
            self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return self.answer


def _port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def relay() -> Iterator[tuple[Relay, int]]:
    handler, port = Relay(), _port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    controller.stop()


class Users:
    """A Salesforce reader stand-in for the user look-up."""

    system = System.SALESFORCE

    def read(self, object_type: str, ids: Any, fields: Any) -> dict[str, CrmRecord]:
        people = {REP: {"Email": "rita@example.com", "Name": "Rita Rep"}}
        return {i: CrmRecord("User", i, people[i]) for i in ids if i in people}


def _notice(channel: str = "email", language: str = "en", **changes: Any) -> Notify:
    values: dict[str, Any] = {
        "channel": channel,
        "to_user_id": REP,
        "role": "owner",
        "language": language,
        "lead_id": "00Q7Q000001abcdUAA",
        "lead_url": "https://example.my.salesforce.com/lightning/r/Lead/00Q7Q000001abcdUAA/view",
        "owner_id": REP,
        "policy": "standard",
        "step": 1,
        "deadline_at": "2026-12-28T10:00:00+00:00",
    }
    values.update(changes)
    return Notify(System.NOTIFY, "notify:lead", f"sla:1:step0:{channel}", "", **values)


def _email_writer(port: int) -> NotifyWriter:
    settings = EmailNotifier(
        smtp_host="127.0.0.1", smtp_port=port, from_address="baton@example.com", starttls=False
    )
    return NotifyWriter(email=SmtpSender(settings, timeout_s=5), users=Users())


def test_a_notice_is_mailed_to_the_users_address_with_the_lead_and_its_link(relay):
    handler, port = relay
    (result,) = _email_writer(port).execute([_notice()])
    assert result.outcome is Outcome.DONE
    (mail,) = handler.messages
    assert mail["To"] == "rita@example.com" and mail["From"] == "baton@example.com"
    assert "00Q7Q000001abcdUAA" in mail["Subject"]
    body = mail.get_body(("plain",)).get_content()
    assert "/lightning/r/Lead/00Q7Q000001abcdUAA/view" in body
    assert "sla.1.step0.email" in mail["Message-ID"], "the outbox key names the message"


def test_a_fixed_address_needs_no_look_up(relay):
    handler, port = relay
    notice = _notice(to_user_id=None, to_address="revops@example.com", role="address")
    assert _email_writer(port).execute([notice])[0].outcome is Outcome.DONE
    assert handler.messages[0]["To"] == "revops@example.com"


def test_a_busy_relay_is_retried_and_a_refused_recipient_is_dead(relay):
    handler, port = relay
    handler.answer = "451 4.3.0 try again later"
    busy = _email_writer(port).execute([_notice()])[0]
    assert busy.outcome is Outcome.RETRY
    handler.answer, handler.refuse_rcpt = "250 OK", "rita@example.com"
    result = _email_writer(port).execute([_notice()])[0]
    assert (result.outcome, result.error_code) == (Outcome.DEAD, "SMTP_REFUSED")
    for message in (busy.message, result.message):  # dead letters hold ids, never addresses
        assert "@" not in (message or "") and "user " in (message or "")


def test_an_unreachable_relay_is_retried():
    result = _email_writer(_port()).execute([_notice()])[0]
    assert result.outcome is Outcome.RETRY


def test_a_user_without_an_address_and_a_missing_notifier_are_dead(relay):
    _, port = relay
    stranger = _email_writer(port).execute([_notice(to_user_id="0057Q000009ZZZZQAK")])[0]
    assert (stranger.outcome, stranger.error_code) == (Outcome.DEAD, "NO_ADDRESS")
    unset = NotifyWriter().execute([_notice(), _notice("slack")])
    assert [r.error_code for r in unset] == ["NOT_CONFIGURED", "NOT_CONFIGURED"]
    other = NotifyWriter().execute([UpdateFields(System.NOTIFY, "k", "key")])[0]
    assert other.error_code == "UNSUPPORTED"


@responses.activate
def test_slack_ok_429_and_404():
    writer = NotifyWriter(
        slack=SlackSender(SlackNotifier(webhook_url=SecretStr(HOOK))), users=Users()
    )
    responses.post(HOOK, body="ok")
    assert writer.execute([_notice("slack")])[0].outcome is Outcome.DONE
    posted = responses.calls[0].request.body.decode()
    assert REP in posted and "Rita Rep" not in posted  # the owner by id, never by name
    responses.replace(responses.POST, HOOK, status=429, headers={"Retry-After": "7"})
    busy = writer.execute([_notice("slack")])[0]
    assert (busy.outcome, busy.retry_after_s) == (Outcome.RETRY, 7.0)
    responses.replace(responses.POST, HOOK, status=404, body="no_service")
    gone = writer.execute([_notice("slack")])[0]
    assert (gone.outcome, gone.error_code) == (Outcome.DEAD, "SLACK_REFUSED")


def test_the_message_is_dutch_when_the_config_says_nl_and_english_otherwise():
    dutch = email_message(_notice(language="nl"), "Europe/Amsterdam")
    assert dutch.subject.startswith("SLA gemist: lead 00Q7Q000001abcdUAA")
    assert "2026-12-28 11:00 CET" in dutch.body and "Open de lead:" in dutch.body
    english = email_message(_notice(language="xx"))
    assert english.subject.startswith("SLA missed") and "2026-12-28 10:00 UTC" in english.body
    manager = email_message(_notice(role="manager"))
    assert f"You manage the lead's owner ({REP})" in manager.body
    assert slack_text(_notice(language="nl")).startswith(":alarm_clock: SLA gemist")


def test_the_mail_is_multipart_text_and_html_with_the_same_words(relay):
    handler, port = relay
    assert _email_writer(port).execute([_notice(language="nl")])[0].outcome is Outcome.DONE
    (mail,) = handler.messages
    assert mail.get_content_type() == "multipart/alternative"
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert '<html lang="nl">' in html and "Open de lead" in html
    link = "https://example.my.salesforce.com/lightning/r/Lead/00Q7Q000001abcdUAA/view"
    assert f'<a href="{link}">' in html and link in text
    for words in ("00Q7Q000001abcdUAA", "beleid standard", "2026-12-28 10:00 UTC"):
        assert words in text and words in html


def test_every_value_in_the_html_part_is_escaped():
    hostile = '<script>alert("x")</script>'
    message = email_message(
        _notice(policy=hostile, owner_id='005"><b>', role="manager", lead_url="javascript:x()")
    )
    assert "<script>" not in message.html and "&lt;script&gt;" in message.html
    assert '"><b>' not in message.html and "&quot;&gt;&lt;b&gt;" in message.html
    assert 'href="#"' in message.html, "only an http(s) link becomes a link"
    assert hostile in message.body, "the text part is plain text: nothing to escape"
