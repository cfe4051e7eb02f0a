"""Data-driven credit: the removal effect of each channel in a first-order Markov chain.

The chain is fitted on past journeys, won and lost: ``(start) → channel → … → (won | lost)``.
Transition probabilities are the observed transition counts over the counts out of each state,
so everything stays an exact ``Fraction``. The conversion probability P is the chance of being
absorbed in ``(won)`` from ``(start)``; removing a channel sends every transition into it to
``(lost)`` instead, and its **removal effect** is ``1 - P_without / P`` (between 0 and 1: removing
a state can only lower P). Repeated consecutive touches of a channel are collapsed first — a
self-loop does not change where a first-order chain is absorbed, so the effects are the same.

A deal is credited in proportion to the removal effects of the channels on its timeline, a
channel's weight split equally over its touches there. A channel the history never saw has a
removal effect of 0. The model refuses to run below ``min_journeys`` journeys or without a won
one (:class:`NotEnoughHistory`), and every fit carries the history it used.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from itertools import pairwise

from connector.jobs.credit.timeline import Timeline

START, WON, LOST = "(start)", "(won)", "(lost)"


@dataclass(frozen=True, slots=True)
class Journey:
    """One past journey: the channels in order, whether it was won, and how many were alike."""

    channels: tuple[str, ...]
    won: bool
    count: int = 1

    def __post_init__(self) -> None:
        if self.count < 1:
            raise ValueError("a journey counts at least once")
        if any(channel in (START, WON, LOST) for channel in self.channels):
            raise ValueError(f"{START}, {WON} and {LOST} are not channel names")


class NotEnoughHistory(ValueError):
    """The history is too thin for removal effects to mean anything; the model is off."""


@dataclass(frozen=True)
class MarkovFit:
    """A fitted chain: the removal effect per channel, and the history it came from."""

    history: tuple[Journey, ...]
    journeys: int
    won: int
    lost: int
    conversion: Fraction
    removal_effects: dict[str, Fraction]

    def channel_shares(self) -> dict[str, Fraction]:
        """Removal effects normalised to sum to 1 (how the published examples report them)."""
        total = sum(self.removal_effects.values(), Fraction(0))
        if total == 0:
            return {channel: Fraction(0) for channel in self.removal_effects}
        return {channel: effect / total for channel, effect in self.removal_effects.items()}

    def weights(self, timeline: Timeline) -> list[Fraction]:
        """Per touch: its channel's removal effect over that channel's touches in this deal."""
        per_channel = Counter(touch.channel for touch in timeline.touches)
        return [
            self.removal_effects.get(touch.channel, Fraction(0)) / per_channel[touch.channel]
            for touch in timeline.touches
        ]


def fit_markov(journeys: Iterable[Journey], min_journeys: int) -> MarkovFit:
    """Fit the chain on ``journeys``; NotEnoughHistory below ``min_journeys`` or with no win."""
    history = tuple(journeys)
    total = sum(journey.count for journey in history)
    won = sum(journey.count for journey in history if journey.won)
    if total < min_journeys:
        raise NotEnoughHistory(
            f"needs at least {min_journeys} won or lost journeys; the history has {total}"
        )
    if won == 0:
        raise NotEnoughHistory(f"none of the {total} journeys in the history was won")
    probabilities = _transition_probabilities(history)
    conversion = _conversion_probability(probabilities, removed=None)
    channels = sorted(state for state in probabilities if state != START)
    effects = {
        channel: 1 - _conversion_probability(probabilities, removed=channel) / conversion
        for channel in channels
    }
    return MarkovFit(history, total, won, total - won, conversion, effects)


def _transition_probabilities(history: tuple[Journey, ...]) -> dict[str, dict[str, Fraction]]:
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for journey in history:
        path = [START]
        for channel in journey.channels:
            if channel != path[-1]:
                path.append(channel)
        path.append(WON if journey.won else LOST)
        for here, there in pairwise(path):
            counts[here][there] += journey.count
    return {
        state: {there: Fraction(n, sum(out.values())) for there, n in sorted(out.items())}
        for state, out in sorted(counts.items())
    }


def _conversion_probability(
    probabilities: dict[str, dict[str, Fraction]], removed: str | None
) -> Fraction:
    """P(absorbed in WON | START), with ``removed`` turned into a dead end; exact elimination.

    Unknowns p_s for the transient states s: p_s = P(s→won) + Σ_t P(s→t)·p_t, and p = 0 for
    the removed channel. Every state reaches an absorbing one, so the system has one solution.
    """
    states = [state for state in probabilities if state != removed]
    index = {state: i for i, state in enumerate(states)}
    size = len(states)
    rows: list[list[Fraction]] = []
    for state in states:
        row = [Fraction(0)] * (size + 1)
        row[index[state]] += 1
        for there, p in probabilities[state].items():
            if there == WON:
                row[size] += p
            elif there in index:
                row[index[there]] -= p
        rows.append(row)
    for col in range(size):
        pivot = next(r for r in range(col, size) if rows[r][col] != 0)
        rows[col], rows[pivot] = rows[pivot], rows[col]
        lead = rows[col][col]
        rows[col] = [value / lead for value in rows[col]]
        for r in range(size):
            factor = rows[r][col]
            if r != col and factor != 0:
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[col], strict=True)]
    return rows[index[START]][size]
