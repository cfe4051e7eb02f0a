"""``baton demo`` as a command: serving until stopped, and clear refusals when it cannot run."""

from __future__ import annotations

import socket
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

from baton.cli import main
from baton.demo import run_demo
from baton.demo.scenario import WeekPlan
from baton.demo.stack import DemoStack
from connector.events import ChangeEvent, EventKind, ObjectType, Source
from connector.inbox import append
from connector.store import Store, upgrade


def _quiet_week(monkeypatch: pytest.MonkeyPatch) -> None:
    """A week in which nobody does anything: the command's own path, in seconds."""
    monkeypatch.setattr("baton.demo.run.plan_week", lambda seed: WeekPlan(seed, (), ()))


def test_without_once_it_serves_the_dashboard_until_stopped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _quiet_week(monkeypatch)
    stop = threading.Event()
    lines: list[str] = []
    pages: list[requests.Response] = []

    def visit_then_stop(stack: DemoStack) -> None:
        def visit() -> None:
            for _ in range(100):  # until the command says how to sign in
                if any(line.startswith("Sign in: ") for line in lines):
                    break
                stop.wait(0.05)
            link = next(line for line in lines if line.startswith("Sign in: ")).split()[2]
            with requests.Session() as browser:
                pages.append(browser.get(stack.base_url + "/", timeout=10))  # not signed in
                pages.append(browser.get(link, timeout=10))  # signs in, then shows /
                pages.append(requests.get(link, timeout=10))  # used up
            stop.set()

        threading.Thread(target=visit, daemon=True).start()

    with socket.socket() as probe:  # a free port to serve on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    code = run_demo(
        once=False,
        seed=1,
        port=port,
        database_url=None,
        out=tmp_path,
        echo=lines.append,
        stop=stop,
        after_week=visit_then_stop,
    )
    assert code == 0
    assert f"Dashboard: http://127.0.0.1:{port}/  (Ctrl-C to stop)" in lines
    sign_in = next(line for line in lines if line.startswith("Sign in: "))
    assert sign_in.startswith(f"Sign in:   http://127.0.0.1:{port}/signin/link/")
    assert sign_in.endswith("(one use, valid 10 min)")
    assert lines[-1] == "Stopped."
    before, signed_in, again = pages
    assert before.url.endswith("/signin?next=/") and "Sign in" in before.text
    assert signed_in.status_code == 200 and "Weekly scorecard" in signed_in.text
    assert again.status_code == 410
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", port))  # released


def test_a_taken_port_is_refused_clearly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code = run_demo(once=False, seed=1, port=port, database_url=None, out=tmp_path)
    assert code == 2
    assert f"cannot listen on 127.0.0.1:{port}" in capsys.readouterr().err


def test_a_database_with_history_is_refused_clearly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'used.db'}"
    upgrade(url)
    store = Store(url)
    with store.session() as session:
        event = ChangeEvent(
            Source.HUBSPOT,
            EventKind.CREATED,
            ObjectType.CONTACT,
            "1001",
            "e1",
            datetime.now(UTC),
        )
        append(session, [event])
    store.dispose()
    code = run_demo(once=True, seed=1, port=0, database_url=url, out=tmp_path)
    assert code == 2
    err = capsys.readouterr().err
    assert "needs an empty database" in err and "1 events" in err


def test_an_unusable_output_folder_is_refused_clearly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    code = run_demo(once=True, seed=1, port=0, database_url=None, out=blocker / "demo")
    assert code == 2
    assert "cannot use" in capsys.readouterr().err


def test_the_cli_passes_its_options(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[dict[str, object]] = []

    def fake(**kwargs: object) -> int:
        calls.append(kwargs)
        return 0

    monkeypatch.setattr("baton.demo.run_demo", fake)
    result = CliRunner().invoke(
        main, ["demo", "--once", "--seed", "11", "--database", "sqlite:///x.db"]
    )
    assert result.exit_code == 0, result.output
    alone = CliRunner().invoke(main, ["demo", "--once", "--crm", "hubspot"])
    assert alone.exit_code == 0, alone.output
    refused = CliRunner().invoke(main, ["demo", "--crm", "pipedrive"])
    assert refused.exit_code == 2 and "pipedrive" in refused.output
    assert calls == [
        {
            "once": True,
            "seed": 11,
            "port": 8000,
            "database_url": "sqlite:///x.db",
            "out": Path("var/demo"),
            "history_weeks": None,
            "crm": "both",
        },
        {
            "once": True,
            "seed": 7,
            "port": 8000,
            "database_url": None,
            "out": Path("var/demo"),
            "history_weeks": None,
            "crm": "hubspot",
        },
    ]


def test_the_printed_explore_command_reads_the_demo_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _quiet_week(monkeypatch)
    lines: list[str] = []
    code = run_demo(once=True, seed=1, port=0, database_url=None, out=tmp_path, echo=lines.append)
    assert code == 0
    text = "\n".join(lines)
    explore = next(line for line in text.splitlines() if line.startswith("Explore it: "))
    url = explore.split("BATON_DATABASE_URL='", 1)[1].split("'", 1)[0]
    assert url.startswith("sqlite:///") and Path(url.removeprefix("sqlite:///")).exists()
    monkeypatch.delenv("BATON_CONFIG", raising=False)
    result = CliRunner().invoke(main, ["explain", "1001"], env={"BATON_DATABASE_URL": url})
    assert result.exit_code == 1  # a quiet week: nobody to explain, said about that database
    assert f"in {url} (BATON_DATABASE_URL)" in result.stderr
    listed = CliRunner().invoke(main, ["dead-letters", "list"], env={"BATON_DATABASE_URL": url})
    assert listed.exit_code == 0, listed.output
