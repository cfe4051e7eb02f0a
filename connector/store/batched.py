"""Rows a batch appends, held in Python and written in one INSERT per table when it ends.

A genuine change appends two audit lines; written one by one, each is an INSERT of its own
(and a RETURNING of its id that nothing reads); so is each memory of a write the dispatcher
records. Inside :func:`inserts` the appenders that offer it (``audit.record``,
``knowledge.remember_own_write``) hand their rows to :func:`hold` instead, and the block writes
them at its end with one executemany per table, in the order they were held (so ids still follow
the order of events). Rows that are only appended and never read back in the batch qualify;
anything a later step of the same batch queries must go through the session as usual.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

_KEY = "baton_held_inserts"


@contextmanager
def inserts(session: Session) -> Iterator[None]:
    """Hold appended rows for the block; write them when it ends without an error.

    Put it inside the savepoint that holds the batch, so the held rows are written in it (and
    undone with it). Nested use joins the outer block.
    """
    if _KEY in session.info:
        yield
        return
    held: dict[type[Any], list[dict[str, Any]]] = {}
    session.info[_KEY] = held
    try:
        yield
        for model, rows in held.items():
            if rows:
                session.execute(insert(model), rows)
    finally:
        session.info.pop(_KEY, None)


def hold(session: Session, model: type[Any], row: dict[str, Any]) -> bool:
    """Keep ``row`` (a ``model`` row) for the block's INSERT; False when no block is open."""
    held = session.info.get(_KEY)
    if held is None:
        return False
    held.setdefault(model, []).append(row)
    return True


def discard(session: Session, model: type[Any], row: dict[str, Any]) -> None:
    """Take back a held row (the batch undid what it stood for before it was written)."""
    rows = session.info.get(_KEY, {}).get(model, [])
    for index, held in enumerate(rows):
        if held is row:
            del rows[index]
            return
