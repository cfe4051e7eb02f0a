"""The CRM object types the stand-in knows and HubSpot's default association types between them."""

from __future__ import annotations

from dataclasses import dataclass

from .errors import ApiError


@dataclass(frozen=True)
class ObjectType:
    """One CRM object type: its plural API name, type id and webhook prefix."""

    name: str  # "contacts"
    type_id: str  # "0-1"
    singular: str  # "contact" (legacy webhook subscription prefix, association labels)
    modified_property: str  # the "last modified" property HubSpot maintains for the type
    default_properties: tuple[str, ...]  # returned when the caller names none


_ACTIVITY_DEFAULTS = ("hs_createdate", "hs_lastmodifieddate", "hs_object_id")

OBJECT_TYPES: tuple[ObjectType, ...] = (
    ObjectType(
        "contacts",
        "0-1",
        "contact",
        "lastmodifieddate",
        ("createdate", "email", "firstname", "hs_object_id", "lastmodifieddate", "lastname"),
    ),
    ObjectType(
        "companies",
        "0-2",
        "company",
        "hs_lastmodifieddate",
        ("createdate", "domain", "hs_lastmodifieddate", "hs_object_id", "name"),
    ),
    ObjectType(
        "deals",
        "0-3",
        "deal",
        "hs_lastmodifieddate",
        (
            "amount",
            "closedate",
            "createdate",
            "dealname",
            "dealstage",
            "hs_lastmodifieddate",
            "hs_object_id",
            "pipeline",
        ),
    ),
    ObjectType("tasks", "0-27", "task", "hs_lastmodifieddate", _ACTIVITY_DEFAULTS),
    ObjectType("notes", "0-46", "note", "hs_lastmodifieddate", _ACTIVITY_DEFAULTS),
    ObjectType("meetings", "0-47", "meeting", "hs_lastmodifieddate", _ACTIVITY_DEFAULTS),
    ObjectType("calls", "0-48", "call", "hs_lastmodifieddate", _ACTIVITY_DEFAULTS),
    ObjectType("emails", "0-49", "email", "hs_lastmodifieddate", _ACTIVITY_DEFAULTS),
    ObjectType("users", "0-115", "user", "hs_lastmodifieddate", _ACTIVITY_DEFAULTS),
    ObjectType(
        "leads",
        "0-136",
        "lead",
        "hs_lastmodifieddate",
        (
            "hs_createdate",
            "hs_lastmodifieddate",
            "hs_lead_name",
            "hs_object_id",
            "hs_pipeline_stage",
        ),
    ),
)

#: Activity types whose records require `hs_timestamp`.
ACTIVITY_TYPES = frozenset({"tasks", "notes", "meetings", "calls", "emails"})

_BY_ALIAS: dict[str, ObjectType] = {}
for _t in OBJECT_TYPES:
    for _alias in (_t.name, _t.type_id, _t.singular):
        _BY_ALIAS[_alias] = _t


def resolve_type(name: str) -> ObjectType:
    """Resolve "contacts", "contact" or "0-1" (any case) to the type, or 400 like HubSpot."""
    found = _BY_ALIAS.get(name.strip().lower())
    if found is None:
        raise ApiError(400, f"Unable to infer object type from: {name}", "VALIDATION_ERROR")
    return found


def find_type(name: str) -> ObjectType | None:
    """Like `resolve_type` but None for an unknown name."""
    return _BY_ALIAS.get(name.strip().lower())


# HUBSPOT_DEFINED default (unlabelled) association types: (from, to) -> associationTypeId.
_DEFAULT_PAIRS: dict[tuple[str, str], int] = {
    ("contacts", "companies"): 279,
    ("companies", "contacts"): 280,
    ("leads", "contacts"): 578,  # lead → primary contact (required when a lead is created)
    ("contacts", "leads"): 579,
    ("deals", "contacts"): 3,
    ("contacts", "deals"): 4,
    ("deals", "companies"): 341,
    ("companies", "deals"): 342,
    ("calls", "contacts"): 194,
    ("contacts", "calls"): 193,
    ("emails", "contacts"): 198,
    ("contacts", "emails"): 197,
    ("meetings", "contacts"): 200,
    ("contacts", "meetings"): 199,
    ("notes", "contacts"): 202,
    ("contacts", "notes"): 201,
    ("tasks", "contacts"): 204,
    ("contacts", "tasks"): 203,
    ("tasks", "companies"): 192,
    ("companies", "tasks"): 191,
    ("tasks", "deals"): 216,
    # task <-> lead: HubSpot lists these pairs but the ids here are the sandbox's own (not
    # verified); Baton links a task to a lead through the default-association endpoint only
    ("tasks", "leads"): 646,
    ("leads", "tasks"): 647,
    ("deals", "tasks"): 215,
    ("notes", "deals"): 214,
    ("deals", "notes"): 213,
    ("meetings", "deals"): 212,
    ("deals", "meetings"): 211,
    ("emails", "deals"): 210,
    ("deals", "emails"): 209,
    ("calls", "deals"): 206,
    ("deals", "calls"): 205,
    ("notes", "companies"): 190,
    ("companies", "notes"): 189,
    ("meetings", "companies"): 188,
    ("companies", "meetings"): 187,
    ("emails", "companies"): 186,
    ("companies", "emails"): 185,
    ("calls", "companies"): 182,
    ("companies", "calls"): 181,
}
# Primary contact<->company and deal<->company associations also exist as labelled types.
_PRIMARY_PAIRS: dict[tuple[str, str], int] = {
    ("contacts", "companies"): 1,
    ("companies", "contacts"): 2,
    ("deals", "companies"): 5,
    ("companies", "deals"): 6,
}
_TYPE_ID_TO_PAIR: dict[int, tuple[str, str]] = {v: k for k, v in _DEFAULT_PAIRS.items()}
_TYPE_ID_TO_PAIR.update({v: k for k, v in _PRIMARY_PAIRS.items()})


def default_association_type(from_type: str, to_type: str) -> int:
    """The unlabelled HUBSPOT_DEFINED type id from one type to another, or 400 if none exists."""
    type_id = _DEFAULT_PAIRS.get((from_type, to_type))
    if type_id is None:
        raise ApiError(
            400,
            f"No default association type exists between {from_type} and {to_type}.",
            "VALIDATION_ERROR",
        )
    return type_id


def association_pair(type_id: int) -> tuple[str, str] | None:
    """(from type, to type) of a HUBSPOT_DEFINED association type id, or None if unknown."""
    return _TYPE_ID_TO_PAIR.get(type_id)


def inverse_association_type(type_id: int) -> int:
    """The type id of the same association seen from the other side."""
    pair = _TYPE_ID_TO_PAIR[type_id]
    reverse = (pair[1], pair[0])
    if type_id in _PRIMARY_PAIRS.values():
        return _PRIMARY_PAIRS[reverse]
    return _DEFAULT_PAIRS[reverse]


def association_label(from_type: str, to_type: str) -> str:
    """HubSpot's webhook/association name, e.g. CONTACT_TO_DEAL."""
    return f"{resolve_type(from_type).singular}_TO_{resolve_type(to_type).singular}".upper()
