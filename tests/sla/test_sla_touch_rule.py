"""One rule decides what counts as a touch, for webhooks, polls and the deadline's re-read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from connector.jobs.sla.job import _is_touch
from connector.store.models import SlaClock

STARTED = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
OWNER = "0057Q000002RmA1QAK"


def _clock() -> SlaClock:
    return SlaClock(lead_id="00Q7Q000001abcdUAA", number=2, owner_id=OWNER, started_at=STARTED)


def test_the_owners_activity_since_the_clock_started_is_a_touch():
    assert _is_touch(_clock(), OWNER, STARTED)
    assert _is_touch(_clock(), OWNER[:15], STARTED + timedelta(minutes=5)), "15-char id too"


def test_an_older_activity_edited_later_is_not_a_touch_of_a_new_clock():
    assert not _is_touch(_clock(), OWNER, STARTED - timedelta(days=40))


def test_someone_elses_activity_is_not_a_touch():
    assert not _is_touch(_clock(), "0057Q000002RmB3QAK", STARTED + timedelta(minutes=5))
