"""Syntax tree of the SOQL subset the stand-in understands (built by soql_parser)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Token:
    """One lexical token with its position (for error messages)."""

    kind: str
    text: str
    pos: int

    @property
    def upper(self) -> str:
        """The token text in upper case (keywords are case-insensitive)."""
        return self.text.upper()


@dataclass(frozen=True)
class Literal:
    """A value in a WHERE clause: kind is string/number/boolean/null/date/datetime/date_literal."""

    kind: str
    value: Any
    text: str


@dataclass(frozen=True)
class FieldPath:
    """A possibly dotted field reference, e.g. ("Owner", "Type")."""

    parts: tuple[str, ...]

    @property
    def text(self) -> str:
        """The path as written."""
        return ".".join(self.parts)


@dataclass(frozen=True)
class CountItem:
    """`COUNT()` (field None) or `COUNT(field) [alias]`."""

    field: FieldPath | None
    alias: str | None = None


@dataclass(frozen=True)
class SubqueryItem:
    """A child relationship subquery in the SELECT list."""

    query: Query


@dataclass(frozen=True)
class Comparison:
    """`field op literal`."""

    field: FieldPath
    op: str
    value: Literal


@dataclass(frozen=True)
class InCondition:
    """`field [NOT] IN (...)`, or INCLUDES/EXCLUDES for multi-select picklists."""

    field: FieldPath
    values: tuple[Literal, ...] = ()
    subquery: Query | None = None
    negated: bool = False
    op: str = "IN"


@dataclass(frozen=True)
class BoolOp:
    """AND / OR over conditions, or NOT over one."""

    op: str
    items: tuple[Any, ...]


@dataclass(frozen=True)
class OrderItem:
    """One ORDER BY term."""

    field: FieldPath
    descending: bool = False
    nulls_last: bool | None = None


@dataclass(frozen=True)
class Query:
    """A parsed SELECT statement."""

    select: tuple[Any, ...]
    sobject: str
    where: Any = None
    order_by: tuple[OrderItem, ...] = ()
    limit: int | None = None
    offset: int | None = None
    text: str = field(default="", compare=False)

    @property
    def count_only(self) -> bool:
        """True for `SELECT COUNT() FROM ...`."""
        return (
            len(self.select) == 1
            and isinstance(self.select[0], CountItem)
            and self.select[0].field is None
        )
