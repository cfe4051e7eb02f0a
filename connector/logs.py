"""Structured logging: one JSON object per line (or plain text for a terminal)."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from connector.config import BatonConfig

_RESERVED = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """Render a record and its ``extra=`` fields as JSON; never includes request bodies."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        entry.update({k: v for k, v in vars(record).items() if k not in _RESERVED})
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


class TextFormatter(logging.Formatter):
    """One line for a terminal: the message, then the ``extra=`` fields as key=value."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        extras = {k: v for k, v in vars(record).items() if k not in _RESERVED}
        if extras:
            line += " " + " ".join(f"{k}={v}" for k, v in extras.items())
        return line


def configure_logging(
    level: str = "INFO",
    fmt: str = "json",
    secrets: Sequence[str] = (),
    *,
    pseudonymize_emails: bool = True,
) -> None:
    """Route Baton's logs to stderr in the chosen format (idempotent), with every configured
    secret redacted — here, so no entry point (serve, worker, wsgi) can forget it and a second
    call cannot drop the filter with the old handler."""
    from connector.log_redaction import PseudonymizeEmails, RedactSecrets, install

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    if secrets:
        install(RedactSecrets(secrets))
    if pseudonymize_emails:  # privacy.pseudonymize_emails_in_logs
        install(PseudonymizeEmails())
    for noisy in ("werkzeug", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def configure_for(config: BatonConfig) -> None:
    """Logging as the admin's config says: level, format, secrets cut out, addresses hashed."""
    from connector.config.secrets import secrets_in

    configure_logging(
        config.service.log_level,
        config.service.log_format,
        secrets_in(config),
        pseudonymize_emails=config.privacy.pseudonymize_emails_in_logs,
    )
