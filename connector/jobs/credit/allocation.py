"""Largest-remainder apportionment: integer minor units over weights, summing exactly.

Every model produces weights (exact ``Fraction``s); this is the one place they become money.
Each share first gets the floor of its exact quota ``amount * weight / total``; the minor units
left over (fewer than the number of shares) go one each to the largest fractional remainders.
Ties in the remainder go to the **earlier position** in the sequence — callers pass touches in
timeline order, so the earlier touch wins a tie (€1,000.01 linear over three touches: 333.34,
333.34, 333.33). Hence: the shares sum to the amount, none is negative, a zero weight gets
nothing, and the same weights always give the same shares.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from math import lcm


def apportion(amount: int, weights: Sequence[Fraction | int]) -> list[int]:
    """Split ``amount`` minor units over ``weights``; the result sums exactly to ``amount``.

    ``amount`` must be a non-negative integer; weights non-negative with a positive total.
    """
    if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
        raise ValueError(f"amount must be a non-negative integer of minor units, not {amount!r}")
    if not weights:
        raise ValueError("no weights to apportion over")
    # Over a common denominator every quota is amount * w / total with integers, and the
    # remainders compare as integers too: no Fraction arithmetic per share.
    if any(isinstance(w, float) for w in weights):
        raise TypeError("weights must be exact (int or Fraction), not float")
    exact = [w if isinstance(w, int) else Fraction(w) for w in weights]
    denominator = lcm(*(w.denominator for w in exact if isinstance(w, Fraction)))
    whole = [int(w * denominator) for w in exact]
    if any(weight < 0 for weight in whole):
        raise ValueError("weights cannot be negative")
    total = sum(whole)
    if total == 0:
        raise ValueError("weights sum to zero")
    split = [divmod(amount * weight, total) for weight in whole]
    shares = [floor for floor, _ in split]
    left = amount - sum(shares)
    by_remainder = sorted(range(len(split)), key=lambda i: (-split[i][1], i))
    for index in by_remainder[:left]:
        shares[index] += 1
    return shares
