"""`/crm/v3/objects/...`: single-record CRUD, batch operations, search, merge and GDPR delete."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Blueprint, jsonify, request

from . import leads
from .errors import ApiError, validation_error
from .httputil import (
    batch_inputs,
    batch_response,
    flag,
    int_arg,
    json_body,
    multi,
    next_paging,
    standard_error,
)
from .records import CrmRecord, WriteSource, record_to_api
from .schema import ObjectType, association_pair, resolve_type
from .search import parse_search_request, run_search

if TYPE_CHECKING:
    from .sandbox import HubSpotSandbox
    from .state import CrmState

BASE = "/crm/v3/objects"


def objects_blueprint(sandbox: HubSpotSandbox) -> Blueprint:
    """Routes for CRM records of every type."""
    bp = Blueprint("hubspot_objects", __name__)
    state: CrmState = sandbox.state
    api = WriteSource.integration(sandbox.config.app_id)

    def answer(record: CrmRecord) -> dict[str, Any]:
        return record_to_api(
            record,
            properties=state.known_properties(record.object_type, multi("properties")),
            with_history=state.known_properties(record.object_type, multi("propertiesWithHistory")),
            associations=state.association_map(record, multi("associations") or []),
        )

    @bp.get(f"{BASE}/<object_type>")
    def list_records(object_type: str) -> Any:
        otype = resolve_type(object_type)
        with_history = multi("propertiesWithHistory")
        limit = int_arg("limit", 10, 50 if with_history else 100)
        after = request.args.get("after")
        archived = flag("archived")
        with state.lock:
            records = sorted(
                (r for r in state.records[otype.name].values() if r.archived == archived),
                key=lambda r: int(r.id),
            )
            if after:
                if not after.isdigit():
                    raise validation_error(f"Invalid 'after' cursor: {after!r}.")
                records = [r for r in records if int(r.id) > int(after)]
            page = records[:limit]
            body: dict[str, Any] = {"results": [answer(r) for r in page]}
            if len(records) > limit:
                body["paging"] = next_paging(page[-1].id, request.base_url)
        return jsonify(body)

    @bp.post(f"{BASE}/<object_type>")
    def create(object_type: str) -> Any:
        otype = resolve_type(object_type)
        body = json_body()
        if not isinstance(body, dict):
            raise validation_error("Invalid input JSON: expected an object.")
        with state.lock:
            values = state.prepare(otype, body.get("properties") or {})
            links = _resolve_associations(state, otype, body.get("associations") or [])
            _require_contact_for_lead(otype, links)
            record = state.create(otype, values, api)
            for target, type_id in links:
                state.associate(record, target, type_id, api)
            return jsonify(record_to_api(record, all_set=True)), 201

    @bp.get(f"{BASE}/<object_type>/<object_id>")
    def read(object_type: str, object_id: str) -> Any:
        otype = resolve_type(object_type)
        with state.lock:
            record = state.require(
                otype,
                object_id,
                id_property=request.args.get("idProperty"),
                archived=flag("archived"),
            )
            return jsonify(answer(record))

    @bp.patch(f"{BASE}/<object_type>/<object_id>")
    def update(object_type: str, object_id: str) -> Any:
        otype = resolve_type(object_type)
        body = json_body()
        with state.lock:
            record = state.require(otype, object_id, id_property=request.args.get("idProperty"))
            values = state.prepare(otype, (body or {}).get("properties") or {}, record=record)
            state.update(record, values, api)
            return jsonify(record_to_api(record, all_set=True))

    @bp.delete(f"{BASE}/<object_type>/<object_id>")
    def archive(object_type: str, object_id: str) -> Any:
        otype = resolve_type(object_type)
        with state.lock:
            record = state.find(otype, object_id)
            if record is not None:
                state.archive(record, api)
        return "", 204

    @bp.post(f"{BASE}/<object_type>/batch/read")
    def batch_read(object_type: str) -> Any:
        otype = resolve_type(object_type)
        body = json_body()
        inputs = batch_inputs(body)
        started = state.now_ms()
        archived = flag("archived")
        id_property = body.get("idProperty")
        results: list[dict[str, Any]] = []
        missing: list[str] = []
        with state.lock:
            for item in inputs:
                key = str((item or {}).get("id", ""))
                record = state.find(otype, key, id_property=id_property, archived=archived)
                if record is None:
                    missing.append(key)
                    continue
                results.append(
                    record_to_api(
                        record,
                        properties=state.known_properties(otype, body.get("properties") or None),
                        with_history=state.known_properties(
                            otype, body.get("propertiesWithHistory") or None
                        ),
                    )
                )
        errors = []
        if missing:
            errors.append(
                standard_error(
                    "OBJECT_NOT_FOUND",
                    f"Could not get some {otype.singular.upper()} objects, they may be deleted "
                    "or not exist. Check that ids are valid.",
                    {"ids": missing},
                )
            )
        envelope, partial = batch_response(results, errors, started, state.now_ms())
        return jsonify(envelope), 207 if partial else 200

    @bp.post(f"{BASE}/<object_type>/batch/create")
    def batch_create(object_type: str) -> Any:
        otype = resolve_type(object_type)
        inputs = batch_inputs(json_body())
        started = state.now_ms()
        # with an objectWriteTraceId on every input HubSpot answers 207 with per-input errors
        # (tied to the inputs by their trace ids) instead of refusing the whole batch
        multi_status = bool(inputs) and all((i or {}).get("objectWriteTraceId") for i in inputs)
        refused: list[dict[str, Any]] = []
        with state.lock:
            prepared = []
            emails: dict[str, int] = {}
            for index, item in enumerate(inputs):
                item = item or {}
                try:
                    values = state.prepare(otype, item.get("properties") or {})
                except ApiError as error:
                    if not multi_status:
                        raise
                    trace = [str(item["objectWriteTraceId"])]
                    refused.append(
                        standard_error(
                            error.category or "VALIDATION_ERROR",
                            error.message,
                            {"objectWriteTraceId": trace},
                        )
                    )
                    continue
                email = values.get("email")
                if otype.name == "contacts" and email:
                    if email in emails:
                        raise ApiError(409, f"Duplicate email in batch input: {email}", "CONFLICT")
                    emails[email] = index
                links = _resolve_associations(state, otype, item.get("associations") or [])
                _require_contact_for_lead(otype, links)
                prepared.append((values, links, item.get("objectWriteTraceId")))
            state.batch_rng.shuffle(prepared)
            results = []
            for values, links, trace_id in prepared:
                record = state.create(otype, values, api)
                for target, type_id in links:
                    state.associate(record, target, type_id, api)
                result = record_to_api(record, all_set=True)
                if trace_id:
                    result["objectWriteTraceId"] = trace_id
                results.append(result)
        envelope, partial = batch_response(results, refused, started, state.now_ms())
        return jsonify(envelope), 207 if partial else 201

    @bp.post(f"{BASE}/<object_type>/batch/update")
    def batch_update(object_type: str) -> Any:
        otype = resolve_type(object_type)
        inputs = batch_inputs(json_body())
        started = state.now_ms()
        _reject_duplicate_ids(inputs)
        with state.lock:
            work: list[tuple[CrmRecord, dict[str, str]]] = []
            missing: list[str] = []
            for item in inputs:
                item = item or {}
                key = str(item.get("id", ""))
                record = state.find(otype, key, id_property=item.get("idProperty"))
                if record is None:
                    missing.append(key)
                    continue
                work.append(
                    (record, state.prepare(otype, item.get("properties") or {}, record=record))
                )
            state.batch_rng.shuffle(work)
            results = [record_to_api(state.update(r, v, api), all_set=True) for r, v in work]
        errors = []
        if missing:
            errors.append(
                standard_error(
                    "OBJECT_NOT_FOUND",
                    f"Could not find some {otype.singular.upper()} objects, they may be deleted "
                    "or not exist. Check that ids are valid.",
                    {"ids": missing},
                )
            )
        envelope, partial = batch_response(results, errors, started, state.now_ms())
        return jsonify(envelope), 207 if partial else 200

    @bp.post(f"{BASE}/<object_type>/batch/upsert")
    def batch_upsert(object_type: str) -> Any:
        otype = resolve_type(object_type)
        inputs = batch_inputs(json_body())
        started = state.now_ms()
        _reject_duplicate_ids(inputs)
        with state.lock:
            work: list[tuple[CrmRecord | None, dict[str, str]]] = []
            targets: set[str] = set()
            for item in inputs:
                item = item or {}
                id_property = item.get("idProperty")
                if not id_property:
                    raise validation_error("idProperty is required for upsert.")
                key = str(item.get("id", ""))
                record = state.find(otype, key, id_property=id_property)
                target = f"id:{record.id}" if record else f"{id_property}:{key.strip().lower()}"
                if target in targets:
                    raise validation_error(
                        f"Duplicate IDs found in batch input: two inputs resolve to {key}. "
                        "IDs must be unique"
                    )
                targets.add(target)
                props = dict(item.get("properties") or {})
                if record is None:
                    props.setdefault(id_property, key)
                work.append((record, state.prepare(otype, props, record=record)))
            state.batch_rng.shuffle(work)
            results = []
            for record, values in work:
                is_new = record is None
                if record is None:
                    record = state.create(otype, values, api)
                else:
                    state.update(record, values, api)
                results.append({**record_to_api(record, all_set=True), "new": is_new})
        envelope, _ = batch_response(results, [], started, state.now_ms())
        return jsonify(envelope), 200

    @bp.post(f"{BASE}/<object_type>/batch/archive")
    def batch_archive(object_type: str) -> Any:
        otype = resolve_type(object_type)
        inputs = batch_inputs(json_body())
        with state.lock:
            for item in inputs:
                record = state.find(otype, str((item or {}).get("id", "")))
                if record is not None:
                    state.archive(record, api)
        return "", 204

    @bp.post(f"{BASE}/<object_type>/search")
    def search(object_type: str) -> Any:
        otype = resolve_type(object_type)
        body = json_body()
        config = sandbox.config

        def property_type(name: str) -> str | None:
            prop = state.registry.get(otype.name, name)
            return prop.type if prop else None

        search_request = parse_search_request(
            body, len(request.get_data()), property_type, config.search_max_total
        )
        visible = state.index.visible(otype.name)
        total, page = run_search(visible, search_request, property_type, otype.name)
        wanted = state.known_properties(otype, search_request.properties)
        result: dict[str, Any] = {
            "total": total,
            "results": [record_to_api(r, properties=wanted) for r in page],
        }
        next_after = search_request.after + len(page)
        if page and next_after < total:
            result["paging"] = {"next": {"after": str(next_after)}}
        return jsonify(result)

    @bp.post(f"{BASE}/contacts/merge")
    def merge() -> Any:
        body = json_body()
        if not isinstance(body, dict):
            raise validation_error("Invalid input JSON: expected an object.")
        contacts = resolve_type("contacts")
        with state.lock:
            primary = state.require(contacts, str(body.get("primaryObjectId", "")))
            merged = state.require(contacts, str(body.get("objectIdToMerge", "")))
            state.merge_contacts(primary, merged, api)
            return jsonify(record_to_api(primary, all_set=True))

    @bp.post(f"{BASE}/contacts/gdpr-delete")
    def gdpr_delete() -> Any:
        body = json_body()
        if not isinstance(body, dict) or not body.get("objectId"):
            raise validation_error("objectId is required.")
        contacts = resolve_type("contacts")
        with state.lock:
            record = state.require(
                contacts, str(body["objectId"]), id_property=body.get("idProperty"), archived=None
            )
            state.gdpr_delete(record, api)
        return "", 204

    return bp


def _reject_duplicate_ids(inputs: list[Any]) -> None:
    seen: set[str] = set()
    duplicates: list[str] = []
    for item in inputs:
        key = str((item or {}).get("id", ""))
        if key in seen:
            duplicates.append(key)
        seen.add(key)
    if duplicates:
        raise validation_error(
            f"Duplicate IDs found in batch input: {sorted(set(duplicates))}. IDs must be unique"
        )


def _require_contact_for_lead(otype: ObjectType, links: list[tuple[CrmRecord, int]]) -> None:
    """HubSpot refuses a lead created without its contact."""
    if otype.name == leads.LEADS and not any(t.object_type.name == "contacts" for t, _ in links):
        raise validation_error(leads.MISSING_CONTACT)


def _resolve_associations(
    state: CrmState, otype: ObjectType, specs: list[Any]
) -> list[tuple[CrmRecord, int]]:
    """Validate `associations` of a create body -> (target record, type id) pairs."""
    links: list[tuple[CrmRecord, int]] = []
    for spec in specs:
        target_id = str(((spec or {}).get("to") or {}).get("id", ""))
        for type_spec in (spec or {}).get("types") or []:
            type_id = int((type_spec or {}).get("associationTypeId", -1))
            pair = association_pair(type_id)
            if pair is None or pair[0] != otype.name:
                raise validation_error(
                    f"Association type {type_id} is not valid from {otype.name}."
                )
            target = state.find(resolve_type(pair[1]), target_id)
            if target is None:
                raise ApiError(
                    400,
                    f"One or more associations are invalid: {pair[1]} {target_id} does not exist.",
                    "VALIDATION_ERROR",
                    context={"toObjectId": [target_id]},
                )
            links.append((target, type_id))
    return links
