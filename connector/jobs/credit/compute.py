"""Run the configured models on a timeline: weights → exact shares, one result per model.

Rules that hold for every model:

- **No touch in the window** → one share, the whole amount, in the ``no_marketing_touch``
  bucket (the deal was won without marketing Baton could see); credit is never lost.
- **All weights zero** (Markov: no channel of this deal ever helped a win in the history; a
  position model configured with 0 % where this deal's touches sit) → shared linearly, and the
  result says so in ``fallback``.
- **Zero amount** → every share is 0; the result still lists the touches.
- Every touch of the window gets a share, zeros included, in timeline order.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import partial

from connector.config.models.credit import CreditModel
from connector.jobs.credit.allocation import apportion
from connector.jobs.credit.history import Snapshot, unavailable_reason
from connector.jobs.credit.markov import Journey, MarkovFit, NotEnoughHistory, fit_markov
from connector.jobs.credit.models import (
    Weigher,
    first_touch_weights,
    fractions_of,
    last_touch_weights,
    linear_weights,
    position_weights,
    time_decay_weights,
)
from connector.jobs.credit.timeline import Money, Timeline, Touch

NO_MARKETING_TOUCH = "no_marketing_touch"


@dataclass(frozen=True, slots=True)
class Share:
    """Minor units credited to one touch, or to the no-marketing-touch bucket (touch None)."""

    touch: Touch | None
    minor: int

    @property
    def channel(self) -> str:
        """The touch's channel, or ``no_marketing_touch``."""
        return self.touch.channel if self.touch else NO_MARKETING_TOUCH


@dataclass(frozen=True)
class Attribution:
    """One model's credit for one deal: shares summing exactly to ``amount.minor``."""

    model: str
    kind: str
    amount: Money
    shares: tuple[Share, ...]
    fallback: str | None = None

    def by_channel(self) -> dict[str, int]:
        """Minor units per channel, channels in order of their first share."""
        totals: dict[str, int] = {}
        for share in self.shares:
            totals[share.channel] = totals.get(share.channel, 0) + share.minor
        return totals


@dataclass(frozen=True)
class Unavailable:
    """A configured model that cannot run yet (Markov below its minimum history)."""

    model: str
    kind: str
    reason: str


@dataclass(frozen=True)
class Rule:
    """A configured model made ready to run: its weigher, or why it is unavailable."""

    name: str
    kind: str
    weigh: Weigher | None
    fit: MarkovFit | None = None
    unavailable: str | None = None


def prepare_rules(models: Iterable[CreditModel], history: Sequence[Journey] = ()) -> list[Rule]:
    """One rule per configured model; Markov models are fitted on ``history`` once here."""
    rules = []
    for model in models:
        if model.model == "markov":
            try:
                fit = fit_markov(history, model.min_journeys or 1)
            except NotEnoughHistory as exc:
                rules.append(Rule(model.name, model.model, None, unavailable=str(exc)))
            else:
                rules.append(Rule(model.name, model.model, fit.weights, fit=fit))
        else:
            rules.append(Rule(model.name, model.model, _weigher(model)))
    return rules


def markov_rule(model: CreditModel, snap: Snapshot, lookback_days: int) -> Rule:
    """A Markov model fitted on one recorded-history snapshot, or why it cannot run yet."""
    minimum = model.min_journeys or 1
    reason = unavailable_reason(snap, minimum, lookback_days)
    if reason is not None:
        return Rule(model.name, model.model, None, unavailable=reason)
    fit = fit_markov(snap.journeys, minimum)
    return Rule(model.name, model.model, fit.weights, fit=fit)


def _weigher(model: CreditModel) -> Weigher:
    if model.model == "first_touch":
        return first_touch_weights
    if model.model == "last_touch":
        return last_touch_weights
    if model.model == "linear":
        return linear_weights
    if model.model == "time_decay":
        assert model.half_life_days is not None  # filled in by the config
        return partial(time_decay_weights, half_life_days=model.half_life_days)
    assert model.weights is not None  # u_shaped, w_shaped, full_path: filled in by the config
    return partial(position_weights, weights=fractions_of(model.weights))


def attribute(rule: Rule, timeline: Timeline) -> Attribution | Unavailable:
    """Credit ``timeline``'s amount by ``rule`` (see the module docstring for the edge cases)."""
    if rule.weigh is None:
        return Unavailable(rule.name, rule.kind, rule.unavailable or "unavailable")
    amount = timeline.amount
    if not timeline.touches:
        return Attribution(rule.name, rule.kind, amount, (Share(None, amount.minor),))
    weights = rule.weigh(timeline)
    fallback = None
    if sum(weights, Fraction(0)) == 0:
        weights, fallback = linear_weights(timeline), "linear: every weight of this model was 0"
    minors = apportion(amount.minor, weights)
    shares = tuple(Share(t, m) for t, m in zip(timeline.touches, minors, strict=True))
    return Attribution(rule.name, rule.kind, amount, shares, fallback)


def attribute_all(
    rules: Iterable[Rule], timeline: Timeline
) -> dict[str, Attribution | Unavailable]:
    """Every rule's result for ``timeline``, by model name, in configured order."""
    return {rule.name: attribute(rule, timeline) for rule in rules}
