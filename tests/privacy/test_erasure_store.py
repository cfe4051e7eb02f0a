"""Erasure on both engines: every table the registry names, nothing of the person left."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from people_testing import ANN, BOB, T0, seed
from privacy_testing import aggregates, where_found
from sqlalchemy import select

from connector.config import default_config, with_changes
from connector.dispatcher import Dispatcher
from connector.events import ChangeEvent, EventKind, ObjectType, Source
from connector.inbox import append
from connector.jobs.privacy.job import PrivacyJob
from connector.jobs.runner import JobRunner
from connector.privacy.erasure import erase_person, was_erased
from connector.privacy.export import export_person
from connector.store import Store
from connector.store.models import Erasure, InboxEvent, OutboxCommand, Timer
from connector.worker import Worker


def _erase(store: Store, who: str) -> int:
    with store.session() as session:
        return erase_person(session, who, "command", T0 + timedelta(days=1)).total


@pytest.mark.parametrize("who", [ANN.email, ANN.contact_id, ANN.lead_id])
def test_forget_by_address_or_either_id_leaves_nothing_and_keeps_every_count(
    store: Store, who: str
) -> None:
    seed(store, ANN)
    seed(store, BOB)
    before = aggregates(store)
    assert _erase(store, who) > 0
    assert where_found(store, ANN.values) == {}
    assert aggregates(store) == before
    assert set(where_found(store, BOB.values)) == set(BOB.values), "the other person is intact"


def test_a_second_erasure_changes_nothing_and_the_record_holds_no_value(store: Store) -> None:
    seed(store, ANN)
    _erase(store, ANN.email)
    assert _erase(store, ANN.email) == 0
    assert _erase(store, ANN.contact_id) == 0
    with store.session() as session:
        rows = list(session.scalars(select(Erasure)))
        assert {row.kind for row in rows} == {"email", "hubspot", "salesforce"}
        changed = {row.kind: row.rows_changed for row in rows}
        assert changed["email"] == 0 and changed["hubspot"] == 0  # the repeats found nothing
        assert changed["salesforce"] > 0  # the first run's count
        assert was_erased(session, "hubspot", ANN.contact_id)
        assert not was_erased(session, "hubspot", BOB.contact_id)
    assert where_found(store, [*ANN.values, ANN.contact_id]) == {}


def test_pending_work_for_an_erased_person_never_goes_out(store: Store) -> None:
    seed(store, ANN)
    _erase(store, ANN.email)
    with store.session() as session:
        outbox = set(
            session.scalars(
                select(OutboxCommand.status).where(
                    OutboxCommand.kind != "replace_campaign_influence"
                )
            )
        )
        timer = set(session.scalars(select(Timer.status)))
    assert "pending" not in outbox and "erased" in outbox
    assert timer == {"cancelled"}


def test_export_names_every_table_that_holds_the_person(store: Store) -> None:
    seed(store, ANN)
    seed(store, BOB)
    with store.session() as session:
        data = export_person(session, ANN.email)
    assert data["subject"]["hubspot_contact_ids"] == [ANN.contact_id]
    assert data["subject"]["salesforce_lead_ids"] == [ANN.lead_id]
    tables = data["tables"]
    expected = {"raw_requests", "inbox_events", "record_links", "record_states", "outbox",
                "dead_letters", "timers", "audit", "recycle_episodes", "sla_clocks",
                "credit_ledger"}  # fmt: skip
    assert expected <= set(tables)
    text = json.dumps(data)
    assert ANN.email in text and ANN.last_name in text
    assert BOB.email not in text and BOB.last_name not in text
    assert ANN.email in tables["raw_requests"][0]["body"]


def _worker(store: Store, **privacy: object) -> Worker:
    config = with_changes(default_config(), {f"privacy.{k}": v for k, v in privacy.items()})
    runner = JobRunner((PrivacyJob(config),))
    return Worker(store, runner, Dispatcher(store, {}, "test"), owner="test")


def _deletion(store: Store, kind: EventKind, source: Source, object_type: ObjectType, oid: str):
    with store.session() as session:
        event = ChangeEvent(
            source, kind, object_type, oid, f"{kind}-{oid}", T0 + timedelta(hours=2)
        )
        append(session, [event])


def test_a_hubspot_privacy_deletion_erases_through_the_worker(store: Store) -> None:
    seed(store, ANN)
    _deletion(store, EventKind.PRIVACY_DELETED, Source.HUBSPOT, ObjectType.CONTACT, ANN.contact_id)
    _worker(store).process_events()
    assert where_found(store, ANN.values) == {}
    with store.session() as session:
        (outcome,) = session.scalars(
            select(InboxEvent.outcome).where(InboxEvent.kind == EventKind.PRIVACY_DELETED)
        )
    assert outcome.startswith("erased the person")


def test_a_salesforce_deletion_erases_only_when_configured(store: Store) -> None:
    seed(store, ANN)
    _deletion(store, EventKind.DELETED, Source.SALESFORCE, ObjectType.LEAD, ANN.lead_id)
    _worker(store).process_events()
    assert ANN.email in where_found(store, ANN.values)
    seed(store, BOB)
    _deletion(store, EventKind.DELETED, Source.SALESFORCE, ObjectType.LEAD, BOB.lead_id)
    _worker(store, erase_on_salesforce_deletion=True).process_events()
    assert where_found(store, BOB.values) == {}


def test_a_late_deletion_of_an_erased_id_is_erased_too(store: Store) -> None:
    seed(store, ANN)
    _erase(store, ANN.email)
    _deletion(store, EventKind.DELETED, Source.HUBSPOT, ObjectType.CONTACT, ANN.contact_id)
    _worker(store).process_events()
    assert where_found(store, [f"contact:{ANN.contact_id}"]) == {}


@pytest.mark.parametrize(
    ("who", "source", "object_type", "oid"),
    [
        (f" {ANN.contact_id} ", Source.HUBSPOT, ObjectType.CONTACT, ANN.contact_id),
        (ANN.lead_id, Source.SALESFORCE, ObjectType.LEAD, ANN.lead_id),
    ],
)
def test_an_id_that_matched_nobody_is_recognised_when_its_deletion_comes_later(
    store: Store, who: str, source: Source, object_type: ObjectType, oid: str
) -> None:
    with store.session() as session:
        report = erase_person(session, who, "command", T0)
    assert not report.known, "nobody was known by that id"
    seed(store, ANN, at=T0 + timedelta(hours=1))  # the person arrives after the forget
    _deletion(store, EventKind.DELETED, source, object_type, oid)
    _worker(store).process_events()  # no erase_on_* configured: only the record can ask
    assert where_found(store, ANN.values) == {}


def test_a_repeat_knows_the_person_and_an_empty_name_is_refused(store: Store) -> None:
    seed(store, ANN)
    with store.session() as session:
        assert erase_person(session, ANN.contact_id, "command", T0).known
    with store.session() as session:
        repeat = erase_person(session, ANN.contact_id, "command", T0)
        assert repeat.known and repeat.total == 0, "erased before: known, nothing left"
        with pytest.raises(ValueError, match="e-mail address or a CRM id"):
            erase_person(session, "  ", "command", T0)
        assert {row.kind for row in session.scalars(select(Erasure))} <= {
            "email",
            "hubspot",
            "salesforce",
        }, "every record is under a kind was_erased looks up"
