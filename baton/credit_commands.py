"""``baton credit``: what a won deal was credited (``show``) and what-if runs (``simulate``).

``show`` reads the credit job's ledger (``connector/jobs/credit/report.py``); ``simulate`` runs
the pure models of ``connector/jobs/credit`` on a timeline from a file.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any, get_args

import click

from connector.config.models.credit import CreditConfig, CreditModel, ModelType

ConfigLoader = Callable[[str | None], Any]


def credit_commands(
    config_option: Callable[[Callable[..., Any]], Callable[..., Any]], load: ConfigLoader
) -> click.Group:
    """Build the ``credit`` group around the CLI's ``--config`` option and loader."""

    @click.group("credit")
    def credit() -> None:
        """Marketing-influence credit: try the attribution models on a timeline."""

    @credit.command("simulate")
    @config_option
    @click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
    @click.option(
        "--model",
        "names",
        multiple=True,
        metavar="NAME",
        help="Only this model: a configured name, or any model type with its defaults. Repeatable.",
    )
    def simulate(config_path: str | None, file: str, names: tuple[str, ...]) -> None:
        """Print every configured model's shares of the timeline in FILE as JSON.

        FILE (or - for stdin) holds the amount, currency, touches, milestones and optionally
        past journeys for the Markov model; docs/credit.md describes it. Exit 1 on a bad file.
        """
        from connector.jobs.credit.compute import attribute_all, prepare_rules
        from connector.jobs.credit.simulation import SimulationError, load_simulation, report

        config = load(config_path).credit
        models = _chosen_models(config, names)
        text = _read(file)
        try:
            simulation = load_simulation(
                text, default_currency=config.currency, lookback_days=config.lookback_days
            )
        except SimulationError as exc:
            click.echo(f"{file}: {exc}", err=True)
            sys.exit(1)
        rules = prepare_rules(models, simulation.history)
        results = attribute_all(rules, simulation.timeline)
        fits = {rule.name: rule.fit for rule in rules if rule.fit is not None}
        answer = report(simulation, results, fits)
        click.echo(json.dumps(answer, indent=2, ensure_ascii=False))

    @credit.command("show")
    @config_option
    @click.argument("deal")
    @click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
    def show(config_path: str | None, deal: str, as_json: bool) -> None:
        """Explain DEAL (a Salesforce opportunity id) touch by touch per model, from the ledger.

        Shows the latest revision, live or reversed. Exit 1 when the deal was never credited.
        """
        from connector.admin.store_access import open_admin_runtime
        from connector.jobs.credit.report import deal_credit

        runtime, database = open_admin_runtime(load, config_path)
        try:
            with runtime.store.session() as session:
                found = deal_credit(session, deal.strip())
        finally:
            runtime.close()
        if found is None:
            click.echo(f"no credit recorded for {deal} in {database.label}", err=True)
            sys.exit(1)
        click.echo(json.dumps(_deal_json(found), indent=2) if as_json else _deal_text(found))

    @credit.command("journeys")
    @config_option
    def journeys_command(config_path: str | None) -> None:
        """Count the recorded won and lost journeys the Markov model fits on, and say per
        Markov model whether it is live (enough of them in the look-back window)."""
        from datetime import timedelta

        from connector.admin.store_access import open_admin_runtime
        from connector.events import utcnow
        from connector.jobs.credit.journeys import counted

        config = load(config_path).credit
        runtime, database = open_admin_runtime(load, config_path)
        since = utcnow() - timedelta(days=config.lookback_days)
        try:
            with runtime.store.session() as session:
                found = counted(session, since)
        finally:
            runtime.close()
        click.echo(
            f"{found.total} journeys closed since {since:%Y-%m-%d} ({found.won} won, "
            f"{found.lost} lost) in {database.label}"
        )
        for model in (m for m in config.models if m.model == "markov"):
            minimum = model.min_journeys or 1
            live = found.total >= minimum and found.won > 0
            state = "live" if live else f"not live: {found.total} of {minimum} recorded"
            if not live and found.total >= minimum:
                state = "not live: none of them was won"
            click.echo(f"{model.name}: {state} (needs {minimum} with at least one won)")

    return credit


def _deal_text(deal: Any) -> str:
    """Plain-text explanation of a DealCredit."""
    from connector.jobs.credit.currency import format_minor

    state = f"reversed {deal.reversed_at:%Y-%m-%d %H:%M} UTC" if deal.reversed_at else "live"
    lines = [
        f"opportunity {deal.deal_id}: revision {deal.revision}, computed "
        f"{deal.computed_at:%Y-%m-%d %H:%M} UTC, {state}; amounts in {deal.currency}"
    ]
    for model in deal.models:
        lines.append(f"{model.model} ({model.version})")
        if model.history:
            lines.append(f"  fitted on {_history_text(model.history)}")
        for touch in model.touches:
            when = f"{touch.at:%Y-%m-%d %H:%M}" if touch.at else "-".ljust(16)
            what = f"{touch.source} {touch.touch_id}" if touch.touch_id else "(no touch)"
            campaign = f" campaign {touch.campaign}" if touch.campaign else ""
            amount = format_minor(touch.minor, deal.currency).rjust(14)
            lines.append(f"  {when}  {touch.channel:<20} {amount}  {what}{campaign}")
        lines.append(f"  {'total':<38} {format_minor(model.total, deal.currency).rjust(14)}")
    return "\n".join(lines)


def _history_text(history: dict[str, Any]) -> str:
    """``100 journeys (60 won, 40 lost) closed 2025-12-01..2026-12-01, history 3f2a…``."""
    return (
        f"{history['journeys']} journeys ({history['won']} won, {history['lost']} lost) closed "
        f"{str(history['since'])[:10]}..{str(history['until'])[:10]}, "
        f"history {history['fingerprint']}"
    )


def _deal_json(deal: Any) -> dict[str, Any]:
    from connector.jobs.credit.currency import format_minor

    def moment(value: Any) -> str | None:
        return value.isoformat() if value is not None else None

    return {
        "deal": deal.deal_id,
        "revision": deal.revision,
        "currency": deal.currency,
        "computed_at": moment(deal.computed_at),
        "reversed_at": moment(deal.reversed_at),
        "models": {
            model.model: {
                "version": model.version,
                "history": model.history,
                "total": format_minor(model.total, deal.currency),
                "touches": [
                    {
                        "source": t.source,
                        "touch_id": t.touch_id,
                        "at": moment(t.at),
                        "channel": t.channel,
                        "campaign": t.campaign,
                        "minor": t.minor,
                        "amount": format_minor(t.minor, deal.currency),
                    }
                    for t in model.touches
                ],
            }
            for model in deal.models
        },
    }


def _chosen_models(config: CreditConfig, names: tuple[str, ...]) -> list[CreditModel]:
    """The configured models, or those named: a configured name first, else a model type."""
    if not names:
        return list(config.models)
    kinds = get_args(ModelType)
    chosen = []
    for name in dict.fromkeys(names):  # each once, in the order given
        try:
            chosen.append(config.model_named(name))
        except KeyError:
            if name not in kinds:
                configured = ", ".join(model.name for model in config.models)
                raise click.BadParameter(
                    f"{name!r} is neither a configured model ({configured}) "
                    f"nor a model type ({', '.join(kinds)})",
                    param_hint="--model",
                ) from None
            chosen.append(CreditModel.model_validate({"model": name}))
    return chosen


def _read(file: str) -> str:
    """The file's text (``-``: stdin); an unreadable file ends the command with exit 1."""
    try:
        with click.open_file(file, encoding="utf-8") as stream:
            return str(stream.read())
    except (OSError, UnicodeDecodeError) as exc:
        click.echo(f"{file}: cannot read: {exc}", err=True)
        sys.exit(1)
