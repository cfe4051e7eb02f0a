"""The erasure registry: every table says where it keeps personal data, or that it keeps none.

An erasure (``baton forget``, a CRM privacy deletion) and a subject export walk this registry,
never a hand-written list of tables, so a table added by a new job plugs in with one
``register(TablePolicy(...))`` beside its model. ``tests/privacy/test_registry.py`` fails for a
table in the store's metadata that is neither registered nor declared personal-data-free.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import MetaData

if TYPE_CHECKING:
    from connector.privacy.erasure import ErasureContext


@dataclass(frozen=True, slots=True)
class TablePolicy:
    """Where one table keeps a person's data, and what an erasure does to the person's rows.

    A row is the person's when a ``keys`` column holds one of their record keys, an ``ids``
    column one of their CRM ids or e-mail hashes, or a ``parents`` column points at a row of
    theirs in another (earlier registered) table. The person's rows are deleted (``delete``:
    nothing counts them) or kept for the aggregates with ids replaced by tombstones and
    ``redact`` columns scrubbed; ``clear`` sets fixed values, ``close`` moves open statuses
    (a pending write for an erased person must not go out). ``redact`` columns of every other
    row are searched for the person's addresses and ids too (an opportunity's audit line names
    its contacts).
    """

    table: str
    keys: tuple[str, ...] = ()
    ids: tuple[str, ...] = ()
    parents: tuple[tuple[str, str], ...] = ()
    redact: tuple[str, ...] = ()
    delete: bool = False
    clear: Mapping[str, Any] = field(default_factory=dict)
    close: Mapping[str, str] = field(default_factory=dict)
    status_column: str = "status"


class CustomEraser(Protocol):
    """A table whose personal data needs code of its own (raw bodies are bytes)."""

    table: str

    def erase(self, ctx: ErasureContext) -> int:
        """Remove the person's data; return how many rows changed."""
        ...

    def export(self, ctx: ErasureContext) -> list[dict[str, Any]]:
        """The person's rows, JSON-safe."""
        ...


Entry = TablePolicy | CustomEraser
#: prunes a table's expired personal data: (session, now, config) -> rows changed
Pruner = Callable[..., int]

_ENTRIES: dict[str, Entry] = {}
_FREE: dict[str, str] = {}
_PRUNERS: dict[str, Pruner] = {}


def register(entry: Entry) -> Entry:
    """Add a table's erasure rule (registration order is erasure order: parents first)."""
    _ENTRIES[entry.table] = entry
    return entry


def declare_free(table: str, why: str) -> None:
    """Record that ``table`` holds no personal data, and why (the test reads the reason)."""
    _FREE[table] = why


def register_pruner(table: str, pruner: Pruner) -> None:
    """Add a retention step for a table's expired personal data (run by the retention job)."""
    _PRUNERS[table] = pruner


def entries() -> list[Entry]:
    """Every registered table rule, in order."""
    _load_core()
    return list(_ENTRIES.values())


def pruners() -> dict[str, Pruner]:
    """Every registered retention step."""
    _load_core()
    return dict(_PRUNERS)


def free_tables() -> dict[str, str]:
    """Tables declared free of personal data, with the reason."""
    _load_core()
    return dict(_FREE)


def unaccounted(metadata: MetaData) -> set[str]:
    """Tables in ``metadata`` that are neither registered nor declared personal-data-free."""
    _load_core()
    return set(metadata.tables) - set(_ENTRIES) - set(_FREE)


def _load_core() -> None:
    import connector.privacy.tables  # noqa: F401  (registers the core tables on import)
