"""Record checks of one save: values, lookups, required fields, validation, duplicate and
assignment rules. Each raises SalesforceApiError exactly as the platform reports the problem.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from .errors import SalesforceApiError, malformed_id
from .fieldtypes import TEXT_TYPES
from .ids import normalize_id
from .org import Org
from .schema import FieldDef, ObjectDef
from .store import StoredRecord

if TYPE_CHECKING:
    from .dml import WriteContext

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class RecordChecks:
    """The checks Dml runs on a record before saving it."""

    def __init__(self, org: Org) -> None:
        self.org = org

    def raise_injected_row_fault(self, sobject: str) -> None:
        """Fail this record's save if a fault was injected for it (e.g. UNABLE_TO_LOCK_ROW)."""
        for fault in self.org.row_faults:
            code, message, remaining, target = fault
            if target is None or target.lower() == sobject.lower():
                fault[2] = remaining - 1
                if fault[2] <= 0:
                    self.org.row_faults.remove(fault)
                raise SalesforceApiError(400, code, message, [], dml=True)

    def check_value(self, definition: ObjectDef, field: FieldDef, values: dict[str, Any]) -> None:
        value = values.get(field.name)
        if value is None:
            return
        if field.type in TEXT_TYPES and len(value) > field.length:
            raise SalesforceApiError(
                400,
                "STRING_TOO_LONG",
                f"{field.label}: data value too large: {value} (max length={field.length})",
                [field.name],
            )
        if field.type == "email" and not _EMAIL.match(value):
            raise SalesforceApiError(
                400,
                "INVALID_EMAIL_ADDRESS",
                f"{field.label}: invalid email address: {value}",
                [field.name],
            )
        restricted = field.restricted or (
            definition.name == "CampaignMember" and field.name == "Status"
        )
        allowed = (
            self.org.picklist_values(definition.name, field, values)
            if field.type == "picklist" and restricted
            else None
        )
        if allowed is not None and value not in allowed:
            raise SalesforceApiError(
                400,
                "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                f"{field.label}: bad value for restricted picklist field: {value}",
                [field.name],
            )
        if field.type == "reference":
            values[field.name] = self.check_reference(field, value)

    def check_reference(self, field: FieldDef, value: str) -> str:
        label = f"{field.label} ID"
        normalized = normalize_id(value)
        if normalized is None:
            raise malformed_id(value, label)
        target = self.org.store.get(normalized)
        prefix_object = self.org.schema.by_prefix(normalized[:3])
        target_type = target.sobject if target else (prefix_object.name if prefix_object else None)
        if target_type not in field.reference_to:
            raise SalesforceApiError(
                400,
                "FIELD_INTEGRITY_EXCEPTION",
                f"{label}: id value of incorrect type: {value}",
                [field.name],
            )
        if target is None:
            raise SalesforceApiError(
                400, "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", [field.name]
            )
        if target.is_deleted:
            raise SalesforceApiError(400, "ENTITY_IS_DELETED", "entity is deleted", [field.name])
        return normalized

    def check_required(
        self, definition: ObjectDef, new: dict[str, Any], changed: set[str], creating: bool
    ) -> None:
        missing = [
            f.name
            for f in definition.visible_fields()
            if (f.required or not f.nillable)
            and f.type != "boolean"
            and (f.createable or f.updateable)
            and (creating or f.name in changed)
            and new.get(f.name) in (None, "")
        ]
        if missing:
            raise SalesforceApiError(
                400,
                "REQUIRED_FIELD_MISSING",
                f"Required fields are missing: [{', '.join(missing)}]",
                missing,
            )

    def run_validation_rules(self, definition: ObjectDef, new: dict[str, Any]) -> None:
        view = self.org.to_json(new)
        for rule in self.org.validation_rules:
            if rule.sobject.lower() != definition.name.lower():
                continue
            message = rule.check(view)
            if message:
                raise SalesforceApiError(
                    400, "FIELD_CUSTOM_VALIDATION_EXCEPTION", message, list(rule.fields)
                )

    def run_duplicate_rules(
        self, definition: ObjectDef, new: dict[str, Any], changed: set[str], ctx: WriteContext
    ) -> None:
        for rule in self.org.duplicate_rules:
            if rule.sobject != definition.name or rule.field not in changed:
                continue
            value = new.get(rule.field)
            if not value or (not rule.block and ctx.allow_duplicate_save):
                continue
            matches = [
                r
                for r in self.org.store.records(definition.name)
                if r.id != new["Id"]
                and not r.values.get("IsConverted")
                and str(r.values.get(rule.field) or "").lower() == str(value).lower()
            ]
            if matches:
                raise duplicates_detected(self.org, definition.name, rule.name, matches)

    def run_assignment_rule(self, new: dict[str, Any]) -> None:
        rule = self.org.assignment_rule
        if rule is None:
            return
        owner_id = rule(self.org.to_json(new)) or self.org.default_lead_owner_id
        owner = self.org.live(normalize_id(owner_id) if owner_id else None)
        if owner is not None and (owner.sobject == "Group" or owner.values.get("IsActive")):
            new["OwnerId"] = owner.id


def duplicates_detected(
    org: Org, sobject: str, rule_name: str, matches: list[StoredRecord]
) -> SalesforceApiError:
    message = "You're creating a duplicate record. We recommend you use an existing record instead."
    version = org.config.api_version
    match_records = [
        {
            "additionalInformation": [],
            "fieldDiffs": [],
            "matchConfidence": 100.0,
            "record": {
                "attributes": {
                    "type": sobject,
                    "url": f"/services/data/v{version}/sobjects/{sobject}/{m.id}",
                },
                "Id": m.id,
            },
        }
        for m in matches
    ]
    result = {
        "allowSave": False,
        "duplicateRule": rule_name or f"Standard_{sobject}_Duplicate_Rule",
        "duplicateRuleEntityType": sobject,
        "errorMessage": message,
        "matchResults": [
            {
                "entityType": sobject,
                "errorMessage": None,
                "matchEngine": "ExactMatchEngine",
                "matchRecords": match_records,
                "rule": f"Standard_{sobject}_Match_Rule_v1_0",
                "size": len(match_records),
                "success": True,
            }
        ],
    }
    return SalesforceApiError(400, "DUPLICATES_DETECTED", message, [], {"duplicateResult": result})
