"""`/crm/v3/lists/...`: list create/read and MANUAL/SNAPSHOT membership changes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Blueprint, jsonify, request

from .errors import ApiError, not_found, validation_error
from .httputil import flag, int_arg, json_body, multi
from .lists import PROCESSING_TYPES, HsList
from .properties import iso_from_ms
from .schema import find_type

if TYPE_CHECKING:
    from .sandbox import HubSpotSandbox
    from .state import CrmState


def _require_list(state: CrmState, list_id: str) -> HsList:
    hs_list = state.lists.get(list_id)
    if hs_list is None or hs_list.deleted:
        raise not_found(f"List {list_id} does not exist.", listId=[list_id])
    return hs_list


def _live_ids(state: CrmState, object_type_id: str) -> set[str]:
    otype = find_type(object_type_id)
    if otype is None:
        return set()
    return {r.id for r in state.records[otype.name].values() if not r.archived}


def _id_list(body: Any, field: str | None = None) -> list[str]:
    values = body.get(field) if field and isinstance(body, dict) else body
    if not isinstance(values, list):
        raise validation_error("Invalid input JSON: expected an array of record ids.")
    return [str(v) for v in values]


def create_list(
    state: CrmState,
    name: str,
    object_type_id: str,
    processing_type: str,
    filter_branch: dict[str, Any] | None = None,
) -> HsList:
    """Create a list (shared by the route and `HubSpotSandbox.add_list`)."""
    if processing_type not in PROCESSING_TYPES:
        raise validation_error(
            f"processingType must be one of {', '.join(PROCESSING_TYPES)}, got {processing_type!r}"
        )
    otype = find_type(object_type_id)
    if otype is None:
        raise validation_error(f"Unknown objectTypeId {object_type_id!r}.")
    if any(
        lst.name == name and not lst.deleted and lst.object_type_id == otype.type_id
        for lst in state.lists.values()
    ):
        raise ApiError(
            400,
            f"A list named '{name}' already exists.",
            "VALIDATION_ERROR",
            sub_category="ILS_LIST_NAME_ALREADY_EXISTS",
        )
    now = state.now_ms()
    list_id = str(state.next_counter() + 100)
    hs_list = HsList(
        list_id, name, otype.type_id, processing_type, now, now, filter_branch=filter_branch
    )
    state.lists[list_id] = hs_list
    return hs_list


def register_list_routes(bp: Blueprint, sandbox: HubSpotSandbox) -> None:
    """Mount the lists routes on the portal blueprint."""
    state = sandbox.state

    @bp.post("/crm/v3/lists/")
    @bp.post("/crm/v3/lists")
    def create() -> Any:
        body = json_body()
        if not isinstance(body, dict) or not body.get("name"):
            raise validation_error("name, objectTypeId and processingType are required.")
        with state.lock:
            hs_list = create_list(
                state,
                str(body["name"]),
                str(body.get("objectTypeId", "")),
                str(body.get("processingType", "")),
                body.get("filterBranch"),
            )
            return jsonify({"list": hs_list.to_api(include_filters=True)})

    @bp.get("/crm/v3/lists/")
    @bp.get("/crm/v3/lists")
    def get_many() -> Any:
        ids = multi("listIds") or []
        include = flag("includeFilters")
        with state.lock:
            found = [state.lists[i] for i in ids if i in state.lists and not state.lists[i].deleted]
            return jsonify({"lists": [lst.to_api(include_filters=include) for lst in found]})

    @bp.get("/crm/v3/lists/<list_id>")
    def get_one(list_id: str) -> Any:
        with state.lock:
            hs_list = _require_list(state, list_id)
            return jsonify({"list": hs_list.to_api(include_filters=flag("includeFilters"))})

    @bp.get("/crm/v3/lists/object-type-id/<object_type_id>/name/<name>")
    def get_by_name(object_type_id: str, name: str) -> Any:
        with state.lock:
            otype = find_type(object_type_id)
            found = next(
                (
                    lst
                    for lst in state.lists.values()
                    if otype
                    and lst.name == name
                    and lst.object_type_id == otype.type_id
                    and not lst.deleted
                ),
                None,
            )
            if found is None:
                raise not_found(f"List {name} does not exist.")
            return jsonify({"list": found.to_api(include_filters=flag("includeFilters"))})

    @bp.delete("/crm/v3/lists/<list_id>")
    def delete(list_id: str) -> Any:
        with state.lock:
            _require_list(state, list_id).deleted = True
        return "", 204

    @bp.put("/crm/v3/lists/<list_id>/memberships/add")
    def add(list_id: str) -> Any:
        ids = _id_list(json_body())
        with state.lock:
            hs_list = _require_list(state, list_id)
            hs_list.require_manual_membership()
            result = hs_list.add(ids, _live_ids(state, hs_list.object_type_id), state.now_ms())
        return jsonify(result)

    @bp.put("/crm/v3/lists/<list_id>/memberships/remove")
    def remove(list_id: str) -> Any:
        ids = _id_list(json_body())
        with state.lock:
            hs_list = _require_list(state, list_id)
            hs_list.require_manual_membership()
            result = hs_list.remove(ids, state.now_ms())
        return jsonify(result)

    @bp.put("/crm/v3/lists/<list_id>/memberships/add-and-remove")
    def add_and_remove(list_id: str) -> Any:
        body = json_body()
        to_add = _id_list(body, "recordIdsToAdd")
        to_remove = _id_list(body, "recordIdsToRemove")
        with state.lock:
            hs_list = _require_list(state, list_id)
            hs_list.require_manual_membership()
            now = state.now_ms()
            removed = hs_list.remove(to_remove, now)
            added = hs_list.add(to_add, _live_ids(state, hs_list.object_type_id), now)
        return jsonify(
            {
                "recordsIdsAdded": added["recordsIdsAdded"],
                "recordIdsRemoved": removed["recordIdsRemoved"],
                "recordIdsMissing": added["recordIdsMissing"] + removed["recordIdsMissing"],
            }
        )

    @bp.delete("/crm/v3/lists/<list_id>/memberships")
    def remove_all(list_id: str) -> Any:
        with state.lock:
            hs_list = _require_list(state, list_id)
            hs_list.require_manual_membership()
            hs_list.members.clear()
        return "", 204

    def _page(list_id: str, by_join_time: bool) -> Any:
        limit = int_arg("limit", 100, 250)
        after = request.args.get("after")
        with state.lock:
            hs_list = _require_list(state, list_id)
            live = _live_ids(state, hs_list.object_type_id)
            members = [(rid, ts) for rid, ts in hs_list.members.items() if rid in live]
        if by_join_time:
            members.sort(key=lambda m: (m[1], int(m[0]) if m[0].isdigit() else 0))
        else:
            members.sort(key=lambda m: int(m[0]) if m[0].isdigit() else 0)
        start = int(after) if after and after.isdigit() else 0
        page = members[start : start + limit]
        body: dict[str, Any] = {
            "total": len(members),
            "results": [
                {"recordId": rid, "membershipTimestamp": iso_from_ms(ts)} for rid, ts in page
            ],
        }
        if start + limit < len(members):
            body["paging"] = {"next": {"after": str(start + limit)}}
        return jsonify(body)

    @bp.get("/crm/v3/lists/<list_id>/memberships")
    def memberships(list_id: str) -> Any:
        return _page(list_id, by_join_time=False)

    @bp.get("/crm/v3/lists/<list_id>/memberships/join-order")
    def memberships_join_order(list_id: str) -> Any:
        return _page(list_id, by_join_time=True)

    @bp.get("/crm/v3/lists/records/<object_type_id>/<record_id>/memberships")
    def record_memberships(object_type_id: str, record_id: str) -> Any:
        with state.lock:
            otype = find_type(object_type_id)
            results = [
                {
                    "listId": lst.list_id,
                    "listVersion": lst.list_version,
                    "firstAddedTimestamp": iso_from_ms(lst.members[record_id]),
                    "lastAddedTimestamp": iso_from_ms(lst.members[record_id]),
                }
                for lst in state.lists.values()
                if otype
                and lst.object_type_id == otype.type_id
                and not lst.deleted
                and record_id in lst.members
            ]
        return jsonify({"total": len(results), "results": results})
