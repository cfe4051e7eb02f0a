"""Figures in a locale's conventions (CLDR through Babel): ``€ 97.000`` in Dutch, ``€97,000`` in
English. Pure: the digest passes its configured language, the dashboard the reader's."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal, format_percent

Number = Decimal | float | int
#: the hour unit per language ("2,5 u" / "2.5 h")
HOUR_UNIT = {"nl": "u"}


def money(amount: Number, currency: str, locale: Locale | str) -> str:
    """Whole units, as a scorecard reads them: "€ 97.000" (nl) / "€97,000" (en)."""
    found = Locale.parse(locale)
    pattern = found.currency_formats["standard"].pattern.replace(".00", "")
    return format_currency(amount, currency, format=pattern, currency_digits=False, locale=found)


def number(value: Number, digits: int, locale: Locale | str) -> str:
    """A count or figure with the locale's separators and ``digits`` decimals."""
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=locale)


def percent(value: Number, locale: Locale | str) -> str:
    """A share given as 0-100 ("31%", "66,7%"): 66.7 stays 66.7, not 67."""
    return format_percent(Decimal(str(value)) / 100, format="#,##0.#%", locale=locale)


def hours(value: Number, locale: Locale | str) -> str:
    """Business hours with one decimal ("3,5 u" / "3.5 h")."""
    unit = HOUR_UNIT.get(Locale.parse(locale).language, "h")
    return f"{format_decimal(value, format='#,##0.0', locale=locale)} {unit}"


def day(value: date, locale: Locale | str, style: str = "medium") -> str:
    """A date in the locale ("23 nov 2026" / "Nov 23, 2026")."""
    return format_date(value, style, locale=locale)
