"""Field-level security, as far as a field created through the Tooling API needs it.

A real org hides a field created through the Metadata or Tooling API from every profile until
field-level security is granted. The stand-in models the API way of granting it
(the objects are in ``setup_objects.py``): a
``PermissionSet`` (0PS), ``FieldPermissions`` rows (01k: ``ParentId``, ``SobjectType``,
``Field`` = ``Lead.X__c``, ``PermissionsRead``, ``PermissionsEdit``) and a
``PermissionSetAssignment`` (0Pa) of the set to the integration user. A Tooling-created field
(``needs_grant``) is visible (describe, SOQL, DML) exactly while such a grant with read access
exists; fields added with ``sf.add_custom_field`` are visible from the start.
Visibility is recomputed after every save or delete of those rows.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from .errors import SalesforceApiError

if TYPE_CHECKING:
    from .org import Org

GRANT_OBJECTS = ("FieldPermissions", "PermissionSetAssignment", "PermissionSet")


def before_field_permissions(
    org: Org, old: dict[str, Any] | None, new: dict[str, Any], changed: set[str]
) -> None:
    """Refuse what Salesforce refuses: edit without read, a Field of another object."""
    if new.get("PermissionsEdit") and not new.get("PermissionsRead"):
        raise SalesforceApiError(
            400,
            "FIELD_INTEGRITY_EXCEPTION",
            "Permission Edit depends on permission(s): Read",
            ["PermissionsEdit"],
            dml=True,
        )
    field = str(new.get("Field") or "")
    sobject, _, name = field.partition(".")
    definition = org.schema.get(sobject)
    if (
        sobject != new.get("SobjectType")
        or definition is None
        or definition.any_field(name) is None
    ):
        raise SalesforceApiError(
            400,
            "INVALID_FIELD",
            f"Invalid field {field} for {new.get('SobjectType')}",
            ["Field"],
            dml=True,
        )


def refresh_visibility(org: Org) -> None:
    """Show each Tooling-created field exactly while the integration user holds read on it."""
    assigned = {
        row.values.get("PermissionSetId")
        for row in org.store.records("PermissionSetAssignment")
        if row.values.get("AssigneeId") == org.integration_user_id
    }
    readable = {
        str(row.values.get("Field") or "").lower()
        for row in org.store.records("FieldPermissions")
        if row.values.get("PermissionsRead") and row.values.get("ParentId") in assigned
    }
    for definition in org.schema.objects():
        changed = [
            replace(field, api_visible=not field.api_visible)
            for field in definition.fields.values()
            if field.needs_grant
            and field.api_visible != (f"{definition.name}.{field.name}".lower() in readable)
        ]
        for field in changed:
            definition.add(field)  # FieldDef is frozen: replace it
