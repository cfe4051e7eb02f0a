"""The Dutch catalogs: complete for every scorecard key, compiled from their current sources."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

from connector.reports.scorecard import texts
from webhooks.i18n import TRANSLATIONS

CATALOGS = TRANSLATIONS / "nl" / "LC_MESSAGES"


def _pairs(catalog) -> dict:  # type: ignore[no-untyped-def, type-arg]
    """msgid → msgstr, plural forms as tuples."""
    as_key = lambda v: tuple(v) if isinstance(v, list | tuple) else v  # noqa: E731
    return {as_key(m.id): as_key(m.string) for m in catalog if m.id}


def _po(domain: str):  # type: ignore[no-untyped-def]
    with (CATALOGS / f"{domain}.po").open("rb") as handle:
        return read_po(handle, locale="nl")


@pytest.mark.parametrize("domain", ["messages", "scorecard"])
def test_the_shipped_mo_is_compiled_from_the_po(domain: str) -> None:
    expected = io.BytesIO()
    write_mo(expected, _po(domain))
    shipped = read_mo(io.BytesIO(Path(CATALOGS / f"{domain}.mo").read_bytes()))
    compiled = read_mo(io.BytesIO(expected.getvalue()))
    assert _pairs(shipped) == _pairs(compiled), (
        f"run: pybabel compile -D {domain} -d webhooks/translations"
    )


def test_every_page_message_has_dutch_words() -> None:
    untranslated = [
        m.id
        for m in _po("messages")
        if m.id and not (all(m.string) if m.pluralizable else m.string)
    ]
    assert untranslated == []


def test_every_scorecard_key_has_dutch_words() -> None:
    catalog = {m.id: m.string for m in _po("scorecard") if m.id}
    wanted = [
        f"scorecard.metric.{k}.{part}" for k in texts.METRICS for part in ("label", "definition")
    ]
    wanted += [f"scorecard.table.{k}" for k in texts.TABLES]
    wanted += [f"scorecard.column.{k}" for k in texts.COLUMNS]
    assert [key for key in wanted if not catalog.get(key)] == []
