"""Fixtures for the Salesforce stand-in tests (imported by the test modules that use them)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from simple_salesforce import Salesforce

from sandbox.salesforce import ACK_ENVELOPE, SalesforceSandbox, SalesforceSandboxConfig


@pytest.fixture
def salesforce_config() -> SalesforceSandboxConfig:
    """A default org configuration with small query pages (so paging is exercised)."""
    return SalesforceSandboxConfig(query_batch_size=5)


@pytest.fixture
def salesforce_sandbox(salesforce_config: SalesforceSandboxConfig) -> Iterator[SalesforceSandbox]:
    """A running stand-in org."""
    with SalesforceSandbox(salesforce_config) as sandbox:
        yield sandbox


@pytest.fixture
def salesforce_client(salesforce_sandbox: SalesforceSandbox) -> Salesforce:
    """The official simple-salesforce client talking HTTPS to the stand-in."""
    return salesforce_sandbox.client()


class SoapReceiver:
    """A tiny HTTP endpoint for outbound messages that records what it receives.

    `replies` is consumed one per request: (status, body); when empty it acknowledges.
    """

    def __init__(self) -> None:
        self.bodies: list[bytes] = []
        self.headers: list[dict[str, str]] = []
        self.replies: list[tuple[int, bytes]] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with receiver._lock:
                    receiver.bodies.append(body)
                    receiver.headers.append(dict(self.headers))
                    status, reply = (
                        receiver.replies.pop(0) if receiver.replies else (200, ACK_ENVELOPE)
                    )
                self.send_response(status)
                self.send_header("Content-Type", "text/xml; charset=utf-8")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_port}/salesforce/outbound"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def salesforce_receiver() -> Iterator[SoapReceiver]:
    """A running SOAP receiver that acknowledges unless told otherwise."""
    receiver = SoapReceiver()
    yield receiver
    receiver.close()
