"""Which database an admin command reads, and refusing to guess it.

Run without ``--config``, an admin command used to fall back to the built-in sandbox config,
create an empty ``var/baton.db`` and answer "no record found" — a false answer about a real
person. Admin commands only read what ``baton serve`` wrote, so they now need to be told where
that is (``--config``, ``$BATON_CONFIG`` or ``$BATON_DATABASE_URL``) and never create a SQLite
file: a missing one is named in the refusal.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
from sqlalchemy.engine import make_url

from connector.store import resolve_database_url

ConfigLoader = Callable[[str | None], Any]

NO_DATABASE_NAMED = (
    "which Baton database? No --config given and neither BATON_CONFIG nor BATON_DATABASE_URL "
    "is set. Admin commands read the database `baton serve` writes: pass --config FILE (the "
    "file `baton serve` runs with) or set BATON_DATABASE_URL (e.g. sqlite:///var/baton.db)."
)


@dataclass(frozen=True, slots=True)
class AdminDatabase:
    """The database an admin command reads and where that choice came from."""

    url: str
    origin: str

    @property
    def label(self) -> str:
        """``sqlite:///var/baton.db (store.database_url in baton.yaml)``, password hidden."""
        return f"{make_url(self.url).render_as_string(hide_password=True)} ({self.origin})"


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL (None for PostgreSQL and in-memory SQLite). Pure."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def admin_database(
    config: Any, config_path: str | None, environ: Mapping[str, str] = os.environ
) -> AdminDatabase:
    """The database to read, or a ClickException saying why none can be chosen safely."""
    named = config_path or environ.get("BATON_CONFIG")
    from_env = environ.get("BATON_DATABASE_URL")
    if not named and not from_env:
        raise click.ClickException(NO_DATABASE_NAMED)
    url = resolve_database_url(config.store.database_url)
    origin = "BATON_DATABASE_URL" if from_env else f"store.database_url in {named}"
    database = AdminDatabase(url, origin)
    path = sqlite_file(url)
    if path is not None and not path.exists():
        raise click.ClickException(
            f"no Baton database at {path} ({origin}); admin commands do not create one. "
            "Check the path, or run the command where `baton serve` runs."
        )
    return database


def open_admin_runtime(load: ConfigLoader, config_path: str | None) -> tuple[Any, AdminDatabase]:
    """The runtime of an admin command over an existing store, and which store it is."""
    from connector.runtime import Runtime

    config = load(config_path)
    database = admin_database(config, config_path)
    return Runtime.open(config), database
