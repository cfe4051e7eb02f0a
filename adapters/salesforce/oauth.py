"""The OAuth 2.0 client-credentials login: an access token from the org's token endpoint.

Salesforce takes this flow only at the My Domain URL (``<instance_url>/services/oauth2/
token``), so unlike simple-salesforce's logins (which post to ``<domain>.salesforce.com``) it
also reaches a stand-in on loopback. A token is kept until a call is refused with
``INVALID_SESSION_ID``; then one new login serves every thread that saw the refusal.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

import requests

from adapters.errors import CrmCallError

SYSTEM = "salesforce"
TOKEN_PATH = "/services/oauth2/token"


class OAuthLogin:
    """Log in with a connected app's consumer key and secret; remember the current token."""

    def __init__(
        self, session: requests.Session, instance_url: str, credentials: Mapping[str, str]
    ) -> None:
        self._session = session
        self._url = instance_url.rstrip("/") + TOKEN_PATH
        self._form = {
            "grant_type": "client_credentials",
            "client_id": credentials["consumer_key"],
            "client_secret": credentials["consumer_secret"],
        }
        self._token: str | None = None
        self._lock = threading.Lock()
        self.logins = 0

    def token(self) -> str:
        """The current access token (the first call logs in)."""
        with self._lock:
            if self._token is None:
                self._token = self._log_in()
            return self._token

    def renew(self, refused: str | None) -> str:
        """A token newer than ``refused``: logs in unless another thread already did."""
        with self._lock:
            if self._token is None or self._token == refused:
                self._token = self._log_in()
            return self._token

    def _log_in(self) -> str:
        try:
            response = self._session.post(self._url, data=self._form)
        except requests.RequestException as exc:
            message = f"login failed: {type(exc).__name__}: {exc}"
            raise CrmCallError(SYSTEM, None, message=message[:2000]) from exc
        body: Any = _json(response)
        if response.status_code != 200 or not isinstance(body, dict) or "access_token" not in body:
            code = body.get("error") if isinstance(body, dict) else None
            text = body.get("error_description") if isinstance(body, dict) else None
            raise CrmCallError(
                SYSTEM,
                response.status_code,
                body=body,
                error_code=str(code or "LOGIN_FAILED"),
                message=f"login refused: {text or f'HTTP {response.status_code}'}",
            )
        self.logins += 1
        return str(body["access_token"])


def _json(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None
