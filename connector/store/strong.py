"""Keep what a session loaded for as long as it lives (SQLAlchemy's strong-reference recipe).

A session's identity map holds objects weakly: ``knowledge.load_side`` reads a record's state,
copies it into a ``SideState`` and drops the row, so the next ``session.get`` of the same key a
moment later (``knowledge.remember``) selected it again — 5 SELECTs of ``record_states`` per
genuine change instead of 2. The worker and the dispatcher hold many records in one transaction
and read each several times, so their sessions keep every loaded object until they end.
Sessions that read large tables (reports) keep the default.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

_REFS = "baton_strong_refs"


def keep_loaded(session: Session) -> Session:
    """Make ``session`` hold a strong reference to every object it loads or adds; returns it."""
    if _REFS in session.info:
        return session
    refs: set[Any] = set()
    session.info[_REFS] = refs

    def hold(_session: Session, instance: Any) -> None:
        refs.add(instance)

    def drop(_session: Session, instance: Any) -> None:
        refs.discard(instance)

    for name in ("pending_to_persistent", "detached_to_persistent", "loaded_as_persistent"):
        event.listen(session, name, hold)
    for name in ("persistent_to_detached", "persistent_to_deleted", "persistent_to_transient"):
        event.listen(session, name, drop)
    return session
