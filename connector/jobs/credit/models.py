"""The rule-based attribution models: each maps a timeline to one exact weight per touch.

Weights are ``Fraction``s (time decay: a 30-digit decimal made exact), so the only rounding is
:func:`~connector.jobs.credit.allocation.apportion`'s, which hands out whole minor units.

Position models (U-shaped, W-shaped, full path) share one rule, :func:`position_weights`:

1. each named position's weight goes to the touch holding it (timeline.position); when several
   positions sit on the same touch, that touch gets all of their weights;
2. the ``middle`` weight is split equally over the touches holding no position;
3. weight with nowhere to go — a position without a touch (lead creation never recorded, its
   touch before the lookback), or the middle weight when every touch holds a position — is
   shared by the touches that do hold weight, in proportion to what they hold (the apportionment
   normalises the total). One touch therefore gets 100 %, two U-shaped touches 50/50.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import timedelta
from decimal import Context, Decimal
from fractions import Fraction

from connector.jobs.credit.timeline import Milestone, Timeline

Weigher = Callable[[Timeline], list[Fraction]]

#: Precision of the time-decay factor 2^(-age / half-life): plenty below one minor unit of any
#: realistic deal, and the same digits on every machine (libmpdec, not the platform's libm).
_DECAY = Context(prec=30)
_LN2 = Context(prec=40).ln(Decimal(2))
_MICROSECONDS_PER_DAY = 86_400_000_000
_MICROSECOND = timedelta(microseconds=1)


def first_touch_weights(timeline: Timeline) -> list[Fraction]:
    """Everything to the first touch in the window."""
    return [Fraction(int(i == 0)) for i in range(len(timeline.touches))]


def last_touch_weights(timeline: Timeline) -> list[Fraction]:
    """Everything to the last touch at or before the close."""
    last = len(timeline.touches) - 1
    return [Fraction(int(i == last)) for i in range(len(timeline.touches))]


def linear_weights(timeline: Timeline) -> list[Fraction]:
    """The same weight for every touch."""
    return [Fraction(1)] * len(timeline.touches)


def position_weights(timeline: Timeline, weights: Mapping[str, Fraction]) -> list[Fraction]:
    """Weights of a position model (U, W, full path); see the module docstring for the rule."""
    held = [Fraction(0)] * len(timeline.touches)
    holders: set[int] = set()
    for position, weight in weights.items():
        if position == "middle":
            continue
        index = timeline.position(Milestone(position))
        if index is not None:
            held[index] += weight
            holders.add(index)
    middle = [i for i in range(len(held)) if i not in holders]
    for index in middle:
        held[index] += Fraction(weights.get("middle", 0)) / len(middle)
    return held


def time_decay_weights(timeline: Timeline, half_life_days: float) -> list[Fraction]:
    """2^(-age / half-life), age measured back from the end of the timeline (the close).

    Only ratios matter, so each factor is taken relative to the newest touch (weight 1) and
    computed as exp(-Δ / half-life · ln 2) in a 30-digit decimal context — correctly rounded by
    libmpdec, so the same on every machine — then kept to 30 decimal places. A touch more than
    ~100 half-lives older than the newest gets 0: under 10^-30 of the credit.
    """
    if half_life_days <= 0:
        raise ValueError("half_life_days must be positive")
    if not timeline.touches:
        return []
    newest = timeline.touches[-1].at
    scale = _DECAY.divide(_LN2, _DECAY.multiply(Decimal(half_life_days), _MICROSECONDS_PER_DAY))
    weights = []
    for touch in timeline.touches:
        older = (newest - touch.at) // _MICROSECOND
        factor = _DECAY.exp(_DECAY.multiply(Decimal(-older), scale))
        weights.append(Fraction(int(factor.scaleb(_DECAY.prec)), 10**_DECAY.prec))
    return weights


def fractions_of(percentages: Mapping[str, Decimal]) -> dict[str, Fraction]:
    """Config percentages (Decimal) as exact fractions."""
    return {position: Fraction(value) for position, value in percentages.items()}
