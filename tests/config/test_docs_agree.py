"""The README and the example config say what the code does (issue 8, finding 6)."""

from __future__ import annotations

import re

from config_testing import EXAMPLE, EXAMPLE_ENV, REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def _section(text: str, start: str, end: str) -> str:
    return text[text.index(start) : text.index(end, text.index(start))]


def test_readme_names_every_secret_the_example_reads() -> None:
    running = _section(README, "## Running Baton for real", "Secrets never live in the file")
    assert {name for name in EXAMPLE_ENV if name not in running} == set()


def test_readme_does_not_give_timestamp_less_signatures_a_time_window() -> None:
    rows = [
        line
        for line in README.splitlines()
        if line.startswith("| `") and "webhooks/hubspot" in line
    ]
    assert len(rows) == 2
    for row in rows:
        for legacy in re.findall(r"v[12]\b", row):
            assert "no time window" in row, (legacy, row)


def test_example_says_what_happens_to_other_portals() -> None:
    """The code stores them as unknown and answers 200 (adapters/hubspot/events.py)."""
    line = next(line for line in EXAMPLE.read_text().splitlines() if "portal_id:" in line)
    assert "stored as unknown" in line and "refused" not in line
