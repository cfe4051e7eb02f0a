"""Reading the YAML file while keeping every key's line and column, for error messages.

ruamel.yaml's round-trip loader records positions (``.lc``) on every mapping and sequence. The
file is composed once more to find duplicate keys, because the loader stops at the first one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar
from ruamel.yaml.error import MarkedYAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.scalarbool import ScalarBoolean

from connector.config.issues import ConfigError, ConfigIssue, Path, format_key_path
from connector.config.secrets import UnsetVariables, expand_references

_STR_TAG = "tag:yaml.org,2002:str"
_DUPLICATE = re.compile(r'found duplicate key "(.*?)"')


@dataclass
class YamlDocument:
    """A parsed config file: the position-carrying tree and any issues found while reading."""

    file: str
    tree: Any
    issues: list[ConfigIssue] = field(default_factory=list)

    def issue(self, path: Path, message: str, *, at_key: bool = False) -> ConfigIssue:
        """Build a ConfigIssue for ``path``, positioned at its node (or nearest ancestor)."""
        line, column = locate(self.tree, path, at_key=at_key)
        return ConfigIssue(self.file, line, column, format_key_path(path), message)


def _syntax_issue(file: str, error: MarkedYAMLError) -> ConfigIssue:
    mark = error.problem_mark or error.context_mark
    problem = error.problem or "invalid YAML"
    duplicate = _DUPLICATE.search(problem)
    if duplicate:  # ruamel's text includes both values, which may be secrets
        problem = f"duplicate key {duplicate.group(1)!r}"
    elif error.context and error.context_mark is not None and error.context_mark is not mark:
        problem = f"{problem} ({error.context} that started on line {error.context_mark.line + 1})"
    line = mark.line + 1 if mark is not None else None
    column = mark.column + 1 if mark is not None else None
    return ConfigIssue(file, line, column, "", f"YAML syntax error: {problem}")


def _duplicate_keys(file: str, node: Node | None, path: Path = ()) -> list[ConfigIssue]:
    """Find every repeated key in the composed node tree (the loader only reports the first)."""
    issues: list[ConfigIssue] = []
    if isinstance(node, MappingNode):
        first_line: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, ScalarNode) else None
            if key is None or key == "<<":
                continue
            if key in first_line:
                mark = key_node.start_mark
                issues.append(
                    ConfigIssue(
                        file,
                        mark.line + 1,
                        mark.column + 1,
                        format_key_path((*path, key)),
                        f"duplicate key {key!r} (first given on line {first_line[key]})",
                    )
                )
            else:
                first_line[key] = key_node.start_mark.line + 1
            issues.extend(_duplicate_keys(file, value_node, (*path, key)))
    elif isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            issues.extend(_duplicate_keys(file, item, (*path, index)))
    return issues


def parse_yaml(text: str, file: str) -> YamlDocument:
    """Parse ``text``; a syntax error raises ConfigError, duplicate keys become issues."""
    try:
        composed = YAML(typ="rt").compose(text)
        loader = YAML(typ="rt")
        loader.allow_duplicate_keys = True  # reported above, with every position
        tree = loader.load(text)
    except MarkedYAMLError as error:
        raise ConfigError([_syntax_issue(file, error)]) from None
    return YamlDocument(file=file, tree=tree, issues=_duplicate_keys(file, composed))


def _find_key(mapping: CommentedMap, part: str | int) -> Any:
    if part in mapping:
        return part
    for key in mapping:  # YAML may have read `12345:` as a number; pydantic names it "12345"
        if str(key) == str(part):
            return key
    return _MISSING


_MISSING = object()


def _owner_of(mapping: CommentedMap, key: Any) -> CommentedMap | None:
    """The mapping that actually holds ``key``: itself, or a ``<<:`` merge source."""
    if key in mapping.lc.data:
        return mapping
    for source in getattr(mapping, "merge", None) or ():
        if isinstance(source, CommentedMap) and (owner := _owner_of(source, key)) is not None:
            return owner
    return None


def locate(tree: Any, path: Path, *, at_key: bool = False) -> tuple[int, int]:
    """Return the 1-based (line, column) of ``path`` in ``tree``.

    A scalar value is located at the value, a mapping or list at its key. When the path leaves
    the tree (a missing key), the nearest existing ancestor is used. Parts that are not in the
    tree (validation-library markers) are skipped.
    """
    line, column = (getattr(tree, "lc", None) and (tree.lc.line, tree.lc.col)) or (0, 0)
    node = tree
    for index, part in enumerate(path):
        is_last = index == len(path) - 1
        if isinstance(node, CommentedMap):
            key = _find_key(node, part)
            if key is _MISSING:
                continue
            child = node[key]
            scalar = not isinstance(child, CommentedMap | CommentedSeq)
            owner = _owner_of(node, key)
            if owner is None:  # cannot happen for keys ruamel read; stay at the mapping
                line, column = node.lc.line, node.lc.col
            elif is_last and scalar and not at_key:
                line, column = owner.lc.value(key)
            else:
                line, column = owner.lc.key(key)
            node = child
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and part < len(node):
            line, column = node.lc.item(part)
            node = node[part]
    return line + 1, column + 1


def unset_message(names: list[str]) -> str:
    """The issue text of unset ``${VAR}`` references (``check-config --structure-only``
    recognises it with :func:`is_unset_variable`)."""
    verb = "is" if len(names) == 1 else "are"
    return f"environment variable {', '.join(names)} {verb} not set"


_UNSET = re.compile(r"environment variables? ([A-Za-z0-9_, ]+) (is|are) not set")


def is_unset_variable(message: str) -> bool:
    """True for the issue :func:`unset_message` writes."""
    return _UNSET.fullmatch(message) is not None


def unset_names(message: str) -> list[str]:
    """The variable names in an :func:`unset_message` (empty for any other message)."""
    found = _UNSET.fullmatch(message)
    return found.group(1).split(", ") if found else []


def to_plain(document: YamlDocument, env: Mapping[str, str]) -> tuple[Any, list[Path]]:
    """Convert the tree to plain Python values, expanding ``${VAR}`` references from ``env``.

    Returns the data and the paths whose references could not be expanded (already reported in
    ``document.issues``, so later errors at those paths are noise).
    """
    unresolved: list[Path] = []

    def convert(value: Any, path: Path) -> Any:
        if isinstance(value, CommentedMap):
            return {
                (str(key) if isinstance(key, str) else key): convert(item, (*path, str(key)))
                for key, item in value.items()
            }
        if isinstance(value, CommentedSeq):
            return [convert(item, (*path, index)) for index, item in enumerate(value)]
        if isinstance(value, TaggedScalar):
            if str(value.tag) != _STR_TAG:
                document.issues.append(
                    document.issue(path, f"YAML tags such as {value.tag} are not supported")
                )
                unresolved.append(path)
            return convert(str(value.value), path)
        if isinstance(value, ScalarBoolean):
            return bool(value)
        if isinstance(value, bool | None):
            return value
        if isinstance(value, int):
            return int(value)
        if isinstance(value, float):
            return float(value)
        if isinstance(value, datetime):
            return datetime.fromisoformat(value.isoformat())
        if isinstance(value, date):
            return date(value.year, value.month, value.day)
        if isinstance(value, str):
            try:
                return expand_references(str(value), env)
            except UnsetVariables as unset:
                document.issues.append(document.issue(path, unset_message(unset.names)))
                unresolved.append(path)
                return str(value)
        return value

    return convert(document.tree, ()), unresolved
