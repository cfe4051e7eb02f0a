"""Small request/response helpers shared by the route modules."""

from __future__ import annotations

from typing import Any

from flask import request

from .errors import ApiError, validation_error
from .properties import iso_from_ms

MAX_BATCH = 100


def json_body() -> Any:
    """The parsed JSON body, or 400 VALIDATION_ERROR like HubSpot for malformed input."""
    if not request.data:
        raise validation_error("Invalid input JSON: the request body is empty.")
    body = request.get_json(silent=True, force=True)
    if body is None:
        raise validation_error("Invalid input JSON: the request body could not be parsed.")
    return body


def multi(name: str) -> list[str] | None:
    """A list query parameter, given repeated (`a=1&a=2`) or comma-separated (`a=1,2`)."""
    values = request.args.getlist(name)
    if not values:
        return None
    return [v for value in values for v in value.split(",") if v]


def flag(name: str, default: bool = False) -> bool:
    """A boolean query parameter."""
    raw = request.args.get(name)
    if raw is None:
        return default
    if raw.lower() not in ("true", "false"):
        raise validation_error(f"Query parameter {name} must be true or false, got {raw!r}.")
    return raw.lower() == "true"


def int_arg(name: str, default: int, maximum: int) -> int:
    """An integer query parameter within 1..maximum."""
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise validation_error(f"Query parameter {name} must be an integer, got {raw!r}.") from None
    if not 1 <= value <= maximum:
        raise validation_error(f"{name} must be between 1 and {maximum}, got {value}.")
    return value


def batch_inputs(body: Any, maximum: int = MAX_BATCH) -> list[Any]:
    """`inputs` of a batch body; more than `maximum` is a 400 VALIDATION_ERROR."""
    if not isinstance(body, dict) or not isinstance(body.get("inputs"), list):
        raise validation_error("Invalid input JSON: expected an object with an 'inputs' array.")
    inputs = body["inputs"]
    if len(inputs) > maximum:
        raise ApiError(
            400,
            f"Too many inputs: {len(inputs)}. A batch request can contain at most {maximum} "
            "inputs.",
            "VALIDATION_ERROR",
            context={"maxInputs": [str(maximum)], "actualInputs": [str(len(inputs))]},
        )
    return inputs


def batch_response(
    results: list[dict[str, Any]], errors: list[dict[str, Any]], started_ms: int, now_ms: int
) -> tuple[dict[str, Any], bool]:
    """The BatchResponse envelope; True when it must be sent as 207 (some inputs failed)."""
    body: dict[str, Any] = {
        "status": "COMPLETE",
        "results": results,
        "requestedAt": iso_from_ms(started_ms),
        "startedAt": iso_from_ms(started_ms),
        "completedAt": iso_from_ms(now_ms),
    }
    if errors:
        body["numErrors"] = len(errors)
        body["errors"] = errors
    return body, bool(errors)


def standard_error(
    category: str, message: str, context: dict[str, list[str]], sub_category: str | None = None
) -> dict[str, Any]:
    """One StandardError inside a batch response."""
    error: dict[str, Any] = {
        "status": "error",
        "category": category,
        "message": message,
        "context": context,
        "errors": [],
        "links": {},
    }
    if sub_category:
        error["subCategory"] = sub_category
    return error


def next_paging(after: str, link_path: str) -> dict[str, Any]:
    """`paging.next` with an `after` cursor and a link, as HubSpot pages lists."""
    return {"next": {"after": after, "link": f"{link_path}?after={after}"}}
