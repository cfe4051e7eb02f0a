"""``baton credit simulate`` through click's CliRunner: the shipped example and bad files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import get_args

import pytest
from click.testing import CliRunner

from baton.cli import main
from connector.config.models.credit import ModelType

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "docs" / "examples" / "credit-timeline.json"
EVERY_TYPE = list(get_args(ModelType))


@pytest.fixture
def simulate(monkeypatch, tmp_path):
    """Run ``baton credit simulate`` on a file holding ``data`` (a dict, or raw text)."""
    monkeypatch.delenv("BATON_CONFIG", raising=False)
    runner = CliRunner()

    def invoke(data: object, *args: str):
        path = tmp_path / "timeline.json"
        path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
        return runner.invoke(main, ["credit", "simulate", str(path), *args])

    return invoke


def shares(answer: dict, model: str) -> list[str]:
    return [share["amount"] for share in answer["models"][model]["shares"]]


BASE = {
    "amount": "1000.01",
    "touches": [
        {"id": "a", "at": "2026-05-01T09:00:00Z", "channel": "paid_search", "campaign": "Q2"},
        {"id": "b", "at": "2026-05-10T09:00:00+02:00", "channel": "webinar"},
        {"id": "c", "at": "2026-05-20T09:00:00Z", "channel": "email"},
    ],
    "milestones": {
        "lead_creation": {"at": "2026-05-10T08:00:00Z", "touch": "b"},
        "closed_won": "2026-06-01T00:00:00Z",
    },
}


def test_the_default_config_runs_its_one_model_linear(simulate):
    result = simulate(BASE)

    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert list(answer["models"]) == ["linear"]
    assert shares(answer, "linear") == ["333.34", "333.34", "333.33"]
    assert answer["currency"] == "EUR" and answer["amount_minor"] == 100_001
    assert [t["positions"] for t in answer["timeline"]] == [
        ["first_touch"],
        ["lead_creation"],
        ["closed_won"],
    ]


def test_model_types_run_with_their_defaults(simulate):
    result = simulate(BASE, "--model", "u_shaped", "--model", "first_touch", "--model", "u_shaped")

    answer = json.loads(result.output)
    assert list(answer["models"]) == ["u_shaped", "first_touch"]
    # 40 % a, 40 % b, 20 % c: 40000.4, 40000.4, 20000.2 -> the cent to a.
    assert shares(answer, "u_shaped") == ["400.01", "400.00", "200.00"]
    assert answer["models"]["u_shaped"]["by_channel"]["webinar"] == {
        "minor": 40_000,
        "amount": "400.00",
    }


def test_the_configured_models_of_a_config_file(simulate, tmp_path, monkeypatch):
    config = tmp_path / "baton.yaml"
    config.write_text(
        "version: 1\n"
        "hubspot: {portal_id: 1, app_id: 2, access_token: '${T}', client_secret: '${S}'}\n"
        "salesforce: {enabled: false}\n"
        "credit:\n"
        "  currency: JPY\n"
        "  models: [last_touch, {model: time_decay, half_life_days: 2, name: fast}]\n"
        "  primary_model: fast\n"
    )
    monkeypatch.setenv("T", "token")
    monkeypatch.setenv("S", "secret")

    result = simulate({**BASE, "amount": 1000}, "--config", str(config))

    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert answer["currency"] == "JPY" and answer["amount"] == "1000"
    assert list(answer["models"]) == ["last_touch", "fast"]
    assert shares(answer, "last_touch") == ["0", "0", "1000"]


def test_the_shipped_example_runs_every_model(monkeypatch):
    monkeypatch.delenv("BATON_CONFIG", raising=False)
    args = ["credit", "simulate", str(EXAMPLE)]
    for kind in EVERY_TYPE:
        args += ["--model", kind]

    result = CliRunner().invoke(main, args)

    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert list(answer["models"]) == EVERY_TYPE
    for name, model in answer["models"].items():
        assert sum(share["minor"] for share in model["shares"]) == answer["amount_minor"], name
    assert {d["reason"] for d in answer["dropped"]} == {"duplicate", "after_close"}
    assert answer["models"]["markov"]["history"]["journeys"] == 240


def test_markov_without_enough_history_says_so(simulate):
    result = simulate(BASE, "--model", "markov")

    assert result.exit_code == 0
    markov = json.loads(result.output)["models"]["markov"]
    assert markov == {
        "model": "markov",
        "unavailable": "needs at least 100 won or lost journeys; the history has 0",
    }


def test_no_touches_credit_the_no_marketing_touch_bucket(simulate):
    result = simulate({"amount": "12.34", "currency": "kwd"})

    answer = json.loads(result.output)
    assert answer["models"]["linear"]["shares"] == [
        {
            "touch": None,
            "channel": "no_marketing_touch",
            "campaign": None,
            "minor": 12_340,
            "amount": "12.340",
        }
    ]


def test_reads_stdin(monkeypatch):
    monkeypatch.delenv("BATON_CONFIG", raising=False)

    result = CliRunner().invoke(main, ["credit", "simulate", "-"], input=json.dumps(BASE))

    assert result.exit_code == 0
    assert shares(json.loads(result.output), "linear") == ["333.34", "333.34", "333.33"]


def _touch(**changes):
    return {**BASE, "touches": [{**BASE["touches"][0], **changes}]}


def _milestones(value):
    return {**BASE, "milestones": value}


def _journey(**fields):
    return {**BASE, "history": [{"channels": [], "won": True, **fields}]}


JUNE = "2026-06-01T00:00:00Z"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("{not json", "(file): not valid JSON"),
        ("[]", "(file): must be a JSON object"),
        ('{"amount": NaN}', "(file): NaN is not a number"),
        ({"touches": []}, "amount: required"),
        ({"amount": "ten"}, "amount: 'ten' is not a decimal amount"),
        ({"amount": True}, "amount: must be a number"),
        ({"amount": -5}, "amount: -5 is negative"),
        ({"amount": 10.001}, "amount: 10.001 has more than the 2 decimal(s) EUR allows"),
        ({"amount": 5.5, "currency": "JPY"}, "amount: 5.5 has more than the 0 decimal(s)"),
        ({"amount": 1, "currency": "euro"}, "currency: must be an ISO 4217 code"),
        ({"amount": 1, "amunt": 2}, "amunt: unknown field; expected one of amount, currency"),
        ({"amount": 1, "touches": {}}, "touches: must be a JSON list"),
        (_touch(at="2026-05-01T09:00:00"), "touches[0].at: '2026-05-01T09:00:00' needs a UTC"),
        (_touch(at="yesterday"), "touches[0].at: 'yesterday' is not an ISO 8601 time"),
        (_touch(at=1700000000), "touches[0].at: must be an ISO 8601 time string"),
        (_touch(channel=""), "touches[0].channel: must be a non-empty string"),
        (_touch(channel=None), "touches[0].channel: required"),
        (_touch(id=7), "touches[0].id: must be a non-empty string"),
        (_touch(chanel="x"), "touches[0].chanel: unknown field"),
        (_milestones([]), "milestones: must be a JSON object"),
        (_milestones({"won": JUNE}), "milestones.won: unknown milestone; expected one of"),
        (_milestones({"mql": {}}), "milestones.mql.at: required"),
        (_milestones({"mql": {"at": JUNE, "touch": "zz"}}), "mql.touch: no touch has id 'zz'"),
        (_journey(channels="email"), "history[0].channels: must be a list of channel names"),
        (_journey(won="yes"), "history[0].won: must be true or false"),
        (_journey(count=0), "history[0].count: must be a whole number of at least 1"),
        (_journey(channels=["(won)"]), "history[0].channels: (start), (won) and (lost) are not"),
    ],
)
def test_bad_files_name_the_field_and_exit_1_without_a_traceback(simulate, data, message):
    result = simulate(data)

    assert result.exit_code == 1, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)


def test_a_milestone_naming_an_id_two_systems_use_is_ambiguous(simulate):
    twice = [
        {"id": "1", "source": "hubspot", "at": JUNE, "channel": "email"},
        {"id": "1", "source": "salesforce", "at": JUNE, "channel": "email"},
    ]

    result = simulate(
        {"amount": 1, "touches": twice, "milestones": {"mql": {"at": JUNE, "touch": "1"}}}
    )

    assert result.exit_code == 1
    assert "milestones.mql.touch: id '1' is used by several sources" in result.output


def test_a_missing_file_exits_1(monkeypatch, tmp_path):
    monkeypatch.delenv("BATON_CONFIG", raising=False)

    result = CliRunner().invoke(main, ["credit", "simulate", str(tmp_path / "nope.json")])

    assert result.exit_code == 1
    assert "cannot read" in result.output


def test_an_unknown_model_is_a_usage_error(simulate):
    result = simulate(BASE, "--model", "lineer")

    assert result.exit_code == 2
    assert "'lineer' is neither a configured model (linear) nor a model type" in result.output
