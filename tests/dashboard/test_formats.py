"""Amounts, shares, hours and times in the reader's locale and the business calendar's zone."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from dashboard_helpers import AppFactory

from webhooks import i18n
from webhooks.scorecard_view import format_value


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "nl",
            ["€\xa097.000", "31%", "66,7%", "3,5 u", "3 dec 2026", "3 dec 2026, 10:30:00", "1.234"],
        ),
        (
            "en",
            [
                "€97,000",
                "31%",
                "66.7%",
                "3.5 h",
                "Dec 3, 2026",
                "Dec 3, 2026, 10:30:00\u202fAM",
                "1,234",
            ],
        ),
    ],
)
def test_formats_follow_the_language(
    make_app: AppFactory, language: str, expected: list[str]
) -> None:
    app = make_app()
    with app.test_request_context("/", headers={"Accept-Language": language}):
        assert [
            i18n.money(Decimal("97000.00")),
            i18n.percent(31),
            i18n.percent(66.7),
            i18n.hours(3.5),
            i18n.day(date(2026, 12, 3)),
            i18n.moment(datetime(2026, 12, 3, 9, 30, tzinfo=UTC)),  # 10:30 in Amsterdam
            i18n.number(1234),
        ] == expected


def test_the_configured_language_is_the_fallback(make_app: AppFactory) -> None:
    app = make_app(language="nl")
    with app.test_request_context("/", headers={"Accept-Language": "fr, de;q=0.5"}):
        assert i18n.current_language() == "nl"
    with app.test_request_context("/"):
        assert i18n.current_language() == "nl"
    with app.test_request_context("/", headers={"Accept-Language": "en-GB"}):
        assert i18n.current_language() == "en"


def test_units(make_app: AppFactory) -> None:
    with make_app().test_request_context("/", headers={"Accept-Language": "nl"}):
        assert format_value(Decimal("1.00"), "days", "EUR") == "1,0 dag"
        assert format_value(Decimal("2.50"), "days", "EUR") == "2,5 dagen"
        assert format_value(None, "percent", "EUR") == "—"
        assert format_value(Decimal("1100.00"), "money", "EUR") == "€\xa01.100"
