"""One-time login links: a random token that signs one person in once, within minutes.

The demo prints one so whoever started it can open the dashboard without a password in the
config. Only a SHA-256 of each token is kept, in this process's memory: a link works against
the process that issued it (the demo, a single ``baton serve``), is gone after a restart, and
a second use — or a use after ``ttl`` — is refused.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass
class LoginLinks:
    """Issue and redeem single-use sign-in tokens; thread-safe."""

    ttl_s: float
    clock: Callable[[], float] = time.monotonic
    _pending: dict[str, tuple[str, float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def issue(self, username: str) -> str:
        """A new token for ``username``; put it in the link, never in a log."""
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._forget_expired()
            self._pending[_digest(token)] = (username, self.clock() + self.ttl_s)
        return token

    def redeem(self, token: str) -> str | None:
        """The user name the token was issued for, once; None if unknown, used or expired."""
        with self._lock:
            self._forget_expired()
            entry = self._pending.pop(_digest(token), None)
        return entry[0] if entry else None

    def _forget_expired(self) -> None:
        now = self.clock()
        for key in [k for k, (_user, expires) in self._pending.items() if expires <= now]:
            del self._pending[key]
