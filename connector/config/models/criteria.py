"""Conditions on HubSpot contact properties, shared by the MQL definition and routing rules."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, ValidationInfo, field_validator

from connector.config.models.base import ConfigModel
from connector.config.models.fields import HubSpotName

Operator = Literal["eq", "ne", "in", "not_in", "gte", "lte", "contains", "exists"]
Scalar = str | int | float | bool


def _is_scalar(value: Any) -> bool:
    return isinstance(value, str | int | float | bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


class Criterion(ConfigModel):
    """One condition such as ``{property: country, op: in, value: [NL, BE]}``.

    ``exists`` takes no value (or ``true``/``false``); ``in``/``not_in`` take a list;
    ``gte``/``lte`` take a number; ``eq``/``ne``/``contains`` take one value.
    """

    property: HubSpotName = Field(description="HubSpot contact property internal name.")
    op: Operator = Field(default="eq", description="Comparison operator.")
    value: Any = Field(default=None, description="Value to compare with (depends on op).")

    @field_validator("value")
    @classmethod
    def _value_fits_operator(cls, value: Any, info: ValidationInfo) -> Any:
        op = info.data.get("op")
        if op is None:  # op itself was invalid; that error is reported already
            return value
        if op == "exists":
            if value is None:
                return True
            if not isinstance(value, bool):
                raise ValueError("'exists' takes true or false (or no value)")
            return value
        if op in ("in", "not_in"):
            if not isinstance(value, list | tuple) or not value:
                raise ValueError(f"'{op}' needs a non-empty list of values")
            if not all(_is_scalar(item) for item in value):
                raise ValueError(f"'{op}' values must be plain strings, numbers or booleans")
            return tuple(value)
        if op in ("gte", "lte"):
            if not _is_number(value):
                raise ValueError(f"'{op}' needs a number")
            return value
        if value is None or not _is_scalar(value):
            raise ValueError(f"'{op}' needs one string, number or boolean value")
        return value


class Threshold(ConfigModel):
    """A behaviour threshold: the property's number must be at least ``min``."""

    property: HubSpotName = Field(
        description="Numeric HubSpot property, e.g. hs_analytics_num_page_views."
    )
    min: float = Field(ge=0, description="Minimum value (inclusive).")
