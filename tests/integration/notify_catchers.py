"""Catch what Baton sends people: a real SMTP server (aiosmtpd) and a Slack webhook stand-in.

Both listen on 127.0.0.1 and record what arrived, so escalation tests read the messages that
really went over the wire (smtplib → SMTP, requests → HTTP), not a mock's call list.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from werkzeug.serving import make_server


@dataclass
class Mail:
    """One message as the SMTP server received it."""

    to: tuple[str, ...]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def body(self) -> str:
        part = self.message.get_body(("plain",))
        return part.get_content() if part is not None else ""


@dataclass
class MailCatcher:
    """An aiosmtpd handler that keeps every accepted message."""

    mails: list[Mail] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.mails.append(Mail(tuple(envelope.rcpt_tos), parsed))  # type: ignore[arg-type]
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Mail]:
        """Messages addressed to ``address``."""
        with self.lock:
            return [m for m in self.mails if address in m.to]

    def clear(self) -> None:
        with self.lock:
            self.mails.clear()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def smtp_server() -> Iterator[tuple[MailCatcher, int]]:
    """A real SMTP server on loopback; yields the catcher and its port."""
    catcher = MailCatcher()
    port = free_port()
    controller = Controller(catcher, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield catcher, port
    finally:
        controller.stop()


@dataclass
class SlackCatcher:
    """An incoming-webhook stand-in: answers 200 ``ok`` and keeps each posted JSON body."""

    posts: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length)
        with self.lock:
            self.posts.append(json.loads(body or b"{}"))
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    def texts(self) -> list[str]:
        with self.lock:
            return [str(post.get("text", "")) for post in self.posts]

    def clear(self) -> None:
        with self.lock:
            self.posts.clear()


@contextlib.contextmanager
def slack_endpoint() -> Iterator[tuple[SlackCatcher, str]]:
    """The stand-in served on loopback; yields it and its webhook URL."""
    catcher = SlackCatcher()
    server = make_server("127.0.0.1", 0, catcher, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield catcher, f"http://127.0.0.1:{server.server_address[1]}/services/T000/B000/XXXX"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
