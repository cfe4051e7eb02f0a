"""Closed weeks are counted once and kept until late data for them arrives (SQLite and PG).

The scenario week (2026-11-23) is closed by the time these run (time-machine puts "now" in the
week after). Each test counts the read passes (``build._week_figures``) to tell a kept snapshot
from a recount, and checks the figures against a fresh count.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from scorecard_scenario import WEEK, count_passes, lead_id, seed
from sqlalchemy import select, update

from connector.config import BatonConfig, default_config, with_changes
from connector.reports.scorecard import build, build_scorecard, build_scorecards
from connector.reports.scorecard.codec import encode
from connector.reports.scorecard.model import ScorecardFilters
from connector.reports.scorecard.snapshots import filters_key as snapshots_key
from connector.store import Store
from connector.store.models import InboxEvent, PipelineDeal, RecordState, ScorecardSnapshot

#: Thursday of the week after the scenario week
NOW = datetime(2026, 12, 3, 12, tzinfo=UTC)
ALL = ScorecardFilters()


@pytest.fixture
def passes(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """How many weeks each read pass counted (one entry per pass)."""
    counted = count_passes(monkeypatch)
    with time_machine.travel(NOW, tick=False):
        yield counted


def _config(store: Store, **changes: Any) -> BatonConfig:
    config = default_config(public_base_url="https://baton.example.com", database_url=store.url)
    return with_changes(config, changes) if changes else config


def _event(store: Store, object_id: str, occurred: datetime, **fields: Any) -> None:
    """An event the worker has just processed (only what the snapshot check reads matters)."""
    with store.session() as session:
        session.add(
            InboxEvent(
                source="salesforce",
                event_id=f"late-{object_id}-{occurred.isoformat()}",
                kind="updated",
                object_type=fields.pop("object_type", "lead"),
                object_id=object_id,
                record_key=f"salesforce:{fields.pop('object', 'lead')}:{object_id}",
                occurred_at=occurred,
                status="done",
                processed_at=NOW,
                **fields,
            )
        )


def _accept_lead_3(store: Store) -> None:
    """Late data: sales picked up lead 3 after its week (its status is now a working one)."""
    with store.session() as session:
        session.execute(
            update(RecordState)
            .where(RecordState.record_key == f"salesforce:lead:{lead_id(3)}")
            .values(stage="Working - Contacted")
        )


def test_a_closed_week_is_counted_once_and_read_back_exactly(
    store: Store, passes: list[int]
) -> None:
    seed(store)
    config = _config(store)
    first = build_scorecard(store, config, WEEK, ALL)
    again = build_scorecard(store, config, WEEK, ALL)
    assert len(passes) == 1  # the second answer is the snapshot
    assert encode(again) == encode(first) and again.weeks_available == first.weeks_available
    assert (
        again.metric("first_response_median_hours").value
        == first.metric("first_response_median_hours").value
    )  # Decimal digits kept
    with store.session() as session:
        (row,) = session.scalars(select(ScorecardSnapshot))
        assert row.week_start == "2026-11-23"
        assert lead_id(1) not in str(row.record_marks)  # digests, not the CRM ids


def test_late_data_about_a_lead_of_the_week_makes_it_recount(
    store: Store, passes: list[int]
) -> None:
    seed(store)
    config = _config(store)
    assert build_scorecard(store, config, WEEK, ALL).metric("accepted_pct").value == 50
    _accept_lead_3(store)
    # no event yet: the kept week is shown (nothing Baton processed says it changed)
    assert build_scorecard(store, config, WEEK, ALL).metric("accepted_pct").value == 50
    _event(store, "0000000000unrelated", NOW - timedelta(hours=1))  # another record, this week
    assert build_scorecard(store, config, WEEK, ALL).metric("accepted_pct").value == 50
    assert len(passes) == 1
    _event(store, lead_id(3), NOW - timedelta(minutes=5))  # the status change's event
    late = build_scorecard(store, config, WEEK, ALL)
    assert len(passes) == 2 and late.metric("accepted_pct").value == 75
    assert build_scorecard(store, config, WEEK, ALL).metric("accepted_pct").value == 75
    assert len(passes) == 2  # kept again


def test_a_task_on_a_lead_of_the_week_and_a_late_event_of_the_week_make_it_recount(
    store: Store, passes: list[int]
) -> None:
    seed(store)
    config = _config(store)
    build_scorecard(store, config, WEEK, ALL)
    task = {"object_type": "task", "object": "task", "changes": {"WhoId": lead_id(2)}}
    _event(store, "00T7Q000000TASK", NOW - timedelta(minutes=1), **task)
    build_scorecard(store, config, WEEK, ALL)
    assert len(passes) == 2  # a touch on lead 2 (its clock started that week)
    _event(store, "00Q7Q00000LATEAAA", datetime(2026, 11, 25, 9, tzinfo=UTC))
    build_scorecard(store, config, WEEK, ALL)
    assert len(passes) == 3  # happened inside the week, processed only now


def test_the_open_week_is_counted_live_and_a_new_config_recounts(
    store: Store, passes: list[int]
) -> None:
    seed(store)
    config = _config(store)
    this_week = NOW.date() - timedelta(days=NOW.weekday())
    build_scorecard(store, config, this_week, ALL)
    build_scorecard(store, config, this_week, ALL)
    assert len(passes) == 2
    with store.session() as session:
        assert list(session.scalars(select(ScorecardSnapshot))) == []
    build_scorecard(store, config, WEEK, ALL)
    stricter = _config(store, **{"scorecard.targets.accepted_pct": 60})
    assert build_scorecard(store, stricter, WEEK, ALL).metric("accepted_pct").status == "missed"
    assert len(passes) == 4  # other definitions: counted again, kept beside the old
    assert build_scorecard(store, config, WEEK, ALL).metric("accepted_pct").status == "met"


def test_a_trend_of_eight_weeks_is_one_read_pass_then_none(store: Store, passes: list[int]) -> None:
    seed(store)
    config = _config(store)
    asked = [WEEK - timedelta(days=7 * back) for back in range(8)]
    cards = build_scorecards(store, config, asked, ALL)
    assert [c.week_start for c in cards] == asked and len(passes) == 1
    singles = [build_scorecard(store, config, w, ALL) for w in asked]  # from the snapshots
    assert len(passes) == 1
    assert [encode(c) for c in cards] == [encode(c) for c in singles]
    with time_machine.travel(NOW, tick=False):
        fresh = build.build_in  # a count without snapshots agrees with the kept one
        with store.session() as session:
            assert encode(fresh(session, config, WEEK, ALL)) == encode(cards[0])


def test_an_event_about_an_open_deal_of_the_week_makes_it_recount(
    store: Store, passes: list[int]
) -> None:
    seed(store)
    config = _config(store)
    assert build_scorecard(store, config, WEEK, ALL).metric("pipeline_marketing").value == 5900
    with store.session() as session:  # the credit job re-read P2 after a change: 2500 now
        session.execute(
            update(PipelineDeal)
            .where(PipelineDeal.deal_id == "0067Q00000P2AAA")
            .values(amount_minor=250000)
        )
    assert build_scorecard(store, config, WEEK, ALL).metric("pipeline_marketing").value == 5900
    _event(store, "0067Q00000P2AAA", NOW - timedelta(minutes=5), object_type="opportunity",
           object="opportunity")  # fmt: skip
    late = build_scorecard(store, config, WEEK, ALL)
    assert len(passes) == 2 and late.metric("pipeline_marketing").value == 6400


def test_the_retention_run_drops_kept_weeks_nobody_reads_and_they_count_again(
    store: Store, passes: list[int]
) -> None:
    from connector.privacy.registry import pruners
    from connector.reports.scorecard.snapshots import UNREAD_FOR

    seed(store)
    config = _config(store)
    first = build_scorecard(store, config, WEEK, ALL)
    build_scorecard(store, config, WEEK, ScorecardFilters(source="a filter nobody asks again"))
    prune = pruners()["scorecard_snapshots"]
    with store.session() as session:
        assert prune(session, NOW + UNREAD_FOR - timedelta(minutes=1), config) == 0
    with store.session() as session:  # one kept week read again just before the cut-off
        assert len(session.scalars(select(ScorecardSnapshot)).all()) == 2
    with time_machine.travel(NOW + UNREAD_FOR - timedelta(hours=1), tick=False):
        build_scorecard(store, config, WEEK, ALL)  # read: its checked_at moves on
    with store.session() as session:
        assert prune(session, NOW + UNREAD_FOR + timedelta(minutes=1), config) == 1
        (kept,) = session.scalars(select(ScorecardSnapshot)).all()
        assert kept.filters_key == snapshots_key(ALL)
    with store.session() as session:  # another definitions version is dropped at once
        assert prune(session, NOW, _config(store, **{"scorecard.send_at": "07:30"})) == 1
    passes.clear()
    again = build_scorecard(store, config, WEEK, ALL)
    assert len(passes) == 1 and encode(again) == encode(first)  # counted again, same figures
