"""Send one e-mail (text with an HTML alternative) through the SMTP relay (smtplib)."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import make_msgid

from adapters.notify.templates import Message
from connector.config.models.notifiers import EmailNotifier
from connector.config.secrets import reveal

#: SMTP reply codes worth another try later (4xx: the relay is busy or greylisting)
TEMPORARY = range(400, 500)


class SmtpSender:
    """One connection per send: escalations are few, and a fresh connection never goes stale."""

    def __init__(self, settings: EmailNotifier, timeout_s: float = 30.0) -> None:
        self.settings = settings
        self.timeout_s = timeout_s

    def send(self, to: str, message: Message, idempotency_key: str) -> None:
        """Deliver ``message`` to ``to``; raises smtplib / OSError errors for the writer to judge.

        The Message-ID is derived from the outbox key, so a resend after a lost answer carries
        the same id and mail clients show it once. A message with HTML is sent as
        multipart/alternative.
        """
        mail = EmailMessage()
        mail["From"] = self.settings.from_address
        mail["To"] = to
        mail["Subject"] = message.subject
        domain = self.settings.from_address.rpartition("@")[2] or "baton.local"
        mail["Message-ID"] = make_msgid(idstring=_safe(idempotency_key), domain=domain)
        mail.set_content(message.body)
        if message.html:  # multipart/alternative: clients that show HTML pick the last part
            mail.add_alternative(message.html, subtype="html")
        with smtplib.SMTP(
            self.settings.smtp_host, self.settings.smtp_port, timeout=self.timeout_s
        ) as smtp:
            if self.settings.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if self.settings.username and self.settings.password is not None:
                smtp.login(self.settings.username, reveal(self.settings.password) or "")
            smtp.send_message(mail)


def _safe(key: str) -> str:
    return "".join(c if c.isalnum() or c in ".-" else "." for c in key)[:64]
