"""sObject Collections (`composite/sobjects`) and Composite (`composite`) requests.

Collections: at most 200 records (else 400 EXCEEDED_ID_LIMIT); HTTP 200 even when rows fail;
row errors use `statusCode`; `allOrNone` rolls every row back and marks the good ones
ALL_OR_NONE_OPERATION_ROLLED_BACK. Composite: at most 25 subrequests (5 of them queries or
collections), one API call, `@{ref.path}` references, per-subrequest `httpStatusCode`, and
`allOrNone` rolling everything back with PROCESSING_HALTED on the others.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from .dml import Dml, WriteContext
from .errors import SalesforceApiError, not_found
from .ids import normalize_id
from .org import Org
from .rest_context import ApiRequest, ApiResponse, method_not_allowed
from .rest_sobjects import record_json, requested_fields
from .store import Transaction

MAX_COLLECTION = 200
MAX_SUBREQUESTS = 25
MAX_QUERY_OR_COLLECTION = 5
ROLLED_BACK = {
    "statusCode": "ALL_OR_NONE_OPERATION_ROLLED_BACK",
    "message": "Record rolled back because not all records were valid and the request was using "
    "AllOrNone header",
    "fields": [],
}
HALTED = "The transaction was rolled back since another operation in the same transaction failed."
_REFERENCE = re.compile(r"@\{([A-Za-z][A-Za-z0-9_]*)((?:\.[A-Za-z0-9_]+|\[\d+\])+)\}")
_REFERENCE_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_DATA_URL = re.compile(r"^/services/data/v(\d{2}\.\d)/(.+)$")


def _too_many() -> SalesforceApiError:
    return SalesforceApiError(
        400,
        "EXCEEDED_ID_LIMIT",
        f"record limit reached. cannot submit more than {MAX_COLLECTION} records into this call",
    )


class CompositeHandlers:
    """composite and composite/sobjects for one org."""

    def __init__(self, org: Org, dml: Dml, dispatch: Callable[[ApiRequest], ApiResponse]) -> None:
        self.org = org
        self.dml = dml
        self.dispatch = dispatch

    def handle(self, request: ApiRequest) -> ApiResponse:
        """Dispatch `composite[/sobjects[/Type]]`."""
        parts = request.parts
        if len(parts) == 1:
            return self._composite(request)
        if parts[1] != "sobjects" or len(parts) > 3:
            raise not_found()
        if len(parts) == 3:
            return self._retrieve(request, parts[2])
        return self._collection(request)

    # ---- sObject Collections -------------------------------------------------------------

    def _retrieve(self, request: ApiRequest, sobject: str) -> ApiResponse:
        definition = self.dml.object_def(sobject)
        if request.method == "GET":
            ids = [i for i in (request.args.get("ids") or "").split(",") if i]
            fields_raw = request.args.get("fields")
        elif request.method == "POST":
            body = request.json_object()
            ids, fields_raw = list(body.get("ids") or []), ",".join(body.get("fields") or [])
        else:
            raise method_not_allowed(request.method, "GET,POST")
        if not fields_raw:
            raise SalesforceApiError(400, "MISSING_ARGUMENT", "fields parameter is required")
        if len(ids) > 2000:
            raise _too_many()
        fields = requested_fields(definition, fields_raw)
        records: list[Any] = []
        for record_id in ids:
            normalized = normalize_id(record_id)
            if normalized is None:
                raise SalesforceApiError(400, "MALFORMED_ID", f"malformed id {record_id}")
            found = self.org.live(normalized)
            ok = found is not None and found.sobject == definition.name
            records.append(record_json(found, request.version, fields) if ok else None)
        return ApiResponse(200, records, n_records=len(ids))

    def _collection(self, request: ApiRequest) -> ApiResponse:
        ctx = request.write_context()
        if request.method == "DELETE":
            ids = [i for i in (request.args.get("ids") or "").split(",") if i]
            all_or_none = (request.args.get("allOrNone") or "false").lower() == "true"
            if len(ids) > MAX_COLLECTION:
                raise _too_many()
            rows = [("delete", {"id": i}) for i in ids]
        elif request.method in ("POST", "PATCH"):
            body = request.json_object()
            records = body.get("records")
            if not isinstance(records, list):
                raise SalesforceApiError(400, "JSON_PARSER_ERROR", "records must be a list")
            if len(records) > MAX_COLLECTION:
                raise _too_many()
            all_or_none = bool(body.get("allOrNone", False))
            verb = "create" if request.method == "POST" else "update"
            rows = [(verb, r) for r in records]
        else:
            raise method_not_allowed(request.method, "POST,PATCH,DELETE")
        results = self._run_rows(rows, ctx, all_or_none)
        return ApiResponse(200, results, n_records=len(rows))

    def _run_rows(
        self, rows: list[tuple[str, Any]], ctx: WriteContext, all_or_none: bool
    ) -> list[dict[str, Any]]:
        results: list[dict[str, Any]] = []
        failed = False
        with self.org.store.transaction() as tx:
            for verb, row in rows:
                point = tx.savepoint()
                try:
                    record_id = self._apply_row(verb, row, ctx)
                    results.append({"id": record_id, "success": True, "errors": []})
                except SalesforceApiError as error:
                    tx.rollback_to(point)
                    failed = True
                    result: dict[str, Any] = {"success": False, "errors": [error.row_error()]}
                    row_id = row.get("id") if isinstance(row, dict) else None
                    if verb != "create" and normalize_id(row_id) is not None:
                        result = {"id": normalize_id(row_id), **result}
                    results.append(result)
            if all_or_none and failed:
                tx.rollback_to((0, 0))
                results = [
                    _rolled_back(r, verb == "create")
                    for r, (verb, _) in zip(results, rows, strict=True)
                ]
        return results

    def _apply_row(self, verb: str, row: Any, ctx: WriteContext) -> str:
        if not isinstance(row, dict):
            raise SalesforceApiError(400, "JSON_PARSER_ERROR", "each record must be an object")
        if verb == "delete":
            return self.dml.delete(None, row["id"], ctx)
        attributes = row.get("attributes")
        sobject = attributes.get("type") if isinstance(attributes, dict) else None
        if not sobject:
            raise SalesforceApiError(400, "INVALID_TYPE", "Must send a concrete entity type.")
        if self.org.schema.get(sobject) is None:
            raise SalesforceApiError(
                400, "INVALID_TYPE", f"sObject type '{sobject}' is not supported."
            )
        fields = {k: v for k, v in row.items() if k != "attributes"}
        if verb == "create":
            return self.dml.create(sobject, fields, ctx)
        record_id = next((fields.pop(k) for k in list(fields) if k.lower() == "id"), None)
        if not record_id:
            raise SalesforceApiError(400, "MISSING_ARGUMENT", "Id not specified in an update call")
        return self.dml.update(sobject, str(record_id), fields, ctx)

    # ---- Composite -------------------------------------------------------------------------

    def _composite(self, request: ApiRequest) -> ApiResponse:
        if request.method != "POST":
            raise method_not_allowed(request.method, "POST")
        body = request.json_object()
        subrequests = body.get("compositeRequest")
        if not isinstance(subrequests, list) or not subrequests:
            raise SalesforceApiError(400, "JSON_PARSER_ERROR", "compositeRequest must be a list")
        if len(subrequests) > MAX_SUBREQUESTS:
            raise SalesforceApiError(
                400,
                "LIMIT_EXCEEDED",
                f"Limit Exceeded: Composite request can have at most {MAX_SUBREQUESTS} subrequests",
            )
        _validate_subrequests(subrequests)
        all_or_none = bool(body.get("allOrNone", False))
        outputs: dict[str, Any] = {}
        responses: list[dict[str, Any]] = []
        with self.org.store.transaction() as tx:
            for sub in subrequests:
                responses.append(self._subrequest(tx, request, sub, outputs))
                if all_or_none and responses[-1]["httpStatusCode"] >= 400:
                    tx.rollback_to((0, 0))
                    responses = _halt(responses, subrequests)
                    break
        return ApiResponse(200, {"compositeResponse": responses}, n_records=len(subrequests))

    def _subrequest(
        self, tx: Transaction, parent: ApiRequest, sub: dict[str, Any], outputs: dict[str, Any]
    ) -> dict[str, Any]:
        reference_id = sub["referenceId"]
        try:
            url = _substitute(sub["url"], outputs)
            body = _substitute(sub.get("body"), outputs)
        except LookupError as missing:
            error = [{"errorCode": "PROCESSING_HALTED", "message": str(missing.args[0])}]
            return _subresponse(reference_id, 400, error)
        parts = urlsplit(url)
        match = _DATA_URL.match(parts.path)
        if match is None:
            return _subresponse(reference_id, 404, [{"errorCode": "NOT_FOUND",
                                "message": "The requested resource does not exist"}])  # fmt: skip
        headers = dict(parent.headers)
        headers.update(sub.get("httpHeaders") or {})
        api_request = ApiRequest(
            method=str(sub.get("method", "GET")).upper(),
            path=match.group(2),
            args=dict(parse_qsl(parts.query)),
            headers=headers,
            raw_body=b"" if body is None else json.dumps(body).encode(),
            actor_id=parent.actor_id,
            version=match.group(1),
        )
        point = tx.savepoint()
        response = self.dispatch(api_request)
        if response.status >= 400:
            tx.rollback_to(point)
        else:
            outputs[reference_id] = response.body
        result_headers = dict(response.headers)
        if response.status == 201 and isinstance(response.body, dict) and "id" in response.body:
            sobject = api_request.parts[1] if len(api_request.parts) > 1 else ""
            result_headers["Location"] = (
                f"/services/data/v{api_request.version}/sobjects/{sobject}/{response.body['id']}"
            )
        return _subresponse(reference_id, response.status, response.body, result_headers)


def _validate_subrequests(subrequests: list[Any]) -> None:
    seen: set[str] = set()
    heavy = 0
    for sub in subrequests:
        if not isinstance(sub, dict) or not isinstance(sub.get("url"), str):
            raise SalesforceApiError(400, "JSON_PARSER_ERROR", "each subrequest needs a url")
        reference_id = sub.get("referenceId")
        if not isinstance(reference_id, str) or not _REFERENCE_ID.match(reference_id):
            raise SalesforceApiError(400, "INVALID_INPUT", f"Invalid referenceId: {reference_id!r}")
        if reference_id in seen:
            raise SalesforceApiError(
                400,
                "INVALID_INPUT",
                f"Duplicate referenceId provided in the request: {reference_id}",
            )
        seen.add(reference_id)
        path = urlsplit(sub["url"]).path
        if "/composite" in path and path.rstrip("/").endswith("/composite"):
            raise SalesforceApiError(400, "INVALID_INPUT", "Composite can't contain composite")
        if re.search(r"/(query|queryAll)(/|$)|/composite/sobjects", path):
            heavy += 1
    if heavy > MAX_QUERY_OR_COLLECTION:
        raise SalesforceApiError(
            400,
            "LIMIT_EXCEEDED",
            f"Limit Exceeded: a composite request can have at most {MAX_QUERY_OR_COLLECTION} "
            "query or sObject Collections subrequests",
        )


def _resolve(outputs: dict[str, Any], reference_id: str, path: str) -> Any:
    if reference_id not in outputs:
        raise LookupError(
            f"Invalid reference specified. No value for {reference_id}{path} found in "
            f"{reference_id}. Provided referenceId ('{reference_id}') must be a previously "
            "executed subrequest that succeeded."
        )
    value = outputs[reference_id]
    for key, index in re.findall(r"\.([A-Za-z0-9_]+)|\[(\d+)\]", path):
        try:
            value = value[int(index)] if index else value[key]
        except (KeyError, IndexError, TypeError):
            raise LookupError(
                f"Invalid reference specified. No value for {reference_id}{path} found in "
                f"{reference_id}."
            ) from None
    return value


def _substitute(value: Any, outputs: dict[str, Any]) -> Any:
    if isinstance(value, str):
        whole = _REFERENCE.fullmatch(value)
        if whole:
            return _resolve(outputs, whole.group(1), whole.group(2))
        return _REFERENCE.sub(lambda m: str(_resolve(outputs, m.group(1), m.group(2))), value)
    if isinstance(value, list):
        return [_substitute(v, outputs) for v in value]
    if isinstance(value, dict):
        return {k: _substitute(v, outputs) for k, v in value.items()}
    return value


def _subresponse(
    reference_id: str, status: int, body: Any, headers: dict[str, str] | None = None
) -> dict[str, Any]:
    return {"body": body, "httpHeaders": headers or {}, "httpStatusCode": status,
            "referenceId": reference_id}  # fmt: skip


def _halt(
    responses: list[dict[str, Any]], subrequests: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    halted = [{"errorCode": "PROCESSING_HALTED", "message": HALTED}]
    failing = responses[-1]
    result = [_subresponse(r["referenceId"], 400, halted) for r in responses[:-1]]
    result.append(failing)
    result.extend(
        _subresponse(s["referenceId"], 400, halted) for s in subrequests[len(responses) :]
    )
    return result


def _rolled_back(result: dict[str, Any], created: bool) -> dict[str, Any]:
    if not result["success"]:
        return result
    rolled_back: dict[str, Any] = {"success": False, "errors": [dict(ROLLED_BACK)]}
    return rolled_back if created else {"id": result["id"], **rolled_back}
