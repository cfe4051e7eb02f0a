"""``baton serve`` options: --no-worker on SQLite warns (issue 8, finding 6)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from baton.cli import NO_WORKER_ON_SQLITE, main


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[dict[str, Any]]:
    """Record what ``baton serve`` would start instead of starting gunicorn."""
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr("baton.serve.serve", lambda runtime, **options: calls.append(options))
    monkeypatch.setenv("BATON_DATABASE_URL", f"sqlite:///{tmp_path / 'baton.db'}")
    monkeypatch.delenv("BATON_CONFIG", raising=False)
    return calls


def test_no_worker_on_sqlite_warns_that_nothing_processes_the_inbox(
    served: list[dict[str, Any]],
) -> None:
    result = CliRunner().invoke(main, ["serve", "--no-worker"])
    assert result.exit_code == 0, result.output
    assert NO_WORKER_ON_SQLITE in result.stderr
    assert served == [
        {"host": "127.0.0.1", "port": 8000, "web_workers": 1, "threads": 8, "with_worker": False}
    ]


def test_serving_with_the_worker_says_nothing(served: list[dict[str, Any]]) -> None:
    result = CliRunner().invoke(main, ["serve"])
    assert result.exit_code == 0, result.output
    assert "no-worker" not in result.stderr
    assert served[0]["with_worker"] is True


def test_observe_flag_switches_observe_mode_on(
    served: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[bool] = []
    monkeypatch.setattr(
        "baton.serve.serve", lambda runtime, **options: seen.append(runtime.config.service.observe)
    )
    assert CliRunner().invoke(main, ["serve", "--no-worker", "--observe"]).exit_code == 0
    assert CliRunner().invoke(main, ["serve", "--no-worker"]).exit_code == 0
    assert seen == [True, False]  # without the flag, the file's service.observe (default off)
