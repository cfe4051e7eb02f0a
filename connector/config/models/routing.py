"""The routing section: which sales team gets a handed-off lead, and who in the team."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from connector.config.issues import ProblemCollector, did_you_mean
from connector.config.models.base import ConfigModel
from connector.config.models.criteria import Criterion
from connector.config.models.fields import (
    HubSpotOwnerId,
    Identifier,
    SalesforceQueueId,
    SalesforceUserId,
    find_duplicates,
)


class Team(ConfigModel):
    """A group of reps that leads are shared across: Salesforce users, HubSpot owners or both.

    Which list a hand-off uses follows the connected CRMs (``cross_checks.routing_fits_crms``):
    ``members`` whenever Salesforce is connected, ``hubspot_owners`` when HubSpot is alone.
    """

    members: tuple[SalesforceUserId, ...] = Field(
        default=(), description="Salesforce User ids (005…) of the team's reps."
    )
    hubspot_owners: tuple[HubSpotOwnerId, ...] = Field(
        default=(), description="HubSpot owner ids (digits) of the same reps: HubSpot-only mode."
    )
    strategy: Literal["round_robin"] = Field(
        default="round_robin", description="How a lead picks a member."
    )

    @model_validator(mode="after")
    def _members_once(self) -> Team:
        problems = ProblemCollector()
        if not self.members and not self.hubspot_owners:
            problems.add(("members",), "a team needs members (Salesforce) or hubspot_owners")
        for index, first in find_duplicates(list(self.members)).items():
            problems.add(("members", index), f"same user as members[{first}]")
        for index, first in find_duplicates(list(self.hubspot_owners)).items():
            problems.add(("hubspot_owners", index), f"same owner as hubspot_owners[{first}]")
        problems.raise_if_any()
        return self


class RoutingRule(ConfigModel):
    """If every condition holds, the lead goes to ``team``. Rules are tried in order."""

    name: Identifier = Field(description="Short name shown in `baton explain`.")
    when: tuple[Criterion, ...] = Field(
        default=(), description="Conditions on HubSpot properties; empty matches everything."
    )
    team: Identifier = Field(description="Name of a team under routing.teams.")


class RoutingConfig(ConfigModel):
    """Ordered routing rules; the first match wins, otherwise the fallback queue."""

    rules: tuple[RoutingRule, ...] = Field(default=(), description="Tried top to bottom.")
    teams: dict[Identifier, Team] = Field(default_factory=dict, description="Teams by name.")
    fallback_queue: SalesforceQueueId | None = Field(
        default=None, description="Queue (00G…) for leads no rule matches; none = org default."
    )
    hubspot_fallback_owner: HubSpotOwnerId | None = Field(
        default=None,
        description="HubSpot-only mode: owner for contacts no rule matches; none = owner kept.",
    )

    @model_validator(mode="after")
    def _rules_name_real_teams(self) -> RoutingConfig:
        problems = ProblemCollector()
        names = [rule.name for rule in self.rules]
        for index, first in find_duplicates(names).items():
            problems.add(("rules", index, "name"), f"rule name also used by rules[{first}]")
        for index, rule in enumerate(self.rules):
            if rule.team not in self.teams:
                problems.add(
                    ("rules", index, "team"),
                    f"unknown team {rule.team!r}{did_you_mean(rule.team, list(self.teams))}",
                )
        problems.raise_if_any()
        return self
