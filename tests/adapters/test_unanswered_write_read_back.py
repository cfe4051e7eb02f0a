"""A write whose answer is lost (the CRM carried it out, the caller saw a 504) is not sent
again: the dispatcher reads the Lead back through simple-salesforce and finds it landed.
The real dispatcher, store, adapters and the Salesforce stand-in over TLS."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from adapters.retrying import RetryPolicy
from adapters.salesforce.client import SalesforceClient
from adapters.salesforce.reader import SalesforceReader
from adapters.salesforce.writer import SalesforceWriter
from connector.commands import SetStage, System
from connector.dispatcher import Dispatcher
from connector.events import utcnow
from connector.metrics import Metrics
from connector.outbox import enqueue
from connector.store import Store
from connector.store.models import OutboxCommand
from sandbox.chaos import ApiChaos
from sandbox.salesforce import SalesforceSandbox


def _saved_statuses(sf: SalesforceSandbox) -> list[str]:
    """Every Lead Status the stand-in saves, in order (a repeated write shows twice)."""
    saves: list[str] = []
    sf.org.save_listeners.append(lambda sobject, old, new, actor: saves.append(new["Status"]))
    return saves


def _dispatcher(sf: SalesforceSandbox, store: Store, metrics: Metrics) -> Dispatcher:
    """The real dispatcher with simple-salesforce's writer and reader against the stand-in."""
    client = SalesforceClient(
        sf.instance_url, session_id=sf.config.session_id, verify=sf.ca_bundle_path
    )
    policy = RetryPolicy(sleep=lambda s: None)
    return Dispatcher(
        store,
        {System.SALESFORCE: SalesforceWriter(client, policy=policy)},
        "w1",
        metrics,
        readers={System.SALESFORCE: SalesforceReader(client, policy=policy)},
    )


def _queue_status_write(store: Store, lead: str, key: str) -> None:
    """The outbox command the tests send: the Lead's Status to Working."""
    command = SetStage(
        System.SALESFORCE, f"salesforce:lead:{lead}", key, object_type="Lead",
        object_id=lead, field_name="Status", value="Working - Contacted",
    )  # fmt: skip
    with store.session() as session:
        enqueue(session, command)


def test_a_lost_answer_is_read_back_and_not_repeated(sqlite_store):
    with SalesforceSandbox() as sf:
        lead = sf.ui_create("Lead", {"LastName": "L", "Company": "Lost Answer BV"})
        saves = _saved_statuses(sf)
        metrics = Metrics()
        dispatcher = _dispatcher(sf, sqlite_store, metrics)
        _queue_status_write(sqlite_store, lead, "k1")

        sf.chaos = ApiChaos(lost_answer_rate=1.0)
        assert dispatcher.dispatch(utcnow()) == 1
        sf.chaos = ApiChaos()
        assert saves == ["Working - Contacted"], "the write landed once; its answer was lost"
        with sqlite_store.session() as session:
            row = session.scalars(select(OutboxCommand)).one()
            assert (row.status, row.lease_owner) == ("pending", "w1"), "pending, in doubt"

        assert dispatcher.dispatch(utcnow() + timedelta(hours=1)) == 1
        assert saves == ["Working - Contacted"], "read back: not sent again"
        with sqlite_store.session() as session:
            row = session.scalars(select(OutboxCommand)).one()
            assert row.status == "done" and row.result == {"read_back": "landed"}
        counted = metrics.registry.get_sample_value(
            "baton_in_doubt_writes_total",
            {"system": "salesforce", "kind": "set_stage", "result": "landed"},
        )
        assert counted == 1


def test_a_read_back_whose_own_answer_is_lost_decides_nothing_and_waits(sqlite_store):
    """The fault run's repeated writes: the read-back's query lost its answer too, and every
    write it was to settle went again blind. Now they wait for another read-back; only a write
    that no read-back could settle for half its attempts is sent regardless."""
    with SalesforceSandbox() as sf:
        lead = sf.ui_create("Lead", {"LastName": "L", "Company": "Lost Twice BV"})
        saves = _saved_statuses(sf)
        metrics = Metrics()
        dispatcher = _dispatcher(sf, sqlite_store, metrics)
        _queue_status_write(sqlite_store, lead, "k2")
        later = utcnow()

        sf.chaos = ApiChaos(lost_answer_rate=1.0)  # the write's answer, then the read's
        for _ in range(dispatcher.max_attempts // 2):
            later += timedelta(hours=1)
            assert dispatcher.dispatch(later) == 1
        assert saves == ["Working - Contacted"], "no read-back could tell: not sent again"
        with sqlite_store.session() as session:
            row = session.scalars(select(OutboxCommand)).one()
            assert (row.status, row.lease_owner) == ("pending", "w1"), "still in doubt"
            assert row.last_error == "could not read back whether the write had landed"
        waited = metrics.registry.get_sample_value(
            "baton_in_doubt_writes_total",
            {"system": "salesforce", "kind": "set_stage", "result": "unknown"},
        )
        assert waited == dispatcher.max_attempts // 2 - 1

        assert dispatcher.dispatch(later + timedelta(hours=1)) == 1
        assert saves == ["Working - Contacted"] * 2, "half its attempts spent: sent regardless"


def test_a_read_back_that_works_again_settles_the_waiting_write(sqlite_store):
    with SalesforceSandbox() as sf:
        lead = sf.ui_create("Lead", {"LastName": "L", "Company": "Lost Once BV"})
        saves = _saved_statuses(sf)
        dispatcher = _dispatcher(sf, sqlite_store, Metrics())
        _queue_status_write(sqlite_store, lead, "k3")
        sf.chaos = ApiChaos(lost_answer_rate=1.0)
        assert dispatcher.dispatch(utcnow()) == 1  # the write: landed, answer lost
        assert dispatcher.dispatch(utcnow() + timedelta(hours=1)) == 1  # the read: lost too
        sf.chaos = ApiChaos()
        assert dispatcher.dispatch(utcnow() + timedelta(hours=2)) == 1
        assert saves == ["Working - Contacted"]
        with sqlite_store.session() as session:
            row = session.scalars(select(OutboxCommand)).one()
            assert row.status == "done" and row.result == {"read_back": "landed"}
