"""Keeping as little personal data as the jobs need.

Baton matches people across the CRMs by e-mail, but it only needs the address as a match key:
normalized and hashed with SHA-256. Normalized inbox events carry that pseudonym instead of the
address (the raw request body is kept apart, for ``privacy.keep_raw_bodies_days``).
"""

from __future__ import annotations

import hashlib

#: a value that is already a pseudonym, so hashing twice gives the same key
PSEUDONYM_PREFIX = "sha256:"


def email_hash(email: str | None) -> str | None:
    """SHA-256 of the normalized address (or the digest inside a pseudonym); None if no address."""
    if not email:
        return None
    if email.startswith(PSEUDONYM_PREFIX):
        return email.removeprefix(PSEUDONYM_PREFIX)
    if "@" not in email:
        return None
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()
