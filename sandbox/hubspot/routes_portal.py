"""Portal-level routes: properties, owners, pipelines; lists and associations are mounted here."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Blueprint, jsonify, request

from .errors import ApiError, not_found, validation_error
from .httputil import flag, int_arg, json_body
from .properties import PropertyDef, options_from
from .routes_associations import register_association_routes
from .routes_lists import register_list_routes
from .routes_setup import register_setup_routes
from .schema import resolve_type

if TYPE_CHECKING:
    from .sandbox import HubSpotSandbox


def portal_blueprint(sandbox: HubSpotSandbox) -> Blueprint:
    """Routes for the portal's definitions and people."""
    bp = Blueprint("hubspot_portal", __name__)
    state = sandbox.state

    @bp.get("/crm/v3/properties/<object_type>")
    def list_properties(object_type: str) -> Any:
        otype = resolve_type(object_type)
        with state.lock:
            props = [p.to_api() for p in state.registry.all(otype.name)]
        return jsonify({"results": props})

    @bp.get("/crm/v3/properties/<object_type>/<name>")
    def get_property(object_type: str, name: str) -> Any:
        otype = resolve_type(object_type)
        with state.lock:
            prop = state.registry.get(otype.name, name)
            if prop is None:
                raise not_found(f"Unable to find property {name} for object type {otype.type_id}")
            return jsonify(prop.to_api())

    @bp.post("/crm/v3/properties/<object_type>")
    def create_property(object_type: str) -> Any:
        otype = resolve_type(object_type)
        body = json_body()
        if not isinstance(body, dict):
            raise validation_error("Invalid input JSON: expected an object.")
        missing = [
            k for k in ("name", "label", "type", "fieldType", "groupName") if not body.get(k)
        ]
        if missing:
            raise validation_error(f"Missing required fields: {', '.join(missing)}")
        with state.lock:
            if not state.registry.has_group(otype.name, str(body["groupName"])):
                raise validation_error(
                    f"Property group {body['groupName']} does not exist for object type "
                    f"{otype.type_id}. Create the group first."
                )
            if state.registry.get(otype.name, body["name"]) is not None:
                raise ApiError(
                    409, f"Property named '{body['name']}' already exists.", "OBJECT_ALREADY_EXISTS"
                )
            try:
                prop = PropertyDef(
                    name=body["name"],
                    type=body["type"],
                    label=body["label"],
                    group_name=body["groupName"],
                    field_type=body["fieldType"],
                    options=options_from(body.get("options")),
                    has_unique_value=bool(body.get("hasUniqueValue", False)),
                    hubspot_defined=False,
                    description=body.get("description") or "",
                    created_at_ms=state.now_ms(),
                )
            except ValueError as error:
                raise validation_error(str(error)) from None
            state.registry.add(otype.name, prop)
            return jsonify(prop.to_api()), 201

    @bp.patch("/crm/v3/properties/<object_type>/<name>")
    def update_property(object_type: str, name: str) -> Any:
        otype = resolve_type(object_type)
        body = json_body()
        with state.lock:
            prop = state.registry.get(otype.name, name)
            if prop is None:
                raise not_found(f"Unable to find property {name} for object type {otype.type_id}")
            if "label" in body:
                prop.label = str(body["label"])
            if "options" in body:
                try:
                    prop.options = options_from(body["options"])
                except ValueError as error:
                    raise validation_error(str(error)) from None
                if name == "lifecyclestage":
                    for option in prop.options:
                        state.add_lifecycle_stage(option.value, option.label, option.display_order)
            return jsonify(prop.to_api())

    @bp.delete("/crm/v3/properties/<object_type>/<name>")
    def delete_property(object_type: str, name: str) -> Any:
        otype = resolve_type(object_type)
        with state.lock:
            prop = state.registry.get(otype.name, name)
            if prop is None:
                raise not_found(f"Unable to find property {name} for object type {otype.type_id}")
            if prop.hubspot_defined:
                raise validation_error(
                    f"Property {name} is HubSpot-defined and cannot be archived."
                )
            state.registry.remove(otype.name, name)
        return "", 204

    @bp.get("/crm/v3/owners/")
    @bp.get("/crm/v3/owners")
    def list_owners() -> Any:
        limit = int_arg("limit", 100, 500)
        archived = flag("archived")
        email = (request.args.get("email") or "").strip().lower()
        after = request.args.get("after")
        with state.lock:
            owners = sorted(
                (o for o in state.owners.values() if o.archived == archived),
                key=lambda o: int(o.id),
            )
            if email:
                owners = [o for o in owners if o.email.lower() == email]
            if after:
                if not after.isdigit():
                    raise validation_error(f"Invalid 'after' cursor: {after!r}.")
                owners = [o for o in owners if int(o.id) > int(after)]
            page = owners[:limit]
            body: dict[str, Any] = {"results": [o.to_api() for o in page]}
            if len(owners) > limit:
                body["paging"] = {"next": {"after": page[-1].id}}
        return jsonify(body)

    @bp.get("/crm/v3/owners/<owner_id>")
    def get_owner(owner_id: str) -> Any:
        id_property = request.args.get("idProperty", "id")
        archived = flag("archived")
        with state.lock:
            if id_property == "userId":
                owner = next((o for o in state.owners.values() if str(o.user_id) == owner_id), None)
            elif id_property == "id":
                owner = state.owners.get(owner_id)
            else:
                raise validation_error(f"idProperty must be id or userId, got {id_property!r}.")
            if owner is None or owner.archived != archived:
                raise not_found(f"Owner {owner_id} not found")
            return jsonify(owner.to_api())

    @bp.get("/crm/v3/pipelines/<object_type>")
    def list_pipelines(object_type: str) -> Any:
        otype = resolve_type(object_type)
        with state.lock:
            pipelines = list(state.pipelines_of(otype.name).values())
            results = [p.to_api() for p in sorted(pipelines, key=lambda p: p.display_order)]
        return jsonify({"results": results})

    @bp.get("/crm/v3/pipelines/<object_type>/<pipeline_id>")
    def get_pipeline(object_type: str, pipeline_id: str) -> Any:
        otype = resolve_type(object_type)
        with state.lock:
            pipeline = state.pipelines_of(otype.name).get(pipeline_id)
            if pipeline is None:
                raise not_found(f"Pipeline {pipeline_id} not found")
            return jsonify(pipeline.to_api())

    register_list_routes(bp, sandbox)
    register_setup_routes(bp, sandbox)
    register_association_routes(bp, sandbox)
    return bp
