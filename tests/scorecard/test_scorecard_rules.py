"""The pure metric rules: percentiles, targets, cherry-picking, on rows made here."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from connector.config.models.scorecard import ScorecardTargets
from connector.reports.scorecard import rules
from connector.reports.scorecard.rows import Clock, Lead, OpenDeal

T0 = datetime(2026, 11, 23, 9, tzinfo=UTC)


def params(**changes: object) -> rules.Params:
    base = {
        "targets": ScorecardTargets(),
        "stage_order": ("lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity",
                        "customer"),
        "handoff_stage": "marketingqualifiedlead",
        "accepted_statuses": frozenset({"Working - Contacted"}),
        "primary_model": "linear",
        "cherry_pick_min_leads": 5,
        "cherry_pick_ratio": Decimal("0.5"),
        "business_time": lambda start, end: end - start,
    }  # fmt: skip
    return rules.Params(**{**base, **changes})  # type: ignore[arg-type]


def lead(n: int, status: str | None) -> Lead:
    return Lead(str(n), f"L{n}", None, None, "x", "y", T0, status, False)


def clock(n: int, rep: str) -> Clock:
    return Clock(n, f"L{n}", rep, None, "met", T0, T0 + timedelta(hours=1), "task", 2)


@pytest.mark.parametrize(
    ("values", "p90"),
    [([1], 1), ([1, 2], 2), (list(range(1, 11)), 9), (list(range(1, 12)), 10), ([], None)],
)
def test_p90_is_the_nearest_rank(values: list[int], p90: int | None) -> None:
    found = rules.nearest_rank([Decimal(v) for v in values], 90)
    assert found == (Decimal(p90) if p90 is not None else None)


def test_targets_bound_below_above_or_both() -> None:
    assert rules.status_of(Decimal(30), low=Decimal(30)) == "met"
    assert rules.status_of(Decimal("29.9"), low=Decimal(30)) == "missed"
    assert rules.status_of(Decimal("4.01"), high=Decimal(4)) == "missed"
    assert [rules.status_of(v, low=5, high=7) for v in (4, 5, 7, 8)] == [
        "missed",
        "met",
        "met",
        "missed",
    ]
    assert rules.status_of(None, low=1) == "no_data"
    assert rules.status_of(3) == "no_target"


def test_a_rep_who_touches_many_leads_and_converts_few_is_flagged() -> None:
    # picky touches 6 leads, converts 1; steady touches 4, converts 4 → overall 5/10 = 50 %;
    # picky's 1/6 = 16.7 % is under half of it; steady has too few leads to be judged anyway
    leads = [
        lead(n, "Working - Contacted" if n in (1, 7, 8, 9, 10) else None) for n in range(1, 11)
    ]
    clocks = [clock(n, "picky") for n in range(1, 7)] + [clock(n, "steady") for n in range(7, 11)]
    rows = rules.WeekRows(
        leads=(), holds=(), episodes=(), clocks=tuple(clocks), escalations=(), credits=(),
        by_lead={x.lead_id: x for x in leads if x.lead_id},
    )  # fmt: skip
    found = rules.figures(rows, params())
    picking = next(t for t in found.tables if t.key == "cherry_picking")
    assert picking.rows == (
        ("picky", 6, 1, Decimal("16.7"), True),
        ("steady", 4, 4, Decimal("100.0"), False),
    )
    assert next(m for m in found.metrics if m.key == "cherry_picking_reps").value == 1
    assert [ref[2] for ref in found.drills["cherry_picking"]] == [f"L{n}" for n in range(1, 7)]


def _deal(deal_id: str, amount: str, currency: str, *, sourced: bool, influenced: bool,
          system: str = "salesforce") -> OpenDeal:  # fmt: skip
    return OpenDeal(deal_id, system, Decimal(amount), currency, sourced, influenced, T0, None)


def test_the_pipeline_sums_each_currency_apart_and_drills_to_the_deals() -> None:
    deals = (
        _deal("006A", "100.00", "EUR", sourced=True, influenced=True),
        _deal("006B", "50.50", "EUR", sourced=False, influenced=True),
        _deal("006C", "7.00", "EUR", sourced=False, influenced=False),
        _deal("9001", "3000", "JPY", sourced=True, influenced=True, system="hubspot"),
    )
    rows = rules.WeekRows((), (), (), (), (), (), pipeline=deals)
    found = rules.figures(rows, params())
    values = {m.key: m.value for m in found.metrics}
    assert values["pipeline_marketing"] == Decimal("150.50")  # EUR: A + B, never the yen
    assert values["pipeline_marketing_sourced"] == Decimal("100.00")
    (table,) = [t for t in found.tables if t.key == "pipeline_by_currency"]
    assert table.rows == (
        ("EUR", 3, Decimal("157.50"), Decimal("100.00"), Decimal("150.50")),
        ("JPY", 1, Decimal("3000"), Decimal("3000"), Decimal("3000")),
    )
    assert found.drills["pipeline_influenced:EUR"] == (
        ("salesforce", "Opportunity", "006A"), ("salesforce", "Opportunity", "006B"),
    )  # fmt: skip
    assert found.drills["pipeline_sourced:JPY"] == (("hubspot", "deal", "9001"),)
    in_usd = rules.figures(rows, params(currency="USD"))
    assert {m.key: m.value for m in in_usd.metrics}["pipeline_marketing"] == 0, "none in USD"
    unfiltered = rules.figures(rows, params(pipeline_filterable=False))
    got = {m.key: m for m in unfiltered.metrics}["pipeline_marketing"]
    assert (got.value, got.status, got.drill_key) == (None, "no_data", None)
    (empty,) = [t for t in unfiltered.tables if t.key == "pipeline_by_currency"]
    assert empty.rows == ()


def test_a_deal_is_open_from_its_entry_until_it_left() -> None:
    deal = OpenDeal("006A", "salesforce", Decimal(1), "EUR", True, True, T0, T0 + timedelta(days=2))
    assert not deal.open_at(T0 - timedelta(seconds=1))
    assert deal.open_at(T0) and deal.open_at(T0 + timedelta(days=1))
    assert not deal.open_at(T0 + timedelta(days=2)), "left at that moment"
