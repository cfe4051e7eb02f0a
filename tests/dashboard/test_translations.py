"""The Dutch catalogs: complete for every scorecard key, compiled from their current sources."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

from connector.reports.scorecard import catalog, texts
from webhooks.i18n import TRANSLATIONS

#: the page words live with the dashboard, the scorecard's (shared with the digest) in the core
CATALOGS = {
    "messages": TRANSLATIONS / "nl" / "LC_MESSAGES",
    "scorecard": catalog.TRANSLATIONS / "nl" / "LC_MESSAGES",
}
PLACEHOLDER = re.compile(r"\{\w+\}")


def _pairs(catalog) -> dict:  # type: ignore[no-untyped-def, type-arg]
    """msgid → msgstr, plural forms as tuples."""
    as_key = lambda v: tuple(v) if isinstance(v, list | tuple) else v  # noqa: E731
    return {as_key(m.id): as_key(m.string) for m in catalog if m.id}


def _po(domain: str):  # type: ignore[no-untyped-def]
    with (CATALOGS[domain] / f"{domain}.po").open("rb") as handle:
        return read_po(handle, locale="nl")


@pytest.mark.parametrize("domain", ["messages", "scorecard"])
def test_the_shipped_mo_is_compiled_from_the_po(domain: str) -> None:
    expected = io.BytesIO()
    write_mo(expected, _po(domain))
    shipped = read_mo(io.BytesIO(Path(CATALOGS[domain] / f"{domain}.mo").read_bytes()))
    compiled = read_mo(io.BytesIO(expected.getvalue()))
    assert _pairs(shipped) == _pairs(compiled), (
        f"run: pybabel compile -D {domain} -d {CATALOGS[domain].parents[1]}"
    )


def test_every_page_message_has_dutch_words() -> None:
    untranslated = [
        m.id
        for m in _po("messages")
        if m.id and not (all(m.string) if m.pluralizable else m.string)
    ]
    assert untranslated == []


def test_every_scorecard_key_has_dutch_words() -> None:
    words = {m.id: m.string for m in _po("scorecard") if m.id}
    wanted = [
        f"scorecard.metric.{k}.{part}" for k in texts.METRICS for part in ("label", "definition")
    ]
    wanted += [f"scorecard.table.{k}" for k in texts.TABLES]
    wanted += [f"scorecard.column.{k}" for k in texts.COLUMNS]
    wanted += [f"scorecard.digest.{k}" for k in texts.DIGEST]
    assert [key for key in wanted if not words.get(key)] == []


def test_the_dutch_digest_words_fill_the_same_blanks() -> None:
    """A digest line formats its Dutch words with the English placeholders ({week}, {label})."""
    words = {m.id: m.string for m in _po("scorecard") if m.id}
    differing = {
        key: english
        for key, english in texts.DIGEST.items()
        if sorted(PLACEHOLDER.findall(english))
        != sorted(PLACEHOLDER.findall(words.get(f"scorecard.digest.{key}", "")))
    }
    assert differing == {}
