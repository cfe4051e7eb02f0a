"""One person as every table can hold them, written through Baton's own store functions."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from connector import audit, knowledge, outbox, timers
from connector.commands import CreateLead, Notify, ReplaceCampaignInfluence, System
from connector.events import ChangeEvent, EventKind, ObjectType, Source
from connector.inbox import IncomingRequest, append
from connector.store import Store
from connector.store.models import (
    CreditLedgerRow,
    DeadLetter,
    InboxEvent,
    OutboxCommand,
    RecycleEpisode,
    SlaBreach,
    SlaClock,
)


@dataclass(frozen=True)
class Someone:
    """A person's values as a test knows them."""

    contact_id: str
    lead_id: str
    email: str
    first_name: str
    last_name: str

    @property
    def values(self) -> list[str]:
        """What must not be left after erasure (the HubSpot id as a contact: deal ids reuse it)."""
        return [
            self.email,
            self.first_name,
            self.last_name,
            self.lead_id,
            f"contact:{self.contact_id}",
        ]


ANN = Someone("7001", "00Q000000000AnnAAA", "ann.vermeulen@example.org", "Annelies", "Vermeulen")
BOB = Someone("7002", "00Q000000000BobAAA", "bob.dekkers@example.org", "Bartholomeus", "Dekkers")
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def seed(store: Store, person: Someone, at: datetime = T0) -> None:
    """Write the person into every table that can hold them, the way the jobs do."""
    hs_key = f"hubspot:contact:{person.contact_id}"
    lead_key = f"salesforce:lead:{person.lead_id}"
    body = json.dumps(
        [{"objectId": int(person.contact_id), "propertyName": "email", "email": person.email}]
    ).encode()
    with store.session() as session:
        event = ChangeEvent(
            Source.HUBSPOT,
            EventKind.UPDATED,
            ObjectType.CONTACT,
            person.contact_id,
            f"hs-{person.contact_id}-1",
            at,
            {"email": person.email, "firstname": person.first_name, "lifecyclestage": "mql"},
        )
        append(session, [event], IncomingRequest("hubspot", "/webhooks/hubspot", body))
        # an older row, stored before names were left out of events
        session.add(
            InboxEvent(
                source="salesforce",
                event_id=f"sf-{person.lead_id}",
                kind="updated",
                object_type="lead",
                object_id=person.lead_id,
                record_key=lead_key,
                occurred_at=at,
                received_at=at,
                status="done",
                processed_at=at,
                changes={"LastName": person.last_name, "Email": person.email, "Status": "Open"},
            )
        )
        knowledge.upsert_link(
            session,
            hubspot_contact_id=person.contact_id,
            salesforce_lead_id=person.lead_id,
            email=person.email,
        )
        knowledge.remember(session, hs_key, {"lifecyclestage": "mql"}, at)
        fields = {
            "LastName": person.last_name,
            "FirstName": person.first_name,
            "Email": person.email,
            "Company": "Acme BV",
        }
        create = CreateLead(
            System.SALESFORCE,
            hs_key,
            f"create_lead:{person.contact_id}",
            hubspot_contact_id=person.contact_id,
            fields=fields,
        )
        outbox.enqueue(session, create)
        notice = Notify(
            System.NOTIFY,
            f"notify:email:{lead_key}",
            f"notify:{person.lead_id}:0",
            lead_id=person.lead_id,
            lead_url=f"https://sf.example/lightning/r/Lead/{person.lead_id}/view",
        )
        outbox.enqueue(session, notice)
        influence = ReplaceCampaignInfluence(
            System.SALESFORCE,
            "salesforce:opportunity:006000000000OppAAA",
            f"ci:{person.lead_id}",
            opportunity_id="006000000000OppAAA",
            model="Baton",
            rows=(
                {"CampaignId": "701000000000CamAAA", "ContactId": person.lead_id, "Influence": 100},
            ),
        )
        outbox.enqueue(session, influence)
        session.flush()
        for row in session.query(OutboxCommand).filter(OutboxCommand.record_key == hs_key):
            row.status, row.done_at, row.result = "done", at, {"id": person.lead_id}
            session.add(
                DeadLetter(
                    command_id=row.id,
                    system="salesforce",
                    message=f"{person.last_name} <{person.email}> refused",
                )
            )
        audit.record(
            session, hs_key, "rule", f"linked by e-mail {person.email}", email=person.email
        )
        audit.record(
            session, "hubspot:deal:9", "rule", f"moving HubSpot contact:{person.contact_id}"
        )
        timers.schedule(
            session, "sla", timers.SetTimer("sla.breach", "b", at + timedelta(hours=1)), lead_key
        )
        clock = SlaClock(
            lead_id=person.lead_id,
            number=1,
            owner_id="005000000000RepAAA",
            team="t",
            policy="p",
            state="breached",
            started_at=at,
            deadline_at=at,
        )
        session.add(clock)
        session.flush()
        session.add(
            SlaBreach(
                clock_id=clock.id,
                kind="first_response",
                at=at,
                owner_id="005000000000RepAAA",
                team="t",
                policy="p",
            )
        )
        session.add(
            RecycleEpisode(
                person_key=hs_key,
                hubspot_contact_id=person.contact_id,
                salesforce_lead_id=person.lead_id,
                number=1,
                state="recycled",
                reason_code="no_budget",
                trigger_source="salesforce",
                trigger_status="Closed",
                recycled_at=at,
                note=f"re-activated: {person.email} asked to be called back",
            )
        )
        session.add(
            CreditLedgerRow(
                deal_id="006000000000OppAAA",
                revision=1,
                model="linear",
                model_version="1",
                position=int(person.contact_id) - 7000,
                touch_source="hubspot",
                touch_id=f"{person.contact_id}:original_source",
                channel="paid_search",
                amount_minor=50_00,
                currency="EUR",
                inputs_digest="d" * 64,
                computed_at=at,
            )
        )
