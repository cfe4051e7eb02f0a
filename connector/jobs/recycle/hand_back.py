"""Re-activation with HubSpot alone: the contact is handed back to an owner inside HubSpot.

Beside Salesforce, a re-activated person's Lead goes back to sales. With HubSpot alone there is
no Lead: the contact owner is the rep, so re-activation sets it again — the previous owner while
they still work here (``recycle.hand_back_to_previous_owner``; HubSpot archives a rep who left,
and its owners API then answers 404), else the routing rules' round robin among HubSpot owners —
and, where the portal uses them, opens a new Leads record (the old one was closed by the
recycle). Keys carry the episode number, so a second re-activation is a new hand-off too.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from connector.commands import Command
from connector.config import BatonConfig
from connector.jobs.lifecycle import leads
from connector.jobs.lifecycle.handoff import Route, route
from connector.jobs.lifecycle.within_hubspot import OWNER_PROPERTY, handoff_commands
from connector.ports import CrmReader


def hand_back(
    config: BatonConfig,
    session: Session,
    reader: CrmReader | None,
    contact_id: str,
    properties: Mapping[str, Any],
    previous_owner: str | None,
    episode_number: int,
    at: datetime,
) -> tuple[list[Command], str]:
    """The commands that give the contact an owner (and a Leads record) again, and why."""
    previous = previous_owner or str(properties.get(OWNER_PROPERTY) or "") or None
    chosen = _previous(config, reader, previous)
    if chosen is not None:
        why = "previous owner, still active"
    else:
        counters = leads.round_robin_counters(session)
        chosen = route(config.routing, properties, counters, in_hubspot=True)
        if chosen.team is not None and chosen.next_counter is not None:
            leads.save_counter(session, chosen.team, chosen.next_counter)
        why = f"rule {chosen.rule} → team {chosen.team}" if chosen.rule else "no rule matched"
    episode = f"reactivated-{episode_number}"
    commands = handoff_commands(config, contact_id, properties, chosen, episode, at.isoformat())
    work_item = ", new Leads record" if config.hubspot.leads_object.enabled else ""
    owner = chosen.owner_id or "unchanged"
    return list(commands), f"handed back to HubSpot owner {owner} ({why}){work_item}"


def _previous(config: BatonConfig, reader: CrmReader | None, owner: str | None) -> Route | None:
    if not (config.recycle.hand_back_to_previous_owner and owner):
        return None
    active = getattr(reader, "owner_is_active", None)
    return Route(owner, None, None) if active is not None and active(owner) else None
