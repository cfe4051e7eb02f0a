"""Owners (`/crm/v3/owners`): read-only people and queues. No manager field, as in HubSpot."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .properties import iso_from_ms


@dataclass
class Owner:
    """One owner. `id` goes into `hubspot_owner_id`; `user_id` is the HubSpot user."""

    id: str
    email: str
    first_name: str
    last_name: str
    user_id: int | None
    teams: list[dict[str, Any]] = field(default_factory=list)
    archived: bool = False
    type: str = "PERSON"
    created_at_ms: int = 0
    updated_at_ms: int = 0

    def to_api(self) -> dict[str, Any]:
        """The PublicOwner JSON (archived owners keep only userIdIncludingInactive)."""
        return {
            "id": self.id,
            "email": self.email,
            "firstName": self.first_name,
            "lastName": self.last_name,
            "type": self.type,
            "userId": None if self.archived else self.user_id,
            "userIdIncludingInactive": self.user_id,
            "createdAt": iso_from_ms(self.created_at_ms),
            "updatedAt": iso_from_ms(self.updated_at_ms),
            "archived": self.archived,
            "teams": list(self.teams),
        }


def normalise_teams(teams: list[Any] | None, next_team_id: Any) -> list[dict[str, Any]]:
    """Teams given as names or dicts -> PublicTeam dicts; the first is primary unless said."""
    result: list[dict[str, Any]] = []
    for index, team in enumerate(teams or []):
        if isinstance(team, str):
            result.append({"id": str(next_team_id(team)), "name": team, "primary": index == 0})
        elif isinstance(team, dict) and "name" in team:
            result.append(
                {
                    "id": str(team.get("id") or next_team_id(team["name"])),
                    "name": str(team["name"]),
                    "primary": bool(team.get("primary", index == 0)),
                }
            )
        else:
            raise ValueError(f"a team is a name or a dict with 'name', got {team!r}")
    return result
