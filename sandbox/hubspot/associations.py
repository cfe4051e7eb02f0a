"""Associations between records (v4 semantics): typed edges kept in both directions."""

from __future__ import annotations

from collections import defaultdict

from .schema import association_pair, inverse_association_type

Key = tuple[str, str]  # (object type name, record id)


class AssociationStore:
    """Edges `(from) -> (to)` with a set of association type ids each; both sides stored."""

    def __init__(self) -> None:
        self._edges: dict[Key, dict[Key, set[int]]] = defaultdict(dict)

    def add(self, from_key: Key, to_key: Key, type_id: int) -> bool:
        """Associate with one type (and its inverse); True if it was not there before."""
        forward = self._edges[from_key].setdefault(to_key, set())
        was_new = type_id not in forward
        forward.add(type_id)
        self._edges[to_key].setdefault(from_key, set()).add(inverse_association_type(type_id))
        return was_new

    def remove(self, from_key: Key, to_key: Key) -> bool:
        """Remove every association between two records; True if there was one."""
        existed = to_key in self._edges.get(from_key, {})
        self._edges.get(from_key, {}).pop(to_key, None)
        self._edges.get(to_key, {}).pop(from_key, None)
        return existed

    def targets(self, from_key: Key, to_type: str) -> list[tuple[str, set[int]]]:
        """(to id, type ids) of the records of `to_type` associated with `from_key`, by id."""
        found = [
            (key[1], set(types))
            for key, types in self._edges.get(from_key, {}).items()
            if key[0] == to_type
        ]
        return sorted(found, key=lambda item: _id_order(item[0]))

    def all_of(self, key: Key) -> list[tuple[Key, set[int]]]:
        """Every association of one record."""
        return [(k, set(v)) for k, v in self._edges.get(key, {}).items()]

    def drop_record(self, key: Key) -> list[Key]:
        """Forget a record (GDPR delete, merged-away); returns the records it was linked to."""
        linked = list(self._edges.pop(key, {}).keys())
        for other in linked:
            self._edges.get(other, {}).pop(key, None)
        return linked

    def move(self, old: Key, new: Key) -> list[tuple[Key, int]]:
        """Re-point every association of `old` to `new` (a merge); returns the edges added."""
        added: list[tuple[Key, int]] = []
        for other, types in self._edges.pop(old, {}).items():
            self._edges.get(other, {}).pop(old, None)
            if other == new:
                continue
            for type_id in types:
                if self.add(new, other, type_id):
                    added.append((other, type_id))
        return added


def _id_order(record_id: str) -> tuple[int, str]:
    return (int(record_id), "") if record_id.isdigit() else (1 << 62, record_id)


def is_valid_type_for(type_id: int, from_type: str, to_type: str) -> bool:
    """Whether a HUBSPOT_DEFINED type id links `from_type` to `to_type`."""
    return association_pair(type_id) == (from_type, to_type)
