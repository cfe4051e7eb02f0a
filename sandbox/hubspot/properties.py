"""Property definitions and value validation, as HubSpot's Properties API describes them.

Pure: no HTTP, no clock. `PropertyRegistry.check` turns a caller's property dict into normalised
values or the list of problems HubSpot reports (PROPERTY_DOESNT_EXIST, INVALID_OPTION, ...).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from .groups import PropertyGroup

FIELD_TYPES = {
    "string": "text",
    "number": "number",
    "date": "date",
    "datetime": "date",
    "enumeration": "select",
    "bool": "booleancheckbox",
    "phone_number": "phonenumber",
}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass
class Option:
    """One enumeration option; `display_order` gives, among others, lifecycle stage order."""

    value: str
    label: str
    display_order: int
    hidden: bool = False
    description: str = ""

    def to_api(self) -> dict[str, Any]:
        """The Option JSON."""
        return {
            "label": self.label,
            "value": self.value,
            "displayOrder": self.display_order,
            "hidden": self.hidden,
            "description": self.description,
        }


@dataclass
class PropertyDef:
    """One property of one object type."""

    name: str
    type: str  # string | number | date | datetime | enumeration | bool
    label: str = ""
    group_name: str = "information"
    field_type: str | None = None
    options: list[Option] = field(default_factory=list)
    read_only: bool = False  # calculated by HubSpot; API writes get READ_ONLY_VALUE
    has_unique_value: bool = False
    hubspot_defined: bool = True
    description: str = ""
    created_at_ms: int = 0
    external_options: bool = False  # options come from elsewhere (owners, pipelines)

    def __post_init__(self) -> None:
        if self.type not in FIELD_TYPES:
            raise ValueError(f"unknown property type {self.type!r} for {self.name!r}")
        if not self.label:
            self.label = self.name.replace("_", " ").capitalize()
        if self.field_type is None:
            self.field_type = FIELD_TYPES[self.type]

    def ordered_options(self) -> list[Option]:
        """Options sorted by displayOrder (ties keep definition order)."""
        return sorted(self.options, key=lambda o: o.display_order)

    def to_api(self) -> dict[str, Any]:
        """The ModelProperty JSON."""
        iso = _iso(self.created_at_ms)
        return {
            "name": self.name,
            "label": self.label,
            "type": self.type,
            "fieldType": self.field_type,
            "description": self.description,
            "groupName": self.group_name,
            "options": [o.to_api() for o in self.ordered_options()],
            "displayOrder": -1,
            "calculated": self.read_only,
            "externalOptions": self.external_options,
            "hasUniqueValue": self.has_unique_value,
            "hidden": False,
            "hubspotDefined": self.hubspot_defined,
            "formField": not self.read_only,
            "createdAt": iso,
            "updatedAt": iso,
            "archived": False,
            "modificationMetadata": {
                "archivable": not self.hubspot_defined,
                "readOnlyDefinition": self.hubspot_defined,
                "readOnlyValue": self.read_only,
            },
        }


@functools.lru_cache(maxsize=8192)
def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.") + (
        f"{ms % 1000:03d}Z"
    )


def iso_from_ms(ms: int) -> str:
    """Milliseconds since the epoch as HubSpot's ISO form, e.g. 2024-05-01T12:00:00.000Z."""
    return _iso(ms)


def ms_from_value(value: str) -> int | None:
    """Parse a datetime value as HubSpot accepts it (ms epoch or ISO 8601) into ms, else None."""
    text = value.strip()
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return int(parsed.timestamp() * 1000)


@dataclass(frozen=True)
class Problem:
    """One invalid property value, in HubSpot's vocabulary."""

    name: str
    error: str
    message: str

    def as_dict(self) -> dict[str, str]:
        """The pieces `errors.property_problems` embeds in the error message."""
        return {"name": self.name, "error": self.error, "message": self.message}


class PropertyRegistry:
    """All property definitions of the portal, per object type."""

    def __init__(self) -> None:
        self._defs: dict[str, dict[str, PropertyDef]] = {}
        #: Extra validators for properties whose options live elsewhere (owners, pipelines).
        self.external_validators: dict[str, Callable[[str], bool]] = {}
        #: property groups per object type: group name -> PropertyGroup
        self.groups: dict[str, dict[str, PropertyGroup]] = {}

    def add_group(self, object_type: str, group: PropertyGroup) -> PropertyGroup:
        """Define a property group of one object type."""
        self.groups.setdefault(object_type, {})[group.name] = group
        return group

    def has_group(self, object_type: str, name: str) -> bool:
        """Whether the object type has a group of that name."""
        return name in self.groups.get(object_type, {})

    def add(self, object_type: str, prop: PropertyDef) -> PropertyDef:
        """Define (or redefine) a property; its group comes into being if it is new."""
        self._defs.setdefault(object_type, {})[prop.name] = prop
        if not self.has_group(object_type, prop.group_name):
            label = prop.group_name.replace("_", " ").capitalize()
            self.add_group(object_type, PropertyGroup(prop.group_name, label))
        return prop

    def get(self, object_type: str, name: str) -> PropertyDef | None:
        """One definition, or None if the portal has no such property."""
        return self._defs.get(object_type, {}).get(name)

    def all(self, object_type: str) -> list[PropertyDef]:
        """Every definition of one object type."""
        return list(self._defs.get(object_type, {}).values())

    def remove(self, object_type: str, name: str) -> bool:
        """Archive a custom property; True if it existed."""
        return self._defs.get(object_type, {}).pop(name, None) is not None

    def check(
        self, object_type: str, values: dict[str, Any], *, allow_read_only: bool = False
    ) -> tuple[dict[str, str], list[Problem]]:
        """Validate and normalise values; returns (normalised, problems)."""
        normalised: dict[str, str] = {}
        problems: list[Problem] = []
        for name, raw in values.items():
            prop = self.get(object_type, name)
            if prop is None:
                problems.append(
                    Problem(name, "PROPERTY_DOESNT_EXIST", f'Property "{name}" does not exist')
                )
                continue
            if prop.read_only and not allow_read_only:
                problems.append(
                    Problem(
                        name,
                        "READ_ONLY_VALUE",
                        f"{name} is a read only property; its value cannot be set.",
                    )
                )
                continue
            value = "" if raw is None else (raw if isinstance(raw, str) else _stringify(raw))
            result = self._check_value(object_type, prop, value)
            if isinstance(result, Problem):
                problems.append(result)
            else:
                normalised[name] = result
        return normalised, problems

    def _check_value(self, object_type: str, prop: PropertyDef, value: str) -> str | Problem:
        if value == "":
            return ""
        if prop.type == "number":
            try:
                number = Decimal(value.strip())
            except InvalidOperation:
                return Problem(prop.name, "INVALID_INTEGER", f"{value} was not a valid number.")
            if not number.is_finite():
                return Problem(prop.name, "INVALID_INTEGER", f"{value} was not a valid number.")
            return _number_text(number)
        if prop.type == "bool":
            lowered = value.strip().lower()
            if lowered not in ("true", "false"):
                return Problem(prop.name, "INVALID_BOOLEAN", f"{value} was not a valid boolean.")
            return lowered
        if prop.type in ("datetime", "date"):
            ms = ms_from_value(value)
            if ms is None:
                code = "INVALID_DATE" if prop.type == "date" else "INVALID_DATETIME"
                return Problem(prop.name, code, f"{value} was not a valid {prop.type}.")
            if prop.type == "date":
                if ms % 86_400_000:
                    return Problem(
                        prop.name,
                        "INVALID_DATE",
                        f"{value} is at {ms % 86_400_000} ms past midnight UTC; "
                        "date properties take midnight UTC.",
                    )
                return _iso(ms)[:10]
            return _iso(ms)
        if prop.type == "enumeration":
            external = self.external_validators.get(f"{object_type}.{prop.name}")
            if external is not None:
                if not external(value):
                    return Problem(
                        prop.name, "INVALID_OPTION", f"{value} was not one of the allowed options"
                    )
                return value
            allowed = {o.value for o in prop.options}
            chosen = value.split(";") if prop.field_type == "checkbox" else [value]
            for item in chosen:
                if item not in allowed:
                    listing = ", ".join(
                        f'[label: "{o.label}" value: "{o.value}"]' for o in prop.ordered_options()
                    )
                    return Problem(
                        prop.name,
                        "INVALID_OPTION",
                        f"{item} was not one of the allowed options: {listing}",
                    )
            return value
        if prop.name == "email" or prop.name.endswith("_email"):
            if not _EMAIL.match(value.strip()):
                return Problem(prop.name, "INVALID_EMAIL", f"Email address {value} is invalid")
            return value.strip().lower() if prop.name == "email" else value.strip()
        return value


def _stringify(raw: Any) -> str:
    if isinstance(raw, bool):
        return "true" if raw else "false"
    return str(raw)


def _number_text(number: Decimal) -> str:
    if number == number.to_integral_value():
        return str(number.quantize(Decimal(1)))
    return format(number.normalize(), "f")


def options_from(spec: Iterable[Any] | None) -> list[Option]:
    """Build options from strings, (value, label) pairs or dicts with value/label/displayOrder."""
    result: list[Option] = []
    for index, item in enumerate(spec or ()):
        if isinstance(item, Option):
            result.append(item)
        elif isinstance(item, str):
            result.append(Option(item, item, index))
        elif isinstance(item, tuple | list) and len(item) in (2, 3):
            order = int(item[2]) if len(item) == 3 else index
            result.append(Option(str(item[0]), str(item[1]), order))
        elif isinstance(item, dict) and "value" in item:
            result.append(
                Option(
                    str(item["value"]),
                    str(item.get("label", item["value"])),
                    int(item.get("displayOrder", item.get("display_order", index))),
                    bool(item.get("hidden", False)),
                    str(item.get("description", "")),
                )
            )
        else:
            raise ValueError(f"cannot read an enumeration option from {item!r}")
    return result
