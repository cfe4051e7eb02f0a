"""The notifiers section: how Baton reaches people (SMTP e-mail, a Slack incoming webhook)."""

from __future__ import annotations

from pydantic import Field, field_validator, model_validator

from connector.config.models.base import ConfigModel
from connector.config.models.fields import EmailAddress, check_http_url
from connector.config.secrets import EnvSecret


class EmailNotifier(ConfigModel):
    """Send e-mail through an SMTP relay."""

    smtp_host: str = Field(min_length=1, description="SMTP relay host name.")
    smtp_port: int = Field(default=587, ge=1, le=65535, description="SMTP port (587 submission).")
    from_address: EmailAddress = Field(description="Sender address of Baton's e-mails.")
    username: str | None = Field(default=None, description="SMTP login; none = no login.")
    password: EnvSecret | None = Field(default=None, description="SMTP password. Secret.")
    starttls: bool = Field(default=True, description="Upgrade the connection with STARTTLS.")

    @model_validator(mode="after")
    def _login_complete(self) -> EmailNotifier:
        if (self.username is None) != (self.password is None):
            raise ValueError("give both username and password, or neither")
        return self


class SlackNotifier(ConfigModel):
    """Post to a Slack channel through an incoming webhook."""

    webhook_url: EnvSecret = Field(description="Incoming-webhook URL (it is the credential).")

    @field_validator("webhook_url")
    @classmethod
    def _is_url(cls, value: object) -> object:
        url = value.get_secret_value() if hasattr(value, "get_secret_value") else None
        if url is not None:
            try:
                check_http_url(url)
            except ValueError:
                # Do not echo the value: the URL is the secret.
                raise ValueError("the webhook URL must be an http(s) URL") from None
        return value


class NotifiersConfig(ConfigModel):
    """Each notifier is optional; escalation and the scorecard say which they need."""

    email: EmailNotifier | None = Field(default=None, description="SMTP settings.")
    slack: SlackNotifier | None = Field(default=None, description="Slack settings.")
