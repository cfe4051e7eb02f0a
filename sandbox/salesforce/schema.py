"""Object and field definitions: what describe() reports and what DML and SOQL enforce.

Field lookups are case-insensitive (as in SOQL and the REST API) but every definition keeps the
exact API name, which is what the API returns (`TaskSubtype`, never `TaskSubType`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class FieldDef:
    """One field of an sObject and the rules the API applies to it.

    `picklist_source` names an sObject whose `ApiName` records are the picklist's values
    (Lead.Status comes from LeadStatus); `picklist_values` are fixed values otherwise.
    """

    name: str
    type: str
    label: str = ""
    createable: bool = True
    updateable: bool = True
    nillable: bool = True
    required: bool = False
    length: int = 255
    scale: int | None = None
    reference_to: tuple[str, ...] = ()
    relationship_name: str | None = None
    polymorphic: bool = False
    picklist_values: tuple[str, ...] = ()
    picklist_source: str | None = None
    restricted: bool = False
    external_id: bool = False
    unique: bool = False
    custom: bool = False
    calculated: bool = False
    default: Any = None
    #: False until field-level security lets the integration user see it (a field created
    #: through the Tooling API is hidden from every user until then)
    api_visible: bool = True
    #: created through the Tooling API: visible only while field-level security grants it
    needs_grant: bool = False

    @property
    def is_reference(self) -> bool:
        """True for lookup fields (and the Id field) whose values are record ids."""
        return self.type in ("reference", "id")


@dataclass(frozen=True)
class ChildRelationship:
    """A parent-to-children relationship usable in describe and SOQL subqueries."""

    name: str
    child_object: str
    field: str


@dataclass
class ObjectDef:
    """One sObject type: its key prefix, its fields and what the API may do with it."""

    name: str
    key_prefix: str
    label: str
    fields: dict[str, FieldDef] = field(default_factory=dict)
    createable: bool = True
    updateable: bool = True
    deletable: bool = True
    queryable: bool = True
    replicateable: bool = True
    has_owner: bool = False
    child_relationships: list[ChildRelationship] = field(default_factory=list)
    _by_lower: dict[str, FieldDef] = field(default_factory=dict, repr=False)
    _by_relationship: dict[str, FieldDef] = field(default_factory=dict, repr=False)

    def add(self, definition: FieldDef) -> None:
        """Add (or replace) a field definition."""
        self.fields[definition.name] = definition
        self._by_lower[definition.name.lower()] = definition
        if definition.relationship_name:
            self._by_relationship[definition.relationship_name.lower()] = definition

    def field(self, name: str) -> FieldDef | None:
        """Find a field the API user can see, by name, ignoring case."""
        found = self._by_lower.get(name.lower())
        return found if found is not None and found.api_visible else None

    def any_field(self, name: str) -> FieldDef | None:
        """Find a field, visible or not (for set-up: a name is taken either way)."""
        return self._by_lower.get(name.lower())

    def visible_fields(self) -> list[FieldDef]:
        """The fields the API user can see, in definition order."""
        return [f for f in self.fields.values() if f.api_visible]

    def relationship(self, name: str) -> FieldDef | None:
        """Find the lookup field behind a relationship name (`Owner` -> OwnerId), ignoring case."""
        return self._by_relationship.get(name.lower())

    def child_relationship(self, name: str) -> ChildRelationship | None:
        """Find a child relationship (`Contacts` on Account), ignoring case."""
        lowered = name.lower()
        return next((c for c in self.child_relationships if c.name.lower() == lowered), None)


class Schema:
    """All object definitions of one org, looked up by name or key prefix."""

    def __init__(self) -> None:
        self._objects: dict[str, ObjectDef] = {}
        self._by_prefix: dict[str, ObjectDef] = {}

    def register(self, definition: ObjectDef) -> None:
        """Add an object definition."""
        self._objects[definition.name.lower()] = definition
        self._by_prefix.setdefault(definition.key_prefix, definition)

    def remove(self, name: str) -> None:
        """Drop an object (e.g. CampaignInfluence when the feature is off)."""
        definition = self._objects.pop(name.lower(), None)
        if definition and self._by_prefix.get(definition.key_prefix) is definition:
            del self._by_prefix[definition.key_prefix]

    def get(self, name: str) -> ObjectDef | None:
        """Find an object by name, ignoring case."""
        return self._objects.get(name.lower())

    def by_prefix(self, prefix: str) -> ObjectDef | None:
        """Find the object whose ids start with `prefix`."""
        return self._by_prefix.get(prefix)

    def objects(self) -> list[ObjectDef]:
        """All objects, in registration order."""
        return list(self._objects.values())

    def link_children(self) -> None:
        """Derive every object's child relationships from the lookups that point at it."""
        for parent in self._objects.values():
            parent.child_relationships = [
                c for c in parent.child_relationships if c.name.startswith("_")
            ]
        for child in self._objects.values():
            for definition in child.fields.values():
                child_name = _CHILD_NAMES.get((child.name, definition.name))
                if not child_name:
                    continue
                for target in definition.reference_to:
                    parent = self.get(target)
                    if parent is not None:
                        parent.child_relationships.append(
                            ChildRelationship(child_name, child.name, definition.name)
                        )


# Map (child object, lookup field): relationship name on the parent, as in the real schema.
_CHILD_NAMES = {
    ("Contact", "AccountId"): "Contacts",
    ("Opportunity", "AccountId"): "Opportunities",
    ("OpportunityContactRole", "OpportunityId"): "OpportunityContactRoles",
    ("OpportunityContactRole", "ContactId"): "OpportunityContactRoles",
    ("OpportunityLineItem", "OpportunityId"): "OpportunityLineItems",
    ("CampaignMember", "LeadId"): "CampaignMembers",
    ("CampaignMember", "ContactId"): "CampaignMembers",
    ("CampaignMember", "CampaignId"): "CampaignMembers",
    ("CampaignMemberStatus", "CampaignId"): "CampaignMemberStatuses",
    ("CampaignInfluence", "OpportunityId"): "CampaignInfluences",
    ("CampaignInfluence", "CampaignId"): "CampaignInfluences",
    ("Task", "WhoId"): "Tasks",
    ("Task", "WhatId"): "Tasks",
    ("Event", "WhoId"): "Events",
    ("Event", "WhatId"): "Events",
    ("Opportunity", "CampaignId"): "Opportunities",
}
