"""Replay memory for requests whose signature has no timestamp (HubSpot v1/v2).

A v2 workflow call verifies forever, so a captured one could be sent again weeks later and be
applied as a fresh snapshot over newer data. Its digest is recorded in the same transaction as
its events; a request whose digest was seen within the window is recognised as a replay and
nothing of it is stored. The claim is one ``INSERT … ON CONFLICT DO UPDATE … WHERE`` the row
is older than the window, so two copies racing on two web processes cannot both win, and a
digest past the window counts as new even before the prune has removed it.

Forgetting old digests is not the webhook's work: :func:`prune_seen_requests` runs with the
retention timer (``privacy.prune_every_hours``), so the hot path does one statement.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from connector.config import BatonConfig
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
    """Record ``digest`` for ``receiver``; False when it was already seen within ``window``."""
    now = now or utcnow()
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(SeenRequest)
        .values(receiver=receiver, digest=digest, seen_at=now)
        .on_conflict_do_update(
            index_elements=["receiver", "digest"],
            set_={"seen_at": now},
            where=SeenRequest.__table__.c.seen_at < now - window,  # past the window: new again
        )
        .returning(SeenRequest.digest)
    )
    return session.execute(statement).first() is not None


def prune_seen_requests(session: Session, now: datetime, config: BatonConfig) -> int:
    """Forget digests older than the replay window (an indexed delete; a retention step)."""
    window = timedelta(days=config.hubspot.workflow_replay_window_days)
    result = session.execute(delete(SeenRequest).where(SeenRequest.seen_at < now - window))
    return result.rowcount or 0
