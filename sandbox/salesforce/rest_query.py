"""`query` and `queryAll` with server-side cursors and `nextRecordsUrl` paging, plus the
DataSource that lets the pure SOQL engine read the org.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .errors import SalesforceApiError, not_found
from .org import Org
from .rest_context import ApiRequest, ApiResponse, method_not_allowed
from .schema import Schema
from .soql_bind import Row
from .soql_exec import run_soql

MAX_OPEN_CURSORS = 10  # per user; opening an 11th closes the oldest
_LOCATOR = re.compile(r"^(01g[a-zA-Z0-9]{15})-(\d+)$")
_BATCH_SIZE = re.compile(r"batchSize\s*=\s*(\d+)", re.IGNORECASE)


class OrgDataSource:
    """Reads the org's store for the SOQL engine (caller holds the org lock)."""

    def __init__(self, org: Org, api_version: str | None = None) -> None:
        self.org = org
        self.schema: Schema = org.schema
        self.api_version = api_version or org.config.api_version

    def rows(self, sobject: str, include_deleted: bool) -> list[Row]:
        """All rows of one object, creation order."""
        return [(r.sobject, r.values) for r in self.org.store.records(sobject, include_deleted)]

    def lookup(self, record_id: str) -> Row | None:
        """A live record by id."""
        record = self.org.live(record_id)
        return (record.sobject, record.values) if record is not None else None

    def now(self) -> datetime:
        """The org's clock."""
        return self.org.now()


@dataclass
class _Cursor:
    records: list[dict[str, Any]]
    total: int


class QueryHandlers:
    """query / queryAll / query/{locator}."""

    def __init__(self, org: Org) -> None:
        self.org = org
        self._cursors: OrderedDict[str, _Cursor] = OrderedDict()
        self._lock = threading.Lock()

    def handle(self, request: ApiRequest) -> ApiResponse:
        """Dispatch `query[All][/locator]`."""
        if request.method != "GET":
            raise method_not_allowed(request.method, "GET,HEAD")
        parts = request.parts
        include_deleted = parts[0] == "queryAll"
        if len(parts) == 2:
            return self._more(request, parts[1])
        if len(parts) != 1:
            raise not_found()
        soql = request.args.get("q")
        if soql is None:
            raise SalesforceApiError(400, "MALFORMED_QUERY", "A query string has to be specified")
        result = run_soql(soql, OrgDataSource(self.org, request.version), include_deleted)
        if not result.records:
            return ApiResponse(200, {"totalSize": result.total_size, "done": True, "records": []})
        return self._page(request, _Cursor(result.records, result.total_size), None, 0)

    def _batch_size(self, request: ApiRequest) -> int:
        size = self.org.config.query_batch_size
        option = request.header("Sforce-Query-Options")
        match = _BATCH_SIZE.search(option or "")
        if match:
            size = min(size, max(200, min(2000, int(match.group(1)))))
        return size

    def _page(
        self, request: ApiRequest, cursor: _Cursor, locator: str | None, start: int
    ) -> ApiResponse:
        end = start + self._batch_size(request)
        page = cursor.records[start:end]
        body: dict[str, Any] = {"totalSize": cursor.total, "done": end >= len(cursor.records)}
        with self._lock:
            if body["done"]:
                if locator:
                    self._cursors.pop(locator, None)
            else:
                if locator is None:
                    locator = self.org.ids.new("01g")
                    self._cursors[locator] = cursor
                    while len(self._cursors) > MAX_OPEN_CURSORS:
                        self._cursors.popitem(last=False)
                body["nextRecordsUrl"] = f"{request.url_prefix()}/query/{locator}-{end}"
        body["records"] = page
        return ApiResponse(200, body, n_records=len(page))

    def _more(self, request: ApiRequest, token: str) -> ApiResponse:
        match = _LOCATOR.match(token)
        with self._lock:
            cursor = self._cursors.get(match.group(1)) if match else None
        if match is None or cursor is None or int(match.group(2)) > len(cursor.records):
            raise SalesforceApiError(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
        return self._page(request, cursor, match.group(1), int(match.group(2)))
