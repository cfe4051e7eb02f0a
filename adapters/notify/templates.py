"""The words of an escalation, in English and Dutch (pure: values in, text out).

Messages carry the lead's id and a link to it in the CRM, never its name or e-mail: the reader
opens the CRM for the rest, so Baton's outbox and mail logs hold no personal data of the lead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from html import escape
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
_SLACK = {
    "en": ":alarm_clock: SLA missed (step {step}, {role}): lead <{link}|{lead_id}> had no first "
    "touch by {deadline}; owner {owner}.",
    "nl": ":alarm_clock: SLA gemist (stap {step}, {role}): lead <{link}|{lead_id}> had uiterlijk "
    "{deadline} een eerste contact moeten krijgen; eigenaar {owner}.",
}


_ACTION = {
    "en": ("Open the lead", "Log a call, e-mail or meeting on the lead, or move its status to a "
           "working value, and the escalation stops."),
    "nl": ("Open de lead", "Leg een telefoontje, e-mail of afspraak vast op de lead, of zet de "
           "status op een werkstatus, en de escalatie stopt."),
}  # fmt: skip
_INTRO = {
    "en": "Lead {lead_id} was due a first touch by {deadline} (policy {policy}), and none is "
    "logged yet.",
    "nl": "Lead {lead_id} had uiterlijk {deadline} een eerste contact moeten krijgen (beleid "
    "{policy}), en er is nog niets vastgelegd.",
}
_HTML = """<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{subject}</title></head>
<body style="font-family:sans-serif;line-height:1.4">
<p>{intro}</p>
<p>{who}</p>
<p><a href="{href}">{open}</a></p>
<p>{action}</p>
<p>&mdash; Baton</p>
</body></html>
"""


@dataclass(frozen=True, slots=True)
class Message:
    """An e-mail's subject, text body and the same words as HTML (every value escaped)."""

    subject: str
    body: str
    html: str = ""


_REP_SUBJECT = {
    "en": "SLA missed: rep {owner_id}'s miss {miss} in {period} (lead {lead_id})",
    "nl": "SLA gemist: {miss}e keer in {period} voor vertegenwoordiger {owner_id} (lead {lead_id})",
}
_REP_INTRO = {
    "en": "Rep {owner_id} missed the first response on lead {lead_id} (due by {deadline}, policy "
    "{policy}): their miss number {miss} in {period}.",
    "nl": "Vertegenwoordiger {owner_id} heeft lead {lead_id} niet op tijd opgevolgd (uiterlijk "
    "{deadline}, beleid {policy}): de {miss}e keer in {period}.",
}
_REP_NUMBERS = {
    "en": "In {period}: {leads} lead(s) assigned, {within} within the SLA ({met} met, {missed} "
    "missed); {open_leads} lead(s) open now.",
    "nl": "In {period}: {leads} lead(s) toegewezen, {within} binnen de SLA ({met} gehaald, "
    "{missed} gemist); nu {open_leads} lead(s) open.",
}
_REP_ROLE = {
    "en": "You hear of this as the rep's {role} (the agreement's per-rep ladder).",
    "nl": "Je krijgt dit als {role} van de vertegenwoordiger (de ladder per vertegenwoordiger).",
}
_REP_SLACK = {
    "en": ":alarm_clock: SLA missed by rep {owner_id}, miss {miss} in {period} ({role}): lead "
    "<{link}|{lead_id}>. {numbers}",
    "nl": ":alarm_clock: SLA gemist door {owner_id}, {miss}e keer in {period} ({role}): lead "
    "<{link}|{lead_id}>. {numbers}",
}


def _rep_values(notice: Notify, timezone: str, language: str) -> dict[str, object]:
    judged = notice.period_met + notice.period_missed
    within = f"{round(100 * notice.period_met / judged)} %" if judged else "n/a"
    values = {
        **_values(notice, timezone),
        "miss": notice.rep_miss,
        "period": notice.period,
        "leads": notice.period_leads,
        "met": notice.period_met,
        "missed": notice.period_missed,
        "within": within,
        "open_leads": notice.open_leads,
    }
    values["numbers"] = _REP_NUMBERS[language].format(**values)
    return values


def rep_message(notice: Notify, timezone: str = "UTC") -> Message:
    """The per-rep ladder's e-mail: which miss this is, and the rep's period in numbers."""
    language = _language(notice.language)
    values = _rep_values(notice, timezone, language)
    lines = (
        _REP_INTRO[language].format(**values),
        str(values["numbers"]),
        _REP_ROLE[language].format(**values),
    )
    open_label = _ACTION[language][0]
    body = "\n".join(lines) + f"\n\n{open_label}: {values['link']}\n\n— Baton"
    safe = {key: escape(str(value)) for key, value in values.items()}
    link = str(values["link"])
    href = link if link.startswith(("https://", "http://")) else "#"
    html = _HTML.format(
        lang=language,
        subject=escape(_REP_SUBJECT[language].format(**values)),
        intro=_REP_INTRO[language].format(**safe),
        who=escape(str(values["numbers"])),
        href=escape(href, quote=True),
        open=f"{escape(open_label)}: {safe['link']}",
        action=escape(_REP_ROLE[language].format(**values)),
    )
    return Message(_REP_SUBJECT[language].format(**values), body, html)


def email_message(notice: Notify, timezone: str = "UTC") -> Message:
    """The e-mail for one ladder step, in the notice's language (English when unknown)."""
    if notice.rep_miss:
        return rep_message(notice, timezone)
    language = _language(notice.language)
    values = _values(notice, timezone)
    who = _WHO[language].get(notice.role, _WHO[language]["address"]).format(**values)
    open_label, action = _ACTION[language]
    body = (
        f"{_INTRO[language].format(**values)}\n{who}\n\n{open_label}: {values['link']}\n\n"
        f"{action}\n\n— Baton"
    )
    return Message(_SUBJECT[language].format(**values), body, _html(language, values))


_TASK_SUBJECT = {
    "en": "SLA missed: follow up lead {lead_id} now (step {step})",
    "nl": "SLA gemist: volg lead {lead_id} nu op (stap {step})",
}


def task_message(notice: Notify, timezone: str = "UTC") -> Message:
    """A CRM task's subject and description: the e-mail's words under a to-do subject."""
    mail = email_message(notice, timezone)
    subject = _TASK_SUBJECT[_language(notice.language)].format(**_values(notice, timezone))
    return Message(subject, mail.body)


def _html(language: str, values: dict[str, object]) -> str:
    """The HTML part: the text's words, each value escaped once (ids and links come from CRM
    records and config, so a quote or ``<`` in them must never become markup)."""
    safe = {key: escape(str(value)) for key, value in values.items()}
    who = _WHO[language].get(str(values["role"]), _WHO[language]["address"]).format(**safe)
    link = str(values["link"])
    href = link if link.startswith(("https://", "http://")) else "#"
    open_label, action = _ACTION[language]
    return _HTML.format(
        lang=language,
        subject=escape(_SUBJECT[language].format(**values)),
        intro=_INTRO[language].format(**safe),
        who=who,
        href=escape(href, quote=True),
        open=f"{escape(open_label)}: {safe['link']}",
        action=escape(action),
    )


def slack_text(notice: Notify, timezone: str = "UTC") -> str:
    """The Slack line for one ladder step (the link in Slack's ``<url|text>`` form).

    The owner is named by user id: a Slack channel's history is beyond Baton's erasure."""
    if notice.rep_miss:
        language = _language(notice.language)
        return _REP_SLACK[language].format(**_rep_values(notice, timezone, language))
    values = _values(notice, timezone)
    values["owner"] = notice.owner_id
    return _SLACK[_language(notice.language)].format(**values)


def _language(code: str) -> str:
    return code if code in _INTRO else "en"


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
