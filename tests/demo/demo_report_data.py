"""A small, known history written through Baton's own store paths, for report and page tests.

Three people are handed off (two done with owners, one still pending), one MQL is held back,
another was held and then handed off, one lead is converted, a HubSpot write is refused for good,
and the inbox holds events in every state.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from connector import audit, knowledge
from connector.commands import CreateLead, System, UpdateFields
from connector.events import ChangeEvent, EventKind, ObjectType, Source
from connector.inbox import append
from connector.jobs.lifecycle.processor import HOLD_REASON_PROPERTY
from connector.outbox import enqueue
from connector.store import Store
from connector.store.models import DeadLetter, InboxEvent, OutboxCommand, RecycleEpisode, Timer

NOW = datetime(2025, 6, 6, 15, 0, tzinfo=UTC)
SANNE = "0058d000000001AAAQ"
DAAN = "0058d000000002AAAQ"
QUEUE = "00G8d000000003AEAQ"
HOLD_REASON = "does not meet: country in ('Netherlands') (is 'United States')"


def _create(contact: str, first: str, last: str, company: str, owner: str | None) -> CreateLead:
    return CreateLead(
        System.SALESFORCE,
        f"hubspot:contact:{contact}",
        f"create_lead:{contact}",
        NOW.isoformat(),
        hubspot_contact_id=contact,
        fields={"FirstName": first, "LastName": last, "Company": company, "Email": "x@y.example"},
        owner_id=owner,
    )


def _hold(contact: str, reason: str, n: int) -> UpdateFields:
    return UpdateFields(
        System.HUBSPOT,
        f"hubspot:contact:{contact}",
        f"hold:{contact}:{n}",
        object_type="contacts",
        object_id=contact,
        fields={HOLD_REASON_PROPERTY: reason},
    )


def _finish(session, key: str, status: str, result: dict | None = None, at=NOW) -> OutboxCommand:  # type: ignore[no-untyped-def]
    row = session.query(OutboxCommand).filter_by(idempotency_key=key).one()
    row.status, row.result, row.done_at = status, result, at
    return row


def _event(source: Source, object_type: ObjectType, object_id: str, n: int) -> ChangeEvent:
    return ChangeEvent(
        source=source,
        kind=EventKind.UPDATED,
        object_type=object_type,
        object_id=object_id,
        event_id=f"e{n}",
        occurred_at=NOW - timedelta(minutes=n),
        changes={"lifecyclestage": "lead"},
        is_echo=n == 4,
    )


def fill(store: Store) -> None:
    """Write the known history."""
    with store.session() as session:
        enqueue(session, _create("1001", "Anouk", "de Jong", "Zeeland Foods", SANNE))
        enqueue(session, _create("1002", "Jonas", "Müller", "Hamburger Handel", None))
        enqueue(session, _create("1003", "Mads", "Nielsen", "Aarhus Shipping", QUEUE))
        enqueue(session, _hold("1004", HOLD_REASON, 1))
        enqueue(session, _hold("1005", "missing company", 1))
        enqueue(session, _hold("1005", "", 2))  # cleared when it was handed off
        enqueue(session, _create("1005", "Eva", "Bos", "Delftse Data", DAAN))
        refused = UpdateFields(
            System.HUBSPOT,
            "hubspot:contact:1006",
            "refused:1006",
            object_type="contacts",
            object_id="1006",
            fields={"lifecyclestage": "salesqualifiedlead"},
        )
        enqueue(session, refused)
    with store.session() as session:
        _finish(session, "create_lead:1001", "done", {"id": "00Q000000000001AAA"})
        _finish(session, "create_lead:1002", "done", {"id": "00Q000000000002AAA"}, NOW)
        _finish(session, "create_lead:1005", "done", {"id": "00Q000000000005AAA"})
        _finish(session, "hold:1004:1", "done", at=NOW - timedelta(hours=2))
        _finish(session, "hold:1005:1", "done")
        _finish(session, "hold:1005:2", "done")
        dead = _finish(session, "refused:1006", "dead")
        session.flush()
        session.add(
            DeadLetter(
                command_id=dead.id,
                system="hubspot",
                error_code="INVALID_OPTION",
                message='Property values were not valid: "salesqualifiedlead"',
            )
        )
        states = {
            "hubspot:contact:1001": "salesqualifiedlead",
            "hubspot:contact:1002": "marketingqualifiedlead",
            "hubspot:contact:1003": "marketingqualifiedlead",
            "hubspot:contact:1004": "marketingqualifiedlead",
            "hubspot:contact:1007": "lead",
            "hubspot:contact:1008": "lead",
            "salesforce:lead:00Q000000000001AAA": "Working - Contacted",
            "salesforce:lead:00Q000000000002AAA": "Open - Not Contacted",
            "salesforce:lead:00Q000000000005AAA": "Working - Contacted",
        }
        for key, stage in states.items():
            field = "lifecyclestage" if key.startswith("hubspot") else "Status"
            knowledge.remember(session, key, {field: stage}, NOW)
        knowledge.upsert_link(
            session, hubspot_contact_id="1005", salesforce_lead_id="00Q000000000005AAA"
        )
        knowledge.upsert_link(session, salesforce_lead_id="00Q000000000005AAA")
        link = knowledge.link_for_hubspot(session, "1005")
        assert link is not None
        link.salesforce_contact_id = "0038d000000005AAAA"  # converted
        append(
            session,
            [_event(Source.HUBSPOT, ObjectType.CONTACT, str(1000 + n), n) for n in range(1, 6)]
            + [_event(Source.SALESFORCE, ObjectType.LEAD, "00Q000000000001AAA", 6)],
        )
        session.flush()
        rows = session.query(InboxEvent).order_by(InboxEvent.id).all()
        statuses = ["done", "done", "skipped", "skipped", "pending", "failed"]
        for row, status in zip(rows, statuses, strict=True):
            row.status = status
        audit.record(session, "hubspot:contact:1001", "rule", "hand-off: create Salesforce lead")
        audit.record(session, "hubspot:contact:1006", "error", "dead letter: INVALID_OPTION")


def _episode(contact: str, number: int, state: str, reason: str | None, **extra) -> RecycleEpisode:  # type: ignore[no-untyped-def]
    return RecycleEpisode(
        person_key=f"hubspot:contact:{contact}",
        hubspot_contact_id=contact,
        salesforce_lead_id=f"00Q00000000{contact}AAA",
        number=number,
        state=state,
        reason_code=reason,
        reason_flag=extra.pop("flag", None),
        trigger_source="salesforce",
        trigger_status="Closed - Not Converted",
        recycled_at=extra.pop("at"),
        **extra,
    )


def fill_recycling(store: Store, now: datetime) -> None:
    """The week's "not now"s as the recycle job records them, plus one from a month ago.

    This week: 2101 and 2102 bad timing (2102 later re-activated), 2103 without a reason
    (flagged), 2104 an unknown reason (flagged), 2105 competitor (disqualified), 2106 parked.
    """
    day = timedelta(days=1)
    with store.session() as session:
        session.add_all(
            [
                _episode("2100", 1, "reactivated", "no_budget", at=now - 30 * day),
                _episode("2101", 1, "recycled", "bad_timing", at=now - 2 * day),
                _episode("2102", 1, "reactivated", "bad_timing", at=now - 3 * day),
                _episode("2103", 1, "recycled", None, flag="missing", at=now - day),
                _episode("2104", 1, "recycled", "later maybe", flag="unknown", at=now - day),
                _episode("2105", 1, "disqualified", "competitor", at=now - day),
                _episode("2106", 4, "parked", "no_budget", at=now - day),
            ]
        )
        for contact, due in (("2101", now + 88 * day), ("2103", now + 89 * day)):
            session.add(
                Timer(
                    idempotency_key=f"recycle:{contact}",
                    job="recycle",
                    kind="recycle.reactivate",
                    record_key=f"hubspot:contact:{contact}",
                    due_at=due,
                )
            )
        session.add(
            Timer(
                idempotency_key="recycle:2102",
                job="recycle",
                kind="recycle.reactivate",
                record_key="hubspot:contact:2102",
                due_at=now + 87 * day,
                status="cancelled",
            )
        )
