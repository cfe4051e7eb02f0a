"""CRM search: request validation, filters, one sort, offset paging, and an eventually
consistent index. The filter logic is pure; `SearchIndex` only adds the indexing delay."""

from __future__ import annotations

import fnmatch
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from .errors import validation_error
from .properties import ms_from_value
from .records import CrmRecord

MAX_GROUPS = 5
MAX_FILTERS_PER_GROUP = 6
MAX_FILTERS_TOTAL = 18
MAX_LIMIT = 200
DEFAULT_LIMIT = 10
MAX_BODY_CHARS = 3000
OPERATORS = frozenset(
    {
        "EQ",
        "NEQ",
        "LT",
        "LTE",
        "GT",
        "GTE",
        "BETWEEN",
        "IN",
        "NOT_IN",
        "HAS_PROPERTY",
        "NOT_HAS_PROPERTY",
        "CONTAINS_TOKEN",
        "NOT_CONTAINS_TOKEN",
    }
)
QUERY_PROPERTIES = {
    "contacts": ("firstname", "lastname", "email", "phone", "company", "hs_additional_emails"),
    "companies": ("name", "domain", "phone", "website"),
    "deals": ("dealname", "pipeline", "dealstage", "description", "dealtype"),
}


@dataclass(frozen=True)
class SearchRequest:
    """A validated search body."""

    filter_groups: list[list[dict[str, Any]]]
    sort_property: str | None
    sort_descending: bool
    query: str | None
    properties: list[str] | None
    limit: int
    after: int


def parse_search_request(
    body: Any, raw_length: int, property_type: Callable[[str], str | None], max_total: int
) -> SearchRequest:
    """Validate a PublicObjectSearchRequest as HubSpot does; raise 400 VALIDATION_ERROR."""
    if not isinstance(body, dict):
        raise validation_error("Invalid input JSON: expected a JSON object.")
    if raw_length > MAX_BODY_CHARS:
        raise validation_error(f"Search request body is longer than {MAX_BODY_CHARS} characters.")
    groups = body.get("filterGroups") or []
    if not isinstance(groups, list) or len(groups) > MAX_GROUPS:
        raise validation_error(f"The request can have at most {MAX_GROUPS} filterGroups.")
    parsed_groups: list[list[dict[str, Any]]] = []
    total = 0
    for group in groups:
        filters = (group or {}).get("filters") or []
        if len(filters) > MAX_FILTERS_PER_GROUP:
            raise validation_error(
                f"A filterGroup can have at most {MAX_FILTERS_PER_GROUP} filters."
            )
        total += len(filters)
        for f in filters:
            _check_filter(f, property_type)
        parsed_groups.append(list(filters))
    if total > MAX_FILTERS_TOTAL:
        raise validation_error(
            f"The request can have at most {MAX_FILTERS_TOTAL} filters in total."
        )
    sort_property, descending = _parse_sorts(body.get("sorts") or [], property_type)
    limit = body.get("limit", DEFAULT_LIMIT)
    if limit is None:
        limit = DEFAULT_LIMIT
    if not isinstance(limit, int) or limit < 0 or limit > MAX_LIMIT:
        raise validation_error(f"limit must be between 0 and {MAX_LIMIT}, got {limit!r}.")
    after_raw = body.get("after")
    try:
        after = int(after_raw) if after_raw not in (None, "") else 0
    except (TypeError, ValueError):
        raise validation_error(f"Invalid 'after' value: {after_raw!r}.") from None
    if after < 0:
        raise validation_error(f"Invalid 'after' value: {after_raw!r}.")
    if after >= max_total:
        raise validation_error(
            f"Cannot page past {max_total} results: after={after}. Narrow the query instead."
        )
    props = body.get("properties")
    query = body.get("query")
    return SearchRequest(
        parsed_groups,
        sort_property,
        descending,
        query if isinstance(query, str) and query.strip() else None,
        list(props) if props else None,
        limit,
        after,
    )


def _check_filter(f: Any, property_type: Callable[[str], str | None]) -> None:
    if not isinstance(f, dict) or not f.get("propertyName") or not f.get("operator"):
        raise validation_error("Each filter needs propertyName and operator.")
    op = f["operator"]
    if op not in OPERATORS:
        raise validation_error(f"Unknown filter operator {op!r}.")
    if property_type(f["propertyName"]) is None:
        raise validation_error(
            f"Property {f['propertyName']!r} does not exist; cannot filter on it."
        )
    if op in ("IN", "NOT_IN") and not isinstance(f.get("values"), list):
        raise validation_error(f"Operator {op} needs 'values'.")
    if op == "BETWEEN" and (f.get("value") is None or f.get("highValue") is None):
        raise validation_error("Operator BETWEEN needs 'value' and 'highValue'.")
    needs_value = op not in ("IN", "NOT_IN", "HAS_PROPERTY", "NOT_HAS_PROPERTY")
    if needs_value and f.get("value") is None:
        raise validation_error(f"Operator {op} needs 'value'.")


def _parse_sorts(sorts: Any, property_type: Callable[[str], str | None]) -> tuple[str | None, bool]:
    if not isinstance(sorts, list):
        raise validation_error("sorts must be a list.")
    if len(sorts) > 1:
        raise validation_error("Only one sort is allowed per search request.")
    if not sorts:
        return None, False
    sort = sorts[0]
    if isinstance(sort, str):
        name, descending = (sort[1:], True) if sort.startswith("-") else (sort, False)
    elif isinstance(sort, dict) and sort.get("propertyName"):
        name = sort["propertyName"]
        descending = str(sort.get("direction", "ASCENDING")).upper() == "DESCENDING"
    else:
        raise validation_error(f"Invalid sort {sort!r}.")
    if property_type(name) is None:
        raise validation_error(f"Property {name!r} does not exist; cannot sort on it.")
    return name, descending


def _comparable(value: str, prop_type: str | None) -> Any:
    if prop_type == "number":
        try:
            return Decimal(value)
        except InvalidOperation:
            return None
    if prop_type in ("datetime", "date"):
        return ms_from_value(value)
    return value.lower()


def _tokens(value: str) -> list[str]:
    return [t for t in re.split(r"[\s,;]+", value.lower()) if t]


def matches_filter(
    record: CrmRecord, f: dict[str, Any], property_type: Callable[[str], str | None]
) -> bool:
    """Whether one record satisfies one filter."""
    op = f["operator"]
    name = f["propertyName"]
    raw = record.properties.get(name) or ""
    kind = property_type(name)
    if op == "HAS_PROPERTY":
        return raw != ""
    if op == "NOT_HAS_PROPERTY":
        return raw == ""
    if op in ("IN", "NOT_IN"):
        wanted = {_comparable(str(v), kind) for v in f.get("values") or []}
        inside = raw != "" and _comparable(raw, kind) in wanted
        return inside if op == "IN" else not inside
    if op in ("CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"):
        pattern = str(f["value"]).lower()
        text = raw.lower()
        found = raw != "" and (
            fnmatch.fnmatchcase(text, pattern)
            or any(fnmatch.fnmatchcase(t, pattern) for t in _tokens(raw))
        )
        return found if op == "CONTAINS_TOKEN" else not found
    if op == "NEQ":
        return raw == "" or _comparable(raw, kind) != _comparable(str(f["value"]), kind)
    if raw == "":
        return False
    left = _comparable(raw, kind)
    right = _comparable(str(f["value"]), kind)
    if left is None or right is None:
        return False
    if op == "EQ":
        return left == right
    if op == "BETWEEN":
        high = _comparable(str(f["highValue"]), kind)
        return high is not None and right <= left <= high
    return {
        "LT": left < right,
        "LTE": left <= right,
        "GT": left > right,
        "GTE": left >= right,
    }[op]


def run_search(
    records: list[CrmRecord],
    request: SearchRequest,
    property_type: Callable[[str], str | None],
    object_type: str,
) -> tuple[int, list[CrmRecord]]:
    """(total, page) for a validated request over the visible records."""
    hits = [r for r in records if _matches(r, request, property_type, object_type)]
    if request.sort_property:
        name = request.sort_property
        kind = property_type(name)
        present = [r for r in hits if r.properties.get(name)]
        absent = [r for r in hits if not r.properties.get(name)]
        present.sort(
            key=lambda r: (_sort_key(_comparable(r.properties[name], kind)), int(r.id)),
            reverse=request.sort_descending,
        )
        hits = present + sorted(absent, key=lambda r: int(r.id))
    else:
        hits.sort(key=lambda r: int(r.id))
    return len(hits), hits[request.after : request.after + request.limit]


def _sort_key(value: Any) -> tuple[int, Any]:
    return (0, value) if value is not None else (1, 0)


def _matches(
    record: CrmRecord,
    request: SearchRequest,
    property_type: Callable[[str], str | None],
    object_type: str,
) -> bool:
    if request.query is not None:
        fields = QUERY_PROPERTIES.get(object_type, ())
        needle = request.query.lower().strip()
        haystack = [t for f in fields for t in _tokens(record.properties.get(f) or "")]
        if not any(t.startswith(needle) for t in haystack) and not any(
            needle in (record.properties.get(f) or "").lower() for f in fields
        ):
            return False
    if not request.filter_groups:
        return True
    return any(
        all(matches_filter(record, f, property_type) for f in group)
        for group in request.filter_groups
    )


class SearchIndex:
    """What search can see: each write becomes visible `delay_s` after it happened."""

    def __init__(self, delay_s: float, clock: Callable[[], float]) -> None:
        self.delay_s = delay_s
        self._clock = clock
        self._versions: dict[tuple[str, str], list[tuple[float, CrmRecord | None]]] = {}
        self._lock = threading.Lock()

    def record(self, record: CrmRecord, *, gone: bool = False) -> None:
        """Index the record's current state (or its disappearance) as of now."""
        snapshot = None
        if not (gone or record.archived):
            snapshot = CrmRecord(
                record.object_type,
                record.id,
                dict(record.properties),
                created_at_ms=record.created_at_ms,
                updated_at_ms=record.updated_at_ms,
            )
        with self._lock:
            versions = self._versions.setdefault((record.object_type.name, record.id), [])
            versions.append((self._clock(), snapshot))

    def visible(self, object_type: str) -> list[CrmRecord]:
        """The records of one type as the search index currently sees them."""
        horizon = self._clock() - self.delay_s
        result: list[CrmRecord] = []
        with self._lock:
            for (type_name, _), versions in self._versions.items():
                if type_name != object_type:
                    continue
                current_index = None
                for index, (written_at, _) in enumerate(versions):
                    if written_at <= horizon:
                        current_index = index
                if current_index is None:
                    continue
                del versions[:current_index]
                snapshot = versions[0][1]
                if snapshot is not None:
                    result.append(snapshot)
        return result
