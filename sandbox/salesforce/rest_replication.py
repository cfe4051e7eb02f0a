"""`sobjects/{Type}/updated/` and `/deleted/` (the getUpdated / getDeleted REST resources).

Rules as documented: start/end are ISO 8601 with an offset, seconds are truncated, start must
precede end (else INVALID_REPLICATION_DATE), updated ids go back at most 30 days and deleted
records 15 days; `latestDateCovered` tells the caller where to start next time.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from .errors import SalesforceApiError
from .fieldtypes import format_datetime, parse_datetime
from .org import Org
from .rest_context import ApiRequest, ApiResponse, method_not_allowed
from .schema import ObjectDef

UPDATED_WINDOW = timedelta(days=30)
DELETED_WINDOW = timedelta(days=15)
MAX_IDS = 600_000


def _minute(value: datetime) -> datetime:
    return value.replace(second=0, microsecond=0)


def _parse(request: ApiRequest, name: str) -> datetime:
    raw = request.args.get(name)
    parsed = parse_datetime(raw) if raw else None
    if parsed is None:
        raise SalesforceApiError(
            400, "MALFORMED_QUERY", f"{name} date is not in the correct format: {raw}"
        )
    return _minute(parsed)


def replication(org: Org, request: ApiRequest, definition: ObjectDef, kind: str) -> ApiResponse:
    """Answer `updated` or `deleted` for one object."""
    if request.method != "GET":
        raise method_not_allowed(request.method, "GET,HEAD")
    if not definition.replicateable:
        raise SalesforceApiError(
            400, "INVALID_TYPE", f"entity type {definition.name} does not support replication"
        )
    start, end = _parse(request, "start"), _parse(request, "end")
    if start >= end:
        raise SalesforceApiError(
            400,
            "INVALID_REPLICATION_DATE",
            "startDate must be at least one minute greater than endDate",
        )
    now = org.now()
    window = UPDATED_WINDOW if kind == "updated" else DELETED_WINDOW
    earliest = _minute(now - window)
    if start < earliest:
        raise SalesforceApiError(
            400,
            "INVALID_REPLICATION_DATE",
            f"startDate cannot be more than {window.days} days ago",
        )
    covered = min(end, _minute(now))
    records = org.store.records(definition.name, include_deleted=True)
    if kind == "updated":
        ids = [
            r.id for r in records
            if not r.is_deleted and start <= r.values["SystemModstamp"] < covered
        ]  # fmt: skip
        _check_size(len(ids))
        body: dict[str, Any] = {"ids": ids, "latestDateCovered": format_datetime(covered)}
        return ApiResponse(200, body, n_records=len(ids))
    deleted = [
        {"id": r.id, "deletedDate": format_datetime(r.deleted_at)}
        for r in records
        if r.deleted_at is not None and start <= r.deleted_at < covered
    ]
    _check_size(len(deleted))
    body = {
        "deletedRecords": deleted,
        "earliestDateAvailable": format_datetime(earliest),
        "latestDateCovered": format_datetime(covered),
    }
    return ApiResponse(200, body, n_records=len(deleted))


def _check_size(count: int) -> None:
    if count > MAX_IDS:
        raise SalesforceApiError(
            400, "EXCEEDED_ID_LIMIT", f"The number of ids exceeds the limit of {MAX_IDS}"
        )
