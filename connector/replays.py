"""Replay memory for requests whose signature has no timestamp (HubSpot v1/v2).

A v2 workflow call verifies forever, so a captured one could be sent again weeks later and be
applied as a fresh snapshot over newer data. Its digest is recorded in the same transaction as
its events; a request whose digest was seen within the window is recognised as a replay and
nothing of it is stored. The claim is one ``INSERT … ON CONFLICT DO NOTHING``, so two copies
racing on two web processes cannot both win.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from connector.events import utcnow
from connector.store.models import SeenRequest


def first_sighting(
    session: Session,
    receiver: str,
    digest: str,
    *,
    window: timedelta,
    now: datetime | None = None,
) -> bool:
    """Record ``digest`` for ``receiver``; False when it was already seen within ``window``.

    Digests older than the window are forgotten first (an indexed delete), so the table holds
    one window's worth of requests and a digest past it counts as new again.
    """
    now = now or utcnow()
    session.execute(delete(SeenRequest).where(SeenRequest.seen_at < now - window))
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(SeenRequest)
        .values(receiver=receiver, digest=digest, seen_at=now)
        .on_conflict_do_nothing(index_elements=["receiver", "digest"])
        .returning(SeenRequest.digest)
    )
    return session.execute(statement).first() is not None
