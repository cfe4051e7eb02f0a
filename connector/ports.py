"""What the core needs from the outside world, as small Protocols the adapters implement.

The worker depends on these, never on hubspot-api-client or simple-salesforce directly, so rules
and the worker are tested with in-memory fakes and the adapters are tested against the sandboxes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from connector.commands import Command, CommandResult, System


@dataclass(frozen=True, slots=True)
class CrmRecord:
    """A record as read from a CRM: provider id, provider object type, field values."""

    object_type: str
    object_id: str
    fields: Mapping[str, Any] = field(default_factory=dict)


class CrmWriter(Protocol):
    """Carries out commands against one system, batching as the system allows."""

    system: System

    def execute(self, commands: Sequence[Command]) -> list[CommandResult]:
        """Run ``commands`` (all for this system); return one result per command, any order.

        Must not raise for a CRM's refusal of one command: that is a DEAD or RETRY result. May
        raise only for programming errors.
        """
        ...


class CrmReader(Protocol):
    """Reads current records, in batches, for the rules' decisions."""

    system: System

    def read(
        self, object_type: str, object_ids: Sequence[str], fields: Sequence[str]
    ) -> dict[str, CrmRecord]:
        """Return the records that exist, keyed by id (missing ids are simply absent)."""
        ...

    def find_by_email(self, object_type: str, email: str, fields: Sequence[str]) -> list[CrmRecord]:
        """Records whose e-mail matches (case-insensitive); the link fallback."""
        ...
