"""The scorecard page over the hand-computed scenario week: the model's figures, in words and
formats of the reader's language, with names for reps, a week picker, filters and drill-down."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from dashboard_helpers import OWNER_NAMES, AppFactory, sign_in
from flask.testing import FlaskClient
from scorecard_scenario import LEADS, REP_A, WEEK, count_passes, lead_id, seed

from connector.reports.scorecard import ScorecardFilters, build_scorecard
from connector.store import Store


@pytest.fixture
def client(sqlite_store: Store, make_app: AppFactory) -> FlaskClient:
    seed(sqlite_store)
    client = make_app().test_client()
    sign_in(client)
    return client


def _text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def metric_values(page: str) -> dict[str, str]:
    """metric key → the figure the page shows for it."""
    found = re.findall(r'data-key="([^"]+)">.*?<div class="value">(.*?)</div>', page, re.S)
    return {key: _text(value) for key, value in found}


def section(page: str, anchor: str) -> str:
    found = re.search(rf'id="{anchor}".*?</section>', page, re.S)
    assert found, f"no section {anchor}"
    return found.group(0)


def test_every_figure_is_the_models_in_english(client: FlaskClient) -> None:
    page = client.get("/?week=2026-11-23", headers={"Accept-Language": "en"}).get_data(True)
    shown = metric_values(page)
    assert shown == {
        "mqls_delivered": "4",
        "mqls_held_back": "3",
        "accepted_pct": "50%",
        "recycled": "1",
        "first_response_median_hours": "2.5 h",
        "first_response_p90_hours": "8.5 h",
        "within_sla_pct": "66.7%",
        "attempts_median": "2",
        "feedback_pct": "50%",
        "escalations": "2",
        "funnel_sql": "2",
        "funnel_opportunity": "1",
        "funnel_won": "0",
        "pipeline_marketing": "€5,900",
        "pipeline_marketing_sourced": "€3,900",
        "revenue_marketing_sourced": "€1,000",
        "revenue_marketing_influenced": "€2,000",
        "cherry_picking_reps": "0",
    }
    assert "Week of Nov 23, 2026 to Nov 29, 2026" in _text(page)
    assert "times in Europe/Amsterdam" in page
    metric = section(page, "team-sales")
    assert "Median business hours" in metric  # the definition sits next to the number


def test_dutch_words_and_formats_from_the_browser(client: FlaskClient) -> None:
    page = client.get("/?week=2026-W48", headers={"Accept-Language": "nl-NL,nl;q=0.9"})
    text = page.get_data(as_text=True)
    shown = metric_values(text)
    assert shown["revenue_marketing_influenced"] == "€ 2.000"
    assert "€\xa02.000" in text  # a non-breaking space: the amount never wraps
    assert shown["first_response_median_hours"] == "2,5 u"
    assert shown["within_sla_pct"] == "66,7%"
    assert '<html lang="nl">' in text
    assert "Wekelijkse scorecard" in text and "Geleverde MQL's" in html.unescape(text)
    assert "Week van 23 nov 2026 tot en met 29 nov 2026" in _text(text)
    credit = _text(section(text, "table-credit_by_model"))
    assert "Toerekeningsmodel" in credit and "€ 1.100" in credit


def test_the_language_switch_beats_the_browser(client: FlaskClient) -> None:
    switched = client.get("/language/nl?next=/?week=2026-11-23")
    assert switched.status_code == 302 and switched.headers["Location"] == "/?week=2026-11-23"
    page = client.get("/?week=2026-11-23", headers={"Accept-Language": "en"}).get_data(True)
    assert "Wekelijkse scorecard" in page
    assert client.get("/language/fr").status_code == 404


def test_reps_are_shown_by_name_and_only_ids_go_in_links(client: FlaskClient) -> None:
    page = client.get("/?week=2026-11-23").get_data(as_text=True)
    by_rep = _text(section(page, "table-mqls_by_rep"))
    assert "Sanne Jansen" in by_rep and "Daan Bakker" in by_rep and REP_A not in by_rep
    picker = re.search(r'<select id="rep".*?</select>', page, re.S).group(0)  # type: ignore[union-attr]
    assert f'<option value="{REP_A}" >Sanne Jansen</option>' in picker
    for href in re.findall(r'href="([^"]+)"', page):
        assert not any(name.split()[0] in html.unescape(href) for name in OWNER_NAMES.values())
        assert "@" not in href


def test_filters_narrow_the_figures(client: FlaskClient, sqlite_store: Store) -> None:
    page = client.get(f"/?week=2026-11-23&rep={REP_A}").get_data(as_text=True)
    assert metric_values(page)["mqls_delivered"] == "2"
    assert metric_values(page)["first_response_median_hours"] == "5.2 h"  # 5.25, one decimal
    sales = metric_values(client.get("/?week=2026-11-23&team=sales").get_data(as_text=True))
    assert set(sales) == {
        m.key
        for m in build_scorecard(
            sqlite_store,
            client.application.extensions["baton"].config,
            WEEK,
            ScorecardFilters(team="sales"),
        ).metrics
    }
    assert "accepted_pct" not in sales
    assert client.get("/?team=finance").status_code == 400
    assert client.get("/?rep=Sanne%20Jansen").status_code == 400
    assert client.get("/?week=2026-13-45").status_code == 400


def test_the_week_picker_steps_through_weeks(client: FlaskClient) -> None:
    page = client.get("/?week=2026-11-25").get_data(as_text=True)  # any day of the week
    assert 'value="2026-11-23" selected' in page
    previous = re.search(r'id="previous-week" href="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    assert parse_qs(urlsplit(html.unescape(previous)).query)["week"] == ["2026-11-16"]
    earlier = client.get(html.unescape(previous)).get_data(as_text=True)
    assert metric_values(earlier)["mqls_delivered"] == "1"  # the one hand-off the week before


def test_a_figure_drills_down_to_its_leads(client: FlaskClient) -> None:
    page = client.get("/?week=2026-11-23").get_data(as_text=True)
    value = re.search(r'data-key="mqls_delivered">.*?<a href="([^"]+)"', page, re.S)
    assert value, "the figure links to its leads"
    leads = client.get(html.unescape(value.group(1))).get_data(as_text=True)
    assert "4 leads behind this figure" in leads
    for n, *_ in LEADS:
        assert lead_id(n) in leads
        assert f"https://acme.my.salesforce.com/lightning/r/Lead/{lead_id(n)}/view" in leads
    table = section(page, "table-held_back_by_reason")
    row_link = re.search(r'<a href="([^"]+)">', table).group(1)  # type: ignore[union-attr]
    held = client.get(html.unescape(row_link)).get_data(as_text=True)
    assert "https://app.hubspot.com/contacts/62515/record/0-1/5" in held
    assert client.get("/scorecard/leads?week=2026-11-23&key=nope").status_code == 404


def test_a_week_without_data_renders_calmly(make_app: AppFactory) -> None:
    client = make_app().test_client()
    sign_in(client)
    page = client.get("/?week=2026-11-23")
    assert page.status_code == 200
    shown = metric_values(page.get_data(as_text=True))
    assert shown["first_response_median_hours"] == "—"
    assert shown["pipeline_marketing"] == "€0", "nothing open: an empty pipeline, not no data"


def test_the_page_counts_its_weeks_in_one_pass_and_closed_weeks_once(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    passes = count_passes(monkeypatch)
    page = client.get("/?week=2026-11-23").get_data(as_text=True)
    assert metric_values(page)["mqls_delivered"] == "4"
    assert len(passes) == 1  # the week and the trend's 7 earlier weeks: one read pass
    client.get("/?week=2026-11-23")
    assert len(passes) == 1  # a closed week, kept: nothing recounted
    leads = client.get("/scorecard/leads?week=2026-11-23&key=mqls_delivered")
    assert leads.status_code == 200 and "MQLs delivered" in leads.get_data(as_text=True)
    assert passes[1:] == [1]  # the drill-down's own week only, no scorecard for the title


def test_the_open_pipeline_shows_each_currency_and_drills_to_its_deals(
    client: FlaskClient,
) -> None:
    page = client.get("/?week=2026-11-23", headers={"Accept-Language": "en"}).get_data(True)
    table = _text(section(page, "table-pipeline_by_currency"))
    assert "Open pipeline at the week's end, per currency" in table
    assert "EUR 4 €6,600 €3,900 €5,900" in table
    assert "USD 1 $1,500 $1,500 $1,500" in table, "each row in its own currency, not converted"
    figure = section(page, "team-together")
    assert "open at the end of the week" in figure  # the definition beside the number
    value = re.search(r'data-key="pipeline_marketing">.*?<a href="([^"]+)"', page, re.S)
    assert value, "the figure links to its deals"
    deals = client.get(html.unescape(value.group(1))).get_data(as_text=True)
    for deal in ("0067Q00000P1AAA", "0067Q00000P2AAA", "0067Q00000P7AAA"):
        assert f"https://acme.my.salesforce.com/lightning/r/Opportunity/{deal}/view" in deals
    assert "0067Q00000P4AAA" not in deals, "no marketing touch: not influenced"
    dutch = client.get("/?week=2026-11-23", headers={"Accept-Language": "nl"}).get_data(True)
    assert "Pipeline, door marketing beïnvloed" in dutch
    assert "Open pipeline aan het eind van de week, per valuta" in dutch
