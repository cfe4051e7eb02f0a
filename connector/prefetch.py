"""CRM reads outside database transactions: a cache that asks the worker to fetch.

On SQLite the worker's transaction holds the database's write lock, and webhook intake waits
behind it; a CRM read inside it (the hand-off reads the contact, which may take seconds with
retries) would push acknowledgements past HubSpot's 5-second budget. So the processor reads
through :class:`PrefetchingReader`: a miss raises :class:`NeedsRead`, the worker rolls the pass
back, fetches with no transaction open, and replays the pass with the answer cached. Replaying is
safe because processing is deterministic given the same store and the same reads.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from connector.commands import System
from connector.ports import CrmReader, CrmRecord


class NeedsRead(Exception):
    """The processor needs a CRM answer that is not cached yet."""

    def __init__(self, key: tuple[Any, ...], fetch: Callable[[], Any]) -> None:
        super().__init__(f"needs CRM read {key[:2]}")
        self.key = key
        self.fetch = fetch


class PrefetchingReader:
    """A CrmReader that answers from its cache or raises :class:`NeedsRead`."""

    def __init__(self, reader: CrmReader, cache: dict[tuple[Any, ...], Any]) -> None:
        self.system = reader.system
        self._reader = reader
        self._cache = cache

    def _cached(self, key: tuple[Any, ...], fetch: Callable[[], Any]) -> Any:
        if key not in self._cache:
            raise NeedsRead(key, fetch)
        return self._cache[key]

    def read(
        self, object_type: str, object_ids: Sequence[str], fields: Sequence[str]
    ) -> dict[str, CrmRecord]:
        """Cached batch read."""
        key = ("read", self.system, object_type, tuple(object_ids), tuple(fields))
        return self._cached(key, lambda: self._reader.read(object_type, object_ids, fields))

    def find_by_email(self, object_type: str, email: str, fields: Sequence[str]) -> list[CrmRecord]:
        """Cached e-mail lookup."""
        key = ("find_by_email", self.system, object_type, email.lower(), tuple(fields))
        return self._cached(key, lambda: self._reader.find_by_email(object_type, email, fields))

    def __getattr__(self, name: str) -> Any:
        """Other reader calls (e.g. ``contacts_of_opportunity``) are cached by name and args."""
        target = getattr(self._reader, name)
        if not callable(target):
            return target

        def cached_call(*args: Any) -> Any:
            return self._cached((name, self.system, *args), lambda: target(*args))

        return cached_call


def prefetching(
    readers: Mapping[System, CrmReader], cache: dict[tuple[Any, ...], Any]
) -> dict[System, CrmReader]:
    """Wrap every reader around one shared cache."""
    return {system: PrefetchingReader(reader, cache) for system, reader in readers.items()}  # type: ignore[misc]
