"""``baton credit``: what-if tools for marketing-influence credit (``simulate``).

The credit job itself (collecting touches from the CRMs, the ledger, write-back) is not built
yet; ``simulate`` runs the pure models of ``connector/jobs/credit`` on a timeline from a file.
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

    return credit


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
