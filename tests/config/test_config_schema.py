"""Properties of the schema as a whole: documented, frozen and strict at every level."""

from __future__ import annotations

import types
from typing import Annotated, Union, get_args, get_origin

import pytest
from pydantic import BaseModel

from connector.config import BatonConfig


def _models_inside(annotation: object) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    origin = get_origin(annotation)
    if origin in (Annotated, Union, types.UnionType, tuple, list, dict):
        return [model for arg in get_args(annotation) for model in _models_inside(arg)]
    return []


def _all_models() -> list[type[BaseModel]]:
    seen: list[type[BaseModel]] = []
    todo: list[type[BaseModel]] = [BatonConfig]
    while todo:
        model = todo.pop()
        if model in seen:
            continue
        seen.append(model)
        for field in model.model_fields.values():
            todo.extend(_models_inside(field.annotation))
    return seen


MODELS = _all_models()


def test_the_walk_reaches_the_nested_sections():
    names = {model.__name__ for model in MODELS}
    assert {"TimeRange", "Criterion", "JwtAuth", "CreditModel", "EscalationStep"} <= names


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_every_field_says_what_it_is_for(model):
    undocumented = [name for name, field in model.model_fields.items() if not field.description]
    assert undocumented == []


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_every_model_is_frozen_and_refuses_unknown_keys(model):
    assert model.model_config.get("frozen") is True
    assert model.model_config.get("extra") == "forbid"
    assert model.__doc__
