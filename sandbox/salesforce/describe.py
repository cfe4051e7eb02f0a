"""describeGlobal and describeSObject responses built from the schema and the org's setup
records (picklist values of Lead.Status come from LeadStatus, StageName from OpportunityStage).
"""

from __future__ import annotations

from typing import Any

from .org import Org
from .schema import FieldDef, ObjectDef

_SOAP_TYPES = {
    "id": "tns:ID",
    "reference": "tns:ID",
    "boolean": "xsd:boolean",
    "date": "xsd:date",
    "datetime": "xsd:dateTime",
    "time": "xsd:time",
    "double": "xsd:double",
    "currency": "xsd:double",
    "percent": "xsd:double",
    "int": "xsd:int",
}


def _urls(definition: ObjectDef, version: str) -> dict[str, str]:
    base = f"/services/data/v{version}/sobjects/{definition.name}"
    return {
        "sobject": base,
        "describe": f"{base}/describe",
        "rowTemplate": f"{base}/{{ID}}",
    }


def object_summary(definition: ObjectDef, version: str) -> dict[str, Any]:
    """The per-object entry of describeGlobal (and `objectDescribe` of the sObject root)."""
    return {
        "activateable": False,
        "createable": definition.createable,
        "custom": definition.name.endswith("__c"),
        "customSetting": False,
        "deletable": definition.deletable,
        "deprecatedAndHidden": False,
        "feedEnabled": False,
        "keyPrefix": definition.key_prefix,
        "label": definition.label,
        "labelPlural": definition.label + "s",
        "layoutable": definition.createable,
        "mergeable": definition.name in ("Lead", "Contact", "Account"),
        "mruEnabled": definition.createable,
        "name": definition.name,
        "queryable": definition.queryable,
        "replicateable": definition.replicateable,
        "retrieveable": True,
        "searchable": definition.createable,
        "triggerable": definition.createable,
        "undeletable": definition.deletable,
        "updateable": definition.updateable,
        "urls": _urls(definition, version),
    }


def describe_global(org: Org) -> dict[str, Any]:
    """GET /sobjects."""
    version = org.config.api_version
    return {
        "encoding": "UTF-8",
        "maxBatchSize": 200,
        "sobjects": [object_summary(d, version) for d in org.schema.objects()],
    }


def _picklist_values(org: Org, definition: ObjectDef, field: FieldDef) -> list[dict[str, Any]]:
    if field.type not in ("picklist", "multipicklist", "combobox"):
        return []
    if field.picklist_source:
        rows = sorted(org.setup_rows(field.picklist_source), key=lambda r: r.get("SortOrder") or 0)
        return [
            {
                "active": True,
                "defaultValue": bool(r.get("IsDefault")),
                "label": r.get("MasterLabel") or r["ApiName"],
                "validFor": None,
                "value": r["ApiName"],
            }
            for r in rows
        ]
    return [
        {
            "active": True,
            "defaultValue": value == field.default,
            "label": value,
            "validFor": None,
            "value": value,
        }
        for value in field.picklist_values
    ]


def describe_field(org: Org, definition: ObjectDef, field: FieldDef) -> dict[str, Any]:
    """One entry of `fields` in describeSObject."""
    return {
        "aggregatable": field.type not in ("textarea",),
        "autoNumber": False,
        "byteLength": field.length * 3 if field.type not in _SOAP_TYPES else 0,
        "calculated": field.calculated,
        "caseSensitive": False,
        "createable": field.createable,
        "custom": field.custom,
        "defaultValue": field.default,
        "defaultedOnCreate": field.default is not None or field.name in ("OwnerId", "Status"),
        "externalId": field.external_id,
        "filterable": field.type != "textarea",
        "groupable": field.type not in ("textarea", "double", "currency", "percent", "datetime"),
        "idLookup": field.name == "Id" or field.external_id,
        "label": field.label,
        "length": field.length if field.type not in _SOAP_TYPES else 0,
        "name": field.name,
        "nameField": field.name == "Name",
        "nillable": field.nillable,
        "picklistValues": _picklist_values(org, definition, field),
        "polymorphicForeignKey": field.polymorphic,
        "precision": 18 if field.type in ("currency", "double", "percent") else 0,
        "referenceTo": list(field.reference_to),
        "relationshipName": field.relationship_name,
        "restrictedPicklist": field.restricted,
        "scale": field.scale or 0,
        "soapType": _SOAP_TYPES.get(field.type, "xsd:string"),
        "sortable": field.type != "textarea",
        "type": field.type,
        "unique": field.unique,
        "updateable": field.updateable,
    }


def describe_sobject(org: Org, definition: ObjectDef) -> dict[str, Any]:
    """GET /sobjects/{Type}/describe."""
    version = org.config.api_version
    result = object_summary(definition, version)
    result["childRelationships"] = [
        {
            "cascadeDelete": False,
            "childSObject": child.child_object,
            "deprecatedAndHidden": False,
            "field": child.field,
            "relationshipName": child.name,
        }
        for child in definition.child_relationships
    ]
    result["fields"] = [describe_field(org, definition, f) for f in definition.visible_fields()]
    result["recordTypeInfos"] = []
    return result
