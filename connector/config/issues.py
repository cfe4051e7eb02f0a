"""The one error type of the config loader: a list of problems, each pinned to a file position."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from difflib import get_close_matches

Path = tuple[str | int, ...]


def format_key_path(path: Sequence[str | int]) -> str:
    """Render ("routing", "rules", 2, "team") as ``routing.rules[2].team``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def closest(value: str, choices: Iterable[str]) -> str | None:
    """The choice most like ``value`` (a typo's fix), or None if none is close: the one rule
    every "did you mean" hint uses (config keys, teams, time zones, doctor's API values)."""
    close = get_close_matches(value, list(choices), n=1)
    return close[0] if close else None


def did_you_mean(value: str, choices: Iterable[str]) -> str:
    """Return " (did you mean 'x'?)" for the closest choice, or "" if none is close."""
    close = closest(value, choices)
    return f" (did you mean {close!r}?)" if close else ""


@dataclass(frozen=True, slots=True)
class ConfigIssue:
    """One problem in the admin's config file, with where it is (1-based line and column)."""

    file: str
    line: int | None
    column: int | None
    key_path: str
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        prefix = f"{where} {self.key_path}" if self.key_path else where
        return f"{prefix}: {self.message}"


class ConfigError(Exception):
    """The config cannot be used; ``errors`` lists every problem found, in file order.

    Raised by the loader at start-up so Baton never runs on a half-valid config.
    Its ``str`` is the formatted list, one ``FILE:LINE:COL key.path: message`` per line.
    """

    def __init__(self, errors: Iterable[ConfigIssue]) -> None:
        self.errors: list[ConfigIssue] = sorted(
            errors, key=lambda issue: (issue.file, issue.line or 0, issue.column or 0)
        )
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(str(issue) for issue in self.errors)


class LocatedProblems(ValueError):
    """Raised inside model validators to report several problems at paths below the model.

    Pydantic keeps the exception object in the error's context; the loader unpacks it so each
    problem gets its own line number. Outside the loader it reads as one joined ValueError.
    """

    def __init__(self, problems: Sequence[tuple[Path, str]]) -> None:
        self.problems: list[tuple[Path, str]] = list(problems)
        super().__init__(
            "; ".join(
                f"{format_key_path(path)}: {message}" if path else message
                for path, message in self.problems
            )
        )


class ProblemCollector:
    """Collects (relative path, message) pairs in a validator, then raises them all at once."""

    def __init__(self) -> None:
        self.problems: list[tuple[Path, str]] = []

    def add(self, path: Path, message: str) -> None:
        """Record one problem at ``path`` relative to the model being validated."""
        self.problems.append((path, message))

    def raise_if_any(self) -> None:
        """Raise LocatedProblems when anything was recorded."""
        if self.problems:
            raise LocatedProblems(self.problems)
