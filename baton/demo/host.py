"""What the demo asks of the machine it runs on: a fresh database file, loopback traffic kept
off HTTP proxies, and SIGTERM handled like Ctrl-C so everything is closed either way."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from baton.demo.stack import DemoError

#: Demo databases kept under the output folder (older ones are removed on the next run).
KEEP_DEMO_DATABASES = 5


def fresh_sqlite_url(out: Path) -> str:
    """A new SQLite file under ``out`` (the oldest demo files beyond a few are removed)."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        old = sorted(out.glob("baton-*.db"), key=lambda p: p.stat().st_mtime)
        for path in old[: max(0, len(old) - (KEEP_DEMO_DATABASES - 1))]:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
    except OSError as exc:
        raise DemoError(f"cannot use {out} for the demo database: {exc.strerror or exc}") from None
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    path = out / f"baton-{stamp}-{os.getpid()}.db"
    return f"sqlite:///{path}"


@contextmanager
def loopback_without_proxies() -> Iterator[None]:
    """Keep loopback traffic off any HTTP proxy the environment names, for this run only.

    Everything the demo sends stays on 127.0.0.1, but an HTTP client that honours
    ``HTTP_PROXY`` without a ``NO_PROXY`` entry for loopback would send the webhooks to the proxy.
    """
    saved = {name: os.environ.get(name) for name in ("NO_PROXY", "no_proxy")}
    current = [part for value in saved.values() if value for part in value.split(",") if part]
    merged = ",".join(dict.fromkeys([*current, "127.0.0.1", "localhost"]))
    os.environ.update({"NO_PROXY": merged, "no_proxy": merged})
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """Treat SIGTERM like Ctrl-C so the stack is closed either way (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(*_: Any) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
