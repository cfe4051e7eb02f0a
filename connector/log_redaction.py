"""Keep configured secrets out of every log line, whoever writes it.

Baton's own log calls carry fixed phrases, never secrets; other code cannot know what is
secret. gunicorn logs a malformed request line verbatim ("Invalid HTTP request line:
'GET /webhooks/salesforce/outbound/<token> …'"), so the outbound path token reached the logs
(issue 8). This filter rewrites a record whose message or ``extra`` text holds a secret before
any handler formats it: the secret in clear becomes ``[redacted]``; a secret that only shows
after percent-decoding withholds the whole message, since its encoded form cannot be cut out
reliably.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from urllib.parse import unquote

from connector.privacy.fields import pseudonymize_text

REDACTED = "[redacted]"
WITHHELD = "[log message withheld: it contained a secret in encoded form]"
#: Shorter values would redact ordinary words; no secret Baton accepts is this short.
MIN_SECRET_LENGTH = 8
#: gunicorn's loggers do not propagate to the root logger: they get the filter themselves.
GUNICORN_LOGGERS = ("gunicorn.error", "gunicorn.access")

_RECORD_FIELDS = set(vars(logging.LogRecord("", 0, "", 0, "", None, None)))


class RedactSecrets(logging.Filter):
    """A filter that removes ``secrets`` from log records (it never drops a record)."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        usable = {secret for secret in secrets if len(secret) >= MIN_SECRET_LENGTH}
        self._secrets = sorted(usable, key=len, reverse=True)

    def redact(self, text: str) -> str:
        """``text`` without any secret."""
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        if "%" in text:
            decoded = unquote(text, errors="replace")
            if any(secret in decoded for secret in self._secrets):
                return WITHHELD
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._secrets:
            return True
        message = record.getMessage()
        cleaned = self.redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        for name, value in list(vars(record).items()):
            if name not in _RECORD_FIELDS and isinstance(value, str):
                setattr(record, name, self.redact(value))
        return True


class PseudonymizeEmails(logging.Filter):
    """``privacy.pseudonymize_emails_in_logs``: addresses become ``sha256:…`` in every record.

    The short pseudonym still tells an admin which person a line is about (``baton explain``
    accepts the address and prints the same hash), without the address in the log.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = pseudonymize_text(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        for name, value in list(vars(record).items()):
            if name not in _RECORD_FIELDS and isinstance(value, str):
                setattr(record, name, pseudonymize_text(value))
        return True


def install(redactor: logging.Filter) -> None:
    """Attach ``redactor`` to the root handlers and to gunicorn's own loggers."""
    for handler in logging.getLogger().handlers:
        handler.addFilter(redactor)
    for name in GUNICORN_LOGGERS:
        logging.getLogger(name).addFilter(redactor)
