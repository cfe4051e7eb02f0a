"""Pure hand-off rules: does a contact meet the written MQL definition, and who gets it.

Marketing and sales agree on the definition in config; a contact HubSpot marks MQL that fails it
is held back with a named reason (shown to marketing in HubSpot and in ``baton explain``) rather
than dumped on a rep.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from connector.config.models.criteria import Criterion
from connector.config.models.handoff import MqlDefinition
from connector.config.models.routing import RoutingConfig


def criterion_holds(criterion: Criterion, properties: Mapping[str, Any]) -> bool:
    """Evaluate one condition against HubSpot property values (which arrive as strings)."""
    actual = properties.get(criterion.property)
    present = actual not in (None, "")
    op, expected = criterion.op, criterion.value
    if op == "exists":
        return present == bool(expected)
    if not present:
        return op in ("ne", "not_in")
    text = str(actual).strip().lower()
    if op == "eq":
        return text == str(expected).strip().lower()
    if op == "ne":
        return text != str(expected).strip().lower()
    if op in ("in", "not_in"):
        found = text in {str(item).strip().lower() for item in expected}
        return found if op == "in" else not found
    if op == "contains":
        return str(expected).strip().lower() in text
    number = _number(actual)
    if number is None:
        return False
    return number >= expected if op == "gte" else number <= expected


def describe(criterion: Criterion, labels: Mapping[str, str] | None = None) -> str:
    """Human wording of a condition for hold reasons and explain output."""
    name = (labels or {}).get(criterion.property, criterion.property)
    if criterion.op == "exists":
        return f"{name} {'is filled in' if criterion.value else 'is empty'}"
    return f"{name} {criterion.op} {criterion.value!r}"


def mql_hold_reasons(
    definition: MqlDefinition,
    properties: Mapping[str, Any],
    labels: Mapping[str, str] | None = None,
) -> list[str]:
    """Every reason the contact fails the definition; empty when it passes.

    Marketing reads these in HubSpot (``baton_hold_reason``), so properties are named by their
    ``labels`` ("Number of Pageviews is 1"), the API name where no label is known.
    """
    label = (labels or {}).get
    reasons = [
        f"missing {label(name, name)}"
        for name in definition.required_properties
        if properties.get(name) in (None, "")
    ]
    reasons += [
        f"does not meet: {describe(c, labels)} (is {properties.get(c.property)!r})"
        for c in definition.criteria
        if not criterion_holds(c, properties)
    ]
    for threshold in definition.behaviour:
        value = _number(properties.get(threshold.property)) or 0.0
        if value < threshold.min:
            name = label(threshold.property, threshold.property)
            reasons.append(f"{name} is {value:g}, needs at least {threshold.min:g}")
    return reasons


@dataclass(frozen=True, slots=True)
class Route:
    """Where a lead goes: an owner (user or queue id, or None for the org default) and why."""

    owner_id: str | None
    rule: str | None
    team: str | None
    #: the team's round-robin counter after this pick (persist it)
    next_counter: int | None = None


def route(
    routing: RoutingConfig,
    properties: Mapping[str, Any],
    counters: Mapping[str, int],
    *,
    in_hubspot: bool = False,
) -> Route:
    """Apply the ordered routing rules; round-robin inside the matched team.

    ``counters`` holds each team's round-robin position; the returned ``next_counter`` is the
    value to store, so the choice is deterministic and replay-safe. ``in_hubspot`` (HubSpot-only
    mode) picks among the team's HubSpot owners and falls back to ``hubspot_fallback_owner``.
    """
    for rule in routing.rules:
        if all(criterion_holds(c, properties) for c in rule.when):
            team = routing.teams[rule.team]
            owners = team.hubspot_owners if in_hubspot else team.members
            if not owners:  # the config check refuses this; never divide by zero at run time
                continue
            position = counters.get(rule.team, 0)
            return Route(owners[position % len(owners)], rule.name, rule.team, position + 1)
    fallback = routing.hubspot_fallback_owner if in_hubspot else routing.fallback_queue
    return Route(fallback, None, None)


#: a plain number, a range "100-500" or an open range "1000+" (thousands commas removed first)
_NUMBER_OR_RANGE = re.compile(r"(-?\d+(?:\.\d+)?)(?:-\d+(?:\.\d+)?|\+)?")


def _number(value: Any) -> float | None:
    """A number from a property value; a range such as ``"100-500"`` or ``"1000+"`` counts as its
    lower bound (HubSpot's contact ``numemployees`` is a select of such ranges)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    match = _NUMBER_OR_RANGE.fullmatch(str(value or "").replace(",", "").replace(" ", ""))
    return float(match.group(1)) if match else None
