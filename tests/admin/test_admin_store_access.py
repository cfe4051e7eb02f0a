"""Admin commands never guess the database: without one named they refuse, and they never
create an empty SQLite file to answer "no record found" from (issue 16)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from baton.cli import main
from connector.admin.store_access import sqlite_file
from connector.store import upgrade


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A CLI runner in an empty directory, with no database or config named in the env."""
    monkeypatch.chdir(tmp_path)
    for name in ("BATON_CONFIG", "BATON_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    return CliRunner()


@pytest.mark.parametrize(
    "command",
    [
        ["explain", "ada@example.com"],
        ["dead-letters", "list"],
        ["credit", "show", "006000000000001AAA"],
        ["credit", "journeys"],
        ["sla", "status"],
        ["observe", "summary"],
    ],
)
def test_without_config_refuses_and_creates_no_database(runner: CliRunner, command) -> None:
    result = runner.invoke(main, command)
    assert result.exit_code == 1
    assert "which Baton database?" in result.output
    assert "--config FILE" in result.output and "BATON_DATABASE_URL" in result.output
    assert not Path("var/baton.db").exists()
    assert "no record found" not in result.output


def test_a_missing_sqlite_file_is_named_not_created(runner: CliRunner, tmp_path: Path) -> None:
    missing = tmp_path / "elsewhere" / "baton.db"
    result = runner.invoke(
        main, ["explain", "1001"], env={"BATON_DATABASE_URL": f"sqlite:///{missing}"}
    )
    assert result.exit_code == 1
    assert f"no Baton database at {missing} (BATON_DATABASE_URL)" in result.output
    assert not missing.exists() and not missing.parent.exists()


def test_a_config_file_names_its_database_in_the_answer(runner: CliRunner, tmp_path: Path) -> None:
    database = tmp_path / "baton.db"
    upgrade(f"sqlite:///{database}")
    config = tmp_path / "baton.yaml"
    config.write_text(
        f"version: 1\nstore:\n  database_url: sqlite:///{database}\n"
        "hubspot:\n  portal_id: 1\n  access_token: ${HS_TOKEN}\n  client_secret: ${HS_SECRET}\n"
        "salesforce:\n  enabled: false\n",
        encoding="utf-8",
    )
    env = {"HS_TOKEN": "t", "HS_SECRET": "s"}
    result = runner.invoke(main, ["explain", "1001", "--config", str(config)], env=env)
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"no record found for hubspot:contact:1001 in sqlite:///{database} "
        f"(store.database_url in {config})"
    )


def test_sqlite_file_of_urls() -> None:
    assert sqlite_file("sqlite:///var/baton.db") == Path("var/baton.db")
    assert sqlite_file("sqlite:////srv/baton.db") == Path("/srv/baton.db")
    assert sqlite_file("sqlite://") is None
    assert sqlite_file("postgresql+psycopg://baton@db/baton") is None
