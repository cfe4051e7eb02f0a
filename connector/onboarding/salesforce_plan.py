"""The Salesforce part of `baton setup`'s plan: custom fields, and the field-level security that
lets the integration user see them (pure).

A field created through the Tooling API is hidden from every user until field-level security is
granted, so setup also keeps one permission set, ``Baton_Integration``, assigned to the
integration user, with read and edit on each custom field Baton writes. A field that exists
but that describe does not show is exactly one without that grant.
"""

from __future__ import annotations

from dataclasses import dataclass

from connector.onboarding.needs import Needs
from connector.onboarding.plan_step import Step

PERMISSION_SET = ("Baton_Integration", "Baton integration")


@dataclass(frozen=True, slots=True)
class SalesforceSchema:
    """What the org has now."""

    custom_fields: frozenset[str]  # Object.Field__c that exist (Tooling API)
    visible: frozenset[str]  # Object.Field the integration user sees (describe)
    permission_set_id: str | None = None
    assigned: bool = False
    integration_user_id: str | None = None


def salesforce_steps(needs: Needs, org: SalesforceSchema) -> list[Step]:
    """Fields to create, then the grants the integration user lacks; empty when all is there."""
    existing = {name.lower() for name in org.custom_fields}
    visible = {name.lower() for name in org.visible}
    ours = [need for need in needs.fields if need.metadata is not None]
    steps = [
        Step("salesforce", "custom field", need.full_name, dict(need.metadata or {}))
        for need in ours
        if need.full_name.lower() not in existing and need.full_name.lower() not in visible
    ]
    hidden = [need for need in ours if need.full_name.lower() not in visible]
    if not hidden:
        return steps
    name, label = PERMISSION_SET
    if org.permission_set_id is None:
        steps.append(Step("salesforce", "permission set", name, {"Name": name, "Label": label}))
    if not org.assigned and org.integration_user_id:
        steps.append(
            Step(
                "salesforce",
                "permission set assignment",
                f"{name} → {org.integration_user_id}",
                {"PermissionSet": name, "AssigneeId": org.integration_user_id},
            )
        )
    steps += [
        Step(
            "salesforce",
            "field access",
            need.full_name,
            {"PermissionSet": name, "SobjectType": need.sobject, "Field": need.full_name},
        )
        for need in hidden
    ]
    return steps
