"""Can this value be stored on both engines? One pure check, run before the inbox insert.

A validly signed body can still carry values that no database driver accepts: a lone surrogate
("\\ud800") cannot be encoded as UTF-8 (sqlite3 and psycopg raise UnicodeEncodeError), PostgreSQL
text cannot hold NUL, its JSON type refuses NaN and Infinity, an id longer than its column is a
DataError, and a value nested a thousand levels deep overflows the stack of whatever walks it
next. Each of those used to escape as a 500 (issue 8). Checking here, with a fixed reason, turns
them into a 400 before anything is written, so nothing of such a request is stored.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

from connector.events import ChangeEvent
from connector.store.models import InboxEvent

#: Deepest nesting kept in ``changes`` (CRM property values are flat; compound values are shallow).
MAX_DEPTH = 32
#: Integers outside a signed 64-bit range are no CRM id, count or timestamp.
INT_MIN, INT_MAX = -(2**63), 2**63 - 1

_UNSTORABLE_TEXT = re.compile("[\x00\ud800-\udfff]")
_CONTAINERS = (dict, list, tuple)
_TEXT_COLUMNS = ("event_id", "account_id", "provider_type", "object_id", "actor")


def text_problem(text: str) -> str | None:
    """Why ``text`` cannot be stored (a NUL or a lone surrogate), or None."""
    found = _UNSTORABLE_TEXT.search(text)
    if found is None:
        return None
    return "text contains NUL" if found.group() == "\x00" else "text contains a lone surrogate"


def number_problem(number: float) -> str | None:
    """Why ``number`` cannot be stored (not finite, or an integer beyond 64 bits), or None."""
    if isinstance(number, bool):
        return None
    if isinstance(number, int):
        return None if INT_MIN <= number <= INT_MAX else "integer out of range"
    return None if math.isfinite(number) else "number is not finite"


def value_problem(value: Any, max_depth: int = MAX_DEPTH) -> str | None:
    """The first reason a JSON-like value (keys included) cannot be stored, or None.

    Iterative, so a value nested past the interpreter's recursion limit is reported, not raised.
    """
    if type(value) in _CONTAINERS and max_depth > 0:  # nearly every event: flat text or empty
        texts = _flat_texts(value)
        if texts is not None:
            return text_problem("".join(texts))
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            problem = text_problem(item)
        elif isinstance(item, int | float):
            problem = number_problem(item)
        elif isinstance(item, Mapping | list | tuple):
            if depth >= max_depth:
                return "value nested too deeply"
            children: Iterable[Any] = item.values() if isinstance(item, Mapping) else item
            keys = item.keys() if isinstance(item, Mapping) else ()
            stack.extend((child, depth + 1) for child in (*keys, *children))
            problem = None
        else:
            problem = None
        if problem:
            return problem
    return None


def _flat_texts(value: dict[Any, Any] | list[Any] | tuple[Any, ...]) -> list[str] | None:
    """The texts of a container holding only text and None (keys included), else None."""
    items = [*value.keys(), *value.values()] if type(value) is dict else value
    if all(type(item) is str or item is None for item in items):
        return [item for item in items if item is not None]
    return None


def nesting_exceeds(value: Any, max_depth: int = MAX_DEPTH) -> bool:
    """True when the dicts, lists and tuples in ``value`` (what JSON decoding builds) nest
    ``max_depth`` deep or more. Only containers are walked, level by level: no per-leaf work."""
    if not isinstance(value, _CONTAINERS):
        return False
    level: list[Any] = [value]
    for _ in range(max_depth):
        level = [
            child
            for item in level
            for child in (item.values() if isinstance(item, dict) else item)
            if isinstance(child, _CONTAINERS)
        ]
        if not level:
            return False
    return True


def event_problem(event: ChangeEvent) -> str | None:
    """The first reason ``event`` cannot be stored in ``inbox_events``, or None."""
    texts = [(name, getattr(event, name)) for name in _TEXT_COLUMNS]
    for name, text in texts:
        if text is not None and len(text) > _column_length(name):
            return f"{name} too long"
    if text_problem("".join(text for _, text in texts if text is not None)):  # one search
        for name, text in texts:
            if text is not None and (problem := text_problem(text)):
                return f"{name}: {problem}"
    if len(event.record_key) > _column_length("record_key"):
        return "object_id too long"
    for name, value in (("related_ids", list(event.related_ids)), ("changes", event.changes)):
        if problem := value_problem(value):
            return f"{name}: {problem}"
    return None


def events_problem(events: Iterable[ChangeEvent]) -> str | None:
    """The first reason any of ``events`` cannot be stored, or None."""
    return next(filter(None, map(event_problem, events)), None)


@functools.cache
def _column_length(name: str) -> int:
    length = InboxEvent.__table__.c[name].type.length
    assert length is not None, name
    return int(length)
