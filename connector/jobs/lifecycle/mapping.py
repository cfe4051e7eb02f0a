"""The admin's stage mapping as a pure lookup structure.

HubSpot keeps two fields (``lifecyclestage``, ``hs_lead_status``); Salesforce keeps one per object
(``Lead.Status``, a converted person's ``Contact`` field, ``Opportunity.StageName``). Each entry
pairs one HubSpot value with one Salesforce value, with a direction and a conflict policy. Unknown
values are reported by returning nothing: the rules never guess.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from connector.config.models.lifecycle import DEFAULT_STAGE_ORDER

LIFECYCLE = "lifecyclestage"
LEAD_STATUS = "hs_lead_status"


class Direction(StrEnum):
    """Which way one mapping entry may carry a change."""

    BOTH = "both"
    HUBSPOT_TO_SALESFORCE = "hubspot_to_salesforce"
    SALESFORCE_TO_HUBSPOT = "salesforce_to_hubspot"

    def allows(self, source: str) -> bool:
        """True when a change that started in ``source`` ("hubspot"/"salesforce") may cross."""
        if self is Direction.BOTH:
            return True
        return self.value.startswith(source)


class Policy(StrEnum):
    """Who wins when both sides changed: the newest change, or one side always."""

    NEWEST_WINS = "newest_wins"
    HUBSPOT_WINS = "hubspot_wins"
    SALESFORCE_WINS = "salesforce_wins"

    def source_of_truth(self) -> str | None:
        """ "hubspot"/"salesforce" for the one-side policies, None for newest-wins."""
        return {Policy.HUBSPOT_WINS: "hubspot", Policy.SALESFORCE_WINS: "salesforce"}.get(self)


@dataclass(frozen=True, slots=True)
class StageEntry:
    """One pair of equivalent values across the two CRMs."""

    hubspot_field: str
    hubspot_value: str
    salesforce_object: str
    salesforce_field: str
    salesforce_value: str
    direction: Direction = Direction.BOTH
    policy: Policy = Policy.NEWEST_WINS


@dataclass(frozen=True, slots=True)
class StageMap:
    """All entries plus HubSpot's lifecycle order (for deciding what is a backwards move)."""

    entries: tuple[StageEntry, ...]
    lifecycle_order: tuple[str, ...] = ()
    handoff_stage: str = "marketingqualifiedlead"
    _by_hubspot: dict[tuple[str, str, str], StageEntry] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        for entry in self.entries:  # first entry wins: the admin lists the preferred one first
            key = (entry.hubspot_field, entry.hubspot_value, entry.salesforce_object)
            self._by_hubspot.setdefault(key, entry)

    @property
    def hubspot_fields(self) -> frozenset[str]:
        """HubSpot properties that take part in the sync."""
        return frozenset(entry.hubspot_field for entry in self.entries)

    def salesforce_fields(self, sf_object: str) -> frozenset[str]:
        """Salesforce fields of ``sf_object`` that take part in the sync."""
        return frozenset(
            e.salesforce_field for e in self.entries if e.salesforce_object == sf_object
        )

    def to_salesforce(
        self, hubspot_field: str, value: str, sf_object: str = "Lead"
    ) -> StageEntry | None:
        """The entry that carries HubSpot ``field=value`` to ``sf_object``, if any."""
        entry = self._by_hubspot.get((hubspot_field, value, sf_object))
        if entry is None or not entry.direction.allows("hubspot"):
            return None
        return entry

    def to_hubspot(self, sf_object: str, sf_field: str, value: str) -> list[StageEntry]:
        """Entries carrying Salesforce ``object.field=value`` to HubSpot, one per HubSpot field."""
        found: dict[str, StageEntry] = {}
        for entry in self.entries:
            if (
                entry.salesforce_object == sf_object
                and entry.salesforce_field == sf_field
                and entry.salesforce_value == value
                and entry.direction.allows("salesforce")
            ):
                found.setdefault(entry.hubspot_field, entry)
        return list(found.values())

    def knows_hubspot(self, hubspot_field: str, value: str) -> bool:
        """Whether the value appears in the mapping at all (in any direction)."""
        return any(
            e.hubspot_field == hubspot_field and e.hubspot_value == value for e in self.entries
        )

    def equivalent(
        self, hubspot_field: str, hubspot_value: str | None, sf_value: str | None
    ) -> bool:
        """True when the two sides already agree (some entry pairs exactly these values)."""
        return any(
            e.hubspot_field == hubspot_field
            and e.hubspot_value == hubspot_value
            and e.salesforce_value == sf_value
            for e in self.entries
        )

    def is_backwards(self, current: str | None, target: str) -> bool:
        """True when moving ``lifecyclestage`` from ``current`` to ``target`` goes back in order.

        HubSpot silently ignores such a write, so the adapter must clear the field first.
        """
        if not current or current == target:
            return False
        order = {stage: index for index, stage in enumerate(self.lifecycle_order)}
        if current not in order or target not in order:
            return False
        return order[target] < order[current]

    def with_order(self, order: Sequence[str]) -> StageMap:
        """A copy with the lifecycle order read from HubSpot's property definition."""
        return StageMap(self.entries, tuple(order), self.handoff_stage)


#: HubSpot's default lifecyclestage order (one definition, in the config models)
DEFAULT_LIFECYCLE_ORDER = DEFAULT_STAGE_ORDER


def entries_from_pairs(
    pairs: Iterable[tuple[str, str, str]],
    *,
    hubspot_field: str = LIFECYCLE,
    salesforce_object: str = "Lead",
    salesforce_field: str = "Status",
) -> tuple[StageEntry, ...]:
    """Build entries from ``(hubspot_value, salesforce_value, direction)`` triples (tests, demo)."""
    return tuple(
        StageEntry(hubspot_field, hs, salesforce_object, salesforce_field, sf, Direction(direction))
        for hs, sf, direction in pairs
    )
