"""Bind a parsed SOQL query to the schema: resolve field paths, type-check literals, build
predicates. Errors are the ones Salesforce gives (INVALID_FIELD, INVALID_TYPE,
INVALID_QUERY_FILTER_OPERATOR). Pure: data is read through a DataSource.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol

from .errors import SalesforceApiError
from .fieldtypes import NUMBER_TYPES, TEXT_TYPES, parse_date, parse_datetime
from .ids import normalize_id
from .schema import FieldDef, ObjectDef, Schema
from .soql_parser import BoolOp, Comparison, FieldPath, InCondition, Literal, Query

Row = tuple[str, dict[str, Any]]
Predicate = Callable[[Row], bool]


class DataSource(Protocol):
    """What the SOQL engine reads: the schema, rows and single records by id."""

    schema: Schema
    api_version: str

    def rows(self, sobject: str, include_deleted: bool) -> list[Row]:
        """All rows of one object as (sobject, values)."""

    def lookup(self, record_id: str) -> Row | None:
        """The live record with this id, or None."""

    def now(self) -> datetime:
        """The org's current time (aware UTC)."""


def _name_object() -> ObjectDef:
    # The polymorphic "Name" entity behind Owner, Who and What relationships.
    name = ObjectDef(name="Name", key_prefix="", label="Name")
    for field_name, field_type in (
        ("Id", "id"),
        ("Name", "string"),
        ("Type", "string"),
        ("Alias", "string"),
        ("Email", "email"),
        ("FirstName", "string"),
        ("LastName", "string"),
        ("IsActive", "boolean"),
        ("Title", "string"),
        ("Username", "string"),
    ):
        name.add(FieldDef(name=field_name, type=field_type, createable=False, updateable=False))
    return name


NAME_OBJECT = _name_object()


def name_view(sobject: str, values: dict[str, Any]) -> dict[str, Any]:
    """The fields a polymorphic relationship exposes for a record of any type."""
    view = {k: values.get(k) for k in NAME_OBJECT.fields if k in values}
    view["Id"] = values.get("Id")
    view["Name"] = values.get("Name")
    view["Type"] = "Queue" if sobject == "Group" and values.get("Type") == "Queue" else sobject
    return view


@dataclass(frozen=True)
class BoundPath:
    """A field path resolved against the schema."""

    steps: tuple[FieldDef, ...]
    leaf: FieldDef
    names: tuple[str, ...]

    @property
    def text(self) -> str:
        """Canonical dotted name (`Owner.Type`)."""
        return ".".join(self.names)


def invalid_type(sobject: str) -> SalesforceApiError:
    """The error for an unknown object in FROM."""
    return SalesforceApiError(
        400,
        "INVALID_TYPE",
        f"\n{sobject}\n^\nERROR at Row:1:Column:1\nsObject type '{sobject}' is not supported. If "
        "you are attempting to use a custom object, be sure to append the '__c' after the entity "
        "name. Please reference your WSDL or the describe call for the appropriate names.",
    )


def bind_path(schema: Schema, base: ObjectDef, path: FieldPath) -> BoundPath:
    """Resolve `Owner.Type` from `base` to the lookups it follows and the final field."""
    current = base
    steps: list[FieldDef] = []
    names: list[str] = []
    parts = list(path.parts)
    if len(parts) > 1 and parts[0].lower() == base.name.lower():
        parts = parts[1:]  # SELECT Lead.Email FROM Lead
    for relationship in parts[:-1]:
        lookup = current.relationship(relationship)
        if lookup is None:
            raise SalesforceApiError(
                400,
                "INVALID_FIELD",
                f"Didn't understand relationship '{relationship}' in field path. If you are "
                "attempting to use a custom relationship, be sure to append the '__r' after the "
                "custom relationship name. Please reference your WSDL or the describe call for "
                "the appropriate names.",
            )
        steps.append(lookup)
        names.append(lookup.relationship_name or relationship)
        target = schema.get(lookup.reference_to[0]) if not lookup.polymorphic else NAME_OBJECT
        current = target if target is not None else NAME_OBJECT
    leaf = current.field(parts[-1])
    if leaf is None:
        raise SalesforceApiError(
            400,
            "INVALID_FIELD",
            f"No such column '{parts[-1]}' on entity '{current.name}'. If you are attempting to "
            "use a custom field, be sure to append the '__c' after the custom field name. Please "
            "reference your WSDL or the describe call for the appropriate names.",
        )
    names.append(leaf.name)
    return BoundPath(tuple(steps), leaf, tuple(names))


def path_value(source: DataSource, row: Row, bound: BoundPath) -> Any:
    """Follow the lookups of `bound` from `row` and return the final value (None if broken)."""
    sobject, values = row
    for step in bound.steps:
        target_id = values.get(step.name)
        found = source.lookup(target_id) if target_id else None
        if found is None:
            return None
        sobject, values = found
        if step.polymorphic:
            values = name_view(sobject, values)
    return values.get(bound.leaf.name)


# ---- literal typing -------------------------------------------------------------------------


def _category(field: FieldDef) -> str:
    if field.type in ("id", "reference"):
        return "id"
    if field.type in TEXT_TYPES:
        return "text"
    if field.type in NUMBER_TYPES:
        return "number"
    return field.type  # boolean, date, datetime, time


_TYPE_WORDS = {
    "text": "string",
    "id": "string",
    "number": "double",
    "boolean": "boolean",
    "date": "date",
    "datetime": "dateTime",
    "time": "time",
}


def _wrong_type(bound: BoundPath, category: str) -> SalesforceApiError:
    quoted = category in ("text", "id")
    return SalesforceApiError(
        400,
        "INVALID_QUERY_FILTER_OPERATOR",
        f"value of filter criterion for field '{bound.text}' must be of type "
        f"{_TYPE_WORDS.get(category, category)} and should {'' if quoted else 'not '}"
        "be enclosed in quotes",
    )


def typed_literal(bound: BoundPath, literal: Literal, source: DataSource, op: str) -> Any:
    """The Python value (or (start, end) range for date literals) a literal denotes."""
    category = _category(bound.leaf)
    kind = literal.kind
    if kind == "null":
        return None
    if category == "text" and kind == "string":
        return (
            literal.value if op == "LIKE" else literal.value.replace("\\%", "%").replace("\\_", "_")
        )
    if category == "id" and kind == "string":
        normalized = normalize_id(literal.value)
        if normalized is None:
            raise SalesforceApiError(
                400, "INVALID_QUERY_FILTER_OPERATOR", f"invalid ID field: {literal.value}"
            )
        return normalized
    if category == "number" and kind == "number":
        return literal.value
    if category == "boolean" and kind == "boolean":
        return literal.value
    if category == "date" and kind == "date":
        return parse_date(literal.value)
    if category == "datetime" and kind == "datetime":
        parsed = parse_datetime(literal.value)
        if parsed is None:
            raise SalesforceApiError(400, "MALFORMED_QUERY", f"invalid datetime: {literal.text}")
        return parsed
    if category in ("date", "datetime") and kind == "date_literal":
        return _date_range(literal.value, source.now(), category)
    raise _wrong_type(bound, category)


def _date_range(spec: tuple[str, int], now: datetime, category: str) -> tuple[Any, Any]:
    name, amount = spec
    today = now.astimezone(UTC).date()
    start, days = {
        "TODAY": (today, 1),
        "YESTERDAY": (today - timedelta(days=1), 1),
        "TOMORROW": (today + timedelta(days=1), 1),
        "LAST_N_DAYS": (today - timedelta(days=amount), amount + 1),
        "NEXT_N_DAYS": (today + timedelta(days=1), amount),
        "N_DAYS_AGO": (today - timedelta(days=amount), 1),
    }[name]
    end = start + timedelta(days=days)
    if category == "date":
        return (start, end)
    return (_midnight(start), _midnight(end))


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def comparable(value: Any, case_sensitive: bool = False) -> Any:
    """Sort/compare key: SOQL string comparison is case-insensitive (ids excepted)."""
    if isinstance(value, str) and not case_sensitive:
        return value.lower()
    if isinstance(value, bool):
        return int(value)
    return value


def _like(pattern: str) -> re.Pattern[str]:
    regex = ""
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\" and index + 1 < len(pattern):
            regex += re.escape(pattern[index + 1])
            index += 2
            continue
        regex += ".*" if char == "%" else "." if char == "_" else re.escape(char)
        index += 1
    return re.compile(f"^{regex}$", re.IGNORECASE | re.DOTALL)


def _compare(op: str, value: Any, target: Any, exact: bool = False) -> bool:
    if isinstance(target, tuple):  # date literal range [start, end)
        start, end = target
        if value is None:
            return op == "!="
        inside = start <= value < end
        return {
            "=": inside,
            "!=": not inside,
            "<": value < start,
            "<=": value < end,
            ">": value >= end,
            ">=": value >= start,
        }[op]
    left, right = comparable(value, exact), comparable(target, exact)
    if op == "=":
        return left == right
    if op == "!=":
        return left != right
    if value is None or target is None:
        return False
    return {"<": left < right, "<=": left <= right, ">": left > right, ">=": left >= right}[op]


def build_predicate(
    condition: Any, base: ObjectDef, source: DataSource, run_subquery: Callable[[Query], set[Any]]
) -> Predicate:
    """Compile a WHERE tree into a function of one row."""
    if isinstance(condition, BoolOp):
        parts = [build_predicate(c, base, source, run_subquery) for c in condition.items]
        if condition.op == "AND":
            return lambda row: all(p(row) for p in parts)
        if condition.op == "OR":
            return lambda row: any(p(row) for p in parts)
        return lambda row: not parts[0](row)
    bound = bind_path(source.schema, base, condition.field)
    if isinstance(condition, Comparison):
        return _comparison(condition, bound, source)
    return _membership(condition, bound, source, run_subquery)


def _comparison(condition: Comparison, bound: BoundPath, source: DataSource) -> Predicate:
    target = typed_literal(bound, condition.value, source, condition.op)
    op = condition.op
    if op == "LIKE":
        if _category(bound.leaf) not in ("text", "id"):
            raise SalesforceApiError(
                400,
                "INVALID_QUERY_FILTER_OPERATOR",
                f"invalid operator on {_TYPE_WORDS[_category(bound.leaf)]} field: LIKE",
            )
        pattern = _like(str(condition.value.value))
        return lambda row: (
            (v := path_value(source, row, bound)) is not None and bool(pattern.match(str(v)))
        )
    if _category(bound.leaf) == "boolean" and op not in ("=", "!="):
        raise SalesforceApiError(
            400, "INVALID_QUERY_FILTER_OPERATOR", f"invalid operator on boolean field: {op}"
        )
    exact = _category(bound.leaf) == "id"
    return lambda row: _compare(op, path_value(source, row, bound), target, exact)


def _membership(
    condition: InCondition,
    bound: BoundPath,
    source: DataSource,
    run_subquery: Callable[[Query], set[Any]],
) -> Predicate:
    if condition.subquery is not None:
        if _category(bound.leaf) != "id":
            raise SalesforceApiError(
                400, "INVALID_FIELD", "Semi-join subqueries are only supported on Id fields"
            )
        cache: dict[str, set[Any]] = {}

        def matches(row: Row) -> bool:
            if "values" not in cache:
                cache["values"] = run_subquery(condition.subquery)
            value = path_value(source, row, bound)
            return (value in cache["values"]) != condition.negated

        return matches
    exact = _category(bound.leaf) == "id"
    targets = {comparable(typed_literal(bound, v, source, "="), exact) for v in condition.values}
    if condition.op in ("INCLUDES", "EXCLUDES"):

        def picks(row: Row) -> bool:
            value = path_value(source, row, bound)
            chosen = {comparable(p) for p in str(value).split(";")} if value else set()
            hit = bool(chosen & targets)
            return hit if condition.op == "INCLUDES" else not hit

        return picks
    return lambda row: (
        (comparable(path_value(source, row, bound), exact) in targets) != condition.negated
    )
