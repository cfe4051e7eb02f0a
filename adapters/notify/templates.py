"""The words of an escalation, in English and Dutch (pure: values in, text out).

Messages carry the lead's id and a link to it in the CRM, never its name or e-mail: the reader
opens the CRM for the rest, so Baton's outbox and mail logs hold no personal data of the lead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from connector.commands import Notify

_SUBJECT = {
    "en": "SLA missed: lead {lead_id} has had no first touch (step {step})",
    "nl": "SLA gemist: lead {lead_id} is nog niet opgevolgd (stap {step})",
}
_WHO = {
    "en": {
        "owner": "You own this lead.",
        "manager": "You manage the lead's owner ({owner_id}).",
        "director": "The lead's owner ({owner_id}) reports to a manager who reports to you.",
        "address": "The lead's owner is {owner_id}.",
    },
    "nl": {
        "owner": "Jij bent eigenaar van deze lead.",
        "manager": "Je bent manager van de eigenaar van de lead ({owner_id}).",
        "director": "De eigenaar van de lead ({owner_id}) valt onder een manager die aan jou "
        "rapporteert.",
        "address": "De eigenaar van de lead is {owner_id}.",
    },
}
_BODY = {
    "en": (
        "Lead {lead_id} was due a first touch by {deadline} (policy {policy}), and none is "
        "logged yet.\n{who}\n\nOpen the lead: {link}\n\nLog a call, e-mail or meeting on the "
        "lead, or move its status to a working value, and the escalation stops.\n\n— Baton"
    ),
    "nl": (
        "Lead {lead_id} had uiterlijk {deadline} een eerste contact moeten krijgen (beleid "
        "{policy}), en er is nog niets vastgelegd.\n{who}\n\nOpen de lead: {link}\n\nLeg een "
        "telefoontje, e-mail of afspraak vast op de lead, of zet de status op een "
        "werkstatus, en de escalatie stopt.\n\n— Baton"
    ),
}
_SLACK = {
    "en": ":alarm_clock: SLA missed (step {step}, {role}): lead <{link}|{lead_id}> had no first "
    "touch by {deadline}; owner {owner}.",
    "nl": ":alarm_clock: SLA gemist (stap {step}, {role}): lead <{link}|{lead_id}> had uiterlijk "
    "{deadline} een eerste contact moeten krijgen; eigenaar {owner}.",
}


@dataclass(frozen=True, slots=True)
class Message:
    """An e-mail's subject and text body."""

    subject: str
    body: str


def email_message(notice: Notify, timezone: str = "UTC") -> Message:
    """The e-mail for one ladder step, in the notice's language (English when unknown)."""
    language = _language(notice.language)
    values = _values(notice, timezone)
    who = _WHO[language].get(notice.role, _WHO[language]["address"]).format(**values)
    return Message(_SUBJECT[language].format(**values), _BODY[language].format(who=who, **values))


def slack_text(notice: Notify, timezone: str = "UTC") -> str:
    """The Slack line for one ladder step (the link in Slack's ``<url|text>`` form).

    The owner is named by user id: a Slack channel's history is beyond Baton's erasure."""
    values = _values(notice, timezone)
    values["owner"] = notice.owner_id
    return _SLACK[_language(notice.language)].format(**values)


def _language(code: str) -> str:
    return code if code in _BODY else "en"


def _values(notice: Notify, timezone: str) -> dict[str, object]:
    deadline = notice.deadline_at
    try:
        local = datetime.fromisoformat(deadline).astimezone(ZoneInfo(timezone))
        deadline = local.strftime("%Y-%m-%d %H:%M %Z")
    except ValueError:
        pass
    return {
        "lead_id": notice.lead_id,
        "step": notice.step,
        "role": notice.role,
        "deadline": deadline,
        "policy": notice.policy,
        "owner_id": notice.owner_id,
        "link": notice.lead_url or notice.lead_id,
    }
