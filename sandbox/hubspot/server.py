"""Serve a WSGI app on 127.0.0.1 in a background thread (werkzeug's threaded server)."""

from __future__ import annotations

import logging
import threading

from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server


class ServerThread:
    """A werkzeug threaded server on a free loopback port, stoppable from tests."""

    def __init__(self, app: Flask, host: str = "127.0.0.1", port: int = 0) -> None:
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        self._server: BaseWSGIServer = make_server(host, port, app, threaded=True)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="hubspot-sandbox",
            daemon=True,
        )

    @property
    def base_url(self) -> str:
        """http://127.0.0.1:<port> of the running server."""
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> str:
        """Start serving; returns the base URL."""
        self._thread.start()
        return self.base_url

    def stop(self) -> None:
        """Stop serving and release the port."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
