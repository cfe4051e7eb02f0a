"""Load the admin's YAML file into a BatonConfig, or fail with every problem and its line."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path as FilePath
from typing import Any

from pydantic import ValidationError

from connector.config.issues import ConfigError, ConfigIssue, Path
from connector.config.models import BatonConfig
from connector.config.secrets import EnvValue
from connector.config.validation import located_problems, problems_beside_broken_sections
from connector.config.yaml_source import YamlDocument, parse_yaml, to_plain

DATABASE_URL_VARIABLE = "BATON_DATABASE_URL"
_DATABASE_URL_PATH: Path = ("store", "database_url")
_SCRATCH_PREFIX = "x-"


def load_config(path: str | os.PathLike[str], env: Mapping[str, str] | None = None) -> BatonConfig:
    """Read and validate the config file at ``path``; secrets come from ``env`` (os.environ).

    Raises:
        ConfigError: listing every problem as ``FILE:LINE:COL key.path: message``.
    """
    file = str(path)
    try:
        text = FilePath(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([ConfigIssue(file, None, None, "", "file not found")]) from None
    except IsADirectoryError:
        raise ConfigError([ConfigIssue(file, None, None, "", "is a directory")]) from None
    except UnicodeDecodeError as exc:
        message = f"not UTF-8 text (byte {exc.start})"
        raise ConfigError([ConfigIssue(file, None, None, "", message)]) from None
    except OSError as exc:
        message = f"cannot read: {exc.strerror}"
        raise ConfigError([ConfigIssue(file, None, None, "", message)]) from None
    return load_config_text(text, file=file, env=env, base_dir=FilePath(path).parent)


def load_config_text(
    text: str,
    *,
    file: str = "<config>",
    env: Mapping[str, str] | None = None,
    base_dir: str | os.PathLike[str] | None = None,
) -> BatonConfig:
    """Validate config given as YAML text; ``file`` is the name used in error messages.

    Relative paths in the config (the Salesforce JWT key) are resolved from ``base_dir``.
    """
    environment = os.environ if env is None else env
    document = parse_yaml(text, file)
    if document.tree is None:
        raise ConfigError(
            [*document.issues, ConfigIssue(file, 1, 1, "", "the file is empty: expected sections")]
        )
    data, unresolved = to_plain(document, environment)
    if not isinstance(data, dict):
        found = type(data).__name__
        message = f"expected a mapping of sections, found a {found}"
        raise ConfigError([*document.issues, ConfigIssue(file, 1, 1, "", message)])
    for key in [key for key in data if isinstance(key, str) and key.startswith(_SCRATCH_PREFIX)]:
        del data[key]  # `x-defaults: &anchor` blocks exist only to be merged elsewhere
    overridden = _apply_database_override(data, environment)
    context = {"base_dir": str(base_dir) if base_dir is not None else None}
    try:
        config = BatonConfig.model_validate(data, context=context)
    except ValidationError as error:
        found = [*located_problems(error)]
        found += [
            (path, message, False)
            for path, message in problems_beside_broken_sections(data, context)
        ]
        document.issues.extend(_issues(document, found, unresolved, overridden))
        raise ConfigError(document.issues) from None
    if document.issues:
        raise ConfigError(document.issues)
    return config


def _apply_database_override(data: dict[str, Any], env: Mapping[str, str]) -> bool:
    """Let BATON_DATABASE_URL replace store.database_url (deployments set it per machine)."""
    url = env.get(DATABASE_URL_VARIABLE, "")
    if not url:
        return False
    if data.get("store") is None:
        data["store"] = {}
    store = data["store"]
    if not isinstance(store, dict):
        return False  # the wrong shape is reported by validation
    raw = f"${{{DATABASE_URL_VARIABLE}}}"
    store["database_url"] = EnvValue(url, raw=raw, variables=(DATABASE_URL_VARIABLE,))
    return True


def _issues(
    document: YamlDocument,
    found: list[tuple[Path, str, bool]],
    unresolved: list[Path],
    overridden: bool,
) -> list[ConfigIssue]:
    issues: list[ConfigIssue] = []
    for path, message, at_key in found:
        if any(path[: len(skip)] == skip for skip in unresolved):
            continue  # the unset variable behind it is reported already
        if overridden and path == _DATABASE_URL_PATH:
            message += f" (value from {DATABASE_URL_VARIABLE})"
        issue = document.issue(path, message, at_key=at_key)
        if issue not in issues:  # a bad key and its value can fail the same way
            issues.append(issue)
    return issues
