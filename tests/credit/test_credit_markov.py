"""The Markov-chain removal effect, checked against a published worked example and by hand."""

from __future__ import annotations

from fractions import Fraction

import pytest
from credit_testing import minors, run, timeline, touch

from connector.jobs.credit.compute import NO_MARKETING_TOUCH, Unavailable
from connector.jobs.credit.markov import Journey, NotEnoughHistory, fit_markov

#: Serhii Puzyrov, "Markov Chain Attribution - Simple Explanation Of Removal Effect" (2019),
#: https://serhiipuzyrov.com/2019/07/markov-chain-attribution-simple-explanation-of-removal-effect/
#: Four grouped paths: Google Ads alone converted twice, mailing alone once, Google Ads >
#: mailing once, Google Ads alone once without converting.
PUZYROV = (
    Journey(("google ads",), won=True, count=2),
    Journey(("mailing",), won=True),
    Journey(("google ads", "mailing"), won=True),
    Journey(("google ads",), won=False),
)


def test_the_published_worked_example():
    """Puzyrov (2019), reproduced exactly.

    Transitions (counts → probabilities): start→google ads 4/5, start→mailing 1/5;
    google ads→conv 2/4, →mailing 1/4, →null 1/4; mailing→conv 2/2.

    P(conv) = 4/5 · (1/2 + 1/4 · 1) + 1/5 · 1 = 3/5 + 1/5 = 4/5
    without google ads: 1/5 · 1 = 1/5            → removal effect 1 - (1/5)/(4/5) = 3/4
    without mailing:    4/5 · 1/2 = 2/5          → removal effect 1 - (2/5)/(4/5) = 1/2
    normalised: 3/4 : 1/2 = 3/5 : 2/5 → of the 4 conversions 2.4 to Google Ads, 1.6 to mailing
    (the article's result).
    """
    fit = fit_markov(PUZYROV, min_journeys=5)

    assert fit.conversion == Fraction(4, 5)
    assert fit.removal_effects == {"google ads": Fraction(3, 4), "mailing": Fraction(1, 2)}
    shares = fit.channel_shares()
    assert {ch: 4 * share for ch, share in shares.items()} == {
        "google ads": Fraction(12, 5),
        "mailing": Fraction(8, 5),
    }
    assert (fit.journeys, fit.won, fit.lost) == (5, 4, 1)
    assert fit.history == PUZYROV


def test_a_deal_is_credited_by_the_removal_effects_of_its_channels():
    # Google Ads then mailing, €1,000.01: 3/5 and 2/5 -> 60000.6 and 40000.4 -> 1 cent to
    # Google Ads (.6).
    line = timeline([touch("g", 20, "google ads"), touch("m", 10, "mailing")])

    assert minors("markov", line, PUZYROV, min_journeys=5) == [60_001, 40_000]


def test_a_channels_weight_is_split_over_its_touches_in_the_deal():
    # google ads twice (3/4 split -> 3/8 each), mailing once (1/2): 3/8 : 3/8 : 4/8 of 1000
    # = 300, 300, 400.
    line = timeline(
        [touch("g1", 30, "google ads"), touch("m", 20, "mailing"), touch("g2", 10, "google ads")],
        minor=1_000,
    )

    assert minors("markov", line, PUZYROV, min_journeys=5) == [300, 400, 300]


def test_loops_are_solved_exactly():
    """A → B → A → won once, B → lost once: a cycle between A and B.

    P(A→B) = P(A→won) = 1/2, P(B→A) = P(B→lost) = 1/2, start→A = start→B = 1/2.
    p_A = 1/2 + 1/2·p_B, p_B = 1/2·p_A → p_A = 2/3, p_B = 1/3, P = 1/2·(2/3 + 1/3) = 1/2.
    Without A: p_B = 0 → P = 0 → effect 1. Without B: p_A = 1/2 → P = 1/4 → effect 1/2.
    """
    fit = fit_markov([Journey(("A", "B", "A"), True), Journey(("B",), False)], min_journeys=2)

    assert fit.conversion == Fraction(1, 2)
    assert fit.removal_effects == {"A": Fraction(1), "B": Fraction(1, 2)}


def test_repeated_touches_of_a_channel_are_one_state():
    repeated = fit_markov([Journey(("A", "A", "B"), True), Journey(("A",), False)], 2)
    collapsed = fit_markov([Journey(("A", "B"), True), Journey(("A",), False)], 2)

    assert repeated.removal_effects == collapsed.removal_effects


def test_journeys_without_touches_are_history_too():
    # start→won directly once: P = 1/2·1 (via A) + 1/2·1 = 1; without A: 1/2 -> effect 1/2.
    fit = fit_markov([Journey(("A",), True), Journey((), True)], min_journeys=2)

    assert fit.removal_effects == {"A": Fraction(1, 2)}


def test_below_the_minimum_history_the_model_is_unavailable_and_says_why():
    with pytest.raises(NotEnoughHistory, match=r"at least 6 .* has 5"):
        fit_markov(PUZYROV, min_journeys=6)

    result = run("markov", timeline([touch("g", 3, "google ads")]), PUZYROV, min_journeys=6)
    assert isinstance(result, Unavailable)
    assert "at least 6" in result.reason


def test_a_history_without_a_win_is_not_enough():
    with pytest.raises(NotEnoughHistory, match="none of the 3"):
        fit_markov([Journey(("A",), False, count=3)], min_journeys=1)


def test_channels_the_history_never_saw_convert_fall_back_to_linear():
    line = timeline([touch("x", 20, "podcast"), touch("y", 10, "radio")], minor=10)

    result = run("markov", line, PUZYROV, min_journeys=5)

    assert [s.minor for s in result.shares] == [5, 5]
    assert "linear" in result.fallback


def test_no_touches_still_go_to_the_no_marketing_touch_bucket():
    result = run("markov", timeline([]), PUZYROV, min_journeys=5)

    assert [(s.channel, s.minor) for s in result.shares] == [(NO_MARKETING_TOUCH, 100_001)]


def test_state_names_are_reserved():
    with pytest.raises(ValueError, match="not channel names"):
        Journey(("(won)",), True)
