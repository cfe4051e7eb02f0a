"""Salesforce record ids: 15-char case-sensitive ids with the 3-char case-safe suffix.

Real ids start with a 3-char key prefix naming the object (00Q Lead, 003 Contact ...), and the
18-char form appends one checksum character per 5-char chunk that encodes which letters of the
chunk are upper case. Pure functions, no state except the generator's counter.
"""

from __future__ import annotations

import re
import threading

_SUFFIX_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_ID_SHAPE = re.compile(r"^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$")


def checksum_suffix(id15: str) -> str:
    """Return the 3-char case-safe suffix Salesforce appends to a 15-char id."""
    suffix = ""
    for chunk_start in range(0, 15, 5):
        bits = 0
        for offset, char in enumerate(id15[chunk_start : chunk_start + 5]):
            if "A" <= char <= "Z":
                bits |= 1 << offset
        suffix += _SUFFIX_ALPHABET[bits]
    return suffix


def to_18(record_id: str) -> str:
    """Return the 18-char form of a 15- or 18-char id (no validation of the suffix)."""
    return record_id if len(record_id) == 18 else record_id + checksum_suffix(record_id)


def looks_like_id(value: str) -> bool:
    """True when `value` has the shape of an id (15 or 18 alphanumerics)."""
    return bool(_ID_SHAPE.match(value))


def normalize_id(value: object) -> str | None:
    """Return the canonical 18-char id for a well-formed id, or None when malformed.

    An 18-char id whose suffix does not match its first 15 chars is malformed, as in Salesforce.
    """
    if not isinstance(value, str) or not looks_like_id(value):
        return None
    if len(value) == 15:
        return value + checksum_suffix(value)
    if checksum_suffix(value[:15]) != value[15:].upper():
        return None
    return value[:15] + checksum_suffix(value[:15])


def key_prefix(record_id: str) -> str:
    """Return the 3-char key prefix that names the object an id belongs to."""
    return record_id[:3]


class IdGenerator:
    """Mint fresh ids per key prefix, thread-safe, deterministic for a given seed.

    The middle of the id mimics a real pod/instance segment; the tail is a base-62 counter,
    so ids are unique within one sandbox and sort in creation order.
    """

    def __init__(self, seed: int = 0, pod: str = "8d") -> None:
        self._lock = threading.Lock()
        self._counters: dict[str, int] = {}
        self._start = 1 + (seed % 1000) * 10_000
        self._pod = pod

    def new(self, prefix: str) -> str:
        """Return a new 18-char id with the given 3-char key prefix."""
        if len(prefix) != 3:
            raise ValueError(f"key prefix must have 3 characters, got {prefix!r}")
        with self._lock:
            value = self._counters.get(prefix, self._start)
            self._counters[prefix] = value + 1
        tail = ""
        for _ in range(7):
            value, digit = divmod(value, 62)
            tail = _BASE62[digit] + tail
        id15 = f"{prefix}{self._pod}000{tail}"
        return id15 + checksum_suffix(id15)
