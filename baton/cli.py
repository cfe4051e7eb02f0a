"""The ``baton`` command: serve, work, migrate, check the config, and the admin tools."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from baton.credit_commands import credit_commands
from baton.dashboard_commands import hash_password_command
from baton.doctor_commands import doctor_commands
from baton.observe_commands import observe_commands
from baton.privacy_commands import privacy_commands
from baton.sla_commands import sla_commands
from baton.store_commands import migrate_store_command
from connector.admin.commands import admin_commands
from connector.logs import configure_for, configure_logging


def _load(config_path: str | None):  # type: ignore[no-untyped-def]
    """Load the admin config, or the built-in sandbox default when none is given."""
    from connector.config import ConfigError, default_config, load_config

    path = config_path or os.environ.get("BATON_CONFIG")
    if not path:
        return default_config()
    try:
        return load_config(path)
    except ConfigError as exc:
        click.echo(str(exc), err=True)
        raise SystemExit(1) from None


#: ``--no-worker`` is for PostgreSQL deployments; on SQLite it is almost always a mistake.
NO_WORKER_ON_SQLITE = (
    "warning: --no-worker on SQLite: no worker processes the inbox in this process; webhooks are "
    "stored and acknowledged but nothing syncs until `baton worker` runs on the same database"
)

observe_option = click.option(
    "--observe",
    is_flag=True,
    help="Observe mode: run everything, write nothing to the CRMs (as service.observe: true).",
)

config_option = click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    help="Admin config file (default: $BATON_CONFIG, else the built-in sandbox config).",
)


@click.group()
@click.version_option(package_name="baton")
def main() -> None:
    """Baton: one revenue loop for marketing and sales, beside HubSpot and Salesforce."""


@main.command("check-config")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "--structure-only", is_flag=True, help="Do not require the ${VARIABLES} to be exported."
)
def check_config(file: str, structure_only: bool) -> None:
    """Validate FILE; print every error with file, line and key; exit 1 on errors."""
    from connector.config import check_config_command

    sys.exit(check_config_command(file, structure_only=structure_only))


@main.command()
@config_option
def migrate(config_path: str | None) -> None:
    """Bring the store's schema up to date (serve and worker do this on start too)."""
    from connector.store import resolve_database_url, upgrade

    config = _load(config_path)
    url = resolve_database_url(config.store.database_url)
    upgrade(url)
    click.echo(f"schema up to date ({url.split('://', 1)[0]})")


@main.command()
@config_option
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--web-workers", default=1, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int)
@click.option("--no-worker", is_flag=True, help="Web receivers only; run `baton worker` apart.")
@observe_option
def serve(
    config_path: str | None,
    host: str,
    port: int,
    web_workers: int,
    threads: int,
    no_worker: bool,
    observe: bool,
) -> None:
    """Run the webhook receivers (gunicorn) and the worker."""
    from baton.serve import observing
    from baton.serve import serve as run_server
    from connector.runtime import Runtime

    config = observing(_load(config_path), observe)
    configure_for(config)
    runtime = Runtime.open(config)
    if no_worker and runtime.store.dialect == "sqlite":
        click.echo(NO_WORKER_ON_SQLITE, err=True)
    run_server(
        runtime,
        host=host,
        port=port,
        web_workers=web_workers,
        threads=threads,
        with_worker=not no_worker,
    )


@main.command()
@config_option
@observe_option
def worker(config_path: str | None, observe: bool) -> None:
    """Run the event worker only (any number of these may run against PostgreSQL)."""
    from baton.serve import check_jobs, observing
    from connector.runtime import Runtime

    config = observing(_load(config_path), observe)
    configure_for(config)
    runtime = Runtime.open(config)
    check_jobs(runtime).run_forever()  # the worker job setup built: set up once


@main.command()
@click.option("--once", is_flag=True, help="Play the week, print the summary and exit.")
@click.option("--seed", default=7, show_default=True, type=int, help="Seed for the simulated week.")
@click.option("--port", default=8000, show_default=True, type=int, help="Dashboard port.")
@click.option(
    "--database",
    default=None,
    help="SQLAlchemy URL (default: a fresh SQLite file under var/demo/).",
)
@click.option("--history-weeks", type=int, help="Earlier weeks first (default 3; --once: 0).")
@click.option(
    "--crm",
    type=click.Choice(["hubspot", "salesforce", "both"]),
    default="both",
    show_default=True,
    help="Which CRMs Baton runs beside; with one, only its sandbox starts.",
)
def demo(
    once: bool, seed: int, port: int, database: str | None, history_weeks: int | None, crm: str
) -> None:
    """Start the sandbox CRMs and Baton on SQLite and play a week of a revenue team."""
    from baton.demo import run_demo

    configure_logging("WARNING", "text")
    out = Path("var/demo")
    sys.exit(
        run_demo(
            once=once,
            seed=seed,
            port=port,
            database_url=database,
            out=out,
            history_weeks=history_weeks,
            crm=crm,
        )
    )


for _admin_command in admin_commands(config_option, _load):  # explain, dead-letters, sync, backfill
    main.add_command(_admin_command)
main.add_command(credit_commands(config_option, _load))  # credit show, simulate
main.add_command(sla_commands(config_option, _load))  # sla deadline
for _privacy_command in privacy_commands(config_option, _load):  # forget, export-person
    main.add_command(_privacy_command)
main.add_command(hash_password_command)  # dashboard sign-in
for _onboarding_command in doctor_commands(config_option, _load):  # doctor, setup
    main.add_command(_onboarding_command)
main.add_command(observe_commands(config_option, _load))  # observe summary, replay
main.add_command(migrate_store_command)  # SQLite → PostgreSQL


if __name__ == "__main__":  # pragma: no cover
    main()
