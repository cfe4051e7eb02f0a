"""Who a ladder step reaches: the owner, their manager or director, or a fixed address.

Managers come from Salesforce ``User.ManagerId`` (read through the job's readers, one level at a
time, so a cache miss costs one replay per level), else ``escalation.managers``; inactive people
are passed over (``rules.manager_chain``). ``escalation.managers`` may name a HubSpot owner id
(digits) beside Salesforce too: that person is reached as a HubSpot owner (address from the
owners API, ``crm_task`` as a HubSpot task). Only ids leave here; the notify writer looks up the
address when it sends.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from connector.commands import System
from connector.config.models.escalation import ROLES, EscalationConfig
from connector.jobs.sla.rules import Person, manager_chain
from connector.ports import CrmReader

USER_FIELDS = ("ManagerId", "IsActive")


@dataclass(frozen=True, slots=True)
class Recipient:
    """A Salesforce user or a fixed address (neither: the step has nobody to reach)."""

    role: str
    user_id: str | None = None
    address: str | None = None
    note: str = ""

    @property
    def suffix(self) -> str:
        """The note as an audit-line tail."""
        return f" ({self.note})" if self.note else ""


def recipient_for(
    notify: str,
    owner: str,
    readers: Mapping[System, CrmReader],
    escalation: EscalationConfig,
) -> Recipient:
    """The person or address a step's ``notify`` names, for a lead owned by ``owner``.

    A HubSpot owner (digits; with HubSpot alone, everyone) has no manager in the CRM: the chain
    above them comes from ``escalation.managers`` only.
    """
    if notify not in ROLES:
        return Recipient("address", address=notify)
    if notify == "owner":
        return Recipient("owner", user_id=owner)
    levels = ROLES.index(notify)  # manager 1, director 2
    users = _read_chain(owner, readers.get(System.SALESFORCE), escalation, levels)
    chain = manager_chain(owner, users, escalation.managers, levels)
    found = chain[levels - 1]
    if found is None:
        return Recipient(notify, note=f"no active {notify} above {owner}")
    direct = _direct(owner, users, escalation, levels)
    note = "" if direct == found else "an inactive manager was passed over"
    return Recipient(notify, user_id=found, note=note)


def _read_chain(
    owner: str, reader: CrmReader | None, escalation: EscalationConfig, levels: int
) -> dict[str, Person]:
    """Users from the owner upwards, read until everyone the chain names has been read.

    Someone not read yet counts as active, so each read may extend the chain by the people an
    inactive manager passes the level to; the loop ends when the chain holds nobody unread.
    """
    users: dict[str, Person] = {}
    if reader is None:
        return users
    asked: set[str] = set()
    wanted = [owner]
    while wanted and len(asked) < 4 * (levels + 1):
        asked.update(u[:15] for u in wanted)
        for user_id, record in reader.read("User", wanted, USER_FIELDS).items():
            manager = record.fields.get("ManagerId")
            users[user_id] = Person(
                user_id, bool(record.fields.get("IsActive")), str(manager) if manager else None
            )
        chain = manager_chain(owner, users, escalation.managers, levels)
        wanted = [p for p in chain if p and _is_user(p) and p[:15] not in asked]
    return users


def _direct(
    owner: str, users: Mapping[str, Person], escalation: EscalationConfig, levels: int
) -> str | None:
    """The level's person if nobody were inactive (to say when someone was passed over)."""
    current: str | None = owner
    for _ in range(levels):
        if current is None:
            return None
        known = next((p for k, p in users.items() if k[:15] == current[:15]), None)
        current = (known.manager_id if known else None) or escalation.manager_of(current)
    return current


def _is_user(record_id: str) -> bool:
    """A Salesforce user id (005…): the only people a lead's ladder can read and mail."""
    return record_id.startswith("005")
