"""Turn configured secrets (one value or several, during a rotation) into plain strings."""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import SecretStr


def secret_values(*configured: object) -> list[str]:
    """Plain values of every non-empty secret given (SecretStr, str, or iterables of them).

    Receivers verify against all of them, so a new secret can be added before the old one is
    removed (rotation without refused webhooks).
    """
    values: list[str] = []
    for item in configured:
        if item is None:
            continue
        if isinstance(item, SecretStr):
            item = item.get_secret_value()
        if isinstance(item, str):
            if item:
                values.append(item)
        elif isinstance(item, Iterable):
            values.extend(secret_values(*item))
    return values
