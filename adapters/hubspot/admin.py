"""What `baton doctor` and `baton setup` read from and create in a HubSpot portal.

Plain dicts out, :class:`~adapters.errors.CrmCallError` on failure, every call metered and
rate-limited through :class:`HubSpotClient`. The private-app token-info endpoint has no SDK
model, and the SDK's generic ``api_request`` sets no timeout (and prints errors to stdout), so
it is one plain ``requests`` POST with the client's timeout (HubSpot's private-apps guide; the
Bearer header is needed for EU tokens). Its answer carries the ``X-HubSpot-RateLimit-*``
budget headers the doctor reports.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import requests
from hubspot.crm.properties import OptionInput, PropertyCreate, PropertyGroupCreate

from adapters.errors import CrmCallError
from adapters.hubspot.client import SYSTEM, HubSpotClient
from adapters.metering import count_call

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
        if self.client.limiter is not None:
            self.client.limiter.acquire()
        try:
            response = requests.post(
                self.base_url + TOKEN_INFO_PATH,
                json={"tokenKey": self._token},
                headers={"Authorization": f"Bearer {self._token}"},
                timeout=self.client.timeout_s,
            )
        except requests.RequestException as exc:
            count_call(self.client.metrics, SYSTEM, "network")
            raise CrmCallError(SYSTEM, None, message=f"{type(exc).__name__}: {exc}") from exc
        count_call(self.client.metrics, SYSTEM, response.status_code)
        headers = {k.lower(): v for k, v in response.headers.items()}
        if self.client.limiter is not None:
            self.client.limiter.observe_hubspot_headers(headers)
        self.budget = _budget(headers)
        body = _json(response)
        if response.status_code != 200 or not isinstance(body, dict):
            message = body.get("message") if isinstance(body, dict) else response.text[:300]
            code = body.get("category") if isinstance(body, dict) else None
            raise CrmCallError(
                SYSTEM, response.status_code, headers=headers, body=body, error_code=code,
                message=str(message or f"HTTP {response.status_code}"),
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
        api = self.client.sdk.crm.owners.owners_api
        found: dict[str, bool] = {}
        for archived in (False, True):
            after: str | None = None
            while True:
                kwargs: dict[str, Any] = {"limit": 500, "archived": archived}
                if after:
                    kwargs["after"] = after
                data, _ = self.client.call(api.get_page_with_http_info, **kwargs)
                for owner in data.results or []:
                    found[str(owner.id)] = not archived
                paging = getattr(data, "paging", None)
                after = paging.next.after if paging and paging.next else None
                if not after:
                    break
        return found

    def lead_pipelines(self) -> list[dict[str, Any]]:
        """The Leads object's pipelines with their stages (ids and labels), in order."""
        return self.client.pipelines("leads")

    def list_processing_type(self, list_id: str) -> str:
        """MANUAL, SNAPSHOT or DYNAMIC."""
        return str(self.client.get_list(list_id)["processingType"])


def _budget(headers: Mapping[str, str]) -> dict[str, int]:
    budget: dict[str, int] = {}
    for key, header in BUDGET_HEADERS.items():
        value = headers.get(header, "")
        if value.isdigit():
            budget[key] = int(value)
    return budget


def _json(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None
