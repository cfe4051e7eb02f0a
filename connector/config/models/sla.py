"""The SLA section: the business calendar and the promises sales makes on handed-off leads."""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator, model_validator

from connector.config.issues import ProblemCollector
from connector.config.models.base import ConfigModel
from connector.config.models.calendar import BusinessCalendar, WorkingHours, known_zone
from connector.config.models.fields import Identifier, find_duplicates, is_hubspot_owner_id
from connector.config.salesforce_ids import to_18

ALL_TEAMS = "all"


class SlaPolicy(ConfigModel):
    """What sales promises on leads of the named teams (or of every team)."""

    name: Identifier = Field(description="Short name shown on the scorecard.")
    applies_to: tuple[Identifier, ...] = Field(
        default=(ALL_TEAMS,), description='Team names from routing.teams, or "all".'
    )
    first_response_business_hours: float = Field(
        default=4, gt=0, le=1000, description="Business hours until the first logged touch."
    )
    min_touches_before_disqualify: int = Field(
        default=3, ge=0, description="Touches required before a lead may be disqualified."
    )
    require_disqualification_reason: bool = Field(
        default=True, description="A disqualification without a reason is a breach."
    )

    @field_validator("applies_to", mode="before")
    @classmethod
    def _one_name_is_a_list(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @field_validator("applies_to")
    @classmethod
    def _all_stands_alone(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value:
            raise ValueError('name at least one team, or "all"')
        if ALL_TEAMS in value and len(value) > 1:
            raise ValueError('"all" already covers every team; list teams or "all", not both')
        repeats = sorted({value[i] for i in find_duplicates(list(value))})
        if repeats:
            raise ValueError(f"listed twice: {', '.join(repeats)}")
        return value

    @property
    def applies_to_all(self) -> bool:
        """True for the catch-all policy."""
        return self.applies_to == (ALL_TEAMS,)


class OwnerCalendarConfig(ConfigModel):
    """One owner's own time zone and/or hours (holidays and closures stay the company's)."""

    timezone: str | None = Field(
        default=None, description="The owner's IANA time zone (none = the company's)."
    )
    working_hours: WorkingHours | None = Field(
        default=None, description="The owner's hours per weekday (none = the company's)."
    )
    salesforce_business_hours: str | None = Field(
        default=None,
        description="Name of a Salesforce BusinessHours record: its hours, and its time zone "
        "unless timezone is set.",
    )

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        return None if value is None else known_zone(value)

    @model_validator(mode="after")
    def _one_source_of_hours(self) -> OwnerCalendarConfig:
        if self.working_hours is not None and self.salesforce_business_hours is not None:
            raise ValueError("give working_hours or salesforce_business_hours, not both")
        return self


class SlaConfig(ConfigModel):
    """Business calendar plus SLA policies; a team's own policy beats the "all" policy."""

    calendar: BusinessCalendar = Field(
        default_factory=BusinessCalendar, description="When the SLA clock runs."
    )
    policies: tuple[SlaPolicy, ...] = Field(
        default=(SlaPolicy(name="default"),), description="SLA policies, at most one per team."
    )
    working_statuses: tuple[str, ...] = Field(
        default=("Working - Contacted",),
        description="Salesforce Lead statuses that count as the owner's first touch.",
    )
    hubspot_working_statuses: tuple[str, ...] = Field(
        default=("ATTEMPTED_TO_CONTACT", "CONNECTED", "IN_PROGRESS"),
        description="HubSpot alone: contact hs_lead_status values that count as the first touch.",
    )
    owner_calendars: dict[str, OwnerCalendarConfig] = Field(
        default_factory=dict,
        description="Owner (Salesforce user id or HubSpot owner id) → their own time zone "
        "and/or hours.",
    )
    owner_timezones_from_salesforce: bool = Field(
        default=False,
        description="Read each Salesforce owner's time zone from User.TimeZoneSidKey (an owner "
        "in owner_calendars with a timezone keeps that one).",
    )
    owner_calendars_from_hubspot: bool = Field(
        default=False,
        description="Read each HubSpot owner's time zone and working hours from their HubSpot "
        "user (Users object hs_standard_time_zone, hs_working_hours; scope "
        "crm.objects.users.read); an owner in owner_calendars keeps what it sets there.",
    )

    @field_validator("owner_calendars")
    @classmethod
    def _owners_are_ids(
        cls, value: dict[str, OwnerCalendarConfig]
    ) -> dict[str, OwnerCalendarConfig]:
        problems = ProblemCollector()
        normalised: dict[str, OwnerCalendarConfig] = {}
        for owner, calendar in value.items():
            if is_hubspot_owner_id(owner):
                normalised[owner] = calendar
            elif owner.startswith("005") and len(owner) in (15, 18):
                normalised[to_18(owner)] = calendar
            else:
                problems.add(
                    (owner,), f"{owner!r} is neither a Salesforce user id nor a HubSpot owner id"
                )
        problems.raise_if_any()
        return normalised

    @model_validator(mode="after")
    def _one_policy_per_team(self) -> SlaConfig:
        problems = ProblemCollector()
        names = [policy.name for policy in self.policies]
        for index, first in find_duplicates(names).items():
            problems.add(("policies", index, "name"), f"name also used by policies[{first}]")
        claimed: dict[str, int] = {}
        for index, policy in enumerate(self.policies):
            for team_index, team in enumerate(policy.applies_to):
                if team in claimed:
                    what = "a catch-all" if team == ALL_TEAMS else f"team {team!r}"
                    problems.add(
                        ("policies", index, "applies_to", team_index),
                        f"{what} already has policies[{claimed[team]}]",
                    )
                else:
                    claimed[team] = index
        problems.raise_if_any()
        return self

    def policy_for(self, team: str | None) -> SlaPolicy | None:
        """The policy for ``team``: its own, else the catch-all, else None (no SLA)."""
        fallback = None
        for policy in self.policies:
            if team is not None and team in policy.applies_to:
                return policy
            if policy.applies_to_all:
                fallback = policy
        return fallback
