"""The recycle rules as plain functions: reasons, guards, parking, history."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from connector.config.models.recycle import RecycleConfig
from connector.jobs.recycle.rules import (
    PastRecycle,
    Person,
    Trigger,
    Verdict,
    decide,
    history_line,
    is_buying_signal,
    reactivation_date,
    read_reason,
)

CONFIG = RecycleConfig(max_recycles=2)
AT = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)
LEAD = Person(
    hubspot_stage="salesqualifiedlead", converted=False, recycles_so_far=0, in_nurture=False
)


def _decide(reason: str | None = "no_budget", person: Person = LEAD) -> tuple[Verdict, str]:
    decision = decide(Trigger("salesforce", "Recycled", reason, AT), person, CONFIG)
    return decision.verdict, decision.why


@pytest.mark.parametrize(
    ("raw", "code", "flag", "disqualifies"),
    [
        ("no_budget", "no_budget", None, False),
        ("No Budget", "no_budget", None, False),  # the label, any case
        ("  bad_timing ", "bad_timing", None, False),
        ("competitor", "competitor", None, True),
        ("Wrong company", "wrong_company", None, True),
        (None, None, "missing", False),
        ("", None, "missing", False),
        ("too expensive", "too expensive", "unknown", False),
    ],
)
def test_reasons_are_matched_by_code_or_label(raw, code, flag, disqualifies):
    reason = read_reason(raw, CONFIG)
    assert (reason.code, reason.flag, reason.disqualifies) == (code, flag, disqualifies)


def test_a_recyclable_reason_recycles():
    assert _decide() == (Verdict.RECYCLE, "recycle #1: No budget")


def test_a_missing_or_unknown_reason_still_recycles_but_is_flagged():
    assert _decide(None) == (Verdict.RECYCLE, "recycle #1: no reason given (flagged)")
    verdict, why = _decide("too expensive")
    assert verdict == Verdict.RECYCLE and "unknown reason 'too expensive' (flagged)" in why


def test_a_disqualifying_reason_ends_the_lead():
    assert _decide("student") == (Verdict.DISQUALIFY, "disqualified for good: Student")


@pytest.mark.parametrize("stage", ["opportunity", "customer", "evangelist"])
def test_a_person_with_a_deal_is_never_recycled(stage):
    person = Person(stage, converted=False, recycles_so_far=0, in_nurture=False)
    verdict, why = _decide(person=person)
    assert verdict == Verdict.REFUSE and stage in why


def test_a_converted_lead_is_never_recycled_even_for_a_disqualifying_reason():
    person = Person("salesqualifiedlead", converted=True, recycles_so_far=0, in_nurture=False)
    assert _decide("competitor", person)[0] == Verdict.REFUSE


def test_a_person_already_in_nurture_is_left_alone():
    person = Person("lead", converted=False, recycles_so_far=1, in_nurture=True)
    assert _decide(person=person)[0] == Verdict.IGNORE


def test_more_recycles_than_allowed_park_the_person():
    person = Person("marketingqualifiedlead", False, recycles_so_far=2, in_nurture=False)
    verdict, why = _decide(person=person)
    assert verdict == Verdict.PARK and "already recycled 2 times" in why
    once = Person("marketingqualifiedlead", False, recycles_so_far=1, in_nurture=False)
    assert _decide(person=once) == (Verdict.RECYCLE, "recycle #2: No budget")


def test_reactivation_date_and_buying_signals():
    assert reactivation_date(AT, RecycleConfig(reactivation_after_days=90)) == datetime(
        2026, 6, 8, 14, 0, tzinfo=UTC
    )
    assert is_buying_signal({"recent_conversion_date": "1780000000000"}, CONFIG) == (
        "recent_conversion_date"
    )
    assert is_buying_signal({"recent_conversion_date": ""}, CONFIG) is None
    assert is_buying_signal({"lifecyclestage": "lead"}, CONFIG) is None


def test_the_history_line_the_next_rep_reads():
    june = datetime(2026, 6, 2, tzinfo=UTC)
    past = [PastRecycle("No budget", june), PastRecycle("Bad timing", AT)]
    assert history_line(past) == "Recycled twice: Bad timing in March 2026, No budget in June 2026"
    assert history_line(past[:1]) == "Recycled once: No budget in June 2026"
    assert history_line([PastRecycle("x", AT)] * 3).startswith("Recycled 3 times: ")
    assert history_line([]) == ""


def test_a_reason_code_cannot_both_recycle_and_disqualify():
    with pytest.raises(ValueError, match="both in reasons and disqualify_reasons"):
        RecycleConfig(reasons={"competitor": "Competitor"})


def test_a_lost_deal_recycles_its_converted_contacts_at_opportunity_stage():
    at_opportunity = Person("opportunity", converted=True, recycles_so_far=0, in_nurture=False)
    lost = Trigger("salesforce", "lost: Closed Lost", "bad_timing", AT, lost_deal=True)
    assert decide(lost, at_opportunity, CONFIG).verdict == Verdict.RECYCLE
    customer = Person("customer", converted=True, recycles_so_far=0, in_nurture=False)
    assert decide(lost, customer, CONFIG).verdict == Verdict.REFUSE, "a customer stays a customer"


@pytest.mark.parametrize("reason", [None, "competitor", "price war"])
def test_a_deal_lost_for_a_reason_that_is_not_recyclable_moves_nobody(reason):
    at_opportunity = Person("opportunity", converted=True, recycles_so_far=0, in_nurture=False)
    lost = Trigger("salesforce", "lost: Closed Lost", reason, AT, lost_deal=True)
    assert decide(lost, at_opportunity, CONFIG).verdict == Verdict.IGNORE


def test_a_person_disqualified_for_good_is_never_recycled_again():
    gone = Person(
        "salesqualifiedlead", False, recycles_so_far=0, in_nurture=False, disqualified=True
    )
    verdict, why = _decide(person=gone)
    assert (verdict, why) == (Verdict.IGNORE, "disqualified for good earlier")
