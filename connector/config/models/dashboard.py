"""The dashboard section: who may sign in, how long a session lasts, which language it speaks."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

from connector.config.issues import ProblemCollector
from connector.config.models.base import ConfigModel
from connector.config.models.fields import find_duplicates
from connector.config.secrets import EnvSecret

#: Languages the dashboard has catalogs for; the browser picks among them.
LANGUAGES = ("en", "nl")
Language = Literal["en", "nl"]
_USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
_ARGON2 = re.compile(r"\$argon2(id|i|d)\$v=\d+\$m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+")


def _argon2_hash(value: str) -> str:
    if not _ARGON2.fullmatch(value):
        raise ValueError(
            "is not an Argon2 hash ($argon2id$v=19$m=…); make one with `baton hash-password`"
        )
    return value


def _username(value: str) -> str:
    if not _USERNAME.fullmatch(value):
        raise ValueError(f"{value!r} is not a user name (lower case, digits, . _ -)")
    return value


class DashboardUser(ConfigModel):
    """One person who may sign in to the dashboard; the password is stored only as a hash."""

    username: Annotated[str, AfterValidator(_username)] = Field(
        description="Sign-in name, e.g. marieke (no e-mail address needed)."
    )
    password_hash: Annotated[str, AfterValidator(_argon2_hash)] = Field(
        repr=False, description="Argon2id hash from `baton hash-password`, never the password."
    )


class DashboardConfig(ConfigModel):
    """Sign-in and presentation of the dashboard at ``/`` (the API has its own bearer tokens)."""

    language: Language = Field(
        default="en",
        description="Language when the browser asks for none Baton speaks, and of the weekly "
        "digest (en, nl).",
    )
    users: tuple[DashboardUser, ...] = Field(
        default=(), description="Who may sign in; empty = nobody (the demo issues a login link)."
    )
    session_secret: EnvSecret | None = Field(
        default=None,
        description="Key that signs session cookies (secret); unset = new key per start, "
        "so everyone signs in again after a restart.",
    )
    session_idle_minutes: int = Field(
        default=480, ge=5, le=7 * 24 * 60, description="Idle minutes before a session ends."
    )
    login_link_minutes: int = Field(
        default=10, ge=1, le=60, description="How long a one-time login link stays valid."
    )
    secure_cookies: bool = Field(
        default=False, description="Send the session cookie over HTTPS only (set behind TLS)."
    )

    @model_validator(mode="after")
    def _distinct_names(self) -> DashboardConfig:
        problems = ProblemCollector()
        names = [user.username for user in self.users]
        for index, first in find_duplicates(names).items():
            problems.add(
                ("users", index, "username"), f"{names[index]!r} is already users[{first}]"
            )
        problems.raise_if_any()
        return self
