"""Largest-remainder apportionment, by hand: floors first, leftovers by remainder then position."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connector.jobs.credit.allocation import apportion


def test_a_thousand_euros_and_a_cent_over_three_touches():
    # 100001 / 3 = 33333.67 each: floors 3 x 33333 = 99999, 2 cents left, all remainders equal
    # (2/3) -> the earlier touches get them.
    assert apportion(100_001, [1, 1, 1]) == [33_334, 33_334, 33_333]


def test_the_largest_remainder_beats_an_earlier_position():
    # quotas 1/3 and 2/3 of one cent: floors 0, 0; the one cent goes to the remainder 2/3.
    assert apportion(1, [1, 2]) == [0, 1]


def test_equal_remainders_go_to_the_earlier_position():
    # quotas 0.4, 0.4, 0.2: one unit left, the tie between the two 0.4s goes to the first.
    assert apportion(1, [Fraction(2, 5), Fraction(2, 5), Fraction(1, 5)]) == [1, 0, 0]


def test_exact_quotas_need_no_remainder():
    assert apportion(100_000, [Fraction(2, 5), Fraction(2, 5), Fraction(1, 5)]) == [
        40_000,
        40_000,
        20_000,
    ]


def test_zero_amount_gives_zero_shares_and_zero_weight_gets_nothing():
    assert apportion(0, [1, 2, 3]) == [0, 0, 0]
    assert apportion(7, [0, 1, 0, 1]) == [0, 4, 0, 3]


def test_float_weights_are_refused():
    with pytest.raises(TypeError, match="exact"):
        apportion(10, [0.5, Fraction(1, 2)])


@pytest.mark.parametrize(
    ("amount", "weights", "words"),
    [
        (-1, [1], "non-negative integer"),
        (1.5, [1], "non-negative integer"),
        (True, [1], "non-negative integer"),
        (10, [], "no weights"),
        (10, [1, -1, 1], "negative"),
        (10, [0, 0], "sum to zero"),
    ],
)
def test_bad_input_is_refused(amount, weights, words):
    with pytest.raises(ValueError, match=words):
        apportion(amount, weights)


weights = st.lists(
    st.fractions(min_value=0, max_value=1000, max_denominator=10_000), min_size=1, max_size=60
).filter(lambda ws: sum(ws) > 0)


@given(amount=st.integers(min_value=0, max_value=10**15), weights=weights)
def test_shares_sum_exactly_are_never_negative_and_stay_within_one_unit_of_the_quota(
    amount, weights
):
    shares = apportion(amount, weights)

    assert sum(shares) == amount
    total = sum(weights)
    for share, weight in zip(shares, weights, strict=True):
        assert share >= 0
        assert abs(share - amount * weight / total) < 1
        if weight == 0:
            assert share == 0


@given(amount=st.integers(min_value=0, max_value=10**12), weights=weights, scale=st.integers(1, 99))
def test_scaling_every_weight_changes_nothing(amount, weights, scale):
    assert apportion(amount, weights) == apportion(amount, [w * scale for w in weights])
