"""The OpenAPI 3.1 document of Baton's ``/api`` routes, written by hand.

Hand-written, not generated: the API is four GET routes, and a generator (apispec, flask-smorest)
would add a dependency and decorators for that; a schemathesis test
(tests/webhooks/test_scorecard_api_schema.py) calls the app from this document and fails when a
response does not match it, so the two cannot drift apart unnoticed.
"""

from __future__ import annotations

from typing import Any

from connector.reports.scorecard.texts import TABLES

#: the shapes parse_week accepts (whether the week or day exists is checked there)
WEEK_PATTERN = (
    r"^2[0-9]{3}-W(0[1-9]|[1-4][0-9]|5[0-3])$"
    r"|^2[0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
)
_NULLABLE_TEXT = {"type": ["string", "null"]}
_NUMBER = {
    "description": "An integer, or a decimal as a string with its exact digits ('1000.00').",
    "type": ["integer", "string", "null"],
}
_CELL = {"type": ["string", "integer", "boolean", "null"]}


def _param(name: str, description: str, **schema: Any) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": {"type": "string", **schema},
    }


_WEEK_AND_FILTERS = [
    _param(
        "week",
        "YYYY-Www (ISO week) or any YYYY-MM-DD in the week, years 2000-2999; default: this "
        "week. A form that fits but names no real week or day (2026-02-30) is refused with 400.",
        pattern=WEEK_PATTERN,
    ),
    _param("team", "marketing, sales or together (metrics shown), or a routing team name."),
    _param("rep", "A CRM owner id (Salesforce 005…)."),
    _param("source", "A lead source (HubSpot original source, e.g. PAID_SEARCH)."),
    _param("campaign", "A campaign (scorecard.campaign_property, or a CRM campaign id)."),
]


def _error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


_GUARDED = {"400": _error("A week, filter or key it cannot use."), "401": _error("No token.")}


def _json(ref: str, description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}},
    }


def document() -> dict[str, Any]:
    """The whole document (a fresh dict each call)."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Baton scorecard API",
            "version": "1",
            "description": "The weekly scorecard both teams trust: every figure, the leads "
            "behind it, and each table as CSV. People are CRM ids; amounts are decimal strings.",
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": _schemas(),
        },
        "security": [{"bearer": []}],
        "paths": {
            "/api/scorecard": {
                "get": {
                    "operationId": "getScorecard",
                    "summary": "The week's metrics and breakdown tables.",
                    "parameters": _WEEK_AND_FILTERS,
                    "responses": {"200": _json("Scorecard", "The scorecard."), **_GUARDED},
                }
            },
            "/api/scorecard/drill": {
                "get": {
                    "operationId": "drillDown",
                    "summary": "The leads behind one figure (a drill_key of that week).",
                    "parameters": [
                        *_WEEK_AND_FILTERS,
                        {**_param("key", "A drill_key from /api/scorecard."), "required": True},
                    ],
                    "responses": {
                        "200": _json("Drill", "The leads, ids and CRM links only."),
                        **_GUARDED,
                        "404": _error("The week has no such drill key."),
                    },
                }
            },
            "/api/scorecard.csv": {
                "get": {
                    "operationId": "exportTable",
                    "summary": "One table of the week as CSV (header: column keys).",
                    "parameters": [
                        *_WEEK_AND_FILTERS,
                        {**_param("table", "A table key.", enum=list(TABLES)), "required": True},
                    ],
                    "responses": {
                        "200": {
                            "description": "The table.",
                            "content": {"text/csv": {"schema": {"type": "string"}}},
                        },
                        **_GUARDED,
                    },
                }
            },
            "/api/openapi.json": {
                "get": {
                    "operationId": "openapi",
                    "summary": "This document.",
                    "security": [],
                    "responses": {
                        "200": {
                            "description": "The OpenAPI document.",
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        }
                    },
                }
            },
        },
    }


def _schemas() -> dict[str, Any]:
    metric = {
        "type": "object",
        "required": [
            "key", "team", "label", "definition", "value", "unit", "target", "status",
            "weeks_below_target", "drill_key",
        ],
        "additionalProperties": False,
        "properties": {
            "key": {"type": "string"},
            "team": {"enum": ["marketing", "sales", "together"]},
            "label": {"type": "string"},
            "definition": {"type": "string"},
            "value": _NUMBER,
            "unit": {"enum": ["count", "percent", "hours", "money", "days"]},
            "target": _NUMBER,
            "status": {"enum": ["met", "missed", "no_target", "no_data"]},
            "weeks_below_target": {"type": "integer", "minimum": 0},
            "drill_key": _NULLABLE_TEXT,
        },
    }  # fmt: skip
    table = {
        "type": "object",
        "required": ["key", "title", "team", "columns", "rows", "drill_keys"],
        "additionalProperties": False,
        "properties": {
            "key": {"enum": list(TABLES)},
            "title": {"type": "string"},
            "team": {"enum": ["marketing", "sales", "together"]},
            "columns": {"type": "array", "items": {"type": "string"}},
            "rows": {"type": "array", "items": {"type": "array", "items": _CELL}},
            "drill_keys": {"type": "array", "items": _NULLABLE_TEXT},
        },
    }
    filters = {
        "type": "object",
        "required": ["team", "rep", "source", "campaign"],
        "additionalProperties": False,
        "properties": {name: _NULLABLE_TEXT for name in ("team", "rep", "source", "campaign")},
    }
    date = {"type": "string", "format": "date"}
    return {
        "Error": {
            "type": "object",
            "required": ["error", "message"],
            "properties": {"error": {"type": "string"}, "message": {"type": "string"}},
        },
        "Metric": metric,
        "Table": table,
        "Filters": filters,
        "Scorecard": {
            "type": "object",
            "required": [
                "week_start",
                "week_end",
                "timezone",
                "currency",
                "filters",
                "metrics",
                "tables",
                "weeks_available",
            ],
            "additionalProperties": False,
            "properties": {
                "week_start": date,
                "week_end": date,
                "timezone": {"type": "string"},
                "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
                "filters": {"$ref": "#/components/schemas/Filters"},
                "metrics": {"type": "array", "items": {"$ref": "#/components/schemas/Metric"}},
                "tables": {"type": "array", "items": {"$ref": "#/components/schemas/Table"}},
                "weeks_available": {"type": "array", "items": date},
            },
        },
        "Lead": {
            "type": "object",
            "required": ["system", "object", "record_id", "url"],
            "additionalProperties": False,
            "properties": {
                "system": {"enum": ["hubspot", "salesforce"]},
                "object": {"type": "string"},
                "record_id": {"type": "string"},
                "url": _NULLABLE_TEXT,
            },
        },
        "Drill": {
            "type": "object",
            "required": ["week_start", "key", "leads"],
            "additionalProperties": False,
            "properties": {
                "week_start": date,
                "key": {"type": "string"},
                "leads": {"type": "array", "items": {"$ref": "#/components/schemas/Lead"}},
            },
        },
    }
