"""Building SOQL safely: identifiers are checked, values are quoted, ids are validated.

Baton puts record ids, e-mails and HubSpot ids into SOQL ``WHERE`` clauses; each goes through
one of these functions, so a value can never change the shape of a query.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# API names: Lead, Status, HubSpot_Contact_Id__c, Owner.Type (one relationship hop at most).
_IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,79}(\.[A-Za-z][A-Za-z0-9_]{0,79})?")
_RECORD_ID = re.compile(r"[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?")
#: Ids per ``WHERE Id IN (...)`` query: keeps the GET URL far below Salesforce's ~16 KB limit.
IDS_PER_QUERY = 200


def identifier(name: str) -> str:
    """``name`` if it is a plausible sObject/field API name, else ValueError."""
    if not isinstance(name, str) or not _IDENTIFIER.fullmatch(name):
        raise ValueError(f"not a Salesforce API name: {name!r}")
    return name


def record_id(value: str) -> str:
    """``value`` if it is a 15- or 18-character record id, else ValueError."""
    if not isinstance(value, str) or not _RECORD_ID.fullmatch(value):
        raise ValueError(f"not a Salesforce record id: {value!r}")
    return value


def quote(value: str) -> str:
    """A SOQL string literal: single quotes, with backslash escapes for the special characters."""
    escaped = (
        value.replace("\\", "\\\\")
        .replace("'", "\\'")
        .replace('"', '\\"')
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .replace("\t", "\\t")
    )
    return f"'{escaped}'"


def select(object_type: str, fields: Iterable[str], where: str) -> str:
    """``SELECT Id, <fields> FROM <object_type> WHERE <where>``, with checked names."""
    names = list(dict.fromkeys(["Id", *(identifier(f) for f in fields)]))
    return f"SELECT {', '.join(names)} FROM {identifier(object_type)} WHERE {where}"


def in_list(field: str, values: Iterable[str]) -> str:
    """``<field> IN ('a','b')``."""
    quoted = ", ".join(quote(v) for v in values)
    return f"{identifier(field)} IN ({quoted})"
