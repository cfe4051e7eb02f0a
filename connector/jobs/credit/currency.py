"""ISO 4217 minor units: money is counted in integers of the currency's smallest unit."""

from __future__ import annotations

from decimal import Decimal

#: Currencies whose minor unit is not 1/100 (ISO 4217 list of codes, "minor unit" column).
#: Every other three-letter code has two minor digits.
_ZERO = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF"
_THREE = "BHD IQD JOD KWD LYD OMR TND"
_FOUR = "CLF UYW"
_MINOR_DIGITS: dict[str, int] = {
    code: digits
    for codes, digits in ((_ZERO, 0), (_THREE, 3), (_FOUR, 4))
    for code in codes.split()
}


def minor_digits(currency: str) -> int:
    """Digits after the decimal point of ``currency`` (2 unless ISO 4217 says otherwise)."""
    return _MINOR_DIGITS.get(currency.upper(), 2)


def to_minor(amount: Decimal, currency: str) -> int:
    """``amount`` in major units as an exact integer of minor units.

    Raises ValueError for a negative amount or one finer than the currency's minor unit
    (10.001 EUR, 5.5 JPY): rounding it silently would lose or invent money.
    """
    if not amount.is_finite():
        raise ValueError(f"{amount} is not an amount")
    if amount < 0:
        raise ValueError(f"{amount} is negative; credit is shared on won (non-negative) amounts")
    digits = minor_digits(currency)
    scaled = amount.scaleb(digits)
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{amount} has more than the {digits} decimal(s) {currency} allows")
    return int(scaled)


def format_minor(minor: int, currency: str) -> str:
    """Minor units as a plain decimal string in major units: 100001 EUR → ``"1000.01"``."""
    digits = minor_digits(currency)
    sign = "-" if minor < 0 else ""
    whole, part = divmod(abs(minor), 10**digits)
    return f"{sign}{whole}.{part:0{digits}d}" if digits else f"{sign}{whole}"
