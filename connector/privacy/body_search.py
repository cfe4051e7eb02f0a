"""Which raw bodies may mention a person: a SQL pre-filter, so only those are decoded.

Raw bodies are bytes (``LargeBinary``). An erasure or export used to decode every one in
Python to look for the person; this condition lets the database skip the bodies that cannot
hold any needle. It is a superset of the Python match (substring, ASCII case folded), so the
caller still checks each candidate with the redactor's whole-token rule.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement, LargeBinary, Text, cast, false, func, literal, or_
from sqlalchemy.sql.elements import ColumnClause


def _escaped(needle: str) -> str:
    return needle.replace("/", "//").replace("%", "/%").replace("_", "/_")


def _regex_literal(needle: str) -> str:
    """An ASCII needle as a PostgreSQL regex matching itself (punctuation backslashed)."""
    return "".join(c if c.isalnum() else f"\\{c}" for c in needle)


def minimal_needles(needles: Iterable[str]) -> list[str]:
    """The needles (lower case) without those that contain another one (``contact:7001``
    is found by ``7001``): fewer LIKEs, the same rows."""
    folded = sorted({n.lower() for n in needles if n}, key=len)
    kept: list[str] = []
    for needle in folded:
        if not any(shorter in needle for shorter in kept):
            kept.append(needle)
    return kept


def body_mentions(
    column: ColumnClause, needles: Iterable[str], dialect: str
) -> ColumnElement[bool] | None:
    """Rows whose body may hold a needle; None when this engine or needle cannot be searched
    in SQL (the caller then decodes every body, as before)."""
    wanted = minimal_needles(needles)
    if dialect not in ("sqlite", "postgresql") or any(not n.isascii() or "\\" in n for n in wanted):
        return None
    if not wanted:
        return false()
    if dialect == "postgresql":
        # bytea as text with every non-ASCII byte and the backslash escaped (ASCII stays as it
        # is), searched by one case-blind regex: each body is encoded and read once
        text = func.encode(column, "escape")
        return text.op("~*")("|".join(_regex_literal(needle) for needle in wanted))
    # SQLite reads a BLOB cast to TEXT as its bytes and its LIKE folds ASCII case, but LIKE
    # stops at a NUL byte: a body holding one is always a candidate (instr compares bytes)
    text = cast(column, Text)
    found = [text.like(f"%{_escaped(needle)}%", escape="/") for needle in wanted]
    return or_(*found, func.instr(column, literal(b"\x00", LargeBinary)) > 0)
