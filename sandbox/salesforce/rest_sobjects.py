"""Handlers for `/sobjects/...`: describe, record CRUD and upsert by external id."""

from __future__ import annotations

from typing import Any

from . import describe
from .dml import Dml, MultipleMatches
from .errors import SalesforceApiError, not_found
from .fieldtypes import to_json
from .ids import looks_like_id
from .org import Org
from .rest_context import ApiRequest, ApiResponse, method_not_allowed
from .rest_replication import replication
from .schema import ObjectDef
from .store import StoredRecord


def record_json(record: StoredRecord, version: str, fields: list[str]) -> dict[str, Any]:
    """A record as GET /sobjects/{Type}/{id} returns it: attributes, then the named fields."""
    body: dict[str, Any] = {
        "attributes": {
            "type": record.sobject,
            "url": f"/services/data/v{version}/sobjects/{record.sobject}/{record.id}",
        }
    }
    for name in fields:
        body[name] = to_json(record.values.get(name))
    return body


def requested_fields(definition: ObjectDef, raw: str | None) -> list[str]:
    """Canonical names for a `fields=` parameter (all fields without one); INVALID_FIELD for
    unknown names."""
    if raw is None:
        return list(definition.fields)
    names: list[str] = []
    for name in (n.strip() for n in raw.split(",")):
        if not name:
            continue
        field = definition.field(name)
        if field is None:
            raise SalesforceApiError(
                400,
                "INVALID_FIELD",
                f"No such column '{name}' on entity '{definition.name}'. If you are attempting to "
                "use a custom field, be sure to append the '__c' after the custom field name. "
                "Please reference your WSDL or the describe call for the appropriate names.",
            )
        names.append(field.name)
    return names


class SObjectHandlers:
    """Routes for one org's `/sobjects` tree."""

    def __init__(self, org: Org, dml: Dml) -> None:
        self.org = org
        self.dml = dml

    def handle(self, request: ApiRequest) -> ApiResponse:
        """Dispatch `sobjects[/Type[/...]]`."""
        parts = request.parts[1:]
        if not parts:
            if request.method != "GET":
                raise method_not_allowed(request.method, "GET,HEAD")
            return ApiResponse(200, describe.describe_global(self.org))
        definition = self.dml.object_def(parts[0])
        if len(parts) == 1:
            return self._root(request, definition)
        if len(parts) == 2 and parts[1] == "describe":
            if request.method != "GET":
                raise method_not_allowed(request.method, "GET,HEAD")
            return ApiResponse(200, describe.describe_sobject(self.org, definition))
        if len(parts) == 2 and parts[1] in ("updated", "deleted"):
            return replication(self.org, request, definition, parts[1])
        if len(parts) == 2:
            return self._record(request, definition, parts[1])
        if len(parts) == 3:
            return self._by_external_id(request, definition, parts[1], parts[2])
        raise not_found()

    def _root(self, request: ApiRequest, definition: ObjectDef) -> ApiResponse:
        if request.method == "GET":
            summary = describe.object_summary(definition, self.org.config.api_version)
            return ApiResponse(200, {"objectDescribe": summary, "recentItems": []})
        if request.method == "POST":
            record_id = self.dml.create(
                definition.name, request.json_object(), request.write_context()
            )
            return ApiResponse(201, {"id": record_id, "success": True, "errors": []}, n_records=1)
        raise method_not_allowed(request.method, "GET,HEAD,POST")

    def _record(self, request: ApiRequest, definition: ObjectDef, record_id: str) -> ApiResponse:
        if not looks_like_id(record_id):
            raise SalesforceApiError(
                404,
                "NOT_FOUND",
                f"Provided external ID field does not exist or is not accessible: {record_id}",
            )
        if request.method == "GET":
            record = self.dml.live_record(definition.name, record_id)
            fields = requested_fields(definition, request.args.get("fields"))
            return ApiResponse(200, record_json(record, request.version, fields), n_records=1)
        if request.method == "PATCH":
            self.dml.update(
                definition.name, record_id, request.json_object(), request.write_context()
            )
            return ApiResponse(204, n_records=1)
        if request.method == "DELETE":
            self.dml.delete(definition.name, record_id, request.write_context())
            return ApiResponse(204, n_records=1)
        raise method_not_allowed(request.method, "GET,HEAD,PATCH,DELETE")

    def _by_external_id(
        self, request: ApiRequest, definition: ObjectDef, field_name: str, value: str
    ) -> ApiResponse:
        key = definition.field(field_name)
        if key is None or not (key.external_id or key.name == "Id"):
            raise SalesforceApiError(
                404,
                "NOT_FOUND",
                f"Provided external ID field does not exist or is not accessible: {field_name}",
            )
        if request.method == "PATCH":
            try:
                record_id, created = self.dml.upsert(
                    definition.name, key.name, value, request.json_object(), request.write_context()
                )
            except MultipleMatches as exc:
                return self._multiple(request, definition, exc.record_ids)
            body = {"id": record_id, "success": True, "errors": [], "created": created}
            return ApiResponse(201 if created else 200, body, n_records=1)
        matches = self.dml.find_by_external_id(definition, key, value)
        if len(matches) > 1:
            return self._multiple(request, definition, [m.id for m in matches])
        if not matches:
            raise not_found()
        if request.method == "GET":
            fields = requested_fields(definition, request.args.get("fields"))
            return ApiResponse(200, record_json(matches[0], request.version, fields), n_records=1)
        if request.method == "DELETE":
            self.dml.delete(definition.name, matches[0].id, request.write_context())
            return ApiResponse(204, n_records=1)
        raise method_not_allowed(request.method, "GET,HEAD,PATCH,DELETE")

    def _multiple(self, request: ApiRequest, definition: ObjectDef, ids: list[str]) -> ApiResponse:
        urls = [f"{request.url_prefix()}/sobjects/{definition.name}/{i}" for i in ids]
        return ApiResponse(300, urls)
