"""The dashboard's language, time zone and number formats (flask-babel over CLDR data).

Language: the reader's own choice on the page (a cookie), else the best match of the browser's
Accept-Language among the catalogs Baton ships, else ``dashboard.language``. Times are shown in
the business calendar's zone (``sla.calendar.timezone``), the one the SLA hours are counted in,
never in UTC; amounts, percentages and dates follow the language's conventions (``€ 97.000``
in Dutch, ``€97,000`` in English).
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from flask import Flask, current_app, request
from flask_babel import Babel, format_datetime, get_locale

from connector.config.models.dashboard import LANGUAGES
from connector.reports.scorecard import formats
from connector.runtime import Runtime

LANGUAGE_COOKIE = "baton_lang"
TRANSLATIONS = Path(__file__).parent / "translations"
#: how each language names itself on the switch
LANGUAGE_NAMES = {"en": "English", "nl": "Nederlands"}


def init_app(app: Flask) -> None:
    """Attach Babel with Baton's selectors and give templates the formatting filters."""
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(TRANSLATIONS)
    Babel(app, locale_selector=select_language, timezone_selector=select_timezone)
    app.add_template_filter(money, "money")
    app.add_template_filter(number, "number")
    app.add_template_filter(percent, "percent")
    app.add_template_filter(hours, "hours")
    app.add_template_filter(day, "day")
    app.add_template_filter(moment, "moment")
    app.jinja_env.globals.update(language=current_language, language_names=LANGUAGE_NAMES)


def select_language() -> str:
    """Cookie choice, else the browser's best match, else the configured default."""
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in LANGUAGES:
        return chosen
    runtime: Runtime = current_app.extensions["baton"]
    default = runtime.config.dashboard.language
    return request.accept_languages.best_match(LANGUAGES, default=default) or default


def select_timezone() -> str:
    """The business calendar's zone: the week and the SLA hours are counted in it."""
    runtime: Runtime = current_app.extensions["baton"]
    return runtime.config.sla.calendar.timezone


def current_language() -> str:
    """ "en" or "nl", for ``<html lang>`` and the switch."""
    return str(get_locale() or "en")


def money(amount: float | int | None, currency: str = "EUR") -> str:
    """ "€ 97.000" (nl) / "€97,000" (en): whole units, as a scorecard reads them."""
    return "—" if amount is None else formats.money(amount, currency, get_locale())


def number(value: float | int | None, digits: int = 0) -> str:
    """A count or figure with the locale's separators."""
    return "—" if value is None else formats.number(value, digits, get_locale())


def percent(value: float | None) -> str:
    """A share given as 0-100, in the locale's percent format ("31%")."""
    return "—" if value is None else formats.percent(value, get_locale())


def hours(value: float | None) -> str:
    """Business hours with one decimal ("3,5 u" / "3.5 h")."""
    return "—" if value is None else formats.hours(value, get_locale())


def day(value: date | None, style: str = "medium") -> str:
    """A date in the locale ("3 dec 2026" / "Dec 3, 2026")."""
    return formats.day(value, get_locale(), style) if value else "—"


def moment(value: datetime | None, style: str = "medium") -> str:
    """A point in time in the business calendar's zone and the locale's words."""
    return format_datetime(value, style) if value else "—"
