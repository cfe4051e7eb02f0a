"""One-time login links: a random token that signs one person in once, within minutes.

The demo prints one so whoever started it can open the dashboard without a password in the
config. The links live in the store (``login_links``), so a link issued by one web process is
redeemed by whichever process the request reaches (gunicorn workers, a restart in between).
Only a SHA-256 of each token is stored; a conditional UPDATE (``used_at IS NULL AND
expires_at > now``) lets exactly one redemption win, across processes; a second use — or a use
after ``ttl`` — is refused, and expired rows are pruned whenever a link is issued.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update

from connector.events import utcnow
from connector.store import Store
from connector.store.models import LoginLink


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass
class LoginLinks:
    """Issue and redeem single-use sign-in tokens kept in the store."""

    store: Store
    ttl_s: float
    clock: Callable[[], datetime] = utcnow

    def issue(self, username: str) -> str:
        """A new token for ``username``; put it in the link, never in a log."""
        token = secrets.token_urlsafe(32)
        now = self.clock()
        with self.store.session() as session:
            session.execute(delete(LoginLink).where(LoginLink.expires_at <= now))
            session.add(
                LoginLink(
                    token_hash=_digest(token),
                    username=username,
                    created_at=now,
                    expires_at=now + timedelta(seconds=self.ttl_s),
                )
            )
        return token

    def redeem(self, token: str) -> str | None:
        """The user name the token was issued for, once; None if unknown, used or expired."""
        digest, now = _digest(token), self.clock()
        with self.store.session() as session:
            won = session.execute(
                update(LoginLink)
                .where(
                    LoginLink.token_hash == digest,
                    LoginLink.used_at.is_(None),
                    LoginLink.expires_at > now,
                )
                .values(used_at=now)
            )
            if won.rowcount != 1:  # type: ignore[attr-defined]
                return None
            return session.scalar(select(LoginLink.username).where(LoginLink.token_hash == digest))
