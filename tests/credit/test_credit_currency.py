"""Minor units per ISO 4217: cents, yen and fils are all integers, and nothing is rounded."""

from __future__ import annotations

from decimal import Decimal

import pytest

from connector.jobs.credit.currency import format_minor, minor_digits, to_minor


@pytest.mark.parametrize(
    ("currency", "digits"), [("EUR", 2), ("usd", 2), ("JPY", 0), ("KRW", 0), ("KWD", 3), ("CLF", 4)]
)
def test_minor_digits(currency, digits):
    assert minor_digits(currency) == digits


@pytest.mark.parametrize(
    ("amount", "currency", "minor", "text"),
    [
        ("1000.01", "EUR", 100_001, "1000.01"),
        ("1000.010", "EUR", 100_001, "1000.01"),
        ("0", "EUR", 0, "0.00"),
        ("0.05", "EUR", 5, "0.05"),
        ("125000", "JPY", 125_000, "125000"),
        ("1.234", "KWD", 1_234, "1.234"),
        ("0.001", "KWD", 1, "0.001"),
    ],
)
def test_amounts_convert_exactly_both_ways(amount, currency, minor, text):
    assert to_minor(Decimal(amount), currency) == minor
    assert format_minor(minor, currency) == text


@pytest.mark.parametrize(
    ("amount", "currency", "words"),
    [
        ("10.001", "EUR", "more than the 2 decimal"),
        ("5.5", "JPY", "more than the 0 decimal"),
        ("1.0005", "KWD", "more than the 3 decimal"),
        ("-1", "EUR", "negative"),
        ("NaN", "EUR", "not an amount"),
    ],
)
def test_amounts_finer_than_the_minor_unit_or_negative_are_refused(amount, currency, words):
    with pytest.raises(ValueError, match=words):
        to_minor(Decimal(amount), currency)
