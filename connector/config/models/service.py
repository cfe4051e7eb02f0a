"""Sections about Baton itself: the web service, the store and privacy."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from connector.config.models.base import ConfigModel
from connector.config.models.fields import HttpUrl
from connector.config.secrets import EnvSecret, EnvValue

DEFAULT_DATABASE_URL = "sqlite:///var/baton.db"
SUPPORTED_DATABASES = ("sqlite", "postgresql", "postgres")  # postgres:// as Heroku writes it
MIB = 1024 * 1024


def _upper(value: object) -> object:
    return value.upper() if isinstance(value, str) else value


class ServiceConfig(ConfigModel):
    """How Baton's web service presents itself and logs."""

    public_base_url: HttpUrl = Field(
        default="http://127.0.0.1:8000",
        description="The URL the CRMs call, as they see it; HubSpot v3 signatures cover it.",
    )
    max_body_bytes: int = Field(
        default=MIB, gt=0, le=64 * MIB, description="Largest webhook body accepted, in bytes."
    )
    body_read_timeout_s: float = Field(
        default=10.0,
        gt=0,
        le=300,
        description="Seconds a client has to send a whole request; slower ones get 408.",
    )
    ops_token: EnvSecret | None = Field(
        default=None,
        description="Bearer token /metrics and /readyz require when set (secret); else open.",
    )
    observe: bool = Field(
        default=False,
        description=(
            "Observe mode: run everything but write nothing to the CRMs and send no notices; "
            "would-be writes are kept for `baton explain` and `baton observe summary`."
        ),
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = Field(
        default="INFO", description="Minimum level of log records written."
    )
    log_format: Literal["json", "text"] = Field(
        default="json", description="json (one object per line) or text (for people)."
    )

    @field_validator("log_level", mode="before")
    @classmethod
    def _level_any_case(cls, value: object) -> object:
        return _upper(value)

    @field_validator("log_format", mode="before")
    @classmethod
    def _format_any_case(cls, value: object) -> object:
        return value.lower() if isinstance(value, str) else value


class StoreConfig(ConfigModel):
    """Where Baton keeps its state; BATON_DATABASE_URL in the environment overrides the file."""

    database_url: str = Field(
        default=DEFAULT_DATABASE_URL,
        repr=False,  # may carry a password taken from the environment
        description="SQLAlchemy URL: sqlite:///path (one machine) or postgresql+psycopg://...",
    )
    inbox_retention_days: int = Field(
        default=90, ge=1, description="Days processed events stay in the inbox (replay, explain)."
    )

    @field_validator("database_url", mode="before")
    @classmethod
    def _no_password_in_file(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        written = value.raw if isinstance(value, EnvValue) else value
        try:
            password = make_url(written).password
        except (ArgumentError, ValueError):
            return value  # the after-validator reports the malformed URL
        if password and not (isinstance(value, EnvValue) and "${" in str(password)):
            raise ValueError(
                "the database password must not be written in the config file: put it in an "
                "environment variable (e.g. postgresql+psycopg://baton:${PGPASSWORD}@db/baton) "
                "or set BATON_DATABASE_URL"
            )
        return value

    @field_validator("database_url")
    @classmethod
    def _supported_url(cls, value: str) -> str:
        try:
            url = make_url(value)
        except (ArgumentError, ValueError):
            raise ValueError(
                "not a database URL; expected e.g. sqlite:///var/baton.db or "
                "postgresql+psycopg://user@host/baton"
            ) from None
        if url.get_backend_name() not in SUPPORTED_DATABASES:
            raise ValueError(
                f"unsupported database {url.get_backend_name()!r}; use sqlite or postgresql"
            )
        return value

    @property
    def safe_database_url(self) -> str:
        """The database URL with any password masked, for logs and `check-config` output."""
        return make_url(self.database_url).render_as_string(hide_password=True)


class PrivacyConfig(ConfigModel):
    """What Baton keeps about people, and for how long."""

    keep_raw_bodies_days: int = Field(
        default=30,
        ge=0,
        description="Days raw webhook bodies are kept (0 = drop at the next retention run).",
    )
    pseudonymize_emails_in_logs: bool = Field(
        default=True, description="Write e-mail addresses to logs as stable hashes."
    )
    erase_on_privacy_deletion: bool = Field(
        default=True,
        description="Erase Baton's copy of a person when HubSpot reports a privacy deletion.",
    )
    erase_on_salesforce_deletion: bool = Field(
        default=False,
        description="Also erase a person when their Salesforce Lead or Contact is deleted.",
    )
    scrub_personal_after_days: int = Field(
        default=90,
        ge=1,
        description="Days after which audit lines and finished writes lose personal fields.",
    )
    prune_every_hours: int = Field(
        default=24, ge=1, le=168, description="Hours between two runs of the retention job."
    )
