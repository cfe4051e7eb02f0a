"""A thin layer over hubspot-api-client: the few calls Baton makes, in plain dicts, metered.

Every call goes through :meth:`HubSpotClient._call`, which takes a slot from the rate limiter,
sets a timeout (the SDK has none by default), counts ``crm_calls{system,status}``, feeds the
``X-HubSpot-RateLimit-*`` headers back to the limiter, and turns the SDK's per-package
``ApiException`` (or a network failure) into :class:`~adapters.errors.CrmCallError` with the
status, headers and parsed body. Writers and readers never import the SDK.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import requests
import urllib3
from hubspot import HubSpot
from hubspot.crm.associations.v4.exceptions import ApiException as AssociationsApiException
from hubspot.crm.lists.exceptions import ApiException as ListsApiException
from hubspot.crm.objects import (
    AssociationSpec,
    BatchInputSimplePublicObjectBatchInput,
    BatchReadInputSimplePublicObjectId,
    Filter,
    FilterGroup,
    PublicAssociationsForObject,
    PublicObjectId,
    PublicObjectSearchRequest,
    SimplePublicObjectBatchInput,
    SimplePublicObjectId,
    SimplePublicObjectInputForCreate,
)
from hubspot.crm.objects.exceptions import ApiException as ObjectsApiException
from hubspot.crm.owners.exceptions import ApiException as OwnersApiException
from hubspot.crm.properties.exceptions import ApiException as PropertiesApiException
from hubspot.webhooks.exceptions import ApiException as WebhooksApiException
from urllib3.util.retry import Retry

from adapters.errors import CrmCallError
from adapters.metering import count_call
from adapters.ratelimit import DEFAULT_KIND, SEARCH_KIND, RateLimiter
from connector.metrics import Metrics

SYSTEM = "hubspot"
DEFAULT_BASE_URL = "https://api.hubapi.com"
#: HubSpot object batch endpoints take at most 100 inputs (hubspot.md §4.1).
BATCH_LIMIT = 100
#: Lists memberships/add: Baton keeps to the same 100 per call.
LIST_BATCH_LIMIT = 100
#: GET /crm/v3/owners takes up to 500 a page
OWNERS_PAGE = 500


class HttpRefusal(Exception):
    """A non-2xx answer to a plain ``requests`` call, shaped like the SDK's ``ApiException``
    (status, headers, body) so :func:`exchange` translates both the same way."""

    def __init__(self, status: int, headers: Mapping[str, str], body: bytes) -> None:
        super().__init__(f"HTTP {status}")
        self.status, self.headers, self.body = status, headers, body


_API_EXCEPTIONS = (
    ObjectsApiException,
    ListsApiException,
    PropertiesApiException,
    AssociationsApiException,
    OwnersApiException,
    WebhooksApiException,
    HttpRefusal,
)


@dataclass(frozen=True, slots=True)
class BatchAnswer:
    """A batch endpoint's answer: the records it returned and its per-input errors (207)."""

    status: int
    results: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)


class HubSpotClient:
    """The HubSpot calls Baton needs, over the official client, metered and rate-limited."""

    system = SYSTEM

    def __init__(
        self,
        access_token: str,
        base_url: str = DEFAULT_BASE_URL,
        *,
        limiter: RateLimiter | None = None,
        metrics: Metrics | None = None,
        timeout_s: tuple[float, float] = (5.0, 30.0),
    ) -> None:
        if not access_token:
            raise ValueError("HubSpot access token is empty")
        # No SDK-level retries: tenacity in the writer decides, with HubSpot's own rules.
        sdk = HubSpot(
            access_token=access_token,
            host=base_url.rstrip("/"),
            retry=Retry(total=0, connect=0, read=0, status=0, redirect=0, raise_on_status=False),
        )
        #: the official client, for callers that need other endpoints (the pollers' search)
        self.sdk = sdk
        # Each discovery attribute access builds a new ApiClient (and connection pool): keep one.
        self._batch = sdk.crm.objects.batch_api
        self._search = sdk.crm.objects.search_api
        self._lists = sdk.crm.lists.memberships_api
        self._list_definitions = sdk.crm.lists.lists_api
        self._properties = sdk.crm.properties.core_api
        self._objects = sdk.crm.objects.basic_api
        self._associations = sdk.crm.associations.v4.basic_api
        self._owners = sdk.crm.owners.owners_api
        self.base_url = base_url.rstrip("/")
        self._access_token = access_token
        self.limiter = limiter
        self.metrics = metrics
        self.timeout_s = timeout_s

    # -- calls -----------------------------------------------------------------------------

    def batch_update(self, object_type: str, inputs: Sequence[Mapping[str, Any]]) -> BatchAnswer:
        """POST /crm/v3/objects/{type}/batch/update; ``inputs`` hold ``id``, ``properties`` and
        optionally ``objectWriteTraceId``. Per-input failures come back in ``errors`` (207)."""
        _check_batch(inputs)
        body = BatchInputSimplePublicObjectBatchInput(
            inputs=[
                SimplePublicObjectBatchInput(
                    id=str(item["id"]),
                    properties={k: _as_text(v) for k, v in item["properties"].items()},
                    object_write_trace_id=item.get("objectWriteTraceId"),
                )
                for item in inputs
            ]
        )
        data, status = self._call(
            DEFAULT_KIND, self._batch.update_with_http_info, object_type, body
        )
        return _batch_answer(data, status)

    def batch_read(
        self,
        object_type: str,
        ids: Sequence[str],
        properties: Sequence[str],
        *,
        id_property: str | None = None,
    ) -> BatchAnswer:
        """POST /crm/v3/objects/{type}/batch/read (by record id, or by ``id_property`` such as
        email). Ids that do not resolve come back as an OBJECT_NOT_FOUND error (207)."""
        _check_batch(ids)
        body = BatchReadInputSimplePublicObjectId(
            inputs=[SimplePublicObjectId(id=str(i)) for i in ids],
            properties=list(properties),
            properties_with_history=[],
            id_property=id_property,
        )
        data, status = self._call(DEFAULT_KIND, self._batch.read_with_http_info, object_type, body)
        return _batch_answer(data, status)

    def create_associated(
        self,
        object_type: str,
        properties: Mapping[str, Any],
        to_id: str,
        association_type_id: int,
    ) -> dict[str, Any]:
        """POST /crm/v3/objects/{type} with one HUBSPOT_DEFINED association in the same call
        (a Leads record cannot exist unassociated, so it is created with its contact)."""
        body = SimplePublicObjectInputForCreate(
            properties={k: _as_text(v) for k, v in properties.items()},
            associations=[
                PublicAssociationsForObject(
                    to=PublicObjectId(id=str(to_id)),
                    types=[
                        AssociationSpec(
                            association_category="HUBSPOT_DEFINED",
                            association_type_id=association_type_id,
                        )
                    ],
                )
            ],
        )
        data, _ = self._call(DEFAULT_KIND, self._objects.create_with_http_info, object_type, body)
        return {"id": str(data.id), "properties": dict(data.properties or {})}

    def associate_default(self, from_type: str, from_id: str, to_type: str, to_id: str) -> None:
        """PUT /crm/v4/objects/{from}/{id}/associations/default/{to}/{toId}: the unlabelled
        association, whatever its type id (safe to repeat: an existing one is kept)."""
        self._call(
            DEFAULT_KIND,
            self._associations.create_default_with_http_info,
            from_type,
            str(from_id),
            to_type,
            str(to_id),
        )

    def get_owner(self, owner_id: str) -> dict[str, Any]:
        """GET /crm/v3/owners/{ownerId}: the owner's e-mail and user id (escalation mail)."""
        data, _ = self._call(DEFAULT_KIND, self._owners.get_by_id_with_http_info, int(owner_id))
        return {"id": str(data.id), "email": data.email, "userId": data.user_id}

    def search_equals(
        self, object_type: str, property_name: str, value: str, properties: Sequence[str]
    ) -> list[dict[str, Any]]:
        """Search records whose ``property_name`` equals ``value`` (first 200 hits).

        Search is eventually consistent and limited to 5 requests/s per portal: the limiter's
        separate search window applies. Never use it to read back Baton's own write.
        """
        request = PublicObjectSearchRequest(
            filter_groups=[
                FilterGroup(
                    filters=[Filter(property_name=property_name, operator="EQ", value=value)]
                )
            ],
            properties=list(properties),
            limit=200,
            after="0",
            sorts=[],
        )
        data, _ = self._call(
            SEARCH_KIND, self._search.do_search_with_http_info, object_type, request
        )
        return [_record(r) for r in data.results or []]

    def add_to_list(self, list_id: str, record_ids: Sequence[str]) -> dict[str, list[str]]:
        """PUT /crm/v3/lists/{listId}/memberships/add (MANUAL or SNAPSHOT lists only).

        Returns ``{"added": [...], "missing": [...]}``; ids already in the list are in neither.
        """
        if not record_ids or len(record_ids) > LIST_BATCH_LIMIT:
            raise ValueError(f"add_to_list takes 1..{LIST_BATCH_LIMIT} ids, got {len(record_ids)}")
        data, _ = self._call(
            DEFAULT_KIND, self._lists.add_with_http_info, str(list_id), [str(i) for i in record_ids]
        )
        return {
            "added": [str(i) for i in (data.records_ids_added or [])],
            "missing": [str(i) for i in (data.record_ids_missing or [])],
        }

    def get_list(self, list_id: str) -> dict[str, Any]:
        """GET /crm/v3/lists/{listId}: the list's name, object type and ``processingType``."""
        data, _ = self._call(
            DEFAULT_KIND, self._list_definitions.get_by_id_with_http_info, str(list_id)
        )
        found = data.list
        return {
            "listId": str(found.list_id),
            "name": found.name,
            "processingType": found.processing_type,
            "objectTypeId": found.object_type_id,
        }

    def get_with_associations(
        self, object_type: str, object_id: str, properties: Sequence[str], to_type: str
    ) -> dict[str, Any] | None:
        """GET /crm/v3/objects/{type}/{id}?associations=…: the record's properties and the ids
        of its ``to_type`` associations (``{"id", "properties", "associated"}``); None if gone."""
        try:
            data, _ = self._call(
                DEFAULT_KIND,
                self._objects.get_by_id_with_http_info,
                object_type,
                str(object_id),
                properties=list(properties),
                associations=[to_type],
                archived=False,
            )
        except CrmCallError as exc:
            if exc.status == 404:
                return None
            raise
        linked = (data.associations or {}).get(to_type)
        ids = [str(a.id) for a in (linked.results if linked is not None else None) or []]
        return {"id": str(data.id), "properties": dict(data.properties or {}), "associated": ids}

    def associated_ids(self, object_type: str, object_id: str, to_type: str) -> list[str]:
        """GET /crm/v4/objects/{type}/{id}/associations/{toType}, every page: the ids."""
        ids: list[str] = []
        after: str | None = None
        while True:
            data, _ = self._call(
                DEFAULT_KIND,
                self._associations.get_page_with_http_info,
                object_type,
                str(object_id),
                to_type,
                after=after,
                limit=500,
            )
            ids += [str(r.to_object_id) for r in data.results or []]
            following = data.paging.next if data.paging is not None else None
            after = following.after if following is not None else None
            if not after:
                return list(dict.fromkeys(ids))

    def owner_email(self, owner_id: str) -> str | None:
        """GET /crm/v3/owners/{ownerId}: the owner's login e-mail (None: no such owner)."""
        try:
            owner = self.get_owner(owner_id)
        except CrmCallError as exc:
            if exc.status == 404:
                return None
            raise
        return str(owner["email"]) if owner["email"] else None

    def owner_exists(self, owner_id: str) -> bool:
        """GET /crm/v3/owners/{ownerId}: False when there is no such active owner (a rep who
        left is archived, and HubSpot answers 404 for archived owners unless asked for them)."""
        try:
            self.get_owner(owner_id)
        except CrmCallError as exc:
            if exc.status == 404:
                return False
            raise
        return True

    def get_property(self, object_type: str, name: str) -> dict[str, Any]:
        """GET /crm/v3/properties/{type}/{name}: the definition, with options and displayOrder."""
        data, _ = self._call(
            DEFAULT_KIND, self._properties.get_by_name_with_http_info, object_type, name
        )
        return {
            "name": data.name,
            "type": data.type,
            "options": [
                {
                    "value": o.value,
                    "label": o.label,
                    "displayOrder": o.display_order,
                    "hidden": bool(o.hidden),
                }
                for o in data.options or []
            ],
        }

    def property_names(self, object_type: str) -> set[str]:
        """GET /crm/v3/properties/{type}: the names of every property the type has."""
        data, _ = self._call(DEFAULT_KIND, self._properties.get_all_with_http_info, object_type)
        return {prop.name for prop in data.results or []}

    def owners(self, *, archived: bool = False) -> Iterator[Any]:
        """GET /crm/v3/owners, every page: the SDK's owner models (active, or archived ones)."""
        after: str | None = None
        while True:
            kwargs: dict[str, Any] = {"limit": OWNERS_PAGE, "archived": archived}
            if after:
                kwargs["after"] = after
            data, _ = self._call(DEFAULT_KIND, self._owners.get_page_with_http_info, **kwargs)
            yield from data.results or []
            following = data.paging.next if data.paging else None
            if following is None or not following.after:
                return
            after = following.after

    def owner_names(self) -> dict[str, str]:
        """Every active owner id → "First Last" (the e-mail if unnamed)."""
        names: dict[str, str] = {}
        for owner in self.owners():
            full = " ".join(p for p in (owner.first_name, owner.last_name) if p)
            names[str(owner.id)] = full or owner.email or str(owner.id)
        return names

    def list_processing_type(self, list_id: str) -> str:
        """MANUAL, SNAPSHOT or DYNAMIC: only the first two take members through the API."""
        return str(self.get_list(list_id)["processingType"])

    def pipelines(self, object_type: str) -> list[dict[str, Any]]:
        """GET /crm/v3/pipelines/{type}: each pipeline's id, label and stages in order."""
        api = self.sdk.crm.pipelines.pipelines_api
        data, _ = self._call(DEFAULT_KIND, api.get_all_with_http_info, object_type)
        return [
            {
                "id": str(p.id),
                "label": str(p.label),
                "stages": [
                    {"id": str(s.id), "label": str(s.label)}
                    for s in sorted(p.stages or [], key=lambda s: s.display_order)
                ],
            }
            for p in sorted(data.results or [], key=lambda p: p.display_order)
        ]

    def property_labels(self, object_type: str) -> dict[str, str]:
        """GET /crm/v3/properties/{type}: each property's label (what the admin sees) by name."""
        data, _ = self._call(DEFAULT_KIND, self._properties.get_all_with_http_info, object_type)
        return {prop.name: prop.label for prop in data.results or [] if prop.label}

    # -- plumbing --------------------------------------------------------------------------

    def call(self, method: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run one other SDK ``*_with_http_info`` method the same way (setup and doctor use it)."""
        return self._call(DEFAULT_KIND, method, *args, **kwargs)

    def post_json(self, path: str, body: Mapping[str, Any]) -> tuple[Any, dict[str, str]]:
        """POST an endpoint the SDK has no model for (private-app token info), through the same
        limiter, timeout, metrics and error translation as every SDK call; the answer's body
        and headers (a refusal's headers are on the :class:`CrmCallError`). The SDK's generic
        ``api_request`` sets no timeout and prints errors, so this is one ``requests`` POST."""
        answer: dict[str, str] = {}

        def send(*, _request_timeout: tuple[float, float]) -> tuple[Any, int, dict[str, str]]:
            response = requests.post(
                self.base_url + path,
                json=dict(body),
                headers={"Authorization": f"Bearer {self._access_token}"},
                timeout=_request_timeout,
            )
            answer.update(_lower(response.headers))
            if not 200 <= response.status_code < 300:
                raise HttpRefusal(response.status_code, answer, response.content)
            return _parse_body(response.content), response.status_code, answer

        data, _ = self._call(DEFAULT_KIND, send)
        return data, answer

    def _call(self, kind: str, method: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """One HTTP exchange: limiter slot, timeout, metrics, header hints, error translation."""
        return exchange(
            method, *args, timeout_s=self.timeout_s, metrics=self.metrics, limiter=self.limiter,
            kind=kind, **kwargs,
        )  # fmt: skip


def exchange(
    method: Callable[..., Any],
    *args: Any,
    timeout_s: tuple[float, float],
    metrics: Metrics | None,
    limiter: RateLimiter | None = None,
    kind: str = DEFAULT_KIND,
    **kwargs: Any,
) -> tuple[Any, int]:
    """Run one SDK ``*_with_http_info`` method (or a call shaped like one): a limiter slot, the
    timeout, ``crm_calls`` counted, the budget headers fed back, any failure as
    :class:`CrmCallError`. Every HubSpot call goes through here, with the portal's token or an
    app's developer key."""
    if limiter is not None:
        limiter.acquire(kind)

    def observe(status: int, headers: Mapping[str, str]) -> None:
        count_call(metrics, SYSTEM, status)
        if limiter is not None:
            limiter.observe_hubspot_headers(headers)

    def network_error(message: str) -> CrmCallError:
        count_call(metrics, SYSTEM, "network")
        return CrmCallError(SYSTEM, None, message=message)

    try:
        data, status, headers = method(*args, _request_timeout=timeout_s, **kwargs)
    except _API_EXCEPTIONS as exc:
        if exc.status is None or exc.status == 0:
            raise network_error(str(exc)) from exc
        headers = _lower(exc.headers)
        observe(exc.status, headers)
        raise _api_error(exc.status, headers, exc.body) from exc
    except (urllib3.exceptions.HTTPError, OSError) as exc:  # requests' errors are OSErrors
        raise network_error(f"{type(exc).__name__}: {exc}") from exc
    except (ValueError, TypeError) as exc:
        # The SDK could not read the answer into its models: HubSpot answered (the write may
        # have happened), so this is retried like a lost answer, under its own code.
        raise CrmCallError(
            SYSTEM, None, error_code="UNREADABLE_RESPONSE", message=str(exc)[:500]
        ) from exc
    observe(status, _lower(headers))
    return data, status


def _api_error(status: int, headers: Mapping[str, str], raw_body: Any) -> CrmCallError:
    body = _parse_body(raw_body)
    fields = body if isinstance(body, dict) else {}
    code = fields.get("policyName") or fields.get("category") or fields.get("errorType")
    message = fields.get("message") or (body if isinstance(body, str) else "") or f"HTTP {status}"
    return CrmCallError(
        SYSTEM, status, headers=headers, body=body, error_code=code, message=str(message)[:2000]
    )


def _parse_body(raw: Any) -> Any:
    if raw is None:
        return None
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes | bytearray) else str(raw)
    try:
        return json.loads(text)
    except ValueError:
        return text


def _lower(headers: Any) -> dict[str, str]:
    if not headers:
        return {}
    return {str(k).lower(): str(v) for k, v in dict(headers).items()}


def _batch_answer(data: Any, status: int) -> BatchAnswer:
    errors = [_error(e) for e in (getattr(data, "errors", None) or [])]
    return BatchAnswer(status, [_record(r) for r in data.results or []], errors)


def _record(result: Any) -> dict[str, Any]:
    return {
        "id": str(result.id),
        "properties": dict(result.properties or {}),
        "objectWriteTraceId": getattr(result, "object_write_trace_id", None),
    }


def _error(error: Any) -> dict[str, Any]:
    return {
        "status": error.status,
        "category": error.category,
        "message": error.message,
        "context": {k: list(v) for k, v in (error.context or {}).items()},
    }


def _as_text(value: Any) -> str:
    """HubSpot property values are strings on the wire; None clears like ""."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _check_batch(items: Sequence[Any]) -> None:
    if not items or len(items) > BATCH_LIMIT:
        raise ValueError(f"a HubSpot batch takes 1..{BATCH_LIMIT} inputs, got {len(items)}")
