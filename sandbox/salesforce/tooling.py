"""The Tooling API's CustomField: create a custom field, and query the ones an object has.

``POST /services/data/vXX.X/tooling/sobjects/CustomField`` takes ``{"FullName":
"Lead.My_Field__c", "Metadata": {"label", "type", "length", ...}}`` and answers 201
``{"id": "00N…", "success": true, "errors": [], "warnings": [], "infos": []}``; a name the
object already has is 400 ``DUPLICATE_VALUE``. ``GET tooling/query?q=SELECT … FROM CustomField
[WHERE TableEnumOrId = 'Lead']`` lists custom fields with ``DeveloperName`` (the API name
without ``__c``). As in a real org, a new field is hidden from every user (describe, SOQL, DML)
until a FieldPermissions row with read access on a permission set assigned to the integration
user grants it (``field_security.py``).
Sources: Tooling API reference, CustomField object (developer.salesforce.com).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .errors import SalesforceApiError, malformed_query, not_found
from .org import Org
from .rest_context import ApiRequest, ApiResponse, method_not_allowed

_FULL_NAME = re.compile(r"^([A-Za-z][A-Za-z0-9_]*)\.([A-Za-z][A-Za-z0-9_]*__c)$")
_QUERY = re.compile(
    r"^\s*SELECT\s+(?P<fields>[\w\s,]+?)\s+FROM\s+CustomField"
    r"(?:\s+WHERE\s+TableEnumOrId\s*=\s*'(?P<table>\w+)')?\s*$",
    re.IGNORECASE,
)
_COLUMNS = ("Id", "DeveloperName", "TableEnumOrId", "NamespacePrefix", "FullName")


def _bad(message: str, code: str = "FIELD_INTEGRITY_EXCEPTION") -> SalesforceApiError:
    return SalesforceApiError(400, code, message, dml=True)


def field_options(metadata: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """CustomFieldMetadata → (stand-in field type, options), validated as Salesforce does."""
    kind = metadata.get("type")
    if not metadata.get("label"):
        raise _bad("Field label: You must enter a value", "REQUIRED_FIELD_MISSING")
    options: dict[str, Any] = {"label": str(metadata["label"]), "custom": True}
    external = bool(metadata.get("externalId"))
    options["external_id"] = external
    options["unique"] = bool(metadata.get("unique")) or external
    if kind == "Text":
        length = metadata.get("length")
        if not isinstance(length, int) or not 1 <= length <= 255:
            raise _bad("Length: a Text field needs a length from 1 to 255")
        return "string", {**options, "length": length}
    if kind == "LongTextArea":
        length = metadata.get("length")
        if not isinstance(length, int) or not 256 <= length <= 131072:
            raise _bad("Length: a Long Text Area needs a length from 256 to 131,072")
        if not metadata.get("visibleLines"):
            raise _bad("Visible Lines: You must enter a value", "REQUIRED_FIELD_MISSING")
        return "textarea", {**options, "length": length}
    if kind == "Picklist":
        value_set = metadata.get("valueSet") or {}
        values = [
            str(v.get("fullName"))
            for v in (value_set.get("valueSetDefinition") or {}).get("value") or []
            if isinstance(v, dict) and v.get("fullName")
        ]
        if not values:
            raise _bad("Values: a picklist needs at least one value", "REQUIRED_FIELD_MISSING")
        restricted = bool(value_set.get("restricted"))
        return "picklist", {**options, "picklist_values": tuple(values), "restricted": restricted}
    if kind == "Number":
        return "double", {**options, "scale": int(metadata.get("scale") or 0)}
    if kind == "Checkbox":
        return "boolean", options
    if kind in ("Date", "DateTime"):
        return kind.lower(), options
    raise _bad(f"Field type {kind!r} is not supported here", "INVALID_TYPE_FOR_OPERATION")


class ToolingHandlers:
    """``tooling/sobjects/CustomField`` and ``tooling/query`` over the org's schema."""

    def __init__(self, org: Org, install: Callable[[str, str, str, dict[str, Any]], None]) -> None:
        self.org = org
        self.install = install
        self._ids: dict[tuple[str, str], str] = {}

    def handle(self, request: ApiRequest) -> ApiResponse:
        """Route one call under ``tooling/``."""
        parts = request.parts[1:]
        if parts == ["sobjects", "CustomField"]:
            if request.method != "POST":
                raise method_not_allowed(request.method, "POST")
            return self._create(request.json_object())
        if parts == ["query"]:
            if request.method != "GET":
                raise method_not_allowed(request.method, "GET,HEAD")
            return self._query(request.args.get("q") or "")
        raise not_found()

    def _id(self, sobject: str, name: str) -> str:
        key = (sobject, name.lower())
        if key not in self._ids:
            self._ids[key] = self.org.ids.new("00N")
        return self._ids[key]

    def _create(self, body: dict[str, Any]) -> ApiResponse:
        match = _FULL_NAME.match(str(body.get("FullName") or ""))
        if match is None:
            raise _bad("FullName must be Object.Field__c", "INVALID_FIELD")
        sobject, name = match.groups()
        definition = self.org.schema.get(sobject)
        if definition is None:
            raise _bad(f"Cannot find object: {sobject}", "INVALID_TYPE")
        metadata = body.get("Metadata")
        if not isinstance(metadata, dict):
            raise _bad("Metadata: You must enter a value", "REQUIRED_FIELD_MISSING")
        field_type, options = field_options(metadata)
        if definition.any_field(name) is not None:
            raise SalesforceApiError(
                400,
                "DUPLICATE_VALUE",
                "duplicate value found: <unknown> duplicates value on record with id: <unknown>",
                dml=True,
            )
        self.install(
            definition.name,
            name,
            field_type,
            {**options, "api_visible": False, "needs_grant": True},
        )
        body_out = {"id": self._id(definition.name, name), "success": True, "errors": []}
        return ApiResponse(201, {**body_out, "warnings": [], "infos": []})

    def _query(self, soql: str) -> ApiResponse:
        match = _QUERY.match(soql)
        if match is None:
            raise malformed_query(f"unsupported Tooling query: {soql[:200]}")
        columns = [c.strip() for c in match.group("fields").split(",") if c.strip()]
        unknown = [c for c in columns if c not in _COLUMNS]
        if unknown:
            raise SalesforceApiError(
                400, "INVALID_FIELD", f"No such column '{unknown[0]}' on entity 'CustomField'"
            )
        table = match.group("table")
        rows = []
        for definition in self.org.schema.objects():
            if table is not None and definition.name.lower() != table.lower():
                continue
            for field in definition.fields.values():
                if not field.custom:
                    continue
                values = {
                    "Id": self._id(definition.name, field.name),
                    "DeveloperName": field.name[:-3],
                    "TableEnumOrId": definition.name,
                    "NamespacePrefix": None,
                    "FullName": f"{definition.name}.{field.name}",
                }
                rows.append(
                    {
                        "attributes": {"type": "CustomField"},
                        **{c: values[c] for c in columns},
                    }
                )
        body = {"size": len(rows), "totalSize": len(rows), "done": True, "records": rows}
        return ApiResponse(200, {**body, "entityTypeName": "CustomField"}, n_records=len(rows))
