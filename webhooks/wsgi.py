"""WSGI entry point: ``gunicorn webhooks.wsgi:app`` or ``python -m webhooks.wsgi --port 8000``.

The app is built on first access (PEP 562 module ``__getattr__``), from the file named by
``BATON_CONFIG`` or, without it, the built-in sandbox config; ``BATON_DATABASE_URL`` overrides
the store. Migrations run once at build time. Under gunicorn with ``--preload`` the app is built
in the master and each forked worker opens its own database connections. Run under gunicorn
directly, pass ``--worker-class baton.intake_worker.BufferingThreadWorker --keep-alive 0`` to
get what ``baton serve`` does against stalled uploads; that worker takes
``service.max_body_bytes`` and ``service.body_read_timeout_s`` from this app's config.
"""

from __future__ import annotations

import argparse
import os
from typing import Any

from flask import Flask

from connector.config import default_config, load_config
from connector.logs import configure_for
from connector.runtime import Runtime
from webhooks.app import create_app

_app: Flask | None = None


def build_app() -> Flask:
    """Load the config, open (and migrate) the store, and build the receivers' app."""
    path = os.environ.get("BATON_CONFIG")
    config = load_config(path) if path else default_config()
    configure_for(config)
    runtime = Runtime.open(config)
    # Pooled connections must not cross a fork (gunicorn --preload): children start afresh.
    os.register_at_fork(after_in_child=lambda: runtime.store.engine.dispose(close=False))
    return create_app(runtime)


def __getattr__(name: str) -> Any:
    """Build ``app`` lazily, so importing this module has no side effects."""
    global _app
    if name == "app":
        if _app is None:
            _app = build_app()
        return _app
    raise AttributeError(name)


def main(argv: list[str] | None = None) -> None:
    """Serve with Werkzeug's threaded server (one process: what the crash test kills)."""
    from werkzeug.serving import run_simple

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    options = parser.parse_args(argv)
    run_simple(options.host, options.port, build_app(), threaded=True)


if __name__ == "__main__":
    main()
