"""The result of one doctor check, and the helpers every check shares (pure).

A check gives one line: ``ok``, ``warn`` (Baton runs, but look) or ``FAIL`` (Baton cannot run as
configured) with the fix. ``baton doctor`` exits 0 only when no line says FAIL.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from connector.config.issues import closest

Status = Literal["ok", "warn", "fail"]


@dataclass(frozen=True, slots=True)
class Check:
    """One line of the doctor's report."""

    name: str
    status: Status
    detail: str
    fix: str = ""

    def line(self) -> str:
        """``ok    hubspot.token    portal 62515 …`` / ``FAIL  … — fix: …``."""
        label = {"ok": "ok", "warn": "warn", "fail": "FAIL"}[self.status]
        text = f"{label:<5} {self.name:<22} {self.detail}"
        return f"{text} — fix: {self.fix}" if self.fix else text


def ok(name: str, detail: str) -> Check:
    """A passing check."""
    return Check(name, "ok", detail)


def fail(name: str, detail: str, fix: str) -> Check:
    """A failing check and how to fix it."""
    return Check(name, "fail", detail, fix)


def warn(name: str, detail: str, fix: str = "") -> Check:
    """Baton runs, but the admin should look."""
    return Check(name, "warn", detail, fix)


def unreadable(name: str, what: str, error: str) -> Check:
    """The CRM could not be asked: the check cannot pass."""
    return fail(name, f"could not read {what}: {error}", "see the credentials check above")


def passed(checks: Iterable[Check]) -> bool:
    """True when Baton can run: no check failed."""
    return all(check.status != "fail" for check in checks)


def did_you_mean(value: str, options: Sequence[tuple[str, str]]) -> str:
    """The hint for a value that is not an API value: the label it is, or a close API value.

    ``options`` are (API value, label). An admin copying from the UI writes the label
    (``Bezig - Gecontacteerd``) where the API value (``Working - Contacted``) belongs.
    """
    wanted = value.strip().casefold()
    for api_value, label in options:
        if label.strip().casefold() == wanted and api_value != value:
            return f"'{value}' is the label of API value '{api_value}': did you mean '{api_value}'?"
    for api_value, _ in options:
        if api_value.casefold() == wanted:
            return f"did you mean '{api_value}' (API values are case-sensitive)?"
    close = closest(value, [api for api, _ in options])
    return f"did you mean '{close}'?" if close else ""


@dataclass
class Report:
    """Checks in the order they ran."""

    checks: list[Check] = field(default_factory=list)

    def add(self, *checks: Check) -> None:
        """Append checks."""
        self.checks.extend(checks)

    @property
    def passed(self) -> bool:
        """No check failed."""
        return passed(self.checks)

    def lines(self) -> list[str]:
        """One line per check."""
        return [check.line() for check in self.checks]
