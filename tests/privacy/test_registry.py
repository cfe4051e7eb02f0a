"""Every table says where it keeps personal data, or that it keeps none."""

from __future__ import annotations

from sqlalchemy import Column, Integer, MetaData, String, Table

from connector.privacy.registry import TablePolicy, entries, free_tables, unaccounted
from connector.store.models import Base


def test_every_table_in_the_store_is_registered_or_declared_free() -> None:
    assert unaccounted(Base.metadata) == set(), (
        "register the table in connector.privacy (TablePolicy) or declare it free with a reason"
    )


def test_a_new_table_nobody_registered_is_caught() -> None:
    metadata = MetaData()
    for table in Base.metadata.tables.values():
        table.to_metadata(metadata)
    Table(
        "escalation_notes",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("text", String),
    )
    assert unaccounted(metadata) == {"escalation_notes"}


def test_every_registered_column_exists_and_parents_come_first() -> None:
    seen: set[str] = set()
    for entry in entries():
        table = Base.metadata.tables[entry.table]
        if isinstance(entry, TablePolicy):
            for column in (*entry.keys, *entry.ids, *entry.redact, *entry.clear):
                assert column in table.c, f"{entry.table}.{column}"
            for column, parent in entry.parents:
                assert column in table.c and parent in seen, (entry.table, parent)
        seen.add(entry.table)
    assert all(reason for reason in free_tables().values())
