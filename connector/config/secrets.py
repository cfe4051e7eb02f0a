"""``${ENV_VAR}`` references: secrets come only from the environment, never from the file.

The loader expands references in every string before validation. A value that was exactly one
reference becomes an :class:`EnvValue`, a ``str`` that remembers where it came from; secret
fields accept nothing else, so a secret typed into the file is refused with a clear message.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, SecretStr
from pydantic_core import PydanticCustomError

# `$${` escapes a literal `${`; `${NAME}` is a reference. Names follow POSIX shell rules.
_REFERENCE = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_WHOLE_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")

LITERAL_SECRET = "literal_secret"
EMPTY_SECRET = "empty_secret"


class EnvValue(str):
    """A string whose content came from environment variables (``variables``); ``raw`` is the
    text as written in the file, e.g. ``${HUBSPOT_ACCESS_TOKEN}``."""

    variables: tuple[str, ...]
    raw: str
    whole: bool

    def __new__(cls, value: str, *, raw: str, variables: tuple[str, ...]) -> EnvValue:
        """Build the expanded value; ``whole`` is true when ``raw`` is exactly one reference."""
        self = super().__new__(cls, value)
        self.raw = raw
        self.variables = variables
        self.whole = _WHOLE_REFERENCE.fullmatch(raw) is not None
        return self


class UnsetVariables(Exception):
    """A string referenced environment variables that are not set."""

    def __init__(self, names: list[str]) -> None:
        self.names = names
        super().__init__(", ".join(names))


def referenced_variables(text: str) -> list[str]:
    """Return the variable names referenced in ``text``, in order."""
    return [m.group(1) for m in _REFERENCE.finditer(text) if m.group(1)]


def expand_references(text: str, env: Mapping[str, str]) -> str:
    """Substitute every ``${NAME}`` in ``text`` from ``env``.

    Returns ``text`` unchanged when it holds no reference, else an :class:`EnvValue`.

    Raises:
        UnsetVariables: one or more referenced names are missing from ``env``.
    """
    if "$" not in text:
        return text
    names = referenced_variables(text)
    missing = [name for name in names if name not in env]
    if missing:
        raise UnsetVariables(missing)

    def substitute(match: re.Match[str]) -> str:
        return "$" if match.group(1) is None else env[match.group(1)]

    expanded = _REFERENCE.sub(substitute, text)
    if not names:
        return expanded
    return EnvValue(expanded, raw=text, variables=tuple(names))


def suggested_variable(path: tuple[str | int, ...]) -> str:
    """Suggest a variable name for a secret at ``path``: hubspot.access_token gives
    HUBSPOT_ACCESS_TOKEN. Used to make the "literal secret" message actionable."""
    words = [str(part) for part in path if isinstance(part, str) and part != "auth"]
    return "_".join(words).upper() or "SECRET_NAME"


def _require_env_reference(value: Any) -> Any:
    """Accept a SecretStr (built in code) or a value that was exactly one ``${VAR}`` reference."""
    if value is None or isinstance(value, SecretStr):
        return value
    if isinstance(value, EnvValue) and value.whole:
        if value == "":
            raise PydanticCustomError(
                EMPTY_SECRET,
                "environment variable {variable} is set but empty",
                {"variable": value.variables[0]},
            )
        return SecretStr(str(value))
    # Never echo the value: it may be a real secret typed into the file.
    raise PydanticCustomError(
        LITERAL_SECRET,
        "secrets must not be written in the config file: put it in an environment variable "
        "and write exactly {example} here",
        {"example": "${VARIABLE}"},
    )


EnvSecret = Annotated[SecretStr, BeforeValidator(_require_env_reference)]
"""A secret field: only ``${ENV_VAR}`` in the file (or a SecretStr in code); never printed."""


def rotation_secrets(
    single: SecretStr | None, several: tuple[SecretStr, ...]
) -> tuple[SecretStr, ...]:
    """Every accepted secret of a sender: the single key, then the rotation list, each once.

    During a rotation both the old and the new secret verify; the list form
    (``client_secrets: [new, old]``) and the single key may be combined.
    """
    accepted = () if single is None else (single,)
    for secret in several:
        if all(secret.get_secret_value() != s.get_secret_value() for s in accepted):
            accepted += (secret,)
    return accepted


def reveal(secret: SecretStr | None) -> str | None:
    """Return a secret's plain value for the one place that needs it (an HTTP header, an HMAC)."""
    return None if secret is None else secret.get_secret_value()


def secrets_in(model: object) -> list[str]:
    """Every non-empty secret value in a config tree (for log redaction), longest first."""
    found: set[str] = set()
    stack: list[object] = [model]
    while stack:
        item = stack.pop()
        if isinstance(item, SecretStr):
            if value := item.get_secret_value():
                found.add(value)
        elif isinstance(item, BaseModel):
            stack.extend(getattr(item, name) for name in type(item).model_fields)
        elif isinstance(item, Mapping):
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
    return sorted(found, key=len, reverse=True)
