"""Copy a whole store into an empty one (SQLite → PostgreSQL), all or nothing, verified.

Why all or nothing: the copy runs in one transaction on the target, and the row counts and
per-table checksums are compared inside it, before the commit. A failure at any point (a value
PostgreSQL refuses, a mismatch, a kill) rolls back, so the target is either an exact copy or
as empty as it was; running the command again is the way to resume. Ids, idempotency keys,
leases and timestamps are copied as they are, so a command done on the source stays done and
one still pending keeps the key that makes a re-send recognisable.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import (
    JSON,
    Column,
    Connection,
    Engine,
    MetaData,
    Table,
    func,
    inspect,
    select,
    text,
)
from sqlalchemy.sql.elements import ColumnElement

from connector import heartbeats
from connector.store.db import create_store_engine
from connector.store.migrate import alembic_config
from connector.store.models import Base, WorkerHeartbeat

DEFAULT_BATCH = 2_000
#: Alembic's own bookkeeping: compared (heads), never copied
ALEMBIC_TABLE = "alembic_version"


class TransferRefused(Exception):
    """The stores are not in a state a copy may start from; the message says what to do."""


@dataclass(frozen=True)
class TableResult:
    """What one table's copy produced and what the verification compared."""

    name: str
    rows: int
    checksum: str


Progress = Callable[[str], None]


def _heads(conn: Connection) -> set[str]:
    return set(MigrationContext.configure(conn).get_current_heads())


def code_heads(url: str) -> set[str]:
    """The migration heads this code knows (what ``baton migrate`` brings a store to)."""
    return set(ScriptDirectory.from_config(alembic_config(url)).get_heads())


def _tables() -> list[Table]:
    """Every store table, parents before children (foreign keys hold at each insert)."""
    return list(Base.metadata.sorted_tables)


def _check_heads(source: Connection, target: Connection, wanted: set[str]) -> None:
    src, dst = _heads(source), _heads(target)
    if not dst:
        raise TransferRefused(
            "the target has no Baton schema: run `BATON_DATABASE_URL=<target> baton migrate` "
            "first (the copy needs an empty, migrated store)"
        )
    if src != wanted:
        raise TransferRefused(
            f"the source is at migration {sorted(src) or 'none'}, this Baton at {sorted(wanted)}:"
            " run `BATON_DATABASE_URL=<source> baton migrate` on the source first"
        )
    if dst != wanted:
        raise TransferRefused(
            f"the target is at migration {sorted(dst)}, this Baton at {sorted(wanted)}: run "
            "`BATON_DATABASE_URL=<target> baton migrate` with this Baton version first"
        )


def _check_tables(target: Connection) -> None:
    known = {table.name for table in _tables()} | {ALEMBIC_TABLE}
    unknown = sorted(set(inspect(target).get_table_names()) - known)
    if unknown:
        raise TransferRefused(f"the target has tables this Baton does not know: {unknown}")


def _check_empty(target: Connection) -> None:
    filled = [
        t.name for t in _tables() if target.execute(select(func.count()).select_from(t)).scalar()
    ]
    if filled:
        raise TransferRefused(
            f"the target is not empty ({', '.join(filled)} hold rows): migrate-store copies "
            "only into an empty store; drop and re-create the target database (or schema), "
            "run `baton migrate` on it, then copy again"
        )


def _check_no_live_worker(source: Connection) -> None:
    now = datetime.now(UTC)
    beating = source.scalars(
        select(WorkerHeartbeat.owner).where(WorkerHeartbeat.expires_at > now)
    ).all()
    live = len([owner for owner in beating if not heartbeats.is_dead_here(owner)])
    if live:
        raise TransferRefused(
            f"{live} worker(s) still beat on the source: stop every `baton serve` and "
            "`baton worker` on it first (a copy of a moving store would miss changes)"
        )


def _json_columns(table: Table) -> list[Column[Any]]:
    return [c for c in table.columns if isinstance(c.type, JSON)]


def _null_flags(table: Table) -> list[ColumnElement[bool]]:
    """``col IS NULL`` for each JSON column: SQL NULL and JSON ``null`` both read as None."""
    return [c.is_(None).label(f"{c.name}__is_null") for c in _json_columns(table)]


def _insert_table(table: Table) -> Table:
    """``table`` whose JSON columns store None as SQL NULL (JSON null is sent as JSON.NULL)."""
    columns = [
        Column(c.name, JSON(none_as_null=True)) if isinstance(c.type, JSON) else c._copy()
        for c in table.columns
    ]
    return Table(table.name, MetaData(), *columns)


def _ordered(table: Table) -> Any:
    return select(table, *_null_flags(table)).order_by(*table.primary_key.columns)


def _rows(conn: Connection, table: Table, batch: int) -> Iterator[Sequence[Any]]:
    result = conn.execution_options(yield_per=batch).execute(_ordered(table))
    yield from result.mappings().partitions(batch)


def _restore_json_nulls(table: Table, row: Any) -> dict[str, Any]:
    values = {c.name: row[c.name] for c in table.columns}
    for c in _json_columns(table):
        if values[c.name] is None and not row[f"{c.name}__is_null"]:
            values[c.name] = JSON.NULL
    return values


def _canonical(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    return value


def checksum(conn: Connection, table: Table, batch: int = DEFAULT_BATCH) -> tuple[int, str]:
    """(row count, SHA-256 of every row in primary-key order) as Baton's types read them."""
    digest = hashlib.sha256()
    count = 0
    for part in _rows(conn, table, batch):
        for row in part:
            values = [_canonical(value) for value in row.values()]
            digest.update(json.dumps(values, sort_keys=True, default=str).encode())
            digest.update(b"\n")
            count += 1
    return count, digest.hexdigest()


def _reset_sequences(target: Connection, table: Table) -> None:
    """After explicit ids, PostgreSQL's sequences must start past them (or the next insert
    collides with a copied id)."""
    if target.dialect.name != "postgresql":
        return
    for column in table.primary_key.columns:
        if column.autoincrement is True or (
            column.autoincrement == "auto" and len(table.primary_key.columns) == 1
        ):
            sequence = target.execute(
                text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table.name, "c": column.name}
            ).scalar()
            if sequence:
                target.execute(
                    text(
                        f'SELECT setval(:s, COALESCE((SELECT MAX("{column.name}") FROM '
                        f'"{table.name}"), 1), (SELECT MAX("{column.name}") FROM '
                        f'"{table.name}") IS NOT NULL)'
                    ),
                    {"s": sequence},
                )


def _copy_table(
    source: Connection, target: Connection, table: Table, batch: int, progress: Progress
) -> int:
    total = source.execute(select(func.count()).select_from(table)).scalar() or 0
    insert = _insert_table(table).insert()
    done = 0
    for part in _rows(source, table, batch):
        target.execute(insert, [_restore_json_nulls(table, row) for row in part])
        done += len(part)
        progress(f"{table.name}: {done}/{total} rows")
    if not total:
        progress(f"{table.name}: empty")
    _reset_sequences(target, table)
    return done


def _verify(
    source: Connection, target: Connection, tables: list[Table], batch: int
) -> list[TableResult]:
    results = []
    mismatched = []
    for table in tables:
        src = checksum(source, table, batch)
        dst = checksum(target, table, batch)
        if src != dst:
            mismatched.append(f"{table.name} (source {src[0]} rows, target {dst[0]})")
        results.append(TableResult(table.name, dst[0], dst[1]))
    if mismatched:
        raise TransferRefused(
            "verification failed, nothing was kept on the target: " + ", ".join(mismatched)
        )
    return results


def transfer(
    source_url: str,
    target_url: str,
    *,
    batch: int = DEFAULT_BATCH,
    progress: Progress = lambda _line: None,
) -> list[TableResult]:
    """Copy every table of ``source_url`` into the empty, migrated ``target_url``.

    Raises ``TransferRefused`` (target untouched) when the stores do not allow a copy or the
    verification fails; any other error also leaves the target untouched (one transaction).
    """
    source_engine: Engine = create_store_engine(source_url)
    target_engine: Engine = create_store_engine(target_url)
    tables = _tables()
    try:
        with source_engine.connect() as source, target_engine.begin() as target:
            _check_heads(source, target, code_heads(source_url))
            _check_tables(target)
            _check_empty(target)
            _check_no_live_worker(source)
            for table in tables:
                _copy_table(source, target, table, batch, progress)
            results = _verify(source, target, tables, batch)
            progress("verified: row counts and checksums match on every table; committing")
        return results
    finally:
        source_engine.dispose()
        target_engine.dispose()
