"""When the digest goes out (local send_on/send_at, across DST) and which week it reports."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from connector.jobs.digest.schedule import next_send, reported_week

ZONE = "Europe/Amsterdam"


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        # Wednesday → next Monday 08:00 CET = 07:00 UTC
        (datetime(2026, 11, 25, 12, tzinfo=UTC), datetime(2026, 11, 30, 7, tzinfo=UTC)),
        # Monday 06:59 UTC is before 08:00 local: today
        (datetime(2026, 11, 30, 6, 59, tzinfo=UTC), datetime(2026, 11, 30, 7, tzinfo=UTC)),
        # exactly at the moment: the next week's (strictly after)
        (datetime(2026, 11, 30, 7, tzinfo=UTC), datetime(2026, 12, 7, 7, tzinfo=UTC)),
        # across the spring change (29 March 2026): 08:00 CEST = 06:00 UTC
        (datetime(2026, 3, 27, 12, tzinfo=UTC), datetime(2026, 3, 30, 6, tzinfo=UTC)),
    ],
)
def test_the_next_send_is_monday_eight_local(now: datetime, expected: datetime) -> None:
    assert next_send(now, "monday", time(8, 0), ZONE) == expected


def test_a_friday_digest_reports_the_last_complete_week() -> None:
    friday = datetime(2026, 12, 4, 15, tzinfo=UTC)
    assert reported_week(friday, "monday", ZONE) == date(2026, 11, 23)
    monday = datetime(2026, 11, 30, 7, tzinfo=UTC)
    assert reported_week(monday, "monday", ZONE) == date(2026, 11, 23)
    assert reported_week(monday, "sunday", ZONE) == date(2026, 11, 22)
