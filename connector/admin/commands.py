"""The admin ``baton`` commands: explain, dead-letters, sync, backfill (click).

``baton/cli.py`` registers them with :func:`admin_commands`, handing over its own
``--config`` option and config loader so every command reads the config the same way.
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import click

from connector.events import utcnow

ConfigLoader = Callable[[str | None], Any]


def admin_commands(
    config_option: Callable[[Callable[..., Any]], Callable[..., Any]], load: ConfigLoader
) -> list[click.Command]:
    """Build the admin commands around the CLI's ``--config`` option and loader."""

    def runtime(config_path: str | None) -> Any:
        """The runtime for this command over an existing store (``store_access``); its
        connections close when the command ends."""
        return opened_store(config_path)[0]

    def opened_store(config_path: str | None) -> tuple[Any, Any]:
        """The runtime and which database it reads (answers like "no record found" name it)."""
        from connector.admin.store_access import open_admin_runtime

        opened, database = open_admin_runtime(load, config_path)
        click.get_current_context().call_on_close(opened.close)
        return opened, database

    @click.command()
    @config_option
    @click.argument("record")
    @click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
    def explain(config_path: str | None, record: str, as_json: bool) -> None:
        """Everything that touched RECORD, in order: events, rules, writes, errors, dead letters.

        RECORD is an e-mail address (matched by its hash: Baton keeps no plain addresses), a
        HubSpot contact id, a Salesforce Lead (00Q…) or Contact (003…) id, or a record key such
        as hubspot:contact:1001. Exit 1 when Baton has never seen the record.
        """
        from connector.admin.explain import explain as gather
        from connector.admin.explain_format import explain_json, explain_text
        from connector.admin.lookup import QueryError, parse_query

        try:
            query = parse_query(record)
        except QueryError as exc:
            raise click.BadParameter(str(exc), param_hint="RECORD") from None
        rt, database = opened_store(config_path)
        with rt.store.session() as session:
            found = gather(session, query)
        if not found:
            click.echo(f"no record found for {query.label} in {database.label}", err=True)
            sys.exit(1)
        text = explain_json(query.label, found) if as_json else explain_text(query.label, found)
        click.echo(text.rstrip("\n"))

    @click.group("dead-letters")
    def dead_letters() -> None:
        """Writes a CRM refused for good, with the CRM's own message: list, retry, drop."""

    system_option = click.option(
        "--system",
        type=click.Choice(["hubspot", "salesforce", "notify"]),
        help="Only letters of this system.",
    )

    @dead_letters.command("list")
    @config_option
    @system_option
    @click.option("--all", "include_resolved", is_flag=True, help="Include retried/dropped.")
    @click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
    def list_letters(
        config_path: str | None, system: str | None, include_resolved: bool, as_json: bool
    ) -> None:
        """Open dead letters (id, system, command, record, CRM error, when, attempts)."""
        from connector.admin import dead_letters as letters
        from connector.admin.dead_letters_format import dead_letters_json, dead_letters_text

        rt = runtime(config_path)
        with rt.store.session() as session:
            rows = letters.list_dead_letters(
                session, system=system, include_resolved=include_resolved
            )
        click.echo((dead_letters_json(rows) if as_json else dead_letters_text(rows)).rstrip())

    @dead_letters.command("retry")
    @config_option
    @click.argument("ids", nargs=-1, type=int)
    @click.option("--all", "retry_all", is_flag=True, help="Every open dead letter.")
    @system_option
    def retry_letters(
        config_path: str | None, ids: tuple[int, ...], retry_all: bool, system: str | None
    ) -> None:
        """Put the commands of dead letters IDS back in the outbox, due now (idempotent)."""
        from connector.admin import dead_letters as letters
        from connector.admin.dead_letters_format import outcomes_text

        if bool(ids) == retry_all:
            raise click.UsageError("give dead-letter ids or --all (not both)")
        if system and not retry_all:
            raise click.UsageError("--system only narrows --all")
        rt = runtime(config_path)
        try:
            with rt.store.session() as session:
                wanted = letters.open_ids(session, system=system) if retry_all else list(ids)
                outcomes = letters.retry(session, wanted, utcnow())
        except letters.UnknownDeadLetters as exc:
            click.echo(str(exc), err=True)
            sys.exit(1)
        click.echo(outcomes_text("retried", outcomes).rstrip())

    @dead_letters.command("drop")
    @config_option
    @click.argument("ids", nargs=-1, type=int, required=True)
    def drop_letters(config_path: str | None, ids: tuple[int, ...]) -> None:
        """Mark dead letters IDS dropped; their commands stay dead (idempotent)."""
        from connector.admin import dead_letters as letters
        from connector.admin.dead_letters_format import outcomes_text

        rt = runtime(config_path)
        try:
            with rt.store.session() as session:
                outcomes = letters.drop(session, list(ids), utcnow())
        except letters.UnknownDeadLetters as exc:
            click.echo(str(exc), err=True)
            sys.exit(1)
        click.echo(outcomes_text("dropped", outcomes).rstrip())

    @click.command()
    @config_option
    @click.option(
        "--dry-run",
        is_flag=True,
        help="Show what would be written; store and CRMs are not changed. Reads MAY reach the "
        "CRMs (hand-off checks read the contact, the stage order may be read from HubSpot). "
        "On SQLite the preview holds the store's write lock while it runs.",
    )
    @click.option("--limit", type=click.IntRange(min=1), help="Preview at most N records.")
    @click.option("--json", "as_json", is_flag=True, help="Machine-readable preview.")
    @click.option(
        "--timeout", default=60.0, show_default=True, type=float, help="Seconds to work at most."
    )
    def sync(
        config_path: str | None, dry_run: bool, limit: int | None, as_json: bool, timeout: float
    ) -> None:
        """Work the inbox and outbox until idle once and summarize (or preview with --dry-run).

        The dry run feeds every pending inbox event through the real rules inside a transaction
        that is rolled back, and prints the writes they would queue (system, record, fields)
        and the writes already waiting in the outbox.
        """
        from connector.admin.sync import baseline, summarize
        from connector.admin.sync import dry_run as preview
        from connector.admin.sync_format import dry_run_json, dry_run_text, summary_text
        from connector.worker import Worker

        if not dry_run and (limit is not None or as_json):
            raise click.UsageError("--limit and --json go with --dry-run")
        rt = runtime(config_path)
        worker = Worker.from_runtime(rt)
        if dry_run:
            report = preview(rt.store, worker.processor, utcnow(), limit=limit)
            click.echo((dry_run_json(report) if as_json else dry_run_text(report)).rstrip())
            return
        before = baseline(rt.store)
        idle = worker.run_until_idle(timeout=timeout)
        click.echo(summary_text(summarize(rt.store, before, idle)).rstrip())

    @click.command()
    @config_option
    @click.option("--limit", type=click.IntRange(min=1), help="Read at most N records this run.")
    @click.option(
        "--resume/--restart",
        default=True,
        show_default=True,
        help="Continue where the last run stopped, or start over from the first record.",
    )
    def backfill(config_path: str | None, limit: int | None, resume: bool) -> None:
        """Align records that existed before Baton: link, record state, queue rule decisions.

        Pages through HubSpot contacts and Salesforce Contacts and Leads, links them (the
        Salesforce HubSpot-id field first, then the e-mail hash), and feeds synthetic events
        through the inbox so the worker decides and writes, audited. Resumable: Ctrl-C, or
        --limit, and the next run continues at the next page.
        """
        from connector.admin.backfill_format import backfill_text
        from connector.admin.backfill_setup import build_backfill

        rt = runtime(config_path)
        job = build_backfill(rt)
        if not resume:
            job.restart()
        try:
            report = job.run(limit=limit, progress=_progressbar)
        except KeyboardInterrupt:
            click.echo(
                "\ninterrupted: every stored page is kept; run `baton backfill` to resume",
                err=True,
            )
            sys.exit(130)
        click.echo(backfill_text(report).rstrip())

    return [explain, dead_letters, sync, backfill]


def _progressbar(label: str, total: int | None) -> AbstractContextManager[Any]:
    """A click progress bar on stderr (a running count when the total is unknown)."""
    if total is None:
        return click.progressbar(
            iterable=itertools.count(), label=label, show_pos=True, file=sys.stderr
        )
    return click.progressbar(length=total, label=label, show_pos=True, file=sys.stderr)
