"""Both log formats carry the structured fields given with ``extra=``."""

from __future__ import annotations

import json
import logging

from connector.logs import JsonFormatter, TextFormatter


def _record() -> logging.LogRecord:
    record = logging.LogRecord(
        "baton.test", logging.WARNING, __file__, 1, "poll failed", None, None
    )
    record.poller = "hubspot:contact"
    return record


def test_json_lines_hold_the_message_and_the_extra_fields():
    entry = json.loads(JsonFormatter().format(_record()))
    assert (entry["msg"], entry["level"], entry["poller"]) == (
        "poll failed",
        "warning",
        "hubspot:contact",
    )


def test_text_lines_append_the_extra_fields():
    assert TextFormatter().format(_record()).endswith("poll failed poller=hubspot:contact")
