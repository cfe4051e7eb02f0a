"""The dashboard served over real HTTP for a real browser: Debian's chromium through Playwright.

Skips with the reason when /usr/bin/chromium or the playwright package is missing (CI installs
both: .ci/run and pyproject's dev extras). The data is the scorecard's hand-computed scenario
week, plus the operations view's known history, so every figure the browser reads is known.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

HERE = Path(__file__).parent
sys.path[:0] = [
    str(HERE.parent / "dashboard"),
    str(HERE.parent / "scorecard"),
    str(HERE.parent / "demo"),
]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"no browser: {CHROMIUM} is not installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is absent")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the screenshots go: $BATON_SCREENSHOTS, else a temporary folder."""
    chosen = os.environ.get("BATON_SCREENSHOTS")
    folder = Path(chosen) if chosen else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class Served:
    """The app on a loopback port in a thread, over the store it was built on."""

    def __init__(self, app: Any, runtime: Any) -> None:
        self.app, self.runtime = app, runtime
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=10)
        self.server.server_close()


@pytest.fixture
def served(sqlite_store: Any) -> Iterator[Served]:
    from conftest_data import build_app

    app, runtime = build_app(sqlite_store)
    site = Served(app, runtime)
    yield site
    site.close()
