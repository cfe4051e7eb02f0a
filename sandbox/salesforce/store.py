"""In-memory record storage with transactions (undo log) under one re-entrant lock.

Every write goes through a Transaction so that allOrNone requests, composite requests and
failing rows can be rolled back exactly; side effects such as queueing outbound messages are
deferred until the outermost commit.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass
class StoredRecord:
    """One record: its sObject type, field values (Python types) and deletion time."""

    sobject: str
    values: dict[str, Any]
    deleted_at: datetime | None = None

    @property
    def id(self) -> str:
        """The record's 18-char id."""
        return self.values["Id"]

    @property
    def is_deleted(self) -> bool:
        """True when the record is in the recycle bin."""
        return self.deleted_at is not None


@dataclass
class Transaction:
    """Undo log plus deferred effects for one unit of work.

    `savepoint()`/`rollback_to()` let a batch roll back one failing row without touching the
    rows before it (sObject Collections with allOrNone=false).
    """

    store: Store
    undo: list[tuple[str, tuple[dict[str, Any], datetime | None] | None]] = field(
        default_factory=list
    )
    effects: list[Callable[[], None]] = field(default_factory=list)

    def savepoint(self) -> tuple[int, int]:
        """Mark the current position in the undo log and the effect list."""
        return len(self.undo), len(self.effects)

    def rollback_to(self, point: tuple[int, int]) -> None:
        """Undo every change made after `point` and forget its deferred effects."""
        undo_at, effects_at = point
        while len(self.undo) > undo_at:
            record_id, previous = self.undo.pop()
            self.store._restore(record_id, previous)
        del self.effects[effects_at:]

    def remember(self, record: StoredRecord | None, record_id: str) -> None:
        """Record the state of `record_id` before it is changed (None: it is being created)."""
        previous = None if record is None else (dict(record.values), record.deleted_at)
        self.undo.append((record_id, previous))

    def after_commit(self, effect: Callable[[], None]) -> None:
        """Run `effect` once the outermost transaction commits (never after a rollback)."""
        self.effects.append(effect)


class Store:
    """All records of one org, indexed by id and by sObject type."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self._records: dict[str, StoredRecord] = {}
        self._by_type: dict[str, dict[str, StoredRecord]] = {}
        self._current: Transaction | None = None

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """Open (or join) a transaction; roll back on any exception, commit otherwise."""
        with self.lock:
            if self._current is not None:
                yield self._current
                return
            tx = Transaction(self)
            self._current = tx
            try:
                yield tx
            except BaseException:
                tx.rollback_to((0, 0))
                raise
            finally:
                self._current = None
            for effect in tx.effects:
                effect()

    def get(self, record_id: str) -> StoredRecord | None:
        """The record with this 18-char id, deleted or not."""
        with self.lock:
            return self._records.get(record_id)

    def records(self, sobject: str, include_deleted: bool = False) -> list[StoredRecord]:
        """All records of one type, in creation order."""
        with self.lock:
            rows = self._by_type.get(sobject, {}).values()
            return [r for r in rows if include_deleted or not r.is_deleted]

    def insert(self, tx: Transaction, sobject: str, values: dict[str, Any]) -> StoredRecord:
        """Add a new record (values must contain its Id)."""
        record = StoredRecord(sobject, dict(values))
        tx.remember(None, record.id)
        self._records[record.id] = record
        self._by_type.setdefault(sobject, {})[record.id] = record
        return record

    def replace_values(self, tx: Transaction, record: StoredRecord, values: dict[str, Any]) -> None:
        """Overwrite a record's values."""
        tx.remember(record, record.id)
        record.values = dict(values)

    def mark_deleted(self, tx: Transaction, record: StoredRecord, when: datetime) -> None:
        """Move a record to the recycle bin."""
        tx.remember(record, record.id)
        record.deleted_at = when
        record.values = {**record.values, "IsDeleted": True}

    def _restore(
        self, record_id: str, previous: tuple[dict[str, Any], datetime | None] | None
    ) -> None:
        if previous is None:
            record = self._records.pop(record_id, None)
            if record is not None:
                self._by_type.get(record.sobject, {}).pop(record_id, None)
            return
        record = self._records[record_id]
        record.values, record.deleted_at = previous
