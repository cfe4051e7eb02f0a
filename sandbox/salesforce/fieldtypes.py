"""Field value conversions: JSON in, Python inside, JSON/SOAP/SOQL text out.

Records are kept with Python values (aware UTC datetimes, dates, floats rounded to the field's
scale, bools, strings) so SOQL can compare them; these functions are the only place that knows
the wire formats (`2024-05-01T10:00:00.000+0000` in REST JSON, `...000Z` in SOAP).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from .errors import SalesforceApiError

TEXT_TYPES = frozenset(
    {"string", "textarea", "email", "phone", "url", "picklist", "multipicklist", "combobox"}
)
NUMBER_TYPES = frozenset({"double", "currency", "percent", "int"})
ID_TYPES = frozenset({"id", "reference"})

_DATETIME_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?"
    r"(Z|[+-]\d{2}:?\d{2})?$"
)
_DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_TIME_RE = re.compile(r"^(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?Z?$")


def _parser_error(type_name: str, value: Any) -> SalesforceApiError:
    return SalesforceApiError(
        400,
        "JSON_PARSER_ERROR",
        f"Cannot deserialize instance of {type_name} from VALUE_STRING value {value} "
        "or request may be missing a required field",
    )


def parse_offset(text: str | None) -> timezone:
    """Turn `Z`, `+01:00` or `-0500` into a timezone (None means UTC)."""
    if not text or text == "Z":
        return UTC
    sign = 1 if text[0] == "+" else -1
    digits = text[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def parse_datetime(text: str) -> datetime | None:
    """Parse an ISO 8601 datetime as Salesforce accepts it; None when it is not one.

    A value without an offset is taken as UTC (Salesforce does the same).
    """
    match = _DATETIME_RE.match(text)
    if not match:
        return None
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    micros = int((fraction or "0")[:6].ljust(6, "0"))
    try:
        value = datetime(
            int(year),
            int(month),
            int(day),
            int(hour),
            int(minute),
            int(second or 0),
            micros,
            tzinfo=parse_offset(offset),
        )
    except ValueError:
        return None
    return truncate_ms(value.astimezone(UTC))


def parse_date(text: str) -> date | None:
    """Parse `YYYY-MM-DD`; None when it is not a valid date."""
    match = _DATE_RE.match(text)
    if not match:
        return None
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def truncate_ms(value: datetime) -> datetime:
    """Drop precision below milliseconds, as Salesforce stores datetimes."""
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


def round_number(value: float, scale: int | None) -> float:
    """Round half-up to the field's scale (currency fields keep 2 decimals)."""
    if scale is None:
        return float(value)
    quantum = Decimal(1).scaleb(-scale)
    return float(Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP))


def coerce_input(field_type: str, value: Any, scale: int | None = None) -> Any:
    """Convert one JSON input value to the Python value stored for a field of `field_type`.

    Raises SalesforceApiError(JSON_PARSER_ERROR) when the value cannot be read as that type.
    `None` passes through (nulling a field); callers check nillability.
    """
    if value is None:
        return None
    if field_type in TEXT_TYPES or field_type in ID_TYPES:
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float | str):
            return str(value)
        raise _parser_error("string", value)
    if field_type == "boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise _parser_error("boolean", value)
    if field_type in NUMBER_TYPES:
        return _coerce_number(field_type, value, scale)
    if field_type == "date":
        parsed = parse_date(value) if isinstance(value, str) else None
        if parsed is None:
            raise _parser_error("date", value)
        return parsed
    if field_type == "datetime":
        if isinstance(value, str):
            as_date = parse_date(value)
            if as_date is not None:
                return datetime(as_date.year, as_date.month, as_date.day, tzinfo=UTC)
            parsed = parse_datetime(value)
            if parsed is not None:
                return parsed
        raise _parser_error("datetime", value)
    if field_type == "time":
        match = _TIME_RE.match(value) if isinstance(value, str) else None
        if not match:
            raise _parser_error("time", value)
        hour, minute, second, millis = match.groups()
        return time(
            int(hour), int(minute), int(second or 0), int((millis or "0").ljust(3, "0")) * 1000
        )
    raise _parser_error(field_type, value)


def _coerce_number(field_type: str, value: Any, scale: int | None) -> float | int:
    if isinstance(value, bool):
        raise _parser_error("double", value)
    try:
        number = Decimal(str(value)) if isinstance(value, int | float | str) else None
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise _parser_error("double" if field_type != "int" else "int", value)
    if field_type == "int":
        if number != number.to_integral_value():
            raise _parser_error("int", value)
        return int(number)
    return round_number(float(number), scale)


def format_datetime(value: datetime) -> str:
    """REST JSON form: `2024-05-01T10:00:00.000+0000`."""
    value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}+0000"


def format_soap_datetime(value: datetime) -> str:
    """SOAP/XML form: `2024-05-01T10:00:00.000Z`."""
    value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def format_time(value: time) -> str:
    """Time fields as the API returns them: `08:00:00.000Z`."""
    return value.strftime("%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def to_json(value: Any) -> Any:
    """Python stored value -> REST JSON value."""
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return format_time(value)
    return value


def to_soap_text(value: Any) -> str:
    """Python stored value -> the text of an outbound-message field element."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return format_soap_datetime(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return format_time(value)
    return str(value)
