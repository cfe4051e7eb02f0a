"""The per-rep ladder's words: which miss, the rep's numbers, English and Dutch, HTML escaped."""

from __future__ import annotations

from adapters.notify.templates import email_message, slack_text
from connector.commands import Notify, System


def _notice(**changes: object) -> Notify:
    values: dict[str, object] = {
        "channel": "email",
        "to_user_id": "0057Q000002RmM1QAK",
        "role": "manager",
        "lead_id": "00Q7Q000001abcdUAA",
        "lead_url": "https://example.my.salesforce.com/lightning/r/Lead/00Q7Q000001abcdUAA/view",
        "owner_id": "0057Q000002RmA1QAK",
        "policy": "standard<b>",
        "deadline_at": "2026-12-07T10:00:00+00:00",
        "rep_miss": 2,
        "period": "2026-W50",
        "period_leads": 8,
        "period_met": 6,
        "period_missed": 2,
        "open_leads": 3,
        **changes,
    }
    return Notify(System.NOTIFY, "notify:email:x", "sla:1:rep:email", **values)  # type: ignore[arg-type]


def test_the_message_says_which_miss_and_carries_the_reps_week():
    mail = email_message(_notice(), "Europe/Amsterdam")
    assert (
        mail.subject
        == "SLA missed: rep 0057Q000002RmA1QAK's miss 2 in 2026-W50 (lead 00Q7Q000001abcdUAA)"
    )
    assert "due by 2026-12-07 11:00 CET, policy standard<b>" in mail.body
    assert (
        "In 2026-W50: 8 lead(s) assigned, 75 % within the SLA (6 met, 2 missed); "
        "3 lead(s) open now." in mail.body
    )
    assert "standard&lt;b&gt;" in mail.html and "standard<b>" not in mail.html


def test_dutch_words_and_a_week_not_judged_yet():
    mail = email_message(_notice(language="nl", period_met=0, period_missed=0), "UTC")
    assert mail.subject.startswith("SLA gemist: 2e keer in 2026-W50")
    assert "n/a binnen de SLA" in mail.body
    line = slack_text(_notice(channel="slack"), "UTC")
    assert "miss 2 in 2026-W50 (manager)" in line and "75 % within the SLA" in line
