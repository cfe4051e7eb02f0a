"""Sessions and the OAuth 2.0 token endpoint, so a client must log in again when one expires.

Real Salesforce ends a session after the org's timeout (Session Settings, 15 minutes to 24
hours) and then answers every API call with 401 ``INVALID_SESSION_ID``; a connected app's
client-credentials flow (``POST /services/oauth2/token`` on the My Domain URL) hands out a new
access token. The stand-in's lifetime is absolute from the login (the real timeout is counted
from the last activity, so this is the harsher case). The configured ``session_id`` is the
session issued when the org starts, so clients that log in with it keep working until it ends.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

#: Salesforce's answers to a bad token request (``error`` / ``error_description``)
INVALID_CLIENT = {"error": "invalid_client", "error_description": "invalid client credentials"}
UNSUPPORTED_GRANT = {
    "error": "unsupported_grant_type",
    "error_description": "grant type not supported",
}


class Sessions:
    """Access tokens the org has issued and when each ends (monotonic time, never travelled)."""

    def __init__(
        self,
        first_session_id: str,
        lifetime_s: float | None,
        org_id: str,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.lifetime_s = lifetime_s
        self.org_id = org_id
        self.clock = clock
        self.logins = 0
        self.expired_refusals = 0
        self._issued: dict[str, float] = {first_session_id: clock()}
        self._ended: set[str] = set()
        self._lock = threading.Lock()

    def is_valid(self, token: str) -> bool:
        """True for a token the org issued whose lifetime has not run out."""
        with self._lock:
            issued = self._issued.get(token)
            if issued is None:
                return False
            lifetime = float("inf") if self.lifetime_s is None else self.lifetime_s
            if token in self._ended or self.clock() - issued >= lifetime:
                self.expired_refusals += 1
                return False
            return True

    def issue(self) -> str:
        """A new access token in Salesforce's shape (``<org id>!<opaque>``)."""
        token = f"{self.org_id[:15]}!AQ0AQ{secrets.token_urlsafe(48)}"
        with self._lock:
            self._issued[token] = self.clock()
            self.logins += 1
        return token

    def expire_all(self) -> None:
        """End every session now (as if the org's timeout had passed)."""
        with self._lock:
            self._ended.update(self._issued)


def token_response(
    sessions: Sessions,
    form: Mapping[str, str],
    *,
    client_id: str,
    client_secret: str,
    instance_url: str,
    integration_user_id: str,
) -> tuple[int, dict[str, Any]]:
    """Answer one ``POST /services/oauth2/token`` of the client-credentials flow."""
    if form.get("grant_type") != "client_credentials":
        return 400, UNSUPPORTED_GRANT
    given_id, given_secret = form.get("client_id", ""), form.get("client_secret", "")
    if not (
        secrets.compare_digest(given_id, client_id)
        and secrets.compare_digest(given_secret, client_secret)
    ):
        return 400, INVALID_CLIENT
    token = sessions.issue()
    return 200, {
        "access_token": token,
        "instance_url": instance_url,
        "id": f"{instance_url}/id/{sessions.org_id}/{integration_user_id}",
        "token_type": "Bearer",
        "issued_at": str(int(time.time() * 1000)),
        "signature": secrets.token_urlsafe(32),
    }
