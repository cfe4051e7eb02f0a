"""The scorecard's words in another language: a gettext catalog by key, next to the English.

The catalog lives here, in the core, so the digest (``connector.jobs.digest``) can speak Dutch
without importing the dashboard; the dashboard loads the same files through flask-babel
(``webhooks/scorecard_view.py``). English is the source (:mod:`.texts`): a key the catalog lacks
keeps its English words.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from babel.support import NullTranslations, Translations

#: translations/<language>/LC_MESSAGES/scorecard.po|.mo
TRANSLATIONS = Path(__file__).parent / "translations"
DOMAIN = "scorecard"


@cache
def translations(language: str) -> NullTranslations:
    """The compiled catalog of ``language`` (a NullTranslations for English or none shipped)."""
    return Translations.load(str(TRANSLATIONS), locales=[language], domain=DOMAIN)


def word(language: str, key: str, english: str) -> str:
    """The catalog's words for ``key`` ("scorecard.digest.subject"), else ``english``."""
    found = translations(language).gettext(key)
    return english if found == key else found
