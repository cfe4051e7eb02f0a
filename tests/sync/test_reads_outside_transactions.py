"""CRM reads never happen while the worker holds the store's write lock (SQLite intake latency)."""

from __future__ import annotations

import sqlite3

from sqlalchemy.engine import make_url

from tests.sync.harness import Loop


class LockProbe:
    """Wraps a fake CRM's reads: at each read, another connection tries to write at once."""

    def __init__(self, crm, database: str) -> None:  # type: ignore[no-untyped-def]
        self.crm = crm
        self.database = database
        self.reads = 0
        self.blocked = 0

    def _probe(self) -> None:
        self.reads += 1
        connection = sqlite3.connect(self.database, timeout=0, isolation_level=None)
        try:
            connection.execute("BEGIN IMMEDIATE")  # what a webhook's insert needs
            connection.execute("ROLLBACK")
        except sqlite3.OperationalError:
            self.blocked += 1
        finally:
            connection.close()

    def read(self, *args):  # type: ignore[no-untyped-def]
        self._probe()
        return self.crm.read(*args)

    def find_by_email(self, *args):  # type: ignore[no-untyped-def]
        self._probe()
        return self.crm.find_by_email(*args)

    def __getattr__(self, name):  # type: ignore[no-untyped-def]
        return getattr(self.crm, name)


def test_hand_off_reads_run_with_no_transaction_open(sqlite_store):
    loop = Loop(sqlite_store)
    database = make_url(sqlite_store.url).database
    probes = {}
    for system, reader in list(loop.worker.processor.readers.items()):
        probes[system] = LockProbe(reader, database)
    loop.worker.processor.readers = probes
    lead_id = loop.handed_off_pair("55")
    assert loop.salesforce.records[lead_id]["LastName"] == "Visser"  # the hand-off happened
    reads = sum(p.reads for p in probes.values())
    assert reads >= 2  # the contact read and the e-mail lookup(s)
    assert sum(p.blocked for p in probes.values()) == 0
