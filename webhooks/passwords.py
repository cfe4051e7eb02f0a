"""Dashboard passwords as Argon2id hashes: made by ``baton hash-password``, checked at sign-in.

Only the hash is ever in the config file. Verifying costs the same whether or not the user
exists (an unknown name is checked against a throw-away hash), so the sign-in form does not tell
an attacker which user names are real by how long it takes.
"""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from connector.config.models.dashboard import DashboardUser

_HASHER = PasswordHasher()  # argon2-cffi's defaults follow RFC 9106's second recommendation


@cache
def _dummy_hash() -> str:
    """Made on the first sign-in, not at import: every process imports this module."""
    return _HASHER.hash("not a password anyone has")


def hash_password(password: str) -> str:
    """The Argon2id hash to paste into ``dashboard.users[].password_hash``."""
    return _HASHER.hash(password)


def check_password(users: tuple[DashboardUser, ...], username: str, password: str) -> str | None:
    """The signed-in user name, or None when the name or the password is wrong."""
    user = next((u for u in users if u.username == username.strip().lower()), None)
    try:
        _HASHER.verify(user.password_hash if user else _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return None
    return user.username if user else None
