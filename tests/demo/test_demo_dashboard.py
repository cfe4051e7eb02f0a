"""The dashboard page, rendered by the real app over a store with a known history."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from demo_report_data import DAAN, HOLD_REASON, QUEUE, SANNE, fill, fill_recycling
from flask.testing import FlaskClient

from connector.config import default_config, with_changes
from connector.runtime import Runtime
from connector.store import Store
from webhooks.app import create_app
from webhooks.dashboard import record_label, set_display_names

NAMES = {
    SANNE: "Sanne Jansen",
    DAAN: "Daan Bakker",
    QUEUE: "Inbound Leads Queue",
    "hubspot:contact:1004": "Ashley Miller",
    "hubspot:contact:2101": "Noor de Vries",  # a recycled person with a name the page knows
}


def _runtime(store: Store) -> Runtime:
    config = with_changes(
        default_config(database_url=store.url),
        {
            "routing": {
                "rules": [{"name": "benelux", "team": "benelux"}],
                "teams": {"benelux": {"members": [SANNE, DAAN]}},
                "fallback_queue": QUEUE,
            }
        },
    )
    return Runtime(config=config, store=store)


def _client(store: Store, **overrides: object) -> FlaskClient:
    app = create_app(_runtime(store), {"TESTING": True, **overrides})
    set_display_names(app, NAMES.get)
    return app.test_client()


@pytest.fixture
def client(sqlite_store: Store) -> Iterator[FlaskClient]:
    fill(sqlite_store)
    yield _client(sqlite_store, BATON_DASHBOARD_OPEN=True)


def _rows(page: str, section: str) -> list[str]:
    """The text of each table row in the section with id ``section``."""
    match = re.search(rf'id="{section}".*?</section>', page, re.S)
    assert match, f"no section {section}"
    rows = re.findall(r"<tr>(.*?)</tr>", match.group(0), re.S)
    return [html.unescape(re.sub(r"<[^>]+>|\s+", " ", row)).strip() for row in rows]


def test_root_is_the_scorecard_and_links_to_operations(client: FlaskClient) -> None:
    page = client.get("/").get_data(as_text=True)
    assert "Weekly scorecard" in page
    assert 'href="/dashboard/"' in page


def test_handoffs_show_person_company_owner_and_team(client: FlaskClient) -> None:
    page = client.get("/dashboard/").get_data(as_text=True)
    rows = _rows(page, "handoffs")
    anouk = next(r for r in rows if "Anouk de Jong" in r)
    assert "Zeeland Foods" in anouk and "Sanne Jansen" in anouk and "benelux" in anouk
    assert "00Q000000000001AAA" in anouk
    mads = next(r for r in rows if "Mads Nielsen" in r)
    assert "Inbound Leads Queue" in mads and "fallback queue" in mads
    assert "being created" in mads
    jonas = next(r for r in rows if "Jonas Müller" in r)
    assert "org default" in jonas
    assert "3 so far" in html.unescape(page)


def test_held_back_mqls_show_the_reason(client: FlaskClient) -> None:
    page = client.get("/dashboard/").get_data(as_text=True)
    (row,) = _rows(page, "held")[1:]
    assert "Ashley Miller" in row and "HubSpot contact 1004" in row
    assert HOLD_REASON in row


def test_funnels_use_words_people_know(client: FlaskClient) -> None:
    page = html.unescape(client.get("/dashboard/").get_data(as_text=True))
    hubspot = re.search(r'id="funnel-hubspot".*?</section>', page, re.S).group(0)  # type: ignore[union-attr]
    text = re.sub(r"<[^>]+>|\s+", " ", hubspot)
    assert re.search(r"Marketing qualified lead\s+3", text)
    assert re.search(r"Lead\s+2", text)
    salesforce = re.search(r'id="funnel-salesforce".*?</section>', page, re.S).group(0)  # type: ignore[union-attr]
    assert re.search(r"Converted \(now a contact\)\s+1", re.sub(r"<[^>]+>|\s+", " ", salesforce))


def test_trouble_is_visible_at_the_top_and_in_dead_letters(client: FlaskClient) -> None:
    page = html.unescape(client.get("/dashboard/").get_data(as_text=True))
    assert "1 write refused by a CRM" in page
    (letter,) = _rows(page, "dead-letters")[1:]
    assert "INVALID_OPTION" in letter and "hubspot" in letter
    activity = _rows(page, "activity")[1:]
    assert "dead letter: INVALID_OPTION" in activity[0]  # newest first
    assert "HubSpot contact 1006" in activity[0]
    assert "hand-off: create Salesforce lead" in activity[1]


def test_the_weeks_recycles_show_by_reason_with_ids_only(sqlite_store: Store) -> None:
    fill(sqlite_store)
    fill_recycling(sqlite_store, datetime.now(UTC))
    page = _client(sqlite_store, BATON_DASHBOARD_OPEN=True).get("/dashboard/").get_data(True)
    rows = [" ".join(r.split()) for r in _rows(page, "recycled")[1:]]
    assert rows == [
        "Bad timing back to marketing 2 2102, 2101",
        "no reason flagged back to marketing 1 2103",
        "later maybe unknown, flagged back to marketing 1 2104",
        "Competitor disqualified 1 2105",
        "No budget left alone 1 2106",
    ]  # the month-old recycle of 2100 is not this week's
    section = re.search(r'id="recycled".*?</section>', page, re.S).group(0)  # type: ignore[union-attr]
    assert "2101" in section and "Noor de Vries" not in section and "@" not in section


def test_an_empty_store_renders_calmly(sqlite_store: Store) -> None:
    page = _client(sqlite_store, BATON_DASHBOARD_OPEN=True).get("/dashboard/")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "All caught up" in text
    assert "No hand-offs yet." in text
    assert "No recycles this week." in text
    assert "Weekly scorecard" in text


def test_closed_until_signed_in(sqlite_store: Store) -> None:
    closed = _client(sqlite_store)
    answer = closed.get("/dashboard/")
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/signin?next=/dashboard/"
    assert closed.get("/healthz").status_code == 200  # the rest of the app is unaffected


def test_times_are_in_the_calendars_zone_and_tables_stack_on_phones(client: FlaskClient) -> None:
    page = client.get("/dashboard/").get_data(as_text=True)
    assert "(Europe/Amsterdam)" in page and " UTC" not in page
    assert '<table class="stack">' in page
    assert '<td data-label="Owner">Sanne Jansen</td>' in page


def test_record_labels_read_like_words() -> None:
    assert record_label("hubspot:contact:1004", NAMES.get) == "HubSpot contact 1004 (Ashley Miller)"
    assert record_label("salesforce:lead:00Q1", NAMES.get) == "Salesforce lead 00Q1"
