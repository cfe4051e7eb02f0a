"""``baton observe``: what observe mode kept instead of writing (``summary``), and the replay.

Observe mode itself is ``baton serve --observe`` (or ``service.observe: true``); see
``connector.observing``. ``baton/cli.py`` registers the group with :func:`observe_commands`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import click

from baton.sla_commands import AwareDateTime

ConfigLoader = Callable[[str | None], Any]


def observe_commands(
    config_option: Callable[[Callable[..., Any]], Callable[..., Any]], load: ConfigLoader
) -> click.Group:
    """Build the ``observe`` group around the CLI's ``--config`` option and loader."""

    @click.group()
    def observe() -> None:
        """Observe mode's would-be writes: the daily summary and, on request, the replay."""

    @observe.command("summary")
    @config_option
    @click.option(
        "--since", type=AwareDateTime(), help="Start of the window (default: 24 hours ago)."
    )
    def summary(config_path: str | None, since: Any) -> None:
        """Would-be writes per system and kind since --since (the daily timer files the same)."""
        from connector.admin.store_access import open_admin_runtime
        from connector.events import utcnow
        from connector.observing import summarize_observed, summary_text

        runtime, database = open_admin_runtime(load, config_path)
        now = utcnow()
        try:
            with runtime.store.session() as session:
                found = summarize_observed(session, since or now - timedelta(days=1), now)
        finally:
            runtime.close()
        click.echo(f"{summary_text(found)}\n(read from {database.label})")

    @observe.command("replay")
    @config_option
    @click.option("--since", type=AwareDateTime(), required=True, help="Oldest decision to send.")
    @click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
    def replay(config_path: str | None, since: Any, yes: bool) -> None:
        """Queue observed decisions made since --since as real writes (the worker sends them).

        Switching observe mode off never does this by itself: decisions kept while observing may
        be stale. Only the newest decision per record and field is queued.
        """
        from connector.admin.store_access import open_admin_runtime
        from connector.events import utcnow
        from connector.observing import replay_observed, summarize_observed, summary_text

        runtime, database = open_admin_runtime(load, config_path)
        now = utcnow()
        try:
            with runtime.store.session() as session:
                click.echo(summary_text(summarize_observed(session, since, now)))
            if not yes:
                click.confirm(f"Send these as real writes? ({database.label})", abort=True)
            with runtime.store.session() as session:
                report = replay_observed(session, since, now)
        finally:
            runtime.close()
        click.echo(f"queued {report.queued} observed writes; the worker sends them")
        for reason, count in sorted(report.skipped.items()):
            click.echo(f"skipped {count}: {reason}")

    return observe
