"""Turn pydantic's validation errors into ConfigIssues that point at lines in the YAML file."""

from __future__ import annotations

import re
import types
from collections.abc import Iterator
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from connector.config.issues import LocatedProblems, Path, did_you_mean
from connector.config.models import BatonConfig
from connector.config.models.cross_checks import cross_section_problems
from connector.config.secrets import LITERAL_SECRET, suggested_variable

_SHOULD = re.compile(r"^(Input|List|Tuple|Dictionary|String|Value) should ")
# Map pydantic's Python vocabulary: the words an admin editing YAML would use.
_PLAIN_WORDS = (
    (re.compile(r"a valid (dictionary|mapping)( or instance of \w+)?"), "a mapping (key: value)"),
    (re.compile(r"a valid (tuple|list)"), "a list"),
    (re.compile(r" after validation, not \d+$"), ""),
    (re.compile(r"^Keys should be strings$"), "keys must be text"),
)


def _clean_loc(loc: tuple[str | int, ...]) -> Path:
    """Drop pydantic's own markers ("[key]", "function-after[...]") from an error location."""
    return tuple(
        part
        for part in loc
        if isinstance(part, int) or not (part.startswith("function-") or "[" in part)
    )


def _unwrap(annotation: Any) -> list[Any]:
    """The candidate types inside Optional/Union/Annotated wrappers."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _unwrap(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        return [inner for arg in get_args(annotation) for inner in _unwrap(arg)]
    return [annotation]


def _step(annotation: Any, part: str | int) -> Any:
    """The type found one level down from ``annotation`` at ``part``, or None."""
    for candidate in _unwrap(annotation):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            field = candidate.model_fields.get(str(part))
            if field is not None:
                return field.annotation
        origin = get_origin(candidate)
        if origin in (tuple, list) and isinstance(part, int):
            return get_args(candidate)[0]
        if origin is dict:
            return get_args(candidate)[1]
    return None


def allowed_keys(path: Path) -> list[str]:
    """The keys the schema accepts in the mapping at ``path`` (empty if it is not a model)."""
    annotation: Any = BatonConfig
    for part in path:
        annotation = _step(annotation, part)
        if annotation is None:
            return []
    for candidate in _unwrap(annotation):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return list(candidate.model_fields)
    return []


def _message(error: Any, path: Path) -> str:
    kind = error["type"]
    if kind == "missing":
        return "required key is missing"
    if kind == "extra_forbidden":
        key = str(path[-1]) if path else ""
        hint = did_you_mean(key, allowed_keys(path[:-1]))
        return f"unknown key {key!r}{hint}" if hint else f"unknown key {key!r}"
    if kind == LITERAL_SECRET:
        return (
            "secrets must not be written in the config file: put it in an environment "
            f"variable and write ${{{suggested_variable(path)}}} here"
        )
    message = str(error["msg"]).removeprefix("Value error, ")
    message = _SHOULD.sub("must ", message)
    for pattern, replacement in _PLAIN_WORDS:
        message = pattern.sub(replacement, message)
    if kind in ("literal_error", "enum") and isinstance(error.get("input"), str | int | float):
        message += f", not {error['input']!r}"
    return message


def _is_echo(item: Any, path: Path, all_paths: list[Path]) -> bool:
    """A length error counted after dropping invalid items repeats those items' own errors."""
    return item["type"] == "too_short" and any(
        len(other) > len(path) and other[: len(path)] == path for other in all_paths
    )


def located_problems(error: ValidationError) -> Iterator[tuple[Path, str, bool]]:
    """Yield (path, message, at_key) for every problem in ``error``, expanding LocatedProblems."""
    items = error.errors()
    all_paths = [_clean_loc(item["loc"]) for item in items]
    for item, path in zip(items, all_paths, strict=True):
        if _is_echo(item, path, all_paths):
            continue
        raised = (item.get("ctx") or {}).get("error")
        if isinstance(raised, LocatedProblems):
            for sub_path, message in raised.problems:
                yield (*path, *sub_path), message, False
        else:
            yield path, _message(item, path), item["type"] == "extra_forbidden"


def problems_beside_broken_sections(
    data: dict[str, Any], context: dict[str, Any]
) -> list[tuple[Path, str]]:
    """Run the cross-section checks over every section that validates on its own.

    BatonConfig only runs them when all sections are valid; this keeps a typo in one section
    from hiding, say, an SLA policy that names an unknown team.
    """
    sections: dict[str, Any] = {}
    for name, field in BatonConfig.model_fields.items():
        models = [m for m in _unwrap(field.annotation) if isinstance(m, type)]
        model = next((m for m in models if issubclass(m, BaseModel)), None)
        if model is None:
            continue
        raw = data.get(name)
        try:
            sections[name] = (
                field.get_default(call_default_factory=True)
                if raw is None
                else model.model_validate(raw, context=context)
            )
        except ValidationError:
            continue
    return cross_section_problems(sections)
