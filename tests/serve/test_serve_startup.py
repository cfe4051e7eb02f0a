"""``baton serve`` answers before the CRMs do: job setup (which reads the CRMs, retrying when
they are down) runs after the receivers are up, builds the worker once, and readiness says
how far it got and which CRM answers."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
import requests
from live_baton import live_baton

from baton import serve as serve_module
from connector.config import default_config
from connector.jobs.base import JobSetupError
from connector.runtime import Runtime
from connector.store import Store
from connector.worker import Worker
from webhooks.ops import Startup


class _Idle:
    def run_forever(self, stop: threading.Event) -> None:
        stop.wait()


def _runtime(store: Store) -> Runtime:
    return Runtime(config=default_config(database_url=store.url), store=store)


def test_job_setup_builds_the_worker_once_in_the_background(
    sqlite_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[Runtime] = []
    monkeypatch.setattr(Worker, "from_runtime", lambda runtime: built.append(runtime) or _Idle())
    monkeypatch.setattr(serve_module, "start_pollers", lambda runtime: None)
    state, refusals = Startup(), []
    serve_module.start_in_background(_runtime(sqlite_store), state, refused=refusals.append).join(5)
    assert len(built) == 1, "check_jobs's worker is the one that runs"
    assert state.worker == "running" and refusals == []


def test_a_config_a_job_refuses_is_reported_with_the_jobs_words(
    sqlite_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(runtime: Any) -> Worker:
        raise JobSetupError("recycle.nurture_list_id: HubSpot list 7 is DYNAMIC")

    monkeypatch.setattr(Worker, "from_runtime", refuse)
    state, refusals = Startup(), []
    serve_module.start_in_background(_runtime(sqlite_store), state, refused=refusals.append).join(5)
    assert refusals == ["baton: recycle.nurture_list_id: HubSpot list 7 is DYNAMIC"]
    assert state.worker.startswith("refused: baton: recycle.nurture_list_id")


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_healthz_answers_while_job_setup_still_retries_unreachable_crms(tmp_path: Path) -> None:
    with live_baton(tmp_path) as baton:  # both CRMs point at a closed loopback port
        ready = requests.get(baton.url + "/readyz", timeout=5).json()
        assert ready["status"] == "ready"
        assert ready["worker"] == "starting", "the receivers did not wait for the CRMs"
        assert ready["crms"] == {"hubspot": "unreachable", "salesforce": "unreachable"}
