"""A hand-computed scenario week for the scorecard, written straight into the store's tables.

Week of Monday 2026-11-23 in Europe/Amsterdam (UTC+1; working hours 09:00-17:30). Every figure
the tests expect is worked out by hand in the comments below, from these rows alone.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from connector.store import Store
from connector.store.models import (
    CreditLedgerRow,
    InboxEvent,
    OutboxCommand,
    PipelineDeal,
    RecordLink,
    RecordState,
    RecycleEpisode,
    SlaClock,
)

WEEK = date(2026, 11, 23)
REP_A, REP_B = "0057Q000002RmA1QAK", "0057Q000002RmB2QAK"
SOURCE_FIELD, CAMPAIGN_FIELD = "HubSpot_Original_Source__c", "HubSpot_Last_Conversion__c"


def local(day: int, hour: float) -> datetime:
    """A wall time in Amsterdam that week (``day`` 0 = Monday) as UTC (CET = UTC+1)."""
    whole = int(hour)
    minutes = round((hour - whole) * 60)
    return datetime(2026, 11, 23 + day, whole, minutes, tzinfo=UTC) - timedelta(hours=1)


def lead_id(n: int) -> str:
    return f"00Q7Q00000{n:04d}AAA"


#: (n, rep, source, campaign, handed at, Lead status, converted)
LEADS = [
    (1, REP_A, "ORGANIC_SEARCH", "Webinar", local(0, 9), "Working - Contacted", False),
    (2, REP_A, "PAID_SEARCH", "Webinar", local(0, 10), "Recycled", False),
    (3, REP_B, "PAID_SEARCH", "Ebook", local(1, 16), "Closed - Not Converted", False),
    (4, REP_B, "ORGANIC_SEARCH", "Ebook", local(2, 12), "Open - Not Contacted", True),
]
#: a hand-off the week before: outside every figure of WEEK
EARLIER = (9, REP_A, "PAID_SEARCH", "Webinar", local(-3, 10), "Working - Contacted", False)

#: (lead n, state, started, stopped, stopped by, touches)
#: response in business hours: K1 Mon 09:00→11:00 = 2.0; K2 Mon 10:00→Tue 10:00 = 7.5 + 1.0 =
#: 8.5; K3 Tue 16:00→Wed 10:00 = 1.5 + 1.0 = 2.5; K4 stopped by the conversion: no response.
#: median(2.0, 2.5, 8.5) = 2.50; p90 by nearest rank = 3rd of 3 = 8.50; within SLA: decided
#: K1 met, K2 acted, K3 met → 2 of 3 = 66.7 %.
CLOCKS = [
    (1, "met", local(0, 9), local(0, 11), "task", 3),
    (2, "acted", local(0, 10), local(1, 10), "task", 2),
    (3, "met", local(1, 16), local(2, 10), "status", 6),
    (4, "ended", local(2, 12), local(3, 10), "converted", 1),
]

#: (lead n, state, reason code, reason flag, at): L2 "not now" too small (back to marketing),
#: L3 disqualified without a reason → recycled 1; feedback 1 of 2 = 50.0 %; attempts on the
#: outcome leads L2 (2), L3 (6), L4 converted (1) → median 2.
EPISODES = [
    (2, "recycled", "too_small", None, local(2, 9.5)),
    (3, "disqualified", None, "missing", local(3, 9.5)),
]

#: held back: c5 and c7 no_company, c6 far_away → 3 (no_company 2, far_away 1)
HOLDS = [("5", "no_company", local(1, 11)), ("6", "far_away", local(2, 11)),
         ("7", "no_company", local(3, 11))]  # fmt: skip

#: escalation steps of K2: step 1 by e-mail and Slack (one level-1 step), step 2 by e-mail → 2
ESCALATIONS = [
    (1, "email", local(0, 14.5)),
    (1, "slack", local(0, 14.5)),
    (2, "email", local(0, 16)),
]

#: ledger (deal, model, position, touch?, channel, euros): D1 linear 600 paid_search + 400
#: no-touch bucket (first touch marketing: sourced 1000, influenced 1000); D2 linear 500 bucket
#: first + 500 organic_search (influenced 1000, sourced 0); D1 first_touch 1000 paid_search.
#: Linear: sourced 1000.00, influenced 2000.00, credit to marketing 1100.00.
CREDITS = [
    ("0067Q00000D1AAA", "linear", 0, True, "paid_search", 600),
    ("0067Q00000D1AAA", "linear", 1, False, "no_marketing_touch", 400),
    ("0067Q00000D2AAA", "linear", 0, False, "no_marketing_touch", 500),
    ("0067Q00000D2AAA", "linear", 1, True, "organic_search", 500),
    ("0067Q00000D1AAA", "first_touch", 0, True, "paid_search", 1000),
]

#: open deals (id, currency, amount, sourced, influenced, opened, left). The week ends Sunday
#: 24:00 Amsterdam = local(7, 0). Open then: P1, P2, P4, P7 (EUR) and P5 (USD); P3 was won on
#: Friday, P6 opened the next Monday, P7 left only after the week's end.
#: EUR: open 3000 + 2000 + 700 + 900 = 6600 in 4 deals; influenced P1 + P2 + P7 = 5900;
#: sourced P1 + P7 = 3900. USD: 1 deal, 1500 open, sourced and influenced.
PIPELINE = [
    ("0067Q00000P1AAA", "EUR", 3000, True, True, local(-10, 9), None),
    ("0067Q00000P2AAA", "EUR", 2000, False, True, local(2, 10), None),
    ("0067Q00000P3AAA", "EUR", 5000, True, True, local(1, 9), local(4, 12)),
    ("0067Q00000P4AAA", "EUR", 700, False, False, local(0, 9), None),
    ("0067Q00000P5AAA", "USD", 1500, True, True, local(3, 9), None),
    ("0067Q00000P6AAA", "EUR", 4000, True, True, local(7, 9), None),
    ("0067Q00000P7AAA", "EUR", 900, True, True, local(-20, 9), local(7, 2)),
]

#: HubSpot lifecycle stages seen: L1 MQL Mon 09:00, SQL Tue 09:00 (1 day), opportunity Thu
#: 09:00 (2 days) → funnel: SQL 2 (L1 by stage, L4 converted), opportunity 1, won 0.
STAGES = [
    (1, "marketingqualifiedlead", local(0, 9)),
    (1, "salesqualifiedlead", local(1, 9)),
    (1, "opportunity", local(3, 9)),
]


def seed(store: Store) -> None:
    """Write the scenario's rows."""
    with store.session() as session:
        for n, rep, source, campaign, at, status, converted in [*LEADS, EARLIER]:
            _handoff(session, n, rep, source, campaign, at)
            session.add(RecordState(record_key=f"salesforce:lead:{lead_id(n)}", stage=status))
            if converted:
                session.add(
                    RecordLink(
                        hubspot_contact_id=str(n),
                        salesforce_lead_id=lead_id(n),
                        salesforce_contact_id=f"0037Q00000{n:04d}AAA",
                    )
                )
        session.flush()
        for n, state, started, stopped, by, touches in CLOCKS:
            rep = next(lead[1] for lead in LEADS if lead[0] == n)
            session.add(
                SlaClock(
                    lead_id=lead_id(n),
                    number=1,
                    owner_id=rep,
                    team=None,
                    policy="standard",
                    state=state,
                    started_at=started,
                    deadline_at=started + timedelta(hours=4),
                    stopped_at=stopped,
                    stopped_by=by,
                    touches=touches,
                )
            )
        session.flush()
        k2 = session.query(SlaClock).filter_by(lead_id=lead_id(2)).one().id
        for number, (n, state, reason, flag, at) in enumerate(EPISODES, 1):
            rep = next(lead[1] for lead in LEADS if lead[0] == n)
            session.add(
                RecycleEpisode(
                    person_key=f"hubspot:contact:{n}",
                    hubspot_contact_id=str(n),
                    salesforce_lead_id=lead_id(n),
                    number=number,
                    state=state,
                    reason_code=reason,
                    reason_flag=flag,
                    trigger_source="salesforce",
                    trigger_status="Recycled",
                    previous_owner_id=rep,
                    recycled_at=at,
                )
            )
        for contact, reason, at in HOLDS:
            _command(
                session,
                "update_fields",
                "hubspot",
                f"hubspot:contact:{contact}",
                f"hold:{contact}",
                {"object_type": "contacts", "object_id": contact,
                 "fields": {"baton_hold_reason": reason}},
                at,
            )  # fmt: skip
        for step, channel, at in ESCALATIONS:
            _command(
                session,
                "notify",
                "notify",
                f"notify:{channel}:salesforce:lead:{lead_id(2)}",
                f"sla:{k2}:step{step - 1}:{channel}",
                {"channel": channel, "step": step, "lead_id": lead_id(2), "owner_id": REP_A},
                at,
            )
        for deal, model, position, marketing, channel, euros in CREDITS:
            session.add(
                CreditLedgerRow(
                    deal_id=deal,
                    revision=1,
                    model=model,
                    model_version="1",
                    position=position,
                    touch_source="hubspot" if marketing else None,
                    touch_id=f"t-{deal}-{position}" if marketing else None,
                    channel=channel,
                    campaign=None,
                    amount_minor=euros * 100,
                    currency="EUR",
                    inputs_digest="d" * 64,
                    computed_at=local(3, 15),
                )
            )
        for deal, currency, amount, sourced, influenced, opened, left in PIPELINE:
            session.add(
                PipelineDeal(
                    deal_id=deal, system="salesforce", state="open" if left is None else "won",
                    amount_minor=amount * 100, currency=currency, stage="Prospecting",
                    created_at=opened, close_date=None, sourced=sourced, influenced=influenced,
                    top_channel="paid_search" if influenced else None, opened_at=opened,
                    left_at=left, modified_at=left or opened, recorded_at=left or opened,
                )
            )  # fmt: skip
        for n, stage, at in STAGES:
            session.add(
                InboxEvent(
                    source="hubspot",
                    event_id=f"stage-{n}-{stage}",
                    kind="property_change",
                    object_type="contact",
                    object_id=str(n),
                    record_key=f"hubspot:contact:{n}",
                    occurred_at=at,
                    changes={"lifecyclestage": stage},
                    status="done",
                )
            )


def _handoff(session: Any, n: int, rep: str, source: str, campaign: str, at: datetime) -> None:
    fields = {"LastName": "(unknown)", SOURCE_FIELD: source, CAMPAIGN_FIELD: campaign}
    payload = {"hubspot_contact_id": str(n), "fields": fields, "owner_id": rep}
    row = _command(
        session, "create_lead", "salesforce", f"hubspot:contact:{n}", f"create_lead:{n}",
        payload, at,
    )  # fmt: skip
    row.result = {"id": lead_id(n)}


def _command(
    session: Any,
    kind: str,
    system: str,
    record_key: str,
    key: str,
    payload: dict[str, Any],
    at: datetime,
) -> OutboxCommand:
    row = OutboxCommand(
        idempotency_key=key,
        system=system,
        kind=kind,
        record_key=record_key,
        payload=payload,
        status="done",
        created_at=at,
        done_at=at,
        next_attempt_at=at,
    )
    session.add(row)
    return row


def count_passes(monkeypatch: Any) -> list[int]:
    """Record each read pass the scorecard makes (its weeks counted), to tell a kept closed
    week from a recount."""
    from connector.reports.scorecard import build

    counted: list[int] = []
    real = build._week_figures

    def counting(session, config, week_start, filters, lookback):  # type: ignore[no-untyped-def]
        counted.append(lookback)
        return real(session, config, week_start, filters, lookback)

    monkeypatch.setattr(build, "_week_figures", counting)
    return counted
