"""The escalation section: who hears about an SLA breach, when, and through which channel."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from connector.config.issues import ProblemCollector
from connector.config.models.base import ConfigModel
from connector.config.models.fields import find_duplicates, is_email, is_hubspot_owner_id
from connector.config.salesforce_ids import to_18

Channel = Literal["email", "slack", "crm_task"]
Language = Literal["en", "nl"]
ROLES = ("owner", "manager", "director")


def _once(channels: tuple[str, ...]) -> tuple[str, ...]:
    """Each channel at most once in a step's (or the per-rep ladder's) list."""
    if find_duplicates(list(channels)):
        raise ValueError("a channel is listed twice")
    return channels


class EscalationStep(ConfigModel):
    """One rung: ``after_business_hours`` past the deadline, tell ``notify`` via ``channels``."""

    after_business_hours: float = Field(
        ge=0, description="Business hours after the breach (0 = at the breach)."
    )
    notify: str = Field(description="owner, manager, director, or an e-mail address.")
    channels: tuple[Channel, ...] = Field(
        default=("email",), min_length=1, description="email, slack and/or crm_task."
    )

    @field_validator("notify")
    @classmethod
    def _role_or_address(cls, value: str) -> str:
        if value.lower() in ROLES:
            return value.lower()
        if not is_email(value):
            raise ValueError(f"{value!r} is not owner, manager, director or an e-mail address")
        return value

    @field_validator("channels")
    @classmethod
    def _channels_once(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return _once(value)

    @property
    def notifies_role(self) -> bool:
        """True when the target is a person found through the record (not a fixed address)."""
        return self.notify in ROLES

    @model_validator(mode="after")
    def _task_needs_a_user(self) -> EscalationStep:
        if "crm_task" in self.channels and not self.notifies_role:
            raise ValueError("a crm_task needs a CRM user: notify owner, manager or director")
        return self


class PerRepLadder(ConfigModel):
    """The agreement's own ladder: a rep's first missed lead in a period tells their manager,
    the second their director; every further miss in that period tells the last step again
    (a rep who keeps missing is the last step's business, not a reason to fall silent)."""

    period: Literal["week", "month"] = Field(
        default="week",
        description="Misses are counted per ISO week (Monday) or calendar month, on the "
        "sla.calendar's clock.",
    )
    steps: tuple[str, ...] = Field(
        default=("manager", "director"),
        min_length=1,
        description="Who hears of the 1st, 2nd, … miss: manager, director or an e-mail address.",
    )
    channels: tuple[Literal["email", "slack"], ...] = Field(
        default=("email",), min_length=1, description="email and/or slack."
    )

    @field_validator("steps")
    @classmethod
    def _roles_or_addresses(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        checked = []
        for item in value:
            role = item.lower()
            if role == "owner":
                raise ValueError("the per-rep ladder tells the people above the rep, not the rep")
            if role in ROLES:
                checked.append(role)
            elif is_email(item):
                checked.append(item)
            else:
                raise ValueError(f"{item!r} is not manager, director or an e-mail address")
        return tuple(checked)

    @field_validator("channels")
    @classmethod
    def _channels_once(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return _once(value)

    def step_for(self, miss: int) -> str:
        """Who hears of the rep's ``miss``-th miss (1-based) in a period."""
        return self.steps[min(miss, len(self.steps)) - 1]


def _normalise_person(value: str) -> str:
    """A Salesforce user id (normalised to 18 characters) or a HubSpot owner id (digits)."""
    if is_hubspot_owner_id(value):
        return value
    if value.startswith("005"):
        return to_18(value)
    raise ValueError(f"{value!r} is neither a Salesforce user id (005…) nor a HubSpot owner id")


class EscalationConfig(ConfigModel):
    """The ladder walked after a breach; it stops as soon as the rep acts."""

    ladder: tuple[EscalationStep, ...] = Field(
        default=(EscalationStep(after_business_hours=0, notify="owner", channels=("crm_task",)),),
        description="Steps in strictly increasing after_business_hours.",
    )
    managers: dict[str, str] = Field(
        default_factory=dict,
        description="Person → manager (Salesforce user ids or HubSpot owner ids).",
    )
    stop_when_rep_acts: bool = Field(
        default=True, description="Cancel the remaining steps once the rep logs a touch."
    )
    language: Language = Field(
        default="en", description="Language of escalation messages: en (English) or nl (Dutch)."
    )
    reassign_at_last_step: bool = Field(
        default=False,
        description="At the ladder's last step, give the lead to the next member of the owner's "
        "routing team (round-robin, once per breach).",
    )
    per_rep: PerRepLadder | None = Field(
        default=None,
        description="The per-rep ladder: a rep's 1st miss in a period tells their manager, the "
        "2nd their director (off when absent).",
    )

    @field_validator("managers")
    @classmethod
    def _people_are_ids(cls, value: dict[str, str]) -> dict[str, str]:
        problems = ProblemCollector()
        normalised: dict[str, str] = {}
        for person, manager in value.items():
            try:
                key = _normalise_person(person)
            except ValueError as exc:
                problems.add((person,), str(exc))
                continue
            try:
                normalised[key] = _normalise_person(manager)
            except ValueError as exc:
                problems.add((person,), str(exc))
            else:
                if normalised[key] == key:
                    problems.add((person,), "a person cannot be their own manager")
        problems.raise_if_any()
        for person in normalised:
            seen = [person]
            while (boss := normalised.get(seen[-1])) is not None:
                if boss in seen:
                    raise ValueError(f"managers form a loop: {' → '.join([*seen, boss])}")
                seen.append(boss)
        return normalised

    @model_validator(mode="after")
    def _ladder_increases(self) -> EscalationConfig:
        problems = ProblemCollector()
        for index in range(1, len(self.ladder)):
            previous = self.ladder[index - 1].after_business_hours
            if self.ladder[index].after_business_hours <= previous:
                problems.add(
                    ("ladder", index, "after_business_hours"),
                    f"steps must come in strictly increasing order: ladder[{index - 1}] "
                    f"is at {previous:g} hours",
                )
        problems.raise_if_any()
        return self

    @model_validator(mode="after")
    def _reassign_needs_a_step(self) -> EscalationConfig:
        if self.reassign_at_last_step and not self.ladder:
            raise ValueError("reassign_at_last_step needs a ladder with at least one step")
        return self

    def manager_of(self, person: str) -> str | None:
        """The configured manager of a Salesforce user or HubSpot owner id."""
        try:
            return self.managers.get(_normalise_person(person))
        except ValueError:
            return None
