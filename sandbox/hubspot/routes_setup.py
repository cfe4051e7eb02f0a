"""What an app reads and creates while being set up: token info and property groups.

* ``POST /oauth/v2/private-apps/get/access-token-info`` with ``{"tokenKey": token}`` answers
  ``{"userId", "hubId", "appId", "scopes"}`` for a private-app token (HubSpot's private-apps
  guide; the v12 SDK has no method for it, callers use ``HubSpot.api_request``).
* ``GET|POST /crm/v3/properties/{type}/groups`` and ``GET .../groups/{name}``: a duplicate
  name is 409, as for properties.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Blueprint, jsonify

from .errors import ApiError, not_found, unauthorized, validation_error
from .groups import PropertyGroup
from .httputil import json_body
from .schema import resolve_type

if TYPE_CHECKING:
    from .sandbox import HubSpotSandbox


def register_setup_routes(bp: Blueprint, sandbox: HubSpotSandbox) -> None:
    """Mount the token-info and property-group routes on the portal blueprint."""
    state = sandbox.state
    config = sandbox.config

    @bp.post("/oauth/v2/private-apps/get/access-token-info")
    def access_token_info() -> Any:
        body = json_body()
        if not isinstance(body, dict) or not isinstance(body.get("tokenKey"), str):
            raise validation_error("Invalid input JSON: tokenKey is required.")
        if body["tokenKey"] != config.access_token:
            raise unauthorized()
        return jsonify(
            {
                "userId": config.token_user_id,
                "hubId": config.portal_id,
                "appId": config.app_id,
                "scopes": list(config.scopes),
            }
        )

    @bp.get("/crm/v3/properties/<object_type>/groups")
    def list_groups(object_type: str) -> Any:
        otype = resolve_type(object_type)
        with state.lock:
            groups = list(state.registry.groups.get(otype.name, {}).values())
            return jsonify({"results": [g.to_api() for g in groups if not g.archived]})

    @bp.get("/crm/v3/properties/<object_type>/groups/<name>")
    def get_group(object_type: str, name: str) -> Any:
        otype = resolve_type(object_type)
        with state.lock:
            group = state.registry.groups.get(otype.name, {}).get(name)
            if group is None or group.archived:
                raise not_found(f"Unable to find property group {name} for {otype.type_id}")
            return jsonify(group.to_api())

    @bp.post("/crm/v3/properties/<object_type>/groups")
    def create_group(object_type: str) -> Any:
        otype = resolve_type(object_type)
        body = json_body()
        if not isinstance(body, dict):
            raise validation_error("Invalid input JSON: expected an object.")
        missing = [k for k in ("name", "label") if not body.get(k)]
        if missing:
            raise validation_error(f"Missing required fields: {', '.join(missing)}")
        name = str(body["name"])
        if not name.replace("_", "").isalnum() or name != name.lower():
            raise validation_error(f"Invalid property group name {name!r}: use a-z, 0-9 and _.")
        with state.lock:
            if state.registry.has_group(otype.name, name):
                raise ApiError(
                    409, f"Property group named '{name}' already exists.", "OBJECT_ALREADY_EXISTS"
                )
            order = body.get("displayOrder", -1)
            group = PropertyGroup(name, str(body["label"]), int(order) if order is not None else -1)
            state.registry.add_group(otype.name, group)
            return jsonify(group.to_api()), 201
