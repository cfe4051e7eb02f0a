"""``baton forget`` and ``baton export-person``: erasure and subject-access requests by hand."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click


def privacy_commands(config_option: Callable, load: Callable) -> list[click.Command]:  # type: ignore[type-arg]
    """The two commands, bound to the CLI's ``--config`` option and loader."""

    @click.command("forget")
    @config_option
    @click.argument("who")
    def forget(config_path: str | None, who: str) -> None:
        """Erase everything Baton keeps about WHO (e-mail address or CRM id), in every table.

        Counts, credit and scorecard figures stay (without the person). Running it again
        changes nothing. The CRMs are not touched: erase the person there too, or Baton learns
        them again from the next change it is sent.
        """
        from connector.events import utcnow
        from connector.privacy.erasure import erase_person

        if not who.strip():
            raise click.UsageError("WHO is empty: give an e-mail address or a CRM id")
        with _session(load(config_path)) as session:
            report = erase_person(session, who, "command", utcnow())
        if not report.known:
            click.echo("no person known by that address or id; the erasure is recorded anyway")
        for table, count in sorted(report.rows.items()):
            click.echo(f"{table:<18} {count} row(s) erased")
        click.echo(f"erased: {report.total} row(s) changed")

    @click.command("export-person")
    @config_option
    @click.argument("who")
    def export_person(config_path: str | None, who: str) -> None:
        """Print everything Baton holds about WHO (e-mail address or CRM id) as JSON."""
        from connector.privacy.export import export_person as export

        if not who.strip():
            raise click.UsageError("WHO is empty: give an e-mail address or a CRM id")
        with _session(load(config_path)) as session:
            data = export(session, who)
        click.echo(json.dumps(data, indent=2, sort_keys=True, default=str))

    return [forget, export_person]


@contextmanager
def _session(config: Any) -> Iterator[Any]:
    """A migrated store's session for one command (committed on success), then closed."""
    from connector.store import Store, resolve_database_url, upgrade

    url = resolve_database_url(config.store.database_url)
    upgrade(url)
    store = Store(url)
    try:
        with store.session() as session:
            yield session
    finally:
        store.dispose()
