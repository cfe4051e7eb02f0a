"""The base class every config section derives from: frozen, strict about unknown keys."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class ConfigModel(BaseModel):
    """A frozen config section that refuses unknown keys, so a typo is an error, not a default.

    Sequences are tuples so the whole tree is immutable once loaded; mappings stay dicts, which
    callers must treat as read-only.
    """

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        # YAML reads `portal_id: 12345` or `list_id: 42` as numbers; ids are strings here.
        coerce_numbers_to_str=True,
        str_strip_whitespace=True,
        validate_default=True,
    )
