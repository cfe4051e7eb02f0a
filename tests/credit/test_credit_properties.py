"""Properties of every model: exact to the minor unit, never negative, delivery order irrelevant."""

from __future__ import annotations

from datetime import timedelta

from credit_testing import ALL_MODELS, CLOSE
from hypothesis import given, settings
from hypothesis import strategies as st

from connector.config.models.credit import CreditModel
from connector.jobs.credit.compute import Attribution, attribute_all, prepare_rules
from connector.jobs.credit.markov import Journey
from connector.jobs.credit.timeline import Milestone, MilestoneAt, Money, Touch, build_timeline

CHANNELS = ("paid_search", "email", "webinar", "events", "organic_search")
HISTORY = (
    Journey(("paid_search", "webinar", "email"), True, 7),
    Journey(("paid_search", "email"), False, 11),
    Journey(("webinar", "events"), True, 3),
    Journey(("organic_search",), False, 9),
    Journey(("email", "paid_search", "email"), True, 2),
)
RULES = prepare_rules(
    [CreditModel.model_validate({"model": kind}) for kind in ALL_MODELS]
    + [CreditModel.model_validate({"model": "markov", "min_journeys": 10})],
    HISTORY,
)

# Seconds before the close: a few shared instants (ties) and anything from 10 days after the
# close to 400 days before it (so the lookback and after-close rules both bite).
offsets = st.one_of(st.sampled_from([0, 3600, 86_400 * 30]), st.integers(-864_000, 34_560_000))
touches = st.builds(
    lambda number, source, offset, channel, campaign: Touch(
        CLOSE - timedelta(seconds=offset), channel, campaign, source, f"t{number}"
    ),
    number=st.integers(0, 60),
    source=st.sampled_from(["hubspot", "salesforce"]),
    offset=offsets,
    channel=st.sampled_from(CHANNELS),
    campaign=st.none() | st.sampled_from(["Q1", "Q2"]),
)
kinds = st.sampled_from([Milestone.LEAD_CREATION, Milestone.MQL, Milestone.OPPORTUNITY_CREATION])


@st.composite
def deals(draw):
    """Delivered touches (duplicates and all), milestones and an amount."""
    delivered = draw(st.lists(touches, max_size=50))
    reached = []
    for kind in draw(st.sets(kinds)):
        named = draw(st.none() | st.sampled_from(delivered)) if delivered else None
        offset = draw(offsets)
        reached.append(MilestoneAt(kind, CLOSE - timedelta(seconds=offset), named and named.key))
    if draw(st.booleans()):
        reached.append(MilestoneAt(Milestone.CLOSED_WON, CLOSE))
    amount = Money(draw(st.integers(0, 10**12)), draw(st.sampled_from(["EUR", "JPY", "KWD"])))
    return delivered, reached, amount


def credit(delivered, reached, amount):
    line = build_timeline(delivered, reached, amount, lookback_days=365)
    return {
        name: [(s.touch and s.touch.key, s.minor) for s in result.shares]
        for name, result in attribute_all(RULES, line).items()
        if isinstance(result, Attribution)
    }


@settings(max_examples=200, deadline=None)
@given(deal=deals())
def test_every_model_shares_the_exact_amount_and_nothing_negative(deal):
    delivered, reached, amount = deal

    results = credit(delivered, reached, amount)

    assert set(results) == {*ALL_MODELS, "markov"}
    for shares in results.values():
        assert sum(minor for _, minor in shares) == amount.minor
        assert all(minor >= 0 for _, minor in shares)


@settings(max_examples=200, deadline=None)
@given(deal=deals(), data=st.data())
def test_shares_do_not_depend_on_delivery_order_or_redelivery(deal, data):
    delivered, reached, amount = deal
    again = data.draw(st.lists(st.sampled_from(delivered))) if delivered else []
    redelivered = data.draw(st.permutations(delivered + again))

    assert credit(redelivered, list(reversed(reached)), amount) == credit(
        delivered, reached, amount
    )
