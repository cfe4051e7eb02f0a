"""Run a parsed SOQL query against a DataSource and shape rows as the REST API returns them.

Records carry `attributes: {type, url}`; relationship fields nest (`Owner: {attributes, Name}`),
polymorphic relationships report type `Name`; child subqueries return `{totalSize, done,
records}` or null. Pure: no HTTP, no locks (the caller holds the org lock).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .errors import SalesforceApiError, malformed_query
from .fieldtypes import to_json
from .schema import ObjectDef
from .soql_bind import (
    BoundPath,
    DataSource,
    Row,
    bind_path,
    build_predicate,
    comparable,
    invalid_type,
    name_view,
    path_value,
)
from .soql_parser import CountItem, FieldPath, Query, SubqueryItem, parse

MAX_OFFSET = 2000


@dataclass
class QueryResult:
    """All matching records (already shaped) and the totalSize Salesforce reports."""

    records: list[dict[str, Any]]
    total_size: int


def run_soql(text: str, source: DataSource, include_deleted: bool = False) -> QueryResult:
    """Parse and execute one SOQL statement."""
    return execute(parse(text), source, include_deleted)


def execute(query: Query, source: DataSource, include_deleted: bool = False) -> QueryResult:
    """Execute a parsed query."""
    base = _object(source, query.sobject)
    rows = _matching_rows(query, base, source, include_deleted)
    if query.count_only:
        return QueryResult([], len(rows))
    counts = [item for item in query.select if isinstance(item, CountItem)]
    if counts:
        if len(counts) != len(query.select):
            raise malformed_query("Field must be grouped or aggregated")
        return QueryResult([_aggregate(counts, rows, base, source)], 1)
    shaper = _Shaper(query, base, source, include_deleted)
    return QueryResult([shaper.shape(row) for row in rows], len(rows))


def _object(source: DataSource, name: str) -> ObjectDef:
    definition = source.schema.get(name)
    if definition is None or not definition.queryable:
        raise invalid_type(name)
    return definition


def _matching_rows(
    query: Query,
    base: ObjectDef,
    source: DataSource,
    include_deleted: bool,
    parent: tuple[str, str] | None = None,
) -> list[Row]:
    if query.offset is not None and query.offset > MAX_OFFSET:
        raise SalesforceApiError(
            400, "NUMBER_OUTSIDE_VALID_RANGE", f"Maximum SOQL offset allowed is {MAX_OFFSET}"
        )
    rows = source.rows(base.name, include_deleted)
    if parent is not None:
        lookup, parent_id = parent
        rows = [row for row in rows if row[1].get(lookup) == parent_id]
    if query.where is not None:
        predicate = build_predicate(query.where, base, source, lambda sub: _semi_join(sub, source))
        rows = [row for row in rows if predicate(row)]
    for item in reversed(query.order_by):
        bound = bind_path(source.schema, base, item.field)
        nulls_last = item.descending if item.nulls_last is None else item.nulls_last
        rows.sort(
            key=lambda row, b=bound: _sort_key(source, row, b, item.descending, nulls_last),
            reverse=item.descending,
        )
    start = query.offset or 0
    end = None if query.limit is None else start + query.limit
    return rows[start:end]


def _sort_key(
    source: DataSource, row: Row, bound: BoundPath, descending: bool, nulls_last: bool
) -> tuple[int, Any]:
    value = path_value(source, row, bound)
    if value is None:
        # Place nulls first/last irrespective of the direction of the sort.
        rank = 1 if nulls_last != descending else 0
        return (rank, 0)
    return (
        0 if nulls_last != descending else 1,
        comparable(value, bound.leaf.type in ("id", "reference")),
    )


def _semi_join(sub: Query, source: DataSource) -> set[Any]:
    if len(sub.select) != 1 or not isinstance(sub.select[0], FieldPath):
        raise malformed_query("Semi-join subqueries must select exactly one field")
    base = _object(source, sub.sobject)
    bound = bind_path(source.schema, base, sub.select[0])
    if bound.leaf.type not in ("id", "reference"):
        raise SalesforceApiError(
            400, "INVALID_FIELD", "Semi-join subqueries must select an Id or reference field"
        )
    return {path_value(source, row, bound) for row in _matching_rows(sub, base, source, False)}


def _aggregate(
    counts: list[CountItem], rows: list[Row], base: ObjectDef, source: DataSource
) -> dict[str, Any]:
    record: dict[str, Any] = {"attributes": {"type": "AggregateResult"}}
    for index, item in enumerate(counts):
        assert item.field is not None
        bound = bind_path(source.schema, base, item.field)
        record[item.alias or f"expr{index}"] = sum(
            1 for row in rows if path_value(source, row, bound) is not None
        )
    return record


class _Shaper:
    """Turns rows into REST JSON records for one SELECT list."""

    def __init__(
        self, query: Query, base: ObjectDef, source: DataSource, include_deleted: bool
    ) -> None:
        self.base = base
        self.source = source
        self.include_deleted = include_deleted
        self.paths: list[BoundPath | tuple[str, Query, ObjectDef, str]] = []
        seen: set[str] = set()
        for item in query.select:
            if isinstance(item, SubqueryItem):
                self.paths.append(self._child(item.query))
                continue
            bound = bind_path(source.schema, base, item)
            if bound.text.lower() in seen:
                raise malformed_query(f"duplicate field selected: {bound.text}")
            seen.add(bound.text.lower())
            self.paths.append(bound)

    def _child(self, sub: Query) -> tuple[str, Query, ObjectDef, str]:
        relationship = self.base.child_relationship(sub.sobject)
        if relationship is None:
            raise SalesforceApiError(
                400,
                "INVALID_TYPE",
                f"Didn't understand relationship '{sub.sobject}' in FROM part of query call. If "
                "you are attempting to use a custom relationship, be sure to append the '__r' "
                "after the custom relationship name.",
            )
        child = _object(self.source, relationship.child_object)
        return (relationship.name, sub, child, relationship.field)

    def url(self, sobject: str, record_id: str) -> str:
        return f"/services/data/v{self.source.api_version}/sobjects/{sobject}/{record_id}"

    def shape(self, row: Row) -> dict[str, Any]:
        sobject, values = row
        record: dict[str, Any] = {
            "attributes": {"type": sobject, "url": self.url(sobject, values["Id"])}
        }
        for path in self.paths:
            if isinstance(path, tuple):
                record[path[0]] = self._children(values["Id"], path)
            else:
                self._place(record, row, path)
        return record

    def _place(self, record: dict[str, Any], row: Row, bound: BoundPath) -> None:
        sobject, values = row
        target = record
        for depth, step in enumerate(bound.steps):
            key = bound.names[depth]
            linked_id = values.get(step.name)
            found = self.source.lookup(linked_id) if linked_id else None
            if found is None:
                target.setdefault(key, None)
                return
            sobject, values = found
            nested = target.get(key)
            if nested is None:
                shown = "Name" if step.polymorphic else sobject
                nested = {"attributes": {"type": shown, "url": self.url(sobject, values["Id"])}}
                target[key] = nested
            target = nested
        leaf_row: Row = (sobject, values)
        if bound.steps and bound.steps[-1].polymorphic:
            leaf_row = (sobject, name_view(sobject, values))
        target[bound.leaf.name] = to_json(leaf_row[1].get(bound.leaf.name))

    def _children(
        self, parent_id: str, spec: tuple[str, Query, ObjectDef, str]
    ) -> dict[str, Any] | None:
        _, sub, child, lookup = spec
        rows = _matching_rows(sub, child, self.source, self.include_deleted, (lookup, parent_id))
        if not rows:
            return None
        shaper = _Shaper(sub, child, self.source, self.include_deleted)
        return {"totalSize": len(rows), "done": True, "records": [shaper.shape(r) for r in rows]}
