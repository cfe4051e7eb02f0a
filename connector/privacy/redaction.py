"""Replacing one person's values wherever they appear in a stored value (pure).

An erasure keeps the rows that aggregates count (SLA clocks, recycle episodes, credit shares) and
replaces the person's identifiers in them: a CRM id becomes a stable tombstone (``erased_…``,
the same for every row, so counts per person still add up), an e-mail address or a name becomes
``[erased]``. Matching is on whole tokens, so the contact id ``101`` does not touch ``1010``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from connector.privacy.fields import ERASED, is_personal

_BEFORE = r"(?<![A-Za-z0-9_.+'-])"
_AFTER = r"(?![A-Za-z0-9_-])"


@dataclass
class Redactor:
    """Replaces ``replacements`` (needle → stand-in) in text, JSON values and numbers.

    ``drop_personal`` also removes personal fields from mappings: used on the person's own rows,
    not on rows of other records that merely mention the person.
    """

    replacements: Mapping[str, str]
    drop_personal: bool = False
    _pattern: re.Pattern[str] | None = field(init=False, default=None)
    _lookup: dict[str, str] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        usable = {k: v for k, v in self.replacements.items() if k}
        self._lookup = {k.lower(): v for k, v in usable.items()}
        if usable:
            alternatives = "|".join(re.escape(k) for k in sorted(usable, key=len, reverse=True))
            self._pattern = re.compile(f"{_BEFORE}(?:{alternatives}){_AFTER}", re.IGNORECASE)

    @property
    def needles(self) -> list[str]:
        """The values searched for (what a SQL pre-filter looks for)."""
        return [k for k in self.replacements if k]

    def text(self, text: str) -> str:
        """``text`` with every needle replaced."""
        if self._pattern is None:
            return text
        return self._pattern.sub(lambda m: self._lookup.get(m.group().lower(), ERASED), text)

    def value(self, value: Any) -> Any:
        """A JSON-like value with every needle replaced (and personal fields dropped if asked)."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, bool) or value is None:
            return value
        if isinstance(value, int):
            replaced = self._lookup.get(str(value))
            return value if replaced is None else replaced
        if isinstance(value, Mapping):
            return {
                self.text(k): self.value(v)
                for k, v in value.items()
                if not (self.drop_personal and is_personal(k))
            }
        if isinstance(value, list | tuple):
            return [self.value(item) for item in value]
        return value
