"""HubSpotReader: current records for the rules, in batches, plus the lifecycle stage order.

Reads go through the same limiter and retry policy as writes. A read that still fails raises
:class:`~adapters.retrying.CallFailed` (outcome RETRY or DEAD, with ``retry_after_s``): the
worker then leaves the event for later instead of deciding on missing data.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from functools import partial
from typing import Any

from adapters.batching import chunked
from adapters.hubspot import engagements
from adapters.hubspot.batch_ops import hubspot_call
from adapters.hubspot.client import BATCH_LIMIT, HubSpotClient
from adapters.retrying import CallFailed, RetryPolicy
from connector.commands import Outcome, System
from connector.events import ObjectType
from connector.jobs.sla.hubspot_hours import USER_ID_PROPERTY, USER_PROPERTIES
from connector.ports import CrmRecord

log = logging.getLogger(__name__)

LIFECYCLE_PROPERTY = "lifecyclestage"
#: property labels are re-read after this long (an admin may rename one)
LABELS_TTL_S = 3600.0


#: the names HubSpot accepts for contacts (looked up by e-mail with a batch read, not search)
_CONTACT_TYPES = ("contacts", "contact", "0-1")


class HubSpotReader:
    """CrmReader for HubSpot: batch read by id (≤100 a call), e-mail lookup, stage order."""

    system = System.HUBSPOT

    def __init__(self, client: HubSpotClient, *, policy: RetryPolicy | None = None) -> None:
        self.client = client
        self.policy = policy or RetryPolicy()
        self._labels: dict[str, tuple[float, dict[str, str]]] = {}

    def read(
        self, object_type: str, object_ids: Sequence[str], fields: Sequence[str]
    ) -> dict[str, CrmRecord]:
        """The records that exist, keyed by id; unknown or deleted ids are simply absent."""
        _require_type(object_type)
        ids = list(dict.fromkeys(str(i) for i in object_ids if str(i).strip()))
        found: dict[str, CrmRecord] = {}
        policy = self.policy.for_one_batch()
        for chunk in chunked(ids, BATCH_LIMIT):
            read = partial(self.client.batch_read, object_type, chunk, list(fields))
            answer = hubspot_call(self.client, policy, read)
            for result in answer.results:
                found[result["id"]] = CrmRecord(object_type, result["id"], result["properties"])
        return found

    def find_by_email(self, object_type: str, email: str, fields: Sequence[str]) -> list[CrmRecord]:
        """Records whose ``email`` matches, case-insensitively.

        Contacts use a batch read with ``idProperty=email``: consistent (a just-created contact
        is found) and outside the 5/s search limit. Other object types use search.
        """
        if object_type in _CONTACT_TYPES:
            return self.find_by_emails(object_type, [email], fields)[email]
        _require_type(object_type)
        wanted = normalize_email(email)
        properties = list(dict.fromkeys([*fields, "email"]))
        search = partial(self.client.search_equals, object_type, "email", wanted, properties)
        return [
            CrmRecord(object_type, hit["id"], hit["properties"])
            for hit in self._call(search)
            if normalize_email(hit["properties"].get("email") or "", strict=False) == wanted
        ]

    def find_by_emails(
        self, object_type: str, emails: Sequence[str], fields: Sequence[str]
    ) -> dict[str, list[CrmRecord]]:
        """``find_by_email`` for many addresses, keyed by each as asked: contacts in one batch
        read per 100 (``idProperty=email``), other types one search each (search has no IN)."""
        asked = list(dict.fromkeys(emails))
        if object_type not in _CONTACT_TYPES:
            return {email: self.find_by_email(object_type, email, fields) for email in asked}
        wanted = {email: normalize_email(email) for email in asked}
        properties = list(dict.fromkeys([*fields, "email"]))
        by_address: dict[str, list[CrmRecord]] = {}
        policy = self.policy.for_one_batch()
        for chunk in chunked(list(dict.fromkeys(wanted.values())), BATCH_LIMIT):
            read = partial(
                self.client.batch_read, object_type, chunk, properties, id_property="email"
            )
            for hit in hubspot_call(self.client, policy, read).results:
                address = normalize_email(hit["properties"].get("email") or "", strict=False)
                record = CrmRecord(object_type, hit["id"], hit["properties"])
                by_address.setdefault(address, []).append(record)
        return {email: list(by_address.get(address, [])) for email, address in wanted.items()}

    def lifecycle_stage_order(self, object_type: str = "contacts") -> list[str]:
        """The ``lifecyclestage`` values in HubSpot's own order (``displayOrder``).

        Custom stages have numeric internal values, so the order is read, never hard-coded.
        """
        definition = self._call(partial(self.client.get_property, object_type, LIFECYCLE_PROPERTY))
        return options_in_order(definition["options"])

    def pipelines(self, object_type: str) -> list[dict[str, Any]]:
        """The object's pipelines and their stages (``leads`` is 0-136), in HubSpot's order."""
        return list(self._call(partial(self.client.pipelines, object_type)))

    def list_processing_type(self, list_id: str) -> str:
        """MANUAL, SNAPSHOT or DYNAMIC: only the first two take members through the API."""
        return str(self._call(partial(self.client.list_processing_type, list_id)))

    def deals_for_opportunity(self, opportunity_id: str, id_property: str) -> list[str]:
        """Ids of the deals whose ``id_property`` holds this Salesforce opportunity id.

        Search is eventually consistent; a deal is linked long before its opportunity is won,
        and a deal found late gets its credit at the opportunity's next change.
        """
        value = str(opportunity_id).strip()
        if not value:
            return []
        search = partial(self.client.search_equals, "deals", id_property, value, [id_property])
        try:
            hits = self._call(search)
        except CallFailed as failed:
            if failed.outcome is not Outcome.DEAD:
                raise
            # refused for good (the property was deleted): never hold the deal's events back
            log.warning(
                "deal search refused", extra={"property": id_property, "error": str(failed)[:200]}
            )
            return []
        return sorted(
            (str(hit["id"]) for hit in hits if hit["properties"].get(id_property)),
            key=lambda deal_id: (len(deal_id), deal_id),
        )

    def associated_ids(self, object_type: str, object_id: str, to_object_type: str) -> list[str]:
        """Ids of the ``to_object_type`` records associated to this record (a lead's or a
        deal's contacts), in id order."""
        read = partial(self.client.associated_ids, object_type, str(object_id), to_object_type)
        return sorted(set(self._call(read)), key=lambda i: (len(i), i))

    def engagement(self, kind: str, engagement_id: str) -> CrmRecord | None:
        """One call, e-mail, meeting or task (``kind`` an ObjectType value) with its contacts."""
        read = partial(engagements.engagement, self.client, ObjectType(kind), engagement_id)
        return self._call(read)  # type: ignore[no-any-return]

    def engagements_of(self, contact_id: str) -> list[CrmRecord]:
        """The contact's calls, e-mails, meetings and tasks, oldest logged first."""
        return self._call(partial(engagements.engagements_of, self.client, contact_id))  # type: ignore[no-any-return]

    def owner_email(self, owner_id: str) -> str | None:
        """An owner's e-mail, to match them with a Salesforce user (never stored)."""
        if not str(owner_id).isdigit():
            return None
        return self._call(partial(self.client.owner_email, str(owner_id)))  # type: ignore[no-any-return]

    def owner_is_active(self, owner_id: str) -> bool:
        """Whether ``owner_id`` is a HubSpot owner who still works here (not archived)."""
        if not str(owner_id).isdigit():
            return False
        return bool(self._call(partial(self.client.owner_exists, owner_id)))

    def owner_user_hours(self, owner_id: str) -> dict[str, Any] | None:
        """The owner's HubSpot user's time zone and working hours, or None when unknown.

        An owner's ``userId`` is the users object's ``hs_internal_user_id`` (the users object's
        own id is a third id), so it takes the owner read and one search; the SLA job keeps the
        answer in its CalendarBook. An archived or unknown owner, or an owner without a user
        record, is None: its clock runs on ``sla.calendar``.
        """
        if not str(owner_id).isdigit():
            return None
        try:
            owner = self._call(partial(self.client.get_owner, str(owner_id)))
        except CallFailed as failed:
            if failed.outcome is Outcome.DEAD:  # 404: not an owner (any more)
                return None
            raise
        if owner.get("userId") is None:
            return None
        search = partial(
            self.client.search_equals,
            "users",
            USER_ID_PROPERTY,
            str(owner["userId"]),
            list(USER_PROPERTIES),
        )
        found = self._call(search)
        return dict(found[0]["properties"]) if found else None

    def property_names(self, object_type: str) -> set[str]:
        """The names of every property ``object_type`` has in this portal (one call)."""
        return set(self._call(partial(self.client.property_names, object_type)))

    def property_labels(self, object_type: str = "contacts") -> dict[str, str]:
        """Property labels by name for reasons people read, cached for LABELS_TTL_S.

        A failed read is not a reason to hold anything back: it answers {} (the callers fall
        back to API names) and is tried again on the next call.
        """
        cached = self._labels.get(object_type)
        if cached is not None and time.monotonic() - cached[0] < LABELS_TTL_S:
            return cached[1]
        try:
            labels = self._call(partial(self.client.property_labels, object_type))
        except Exception as exc:  # labels are a courtesy: never fail or defer an event on them
            log.warning("property labels unavailable", extra={"error": str(exc)[:200]})
            return {}
        self._labels[object_type] = (time.monotonic(), labels)
        return labels

    def _call(self, fn: Any) -> Any:
        return hubspot_call(self.client, self.policy, fn)


def options_in_order(options: Sequence[dict[str, Any]]) -> list[str]:
    """Option values sorted by ``displayOrder`` (ties keep HubSpot's listing order).

    HubSpot uses ``displayOrder: -1`` for "no explicit order"; those go last.
    """
    indexed = list(enumerate(options))

    def position(item: tuple[int, dict[str, Any]]) -> tuple[int, int, int]:
        index, option = item
        order = option.get("displayOrder")
        if not isinstance(order, int) or order < 0:
            return (1, 0, index)
        return (0, order, index)

    return [option["value"] for _, option in sorted(indexed, key=position)]


def normalize_email(email: str, *, strict: bool = True) -> str:
    """Lower-cased, trimmed e-mail; with ``strict`` an obviously invalid one is a ValueError."""
    value = (email or "").strip().lower()
    if strict and (value.count("@") != 1 or value.startswith("@") or value.endswith("@")):
        raise ValueError(f"not an e-mail address: {email!r}")
    return value


def _require_type(object_type: str) -> None:
    if not object_type:
        raise ValueError("object_type is required")
