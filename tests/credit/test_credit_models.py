"""Every rule-based model by hand, in cents of €1,000.01 (100001) unless a test says otherwise.

Each case writes the exact quotas, the floors and where the leftover cents go (largest
remainder; equal remainders to the earlier touch).
"""

from __future__ import annotations

import pytest
from credit_testing import ALL_MODELS, at, minors, run, timeline, touch

from connector.jobs.credit.compute import NO_MARKETING_TOUCH, Attribution
from connector.jobs.credit.timeline import Milestone as M

# Five touches: t1 first, t2 created the lead, t3 in between, t4 created the opportunity, t5 last.
T = [touch("t1", 50), touch("t2", 40), touch("t3", 30), touch("t4", 20), touch("t5", 10)]
FIVE = timeline(
    T, [at(M.LEAD_CREATION, 40, on=T[1]), at(M.OPPORTUNITY_CREATION, 19), at(M.MQL, 35)]
)


def test_linear_over_three_touches():
    # 100001 / 3 = 33333 + 2/3 each -> 33333 x 3 = 99999, 2 cents to t1 and t2 (equal remainders).
    line = timeline([touch("a", 30), touch("b", 20), touch("c", 10)])

    assert minors("linear", line) == [33_334, 33_334, 33_333]


def test_linear_over_five_touches():
    # 100001 / 5 = 20000.2 -> 20000 x 5, 1 cent to t1.
    assert minors("linear", FIVE) == [20_001, 20_000, 20_000, 20_000, 20_000]


def test_first_and_last_touch():
    assert minors("first_touch", FIVE) == [100_001, 0, 0, 0, 0]
    assert minors("last_touch", FIVE) == [0, 0, 0, 0, 100_001]


def test_u_shaped():
    # t1 40 %, t2 40 %, t3..t5 share 20 % -> 20/3 % each.
    # quotas 40000.4, 40000.4, 6666.7333.. x3 -> floors 40000+40000+3x6666 = 99998;
    # 3 cents left: remainders .4, .4, .7333 x3 -> t3, t4, t5.
    assert minors("u_shaped", FIVE) == [40_000, 40_000, 6_667, 6_667, 6_667]


def test_w_shaped():
    # t1, t2, t4 30 % each; t3, t5 share 10 % -> 5 % each.
    # quotas 30000.3 x3, 5000.05 x2 -> floors 30000 x3 + 5000 x2 = 100000; 1 cent to t1 (.3).
    assert minors("w_shaped", FIVE) == [30_001, 30_000, 5_000, 30_000, 5_000]


def test_full_path():
    # t1, t2, t4, t5 (closed-won = last touch) 22.5 % each; t3 alone gets the 10 %.
    # quotas 22500.225 x4, 10000.1 -> floors 22500 x4 + 10000 = 100000; 1 cent to t1 (.225).
    assert minors("full_path", FIVE) == [22_501, 22_500, 10_000, 22_500, 22_500]


def test_time_decay_halves_every_half_life():
    # 14, 7 and 0 days before the close with a 7-day half-life: weights 1/4, 1/2, 1 (sum 7/4)
    # -> quotas 100001/7 = 14285.857.., 28571.714.., 57143.428.. -> floors sum 99999;
    # 2 cents to the largest remainders .857 (oldest) and .714.
    line = timeline([touch("old", 14), touch("mid", 7), touch("new", 0)])

    assert minors("time_decay", line, half_life_days=7) == [14_286, 28_572, 57_143]


def test_time_decay_with_another_half_life():
    # 10 days and 0 days before the close, half-life 10: weights 1/2 and 1 -> 1/3 and 2/3 of
    # 300 cents = 100 and 200 exactly.
    line = timeline([touch("a", 10), touch("b", 0)], minor=300)

    assert minors("time_decay", line, half_life_days=10) == [100, 200]


# --- edge cases ---------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ALL_MODELS)
def test_one_touch_gets_everything_in_every_model(kind):
    line = timeline([touch("only", 3)], [at(M.LEAD_CREATION, 3), at(M.OPPORTUNITY_CREATION, 1)])

    assert minors(kind, line) == [100_001]


def test_two_touches_u_shaped_split_evenly_when_each_holds_a_position():
    # 40 % + 40 %, no middle touch for the 20 % -> it follows the 40s: 50/50,
    # 50000.5 each -> the odd cent to the first.
    a, b = touch("a", 20), touch("b", 10)
    line = timeline([a, b], [at(M.LEAD_CREATION, 10, on=b)])

    assert minors("u_shaped", line) == [50_001, 50_000]


def test_two_touches_w_shaped_and_full_path():
    # W: a first 30, b lead 30 + opportunity 30 -> 30 : 60 -> 1/3, 2/3 of 100001
    #    = 33333.67, 66667.33 -> floors 100000, 1 cent to a (.67).
    # Full path: a first 22.5; b lead, opportunity and closed-won 67.5 -> 1/4, 3/4
    #    = 25000.25, 75000.75 -> 1 cent to b (.75).
    a, b = touch("a", 20), touch("b", 10)
    line = timeline([a, b], [at(M.LEAD_CREATION, 10), at(M.OPPORTUNITY_CREATION, 5)])

    assert minors("w_shaped", line) == [33_334, 66_667]
    assert minors("full_path", line) == [25_000, 75_001]


def test_milestones_on_the_same_touch_add_up():
    # The first touch also created the lead: 40 + 40 = 80 % on a, b and c share 20 %.
    # quotas 80000.8, 10000.1, 10000.1 -> floors 100000; 1 cent to a (.8).
    a, b, c = touch("a", 30), touch("b", 20), touch("c", 10)
    line = timeline([a, b, c], [at(M.LEAD_CREATION, 30, on=a)])

    assert minors("u_shaped", line) == [80_001, 10_000, 10_000]


def test_a_missing_milestone_gives_its_weight_to_the_others_in_proportion():
    # No lead creation: a holds 40, b and c 10 each -> 4/6, 1/6, 1/6 of 100001
    # = 66667.33, 16666.83, 16666.83 -> floors 99999; 2 cents to b and c (.83).
    line = timeline([touch("a", 30), touch("b", 20), touch("c", 10)])

    assert minors("u_shaped", line) == [66_667, 16_667, 16_667]


def test_a_milestone_before_the_lookback_is_missing_too():
    # The lead was created on a touch 400 days ago: out of the 365-day window, so U-shaped
    # is 40 % first touch (b) and 20 % over c -> 2/3, 1/3 of 300 = 200, 100.
    old, b, c = touch("old", 400), touch("b", 20), touch("c", 10)
    line = timeline([old, b, c], [at(M.LEAD_CREATION, 400, on=old)], minor=300)

    assert minors("u_shaped", line) == [200, 100]


@pytest.mark.parametrize("kind", ALL_MODELS)
def test_no_touches_put_the_whole_amount_in_the_no_marketing_touch_bucket(kind):
    result = run(kind, timeline([]))

    assert isinstance(result, Attribution)
    ((share),) = result.shares
    assert share.touch is None and share.channel == NO_MARKETING_TOUCH
    assert share.minor == 100_001
    assert result.by_channel() == {NO_MARKETING_TOUCH: 100_001}


@pytest.mark.parametrize("kind", ALL_MODELS)
def test_zero_amount_lists_every_touch_with_nothing(kind):
    assert minors(kind, timeline(T, minor=0)) == [0, 0, 0, 0, 0]


def test_currencies_with_zero_and_three_minor_digits():
    # ¥1,000 over three touches: 333.33 yen each -> 1 yen to the first.
    # KWD 1.000 is 1000 fils -> same arithmetic in fils.
    line = [touch("a", 30), touch("b", 20), touch("c", 10)]

    assert minors("linear", timeline(line, minor=1_000, currency="JPY")) == [334, 333, 333]
    assert minors("linear", timeline(line, minor=1_000, currency="KWD")) == [334, 333, 333]


def test_weights_that_are_all_zero_fall_back_to_linear_and_say_so():
    # An admin's U-shaped with 0 % first and lead touch, 100 % middle, on a deal whose two
    # touches hold those positions: nothing would be credited, so the split is linear.
    a, b = touch("a", 20), touch("b", 10)
    line = timeline([a, b], [at(M.LEAD_CREATION, 10)])
    weights = {"first_touch": 0, "lead_creation": 0, "middle": 100}

    result = run("u_shaped", line, weights=weights)

    assert [s.minor for s in result.shares] == [50_001, 50_000]
    assert result.fallback and "linear" in result.fallback


def test_shares_name_their_touch_and_add_up_by_channel():
    line = timeline([touch("a", 30, "paid_search", campaign="Q2"), touch("b", 20), touch("c", 10)])

    result = run("linear", line)

    assert [s.touch.campaign for s in result.shares] == ["Q2", None, None]
    assert result.by_channel() == {"paid_search": 33_334, "email": 66_667}


def test_time_decay_depends_on_the_gaps_between_touches_not_on_how_old_they_all_are():
    # 301 and 300 days before the close with a 1-day half-life: 2^-301 and 2^-300 are tiny,
    # but their ratio is 1 : 2 -> 100 and 200 of 300.
    line = timeline([touch("a", 301), touch("b", 300)], minor=300)

    assert minors("time_decay", line, half_life_days=1) == [100, 200]
