"""Serve a WSGI app over real TLS on 127.0.0.1 with a CA and certificate made for this run.

simple-salesforce dials `https://host:port` whatever scheme `instance_url` has, so the stand-in
speaks TLS; clients trust it through the CA bundle file (`requests.Session.verify`).
"""

from __future__ import annotations

import os
import shutil
import ssl
import tempfile
import threading
from collections.abc import Callable
from typing import Any

import trustme
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server


class _QuietHandler(WSGIRequestHandler):
    """Request handler that does not print a line per request."""

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        """Skip werkzeug's access log."""

    def log(self, type: str, message: str, *args: Any) -> None:
        """Skip werkzeug's error log lines (errors surface as responses or test failures)."""


class TlsServer:
    """A threaded werkzeug server with a per-run trustme CA, run in a daemon thread."""

    def __init__(self, app: Callable[..., Any], host: str = "127.0.0.1") -> None:
        self.app = app
        self.host = host
        self._dir = tempfile.mkdtemp(prefix="sf-sandbox-tls-")
        self.ca = trustme.CA(key_type=trustme.KeyType.ECDSA)
        self.ca_bundle_path = os.path.join(self._dir, "ca.pem")
        self.ca.cert_pem.write_to_path(self.ca_bundle_path)
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> int:
        """Bind an ephemeral port, start serving and return the port."""
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
        self._server = make_server(
            self.host,
            0,
            self.app,
            threaded=True,
            request_handler=_QuietHandler,
            ssl_context=context,
        )
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="salesforce-sandbox-https",
            daemon=True,
        )
        self._thread.start()
        return self._server.server_port

    def stop(self) -> None:
        """Stop serving and delete the certificate files."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        shutil.rmtree(self._dir, ignore_errors=True)
