"""``baton migrate-store``: move a store to another database (SQLite → PostgreSQL) unchanged."""

from __future__ import annotations

import click


def _redacted(url: str) -> str:
    """The URL without its password, for the progress lines (they may be shipped as logs)."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@click.command("migrate-store")
@click.option(
    "--from", "source", required=True, help="Source store URL (e.g. sqlite:///var/baton.db)."
)
@click.option("--to", "target", required=True, help="Target store URL: empty and migrated.")
@click.option(
    "--batch", default=2_000, show_default=True, type=click.IntRange(1), help="Rows per insert."
)
def migrate_store_command(source: str, target: str, batch: int) -> None:
    """Copy every table of the store at --from into the empty, migrated store at --to.

    Stop every `baton serve` and `baton worker` on the source first. The copy is all or
    nothing: one transaction on the target, row counts and per-table checksums compared before
    it commits; on any failure the target is left empty and the command can simply be run again.
    """
    from sqlalchemy.exc import SQLAlchemyError

    from connector.store.transfer import TransferRefused, transfer

    click.echo(f"copying {_redacted(source)} → {_redacted(target)}")
    try:
        results = transfer(source, target, batch=batch, progress=click.echo)
    except TransferRefused as exc:
        click.echo(f"migrate-store refused: {exc}", err=True)
        raise SystemExit(1) from None
    except SQLAlchemyError as exc:  # the engines hide bound values: no person's data here
        first = str(exc).strip().splitlines()[0]
        click.echo(f"migrate-store failed, the target was left as it was: {first}", err=True)
        raise SystemExit(1) from None
    rows = sum(r.rows for r in results)
    click.echo(f"done: {len(results)} tables, {rows} rows copied and verified")
