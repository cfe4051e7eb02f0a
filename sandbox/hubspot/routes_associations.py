"""`/crm/v4/...` associations: default and labelled creates, reads, batch operations."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Blueprint, jsonify, request

from .errors import ApiError, validation_error
from .httputil import batch_inputs, batch_response, int_arg, json_body, standard_error
from .records import CrmRecord, WriteSource
from .schema import ObjectType, association_pair, default_association_type, resolve_type

if TYPE_CHECKING:
    from .sandbox import HubSpotSandbox
    from .state import CrmState


def _record(state: CrmState, otype: ObjectType, record_id: str, side: str) -> CrmRecord:
    record = state.find(otype, str(record_id))
    if record is None:
        raise ApiError(
            400,
            f"Could not find {side} object {otype.singular} {record_id}.",
            "VALIDATION_ERROR",
            context={f"{side}ObjectId": [str(record_id)]},
        )
    return record


def _spec(type_id: int) -> dict[str, Any]:
    return {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": type_id}


def _default_results(from_t: ObjectType, from_id: str, to_t: ObjectType, to_id: str) -> list[Any]:
    forward = default_association_type(from_t.name, to_t.name)
    backward = default_association_type(to_t.name, from_t.name)
    return [
        {"from": {"id": from_id}, "to": {"id": to_id}, "associationSpec": _spec(forward)},
        {"from": {"id": to_id}, "to": {"id": from_id}, "associationSpec": _spec(backward)},
    ]


def _targets_json(state: CrmState, record: CrmRecord, to_type: ObjectType) -> list[dict[str, Any]]:
    return [
        {
            "toObjectId": int(target_id),
            "associationTypes": [
                {
                    "category": "HUBSPOT_DEFINED",
                    "typeId": t,
                    "label": "Primary" if t in (1, 2, 5, 6) else None,
                }
                for t in sorted(type_ids)
            ],
        }
        for target_id, type_ids in state.associations.targets(
            (record.object_type.name, record.id), to_type.name
        )
    ]


def register_association_routes(bp: Blueprint, sandbox: HubSpotSandbox) -> None:
    """Mount the v4 association routes on the portal blueprint."""
    state = sandbox.state
    api = WriteSource.integration(sandbox.config.app_id)
    base = "/crm/v4/objects/<from_type>/<from_id>/associations"

    @bp.put(f"{base}/default/<to_type>/<to_id>")
    def create_default(from_type: str, from_id: str, to_type: str, to_id: str) -> Any:
        from_t, to_t = resolve_type(from_type), resolve_type(to_type)
        started = state.now_ms()
        with state.lock:
            source = _record(state, from_t, from_id, "from")
            target = _record(state, to_t, to_id, "to")
            state.associate(source, target, default_association_type(from_t.name, to_t.name), api)
        body, _ = batch_response(
            _default_results(from_t, from_id, to_t, to_id), [], started, state.now_ms()
        )
        return jsonify(body)

    @bp.put(f"{base}/<to_type>/<to_id>")
    def create_labelled(from_type: str, from_id: str, to_type: str, to_id: str) -> Any:
        from_t, to_t = resolve_type(from_type), resolve_type(to_type)
        specs = json_body()
        if not isinstance(specs, list) or not specs:
            raise validation_error("Expected a non-empty array of association specs.")
        with state.lock:
            source = _record(state, from_t, from_id, "from")
            target = _record(state, to_t, to_id, "to")
            for spec in specs:
                type_id = int((spec or {}).get("associationTypeId", -1))
                if association_pair(type_id) != (from_t.name, to_t.name):
                    raise validation_error(
                        f"associationTypeId {type_id} does not link {from_t.name} to {to_t.name}."
                    )
                state.associate(source, target, type_id, api)
        body = {
            "fromObjectTypeId": from_t.type_id,
            "fromObjectId": int(from_id),
            "toObjectTypeId": to_t.type_id,
            "toObjectId": int(to_id),
            "labels": [],
        }
        return jsonify(body), 201

    @bp.delete(f"{base}/<to_type>/<to_id>")
    def archive(from_type: str, from_id: str, to_type: str, to_id: str) -> Any:
        from_t, to_t = resolve_type(from_type), resolve_type(to_type)
        with state.lock:
            source = state.find(from_t, from_id)
            target = state.find(to_t, to_id)
            if source is not None and target is not None:
                state.unassociate(source, target, api)
        return "", 204

    @bp.get(f"{base}/<to_type>")
    def read(from_type: str, from_id: str, to_type: str) -> Any:
        from_t, to_t = resolve_type(from_type), resolve_type(to_type)
        limit = int_arg("limit", 500, 500)
        after = request.args.get("after")
        with state.lock:
            record = state.find(from_t, from_id)
            targets = _targets_json(state, record, to_t) if record else []
        start = int(after) if after and after.isdigit() else 0
        body: dict[str, Any] = {"results": targets[start : start + limit]}
        if start + limit < len(targets):
            body["paging"] = {"next": {"after": str(start + limit)}}
        return jsonify(body)

    batch = "/crm/v4/associations/<from_type>/<to_type>/batch"

    @bp.post(f"{batch}/associate/default")
    def batch_default(from_type: str, to_type: str) -> Any:
        from_t, to_t = resolve_type(from_type), resolve_type(to_type)
        inputs = batch_inputs(json_body(), maximum=2000)
        started = state.now_ms()
        results: list[Any] = []
        with state.lock:
            pairs = []
            for item in inputs:
                from_id = str(((item or {}).get("from") or {}).get("id", ""))
                to_id = str(((item or {}).get("to") or {}).get("id", ""))
                pairs.append(
                    (_record(state, from_t, from_id, "from"), _record(state, to_t, to_id, "to"))
                )
            type_id = default_association_type(from_t.name, to_t.name)
            for source, target in pairs:
                state.associate(source, target, type_id, api)
                results.extend(_default_results(from_t, source.id, to_t, target.id))
        body, _ = batch_response(results, [], started, state.now_ms())
        return jsonify(body)

    @bp.post(f"{batch}/create")
    def batch_create(from_type: str, to_type: str) -> Any:
        from_t, to_t = resolve_type(from_type), resolve_type(to_type)
        inputs = batch_inputs(json_body(), maximum=2000)
        started = state.now_ms()
        results: list[Any] = []
        with state.lock:
            for item in inputs:
                item = item or {}
                source = _record(state, from_t, str((item.get("from") or {}).get("id", "")), "from")
                target = _record(state, to_t, str((item.get("to") or {}).get("id", "")), "to")
                for spec in item.get("types") or []:
                    type_id = int((spec or {}).get("associationTypeId", -1))
                    if association_pair(type_id) != (from_t.name, to_t.name):
                        raise validation_error(
                            f"associationTypeId {type_id} does not link {from_t.name} to "
                            f"{to_t.name}."
                        )
                    state.associate(source, target, type_id, api)
                results.append(
                    {
                        "fromObjectTypeId": from_t.type_id,
                        "fromObjectId": int(source.id),
                        "toObjectTypeId": to_t.type_id,
                        "toObjectId": int(target.id),
                        "labels": [],
                    }
                )
        body, _ = batch_response(results, [], started, state.now_ms())
        return jsonify(body), 201

    @bp.post(f"{batch}/read")
    def batch_read(from_type: str, to_type: str) -> Any:
        from_t, to_t = resolve_type(from_type), resolve_type(to_type)
        inputs = batch_inputs(json_body(), maximum=1000)
        started = state.now_ms()
        results: list[Any] = []
        errors: list[Any] = []
        with state.lock:
            for item in inputs:
                from_id = str((item or {}).get("id", ""))
                record = state.find(from_t, from_id)
                targets = _targets_json(state, record, to_t) if record else []
                if not targets:
                    errors.append(
                        standard_error(
                            "OBJECT_NOT_FOUND",
                            f"No {to_t.singular} is associated with {from_t.singular} {from_id}.",
                            {"fromObjectId": [from_id]},
                            sub_category="crm.associations.NO_ASSOCIATIONS_FOUND",
                        )
                    )
                    continue
                results.append({"from": {"id": from_id}, "to": targets})
        body, partial = batch_response(results, errors, started, state.now_ms())
        return jsonify(body), 207 if partial else 200

    @bp.post(f"{batch}/archive")
    def batch_archive(from_type: str, to_type: str) -> Any:
        from_t, to_t = resolve_type(from_type), resolve_type(to_type)
        inputs = batch_inputs(json_body(), maximum=2000)
        with state.lock:
            for item in inputs:
                item = item or {}
                source = state.find(from_t, str((item.get("from") or {}).get("id", "")))
                for to in item.get("to") or []:
                    target = state.find(to_t, str((to or {}).get("id", "")))
                    if source is not None and target is not None:
                        state.unassociate(source, target, api)
        return "", 204
