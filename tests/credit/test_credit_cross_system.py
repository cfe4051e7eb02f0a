"""A HubSpot form submission and the Salesforce campaign response it caused are one touch."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from connector.jobs.credit.timeline import Touch
from connector.jobs.credit.touches import FORM_SUBMISSION, HUBSPOT, SALESFORCE, merge_same_person

ADA, BOB = "0038d000000001A", "0038d000000002B"


def _form(contact: str, kind: str, at: datetime) -> Touch:
    return Touch(at, FORM_SUBMISSION, None, HUBSPOT, f"{contact}:{kind}")


def _response(member: str, day: str, campaign: str = "7011") -> Touch:
    return Touch(
        datetime.fromisoformat(f"{day}T00:00+00:00"), "webinar", campaign, SALESFORCE, member
    )


FORM = _form("501", "first_conversion", datetime(2026, 11, 25, 9, 30, tzinfo=UTC))
LATER = _form("501", "recent_conversion", datetime(2026, 11, 28, 14, 0, tzinfo=UTC))
SOURCE = Touch(
    datetime(2026, 11, 25, 9, 29, tzinfo=UTC), "paid_search", None, HUBSPOT, "501:original_source"
)
SAME_DAY = _response("00v1", "2026-11-25")
OTHER_DAY = _response("00v2", "2026-11-26")
BOBS = _response("00v3", "2026-11-25")
PEOPLE = {
    FORM.key: ADA, LATER.key: ADA, SOURCE.key: ADA,
    SAME_DAY.key: ADA, OTHER_DAY.key: ADA, BOBS.key: BOB,
}  # fmt: skip


def test_the_form_folds_into_the_same_persons_same_day_response_at_the_forms_time():
    merged = merge_same_person([FORM, LATER, SOURCE, SAME_DAY, OTHER_DAY, BOBS], PEOPLE)
    by_key = {t.key: t for t in merged}
    assert FORM.key not in by_key, "one interaction, one touch"
    kept = by_key[SAME_DAY.key]
    assert (kept.at, kept.campaign, kept.channel) == (FORM.at, "7011", "webinar")
    assert by_key[LATER.key] == LATER, "no response that day: the form stays a touch"
    assert by_key[SOURCE.key] == SOURCE, "a traffic source is not a form submission"
    assert by_key[OTHER_DAY.key] == OTHER_DAY and by_key[BOBS.key] == BOBS
    assert len(merged) == 5


def test_a_response_takes_one_form_and_strangers_are_never_merged():
    twin = _form("501", "recent_conversion", datetime(2026, 11, 25, 16, 0, tzinfo=UTC))
    merged = merge_same_person([FORM, twin, SAME_DAY], {**PEOPLE, twin.key: ADA})
    assert [t.key for t in merged] == [SAME_DAY.key, twin.key]
    unknown = merge_same_person([FORM, SAME_DAY], {SAME_DAY.key: ADA})
    assert unknown == [SAME_DAY, FORM], "a form of nobody known stays apart"


def test_the_result_does_not_depend_on_delivery_order():
    touches = [FORM, LATER, SOURCE, SAME_DAY, OTHER_DAY, BOBS]
    expected = merge_same_person(touches, PEOPLE)
    rng = random.Random(7)
    for _ in range(20):
        rng.shuffle(touches)
        assert merge_same_person(touches, PEOPLE) == expected
