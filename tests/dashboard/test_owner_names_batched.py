"""The pages ask the CRM for every owner name they show at once, not one query per row."""

from __future__ import annotations

import html
import sys
from collections.abc import Iterable
from pathlib import Path

from dashboard_helpers import OWNER_NAMES, AppFactory, sign_in
from scorecard_scenario import seed

from adapters.owner_directory import OwnerDirectory
from connector.store import Store
from webhooks.dashboard import set_display_names
from webhooks.pages import OwnerNames

sys.path.insert(0, str(Path(__file__).parent.parent / "demo"))
from demo_report_data import DAAN, QUEUE, SANNE, fill


class CountingSalesforce:
    """Answers ``owner_names`` like the Salesforce client and records each call's ids."""

    def __init__(self, names: dict[str, str]) -> None:
        self.names = names
        self.calls: list[set[str]] = []

    def owner_names(self, ids: Iterable[str]) -> dict[str, str]:
        asked = set(ids)
        self.calls.append(asked)
        return {i: self.names[i] for i in asked if i in self.names}


def _app(make_app: AppFactory, salesforce: CountingSalesforce):  # type: ignore[no-untyped-def]
    app = make_app()
    set_display_names(app, OwnerNames(lambda: OwnerDirectory(None, salesforce)))
    client = app.test_client()
    sign_in(client)
    return client


def test_the_operations_view_reads_its_owners_in_one_call(
    sqlite_store: Store, make_app: AppFactory
) -> None:
    fill(sqlite_store)
    salesforce = CountingSalesforce({SANNE: "Sanne Jansen", DAAN: "Daan Bakker", QUEUE: "Inbound"})
    page = html.unescape(_app(make_app, salesforce).get("/dashboard/").get_data(as_text=True))
    assert "Sanne Jansen" in page and "Daan Bakker" in page
    assert len(salesforce.calls) == 1, salesforce.calls
    assert {SANNE, DAAN} <= salesforce.calls[0]


def test_the_scorecard_reads_its_reps_in_one_call(
    sqlite_store: Store, make_app: AppFactory
) -> None:
    seed(sqlite_store)
    salesforce = CountingSalesforce(OWNER_NAMES)
    page = html.unescape(_app(make_app, salesforce).get("/").get_data(as_text=True))
    assert all(name in page for name in OWNER_NAMES.values())
    assert len(salesforce.calls) == 1, salesforce.calls
    assert set(OWNER_NAMES) <= salesforce.calls[0]
