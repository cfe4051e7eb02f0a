"""Post one message to a Slack incoming webhook (requests)."""

from __future__ import annotations

import requests

from adapters.errors import parse_retry_after
from connector.config.models.notifiers import SlackNotifier
from connector.config.secrets import reveal


class SlackError(Exception):
    """Slack refused the post; ``temporary`` says whether a retry may succeed."""

    def __init__(self, message: str, *, temporary: bool, retry_after_s: float | None = None):
        super().__init__(message)
        self.temporary = temporary
        self.retry_after_s = retry_after_s


class SlackSender:
    """Incoming webhooks answer 200 "ok"; 429 carries Retry-After; other 4xx are final."""

    def __init__(self, settings: SlackNotifier, timeout_s: float = 15.0) -> None:
        self.url = reveal(settings.webhook_url) or ""
        self.timeout_s = timeout_s
        self.session = requests.Session()

    def send(self, text: str) -> None:
        """Post ``text``; raises SlackError or requests' connection errors."""
        response = self.session.post(self.url, json={"text": text}, timeout=self.timeout_s)
        if response.status_code == 200:
            return
        body = response.text[:200]
        if response.status_code == 429:
            retry_after = parse_retry_after({k.lower(): v for k, v in response.headers.items()})
            raise SlackError(f"429 {body}", temporary=True, retry_after_s=retry_after)
        raise SlackError(f"{response.status_code} {body}", temporary=response.status_code >= 500)
