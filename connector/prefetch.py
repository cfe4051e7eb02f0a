"""CRM reads outside database transactions: a cache that asks the worker to fetch.

On SQLite the worker's transaction holds the database's write lock, and webhook intake waits
behind it; a CRM read inside it (the hand-off reads the contact, which may take seconds with
retries) would push acknowledgements past HubSpot's 5-second budget. So the processor reads
through :class:`PrefetchingReader`: a miss raises :class:`NeedsRead`, the worker rolls the pass
back, fetches with no transaction open, and replays the pass with the answer cached. Replaying is
safe because processing is deterministic given the same store and the same reads.

Records that miss at once are fetched together (:func:`fetch_together`): a chunk's hand-offs
each read one contact and look up two e-mails, and one call per record spent HubSpot's burst
share in a few seconds of a restart's backlog (docs/RELIABILITY.md); merged, a chunk costs one
batch read and one query per kind.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from connector.commands import System
from connector.ports import CrmReader, CrmRecord

log = logging.getLogger(__name__)


class NeedsRead(Exception):
    """The processor needs a CRM answer that is not cached yet."""

    def __init__(
        self, key: tuple[Any, ...], fetch: Callable[[], Any], reader: CrmReader | None = None
    ) -> None:
        super().__init__(f"needs CRM read {key[:2]}")
        self.key = key
        self.fetch = fetch
        #: the reader behind the cache: reads of one kind are merged through it
        self.reader = reader


class PrefetchingReader:
    """A CrmReader that answers from its cache or raises :class:`NeedsRead`."""

    def __init__(self, reader: CrmReader, cache: dict[tuple[Any, ...], Any]) -> None:
        self.system = reader.system
        self._reader = reader
        self._cache = cache

    def _cached(self, key: tuple[Any, ...], fetch: Callable[[], Any]) -> Any:
        if key not in self._cache:
            raise NeedsRead(key, fetch, self._reader)
        return self._cache[key]

    def read(
        self, object_type: str, object_ids: Sequence[str], fields: Sequence[str]
    ) -> dict[str, CrmRecord]:
        """Cached batch read; a read of fewer fields is answered from a wider one's answer."""
        key = ("read", self.system, object_type, tuple(object_ids), tuple(fields))
        if key not in self._cache:
            wider = self._wider_read(key)
            if wider is not None:
                return wider
        return self._cached(key, lambda: self._reader.read(object_type, object_ids, fields))

    def _wider_read(self, key: tuple[Any, ...]) -> dict[str, CrmRecord] | None:
        """The answer of a cached read of the same records and more fields, narrowed to the
        fields asked (what the CRM adds unasked, such as ``hs_object_id``, stays)."""
        asked = set(key[4])
        for cached_key, answer in self._cache.items():
            if len(cached_key) == 5 and cached_key[:4] == key[:4] and asked <= set(cached_key[4]):
                extra = set(cached_key[4]) - asked
                return {
                    record_id: CrmRecord(
                        record.object_type,
                        record.object_id,
                        {k: v for k, v in record.fields.items() if k not in extra},
                    )
                    for record_id, record in answer.items()
                }
        return None

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


def fetch_together(
    needs: Sequence[NeedsRead], cache: dict[tuple[Any, ...], Any]
) -> dict[tuple[Any, ...], Exception]:
    """Fetch every need into ``cache``, merging reads by id and e-mail lookups of one kind.

    Returns the keys whose fetch failed, with the error (the caller defers those records). A
    merged call refused for a bad input (``ValueError``) is retried one need at a time, so one
    bad id costs only its own record.
    """
    failed: dict[tuple[Any, ...], Exception] = {}
    groups: dict[tuple[Any, ...], list[NeedsRead]] = defaultdict(list)
    for need in {need.key: need for need in needs}.values():
        groups[_group_of(need)].append(need)
    for group, members in groups.items():
        if len(members) == 1:
            _fetch_one(members[0], cache, failed)
            continue
        try:
            cache.update(_merged(group[0], members))
        except ValueError:
            for need in members:
                _fetch_one(need, cache, failed)
        except Exception as exc:  # the CRM is unreachable: every record of the group waits
            failed.update((need.key, exc) for need in members)
    return failed


def _group_of(need: NeedsRead) -> tuple[Any, ...]:
    """Reads by id, and e-mail lookups where the reader has a batch form, merge by reader,
    object type and fields; anything else is fetched on its own."""
    kind = need.key[0]
    if need.reader is None or kind not in ("read", "find_by_email"):
        return (need.key,)
    if kind == "find_by_email" and not callable(getattr(need.reader, "find_by_emails", None)):
        return (need.key,)
    _kind, _system, object_type, _what, fields = need.key
    return (kind, id(need.reader), object_type, fields)


def _fetch_one(
    need: NeedsRead, cache: dict[tuple[Any, ...], Any], failed: dict[tuple[Any, ...], Exception]
) -> None:
    try:
        cache[need.key] = need.fetch()
    except Exception as exc:  # reported to the caller, which defers the record
        failed[need.key] = exc


def _merged(kind: str, members: list[NeedsRead]) -> dict[tuple[Any, ...], Any]:
    """One call for the ``members`` (same reader, object type and fields); each one's answer."""
    reader = members[0].reader
    _kind, _system, object_type, _what, fields = members[0].key
    if kind == "find_by_email":
        emails = [need.key[3] for need in members]
        found = reader.find_by_emails(object_type, emails, list(fields))  # type: ignore[union-attr]
        return {need.key: list(found.get(need.key[3], [])) for need in members}
    ids = list(dict.fromkeys(i for need in members for i in need.key[3]))
    # keyed by each id as asked (CrmReader.read), so every need picks out its own
    records = reader.read(object_type, ids, list(fields))  # type: ignore[union-attr]
    log.debug("merged CRM reads", extra={"kind": kind, "records": len(members)})
    return {
        need.key: {asked: records[asked] for asked in need.key[3] if asked in records}
        for need in members
    }
