"""Small constructors for field and object definitions (used by the standard object modules
and by `add_custom_field`)."""

from __future__ import annotations

import re
from typing import Any

from .schema import FieldDef, ObjectDef, Schema


def label_for(name: str) -> str:
    base = name[:-3] if name.endswith("__c") else name
    base = base[:-2] if base.endswith("Id") and len(base) > 2 else base
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", base).replace("_", " ")


def fd(name: str, field_type: str = "string", **options: Any) -> FieldDef:
    """Build a FieldDef with a label derived from the API name."""
    options.setdefault("label", label_for(name))
    if field_type == "boolean":
        options.setdefault("nillable", False)
        options.setdefault("default", False)
    return FieldDef(name=name, type=field_type, **options)


def readonly(name: str, field_type: str = "string", **options: Any) -> FieldDef:
    """A field the API computes: neither createable nor updateable."""
    return fd(name, field_type, createable=False, updateable=False, **options)


def ref(name: str, targets: tuple[str, ...] | str, relationship: str, **options: Any) -> FieldDef:
    """A lookup field with its relationship name."""
    targets = (targets,) if isinstance(targets, str) else targets
    return fd(
        name,
        "reference",
        reference_to=targets,
        relationship_name=relationship,
        polymorphic=len(targets) > 1,
        length=18,
        **options,
    )


def picklist(name: str, values: tuple[str, ...] = (), **options: Any) -> FieldDef:
    """A picklist with fixed values (unrestricted unless told)."""
    return fd(name, "picklist", picklist_values=values, **options)


def system_fields(owner_targets: tuple[str, ...] | None) -> list[FieldDef]:
    fields = [
        readonly("Id", "id", nillable=False, length=18),
        readonly("IsDeleted", "boolean"),
        readonly("CreatedDate", "datetime", nillable=False),
        ref("CreatedById", "User", "CreatedBy", createable=False, updateable=False),
        readonly("LastModifiedDate", "datetime", nillable=False),
        ref("LastModifiedById", "User", "LastModifiedBy", createable=False, updateable=False),
        readonly("SystemModstamp", "datetime", nillable=False),
    ]
    if owner_targets:
        fields.append(ref("OwnerId", owner_targets, "Owner", nillable=False))
    return fields


def add_object(
    schema: Schema,
    name: str,
    prefix: str,
    fields: list[FieldDef],
    owner: tuple[str, ...] | None = None,
    **options: Any,
) -> ObjectDef:
    definition = ObjectDef(
        name=name, key_prefix=prefix, label=label_for(name), has_owner=bool(owner)
    )
    for key, value in options.items():
        setattr(definition, key, value)
    for item in system_fields(owner) + fields:
        definition.add(item)
    schema.register(definition)
    return definition
