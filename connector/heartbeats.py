"""Worker heartbeats, and taking a dead worker's claims back without waiting for its leases.

Record leases (60 s) and command leases (2 min) are long because a CRM batch can be slow; left
alone, a killed worker's records would wait that long. So each running worker beats (a row with
an expiry of a few seconds, from a thread of its own), and every worker takes back the claims of
owners that are known dead:

- an owner whose heartbeat has expired (any machine: PostgreSQL with many workers), and
- an owner named after a process of *this* machine that no longer runs (``host:pid:…``), or an
  earlier life of this very process id — so a restarted single-process SQLite Baton takes back
  its own claims at once instead of after the lease.

A command taken back keeps its ``lease_owner`` and gets an expired lease: the dispatcher sees
that it may have been sent before the crash and reads back before sending again
(``connector.dispatcher``).
"""

from __future__ import annotations

import os
import socket
import threading
import uuid
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from connector.store.models import OutboxCommand, RecordLease, WorkerHeartbeat

#: a worker that has not beaten for this long is dead; it beats every fifth of it
HEARTBEAT_TTL = timedelta(seconds=10)
#: how long after its sender is found dead a write may still be carried out by the CRM (the
#: request had arrived; the CRM finishes it whether or not anyone waits for the answer). A
#: read-back sooner can find it not yet landed, and the write is then sent twice
#: (docs/RELIABILITY.md, full size on PostgreSQL: re-sent writes in doubt 408 -> 255).
IN_FLIGHT_GRACE = timedelta(seconds=2)

_HOST = socket.gethostname()
#: owners that live in this process (an owner with our pid not in here is an earlier life)
_LIVE_HERE: set[str] = set()
_LIVE_LOCK = threading.Lock()


def owner_name(*parts: object) -> str:
    """``host:pid:<parts>:<boot token>`` — unique per worker and per process start."""
    token = uuid.uuid4().hex[:8]
    return ":".join([_HOST, str(os.getpid()), *(str(p) for p in parts), token])


def register_live(owner: str) -> None:
    """Note that ``owner`` runs in this process (so it is never taken for an earlier life)."""
    with _LIVE_LOCK:
        _LIVE_HERE.add(owner)


def unregister_live(owner: str) -> None:
    """``owner`` stopped (cleanly) in this process."""
    with _LIVE_LOCK:
        _LIVE_HERE.discard(owner)


def beat(session: Session, owner: str, now: datetime, ttl: timedelta = HEARTBEAT_TTL) -> None:
    """Record that ``owner`` is alive until ``now + ttl``."""
    until = now + ttl
    moved = session.execute(
        update(WorkerHeartbeat)
        .where(WorkerHeartbeat.owner == owner)
        .values(beat_at=now, expires_at=until)
    ).rowcount
    if not moved:
        session.add(WorkerHeartbeat(owner=owner, started_at=now, beat_at=now, expires_at=until))


def retire(session: Session, owner: str) -> None:
    """A clean stop: forget the heartbeat (the worker released its claims itself)."""
    session.execute(delete(WorkerHeartbeat).where(WorkerHeartbeat.owner == owner))


def is_dead_here(owner: str) -> bool:
    """True when ``owner`` names a process of this machine that is gone (or an earlier life
    of this process id). Owners of other machines, or not in ``host:pid:…`` form: False."""
    host, _, rest = owner.partition(":")
    pid_text = rest.split(":", 1)[0]
    if host != _HOST or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        with _LIVE_LOCK:
            return owner not in _LIVE_HERE
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # a live process of another user
        return False
    return False


def dead_owners(session: Session, now: datetime) -> set[str]:
    """Owners holding claims or heartbeats that are known dead (see the module docstring)."""
    expired = set(
        session.scalars(select(WorkerHeartbeat.owner).where(WorkerHeartbeat.expires_at < now))
    )
    holders = set(
        session.scalars(
            select(OutboxCommand.lease_owner)
            .where(OutboxCommand.status == "pending", OutboxCommand.lease_until > now)
            .distinct()
        )
    )
    holders |= set(session.scalars(select(RecordLease.owner).distinct()))
    holders |= set(session.scalars(select(WorkerHeartbeat.owner)))
    holders.discard(None)  # type: ignore[arg-type]
    return expired | {owner for owner in holders if is_dead_here(owner)}


def take_back_claims(session: Session, now: datetime, alive: frozenset[str] = frozenset()) -> int:
    """Free the records and commands of dead owners; return how many claims came back.

    A freed command keeps its ``lease_owner`` (so it is known to have been in flight) and its
    lease ends ``IN_FLIGHT_GRACE`` from now: a request the dead worker had sent may still be
    carried out. A lease already that short was freed before and is left alone (freeing it
    again would put it off for ever). ``alive``: owners never taken for dead (the caller).
    """
    dead = sorted(dead_owners(session, now) - alive)
    if not dead:
        return 0
    commands = session.execute(
        update(OutboxCommand)
        .where(OutboxCommand.lease_owner.in_(dead), OutboxCommand.status == "pending")
        .where(OutboxCommand.lease_until > now + IN_FLIGHT_GRACE)
        .values(lease_until=now + IN_FLIGHT_GRACE)
    ).rowcount
    records = session.execute(delete(RecordLease).where(RecordLease.owner.in_(dead))).rowcount
    session.execute(delete(WorkerHeartbeat).where(WorkerHeartbeat.owner.in_(dead)))
    return int(commands or 0) + int(records or 0)
