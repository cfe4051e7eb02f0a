"""Recycle counts come from the episodes table, grouped in SQL, on both engines."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from connector.jobs.recycle.report import RecycleCount, recycle_counts
from connector.store.models import RecycleEpisode

MONDAY = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def _episode(n: int, state: str, reason: str | None, at: datetime, **extra) -> RecycleEpisode:  # type: ignore[no-untyped-def]
    return RecycleEpisode(
        person_key=f"hubspot:contact:{n}",
        number=1,
        state=state,
        reason_code=reason,
        reason_flag=extra.pop("flag", None),
        trigger_source=extra.pop("source", "salesforce"),
        trigger_status="Recycled",
        previous_owner_id=extra.pop("rep", "005A"),
        recycled_at=at,
    )


def test_counts_by_state_reason_source_and_rep_within_the_week(store):
    with store.session() as session:
        session.add_all(
            [
                _episode(1, "recycled", "no_budget", MONDAY),
                _episode(2, "reactivated", "no_budget", MONDAY + timedelta(days=1)),
                _episode(3, "recycled", "no_budget", MONDAY + timedelta(days=2)),
                _episode(4, "recycled", None, MONDAY, flag="missing", rep="005B"),
                _episode(5, "disqualified", "competitor", MONDAY, source="hubspot", rep=None),
                _episode(6, "recycled", "no_budget", MONDAY - timedelta(days=1)),  # last week
            ]
        )
    with store.session() as session:
        counts = recycle_counts(session, MONDAY, MONDAY + timedelta(days=7))
    assert counts == [
        RecycleCount("disqualified", "competitor", None, "hubspot", None, 1),
        RecycleCount("reactivated", "no_budget", None, "salesforce", "005A", 1),
        RecycleCount("recycled", None, "missing", "salesforce", "005B", 1),
        RecycleCount("recycled", "no_budget", None, "salesforce", "005A", 2),
    ]
