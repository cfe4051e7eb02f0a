"""What `baton doctor` and `baton setup` read from and create in a HubSpot portal.

Plain dicts out, :class:`~adapters.errors.CrmCallError` on failure, every call metered and
rate-limited through :class:`HubSpotClient` (the private-app token-info endpoint has no SDK
model: :meth:`HubSpotClient.post_json`, with the Bearer header EU tokens need). Its answer
carries the ``X-HubSpot-RateLimit-*`` budget headers the doctor reports.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hubspot.crm.properties import OptionInput, PropertyCreate, PropertyGroupCreate

from adapters.errors import CrmCallError
from adapters.hubspot.client import SYSTEM, HubSpotClient

TOKEN_INFO_PATH = "/oauth/v2/private-apps/get/access-token-info"
#: the rate-limit headers HubSpot sends on every answer but search (hubspot.md §4.3)
BUDGET_HEADERS = {
    "burst_max": "x-hubspot-ratelimit-max",
    "burst_remaining": "x-hubspot-ratelimit-remaining",
    "daily_max": "x-hubspot-ratelimit-daily",
    "daily_remaining": "x-hubspot-ratelimit-daily-remaining",
}


class HubSpotAdmin:
    """Token, schema, owners and lists of one portal, for set-up and health checks."""

    def __init__(self, client: HubSpotClient, base_url: str, access_token: str) -> None:
        self.client = client
        self.base_url = base_url.rstrip("/")
        self._token = access_token
        #: the budget headers of the last token-info answer (int values; absent if not sent)
        self.budget: dict[str, int] = {}

    def token_info(self) -> dict[str, Any]:
        """``{"hubId", "appId", "userId", "scopes"}`` of the private-app token."""
        try:
            body, headers = self.client.post_json(TOKEN_INFO_PATH, {"tokenKey": self._token})
        except CrmCallError as exc:
            self.budget = _budget(exc.headers or {})
            raise
        self.budget = _budget(headers)
        if not isinstance(body, dict):
            raise CrmCallError(
                SYSTEM, 200, headers=headers, body=body, error_code="UNREADABLE_RESPONSE",
                message="token info is not a JSON object",
            )  # fmt: skip
        return body

    def properties(self, object_type: str) -> dict[str, dict[str, Any]]:
        """Every property of ``object_type`` by name: type, label, group and options."""
        api = self.client.sdk.crm.properties.core_api
        data, _ = self.client.call(api.get_all_with_http_info, object_type)
        return {
            prop.name: {
                "type": prop.type,
                "label": prop.label,
                "groupName": prop.group_name,
                "options": [
                    {"value": o.value, "label": o.label, "displayOrder": o.display_order}
                    for o in prop.options or []
                ],
            }
            for prop in data.results or []
        }

    def group_names(self, object_type: str) -> set[str]:
        """Names of the property groups ``object_type`` has."""
        api = self.client.sdk.crm.properties.groups_api
        data, _ = self.client.call(api.get_all_with_http_info, object_type)
        return {group.name for group in data.results or []}

    def create_group(self, object_type: str, name: str, label: str) -> None:
        """POST /crm/v3/properties/{type}/groups (409 when it exists)."""
        api = self.client.sdk.crm.properties.groups_api
        body = PropertyGroupCreate(name=name, label=label, display_order=-1)
        self.client.call(api.create_with_http_info, object_type, body)

    def create_property(self, object_type: str, spec: Mapping[str, Any]) -> None:
        """POST /crm/v3/properties/{type}: ``spec`` holds name, label, type, fieldType,
        groupName, optional description and options [(value, label)]."""
        api = self.client.sdk.crm.properties.core_api
        options = [
            OptionInput(value=value, label=label, display_order=index, hidden=False)
            for index, (value, label) in enumerate(spec.get("options") or [])
        ]
        body = PropertyCreate(
            name=spec["name"],
            label=spec["label"],
            type=spec["type"],
            field_type=spec["fieldType"],
            group_name=spec["groupName"],
            description=spec.get("description") or "",
            options=options,
            has_unique_value=False,
            hidden=False,
            form_field=False,
        )
        self.client.call(api.create_with_http_info, object_type, body)

    def owners(self) -> dict[str, bool]:
        """Every owner id → active (archived owners are listed too, as inactive)."""
        found = {str(owner.id): True for owner in self.client.owners()}
        for owner in self.client.owners(archived=True):
            found[str(owner.id)] = False
        return found

    def lead_pipelines(self) -> list[dict[str, Any]]:
        """The Leads object's pipelines with their stages (ids and labels), in order."""
        return self.client.pipelines("leads")


def _budget(headers: Mapping[str, str]) -> dict[str, int]:
    budget: dict[str, int] = {}
    for key, header in BUDGET_HEADERS.items():
        value = headers.get(header, "")
        if value.isdigit():
            budget[key] = int(value)
    return budget
