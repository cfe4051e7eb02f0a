"""The scorecard API: tokens, weeks, filters, drill-down and CSV, over the scenario week."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from intake_helpers import make_config
from pydantic import SecretStr

from connector.runtime import Runtime
from webhooks.app import create_app

sys.path.insert(0, str(Path(__file__).parents[1] / "scorecard"))
from scorecard_scenario import REP_A, lead_id, seed

TOKENS = ("first-scorecard-token-31a9", "second-scorecard-token-88c2")
ROUTES = (
    "/api/scorecard",
    "/api/scorecard/drill?key=mqls_delivered",
    "/api/scorecard.csv?table=funnel",
)


def _client(runtime: Runtime, tokens: tuple[str, ...] = TOKENS) -> FlaskClient:
    seed(runtime.store)
    changes = {"scorecard.api_tokens": [SecretStr(t) for t in tokens]}
    config = make_config(runtime.store.url, changes)
    return create_app(Runtime(config=config, store=runtime.store)).test_client()


@pytest.fixture
def api(runtime: Runtime) -> FlaskClient:
    return _client(runtime)


def _get(client: FlaskClient, path: str, token: str = TOKENS[1]):  # type: ignore[no-untyped-def]
    return client.get(path, headers={"Authorization": f"Bearer {token}"})


@pytest.mark.parametrize("path", ROUTES)
@pytest.mark.parametrize(
    "authorization",
    [None, "", "Bearer", f"Basic {TOKENS[0]}", "Bearer wrong", f"Bearer {TOKENS[0]}x"],
)
def test_without_a_right_token_every_route_answers_401_json(
    api: FlaskClient, path: str, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization is not None else {}
    response = api.get(path, headers=headers)
    assert response.status_code == 401
    assert response.get_json()["error"] == "unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_with_no_token_configured_the_api_is_closed_and_says_why(runtime: Runtime) -> None:
    client = _client(runtime, tokens=())
    response = client.get("/api/scorecard", headers={"Authorization": "Bearer anything"})
    assert response.status_code == 401
    assert "no API token is configured" in response.get_json()["message"]


def test_every_configured_token_opens_it_and_the_figures_are_the_scenario(api: FlaskClient) -> None:
    for token in TOKENS:
        assert _get(api, "/api/scorecard?week=2026-W48", token).status_code == 200
    body = _get(api, "/api/scorecard?week=2026-11-26").get_json()
    assert body["week_start"] == "2026-11-23" and body["week_end"] == "2026-11-29"
    metrics = {m["key"]: m for m in body["metrics"]}
    assert metrics["first_response_median_hours"]["value"] == "2.50"
    assert metrics["mqls_delivered"]["value"] == 4
    assert metrics["pipeline_marketing"] | {"definition": ""} == {
        **metrics["pipeline_marketing"],
        "definition": "",
        "value": "5900.00",
        "status": "no_target",
        "drill_key": "pipeline_influenced:EUR",
    }
    assert metrics["pipeline_marketing_sourced"]["value"] == "3900.00"
    pipeline = next(t for t in body["tables"] if t["key"] == "pipeline_by_currency")
    assert pipeline["rows"] == [
        ["EUR", 4, "6600.00", "3900.00", "5900.00"],
        ["USD", 1, "1500.00", "1500.00", "1500.00"],
    ]
    assert metrics["revenue_marketing_influenced"]["value"] == "2000.00"
    funnel = next(t for t in body["tables"] if t["key"] == "funnel")
    assert funnel["rows"][1] == ["salesqualifiedlead", 2, "50.0", "1.00"]


def test_filters_reach_the_figures(api: FlaskClient) -> None:
    body = _get(api, f"/api/scorecard?week=2026-W48&rep={REP_A}").get_json()
    assert body["filters"]["rep"] == REP_A
    assert {m["key"]: m["value"] for m in body["metrics"]}["mqls_delivered"] == 2
    sales = _get(api, "/api/scorecard?week=2026-W48&team=sales").get_json()
    assert {m["team"] for m in sales["metrics"]} == {"sales"}


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("week=2026-W60", "not a real week"),
        ("week=2026-02-30", "not a real week or date"),
        ("week=last", "use YYYY-Www"),
        ("week=", "use YYYY-Www"),
        ("week=1999-W01", "years 2000 to 2999"),
        ("team=finance", "team 'finance' is unknown"),
        ("rep=" + "x" * 200, "1 to 128 characters"),
        ("tem=sales", "unknown parameter(s): 'tem'"),
    ],
)
def test_a_bad_week_or_filter_is_a_400_that_says_what_is_wrong(
    api: FlaskClient, query: str, says: str
) -> None:
    response = _get(api, f"/api/scorecard?{query}")
    assert response.status_code == 400
    assert says in response.get_json()["message"]


def test_drill_down_lists_ids_and_links_and_refuses_unknown_keys(api: FlaskClient) -> None:
    body = _get(api, "/api/scorecard/drill?week=2026-W48&key=accepted").get_json()
    assert [lead["record_id"] for lead in body["leads"]] == [lead_id(1), lead_id(4)]
    assert set(body["leads"][0]) == {"system", "object", "record_id", "url"}
    assert _get(api, "/api/scorecard/drill?week=2026-W48").status_code == 400
    missing = _get(api, "/api/scorecard/drill?week=2026-W48&key=nope")
    assert missing.status_code == 404 and "unknown drill key" in missing.get_json()["message"]
    assert _get(api, "/api/scorecard/drill?key=accepted&team=finance").status_code == 400


def test_every_table_exports_as_csv(api: FlaskClient) -> None:
    response = _get(api, "/api/scorecard.csv?week=2026-W48&table=held_back_by_reason")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "scorecard-2026-11-23-held_back_by_reason.csv" in response.headers["Content-Disposition"]
    assert response.get_data(as_text=True) == "reason,count\r\nno_company,2\r\nfar_away,1\r\n"
    body = _get(api, "/api/scorecard?week=2026-W48").get_json()
    for table in body["tables"]:
        exported = _get(api, f"/api/scorecard.csv?week=2026-W48&table={table['key']}")
        lines = exported.get_data(as_text=True).splitlines()
        assert lines[0] == ",".join(table["columns"]) and len(lines) == len(table["rows"]) + 1
    assert _get(api, "/api/scorecard.csv?table=nope").status_code == 400
