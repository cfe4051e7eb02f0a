"""A week of the demo, then erasure: nothing of the person is left in any table or log.

The demo plays hand-offs, SLA clocks, recycling and won deals with credit through the
sandboxes' real HTTP, on SQLite and on PostgreSQL (its week has no missed deadline: the
escalation ladder's erasure is in tests/integration/test_privacy_journey.py). While it runs,
one person is deleted in HubSpot for privacy through the official client
(``contact.privacyDeletion`` comes back as a webhook); after the week, three more are erased
with ``baton forget``. Every column of every table is then read for their addresses, names
and ids, and the counts the reports show are compared with those before.
"""

from __future__ import annotations

import io
import json
import logging
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hubspot.crm.contacts import PublicGdprDeleteInput
from privacy_testing import aggregates, postgres_schema_url, where_found
from prometheus_client import generate_latest
from sqlalchemy import select

from baton.cli import main
from baton.demo import run_demo
from baton.demo.scenario import Fate, Person, plan_week
from baton.demo.stack import DemoStack
from connector.config.secrets import secrets_in
from connector.logs import configure_logging
from connector.store import Store
from connector.store.models import Erasure, OutboxCommand

pytestmark = pytest.mark.slow
SEED = 7
#: where Baton may keep a person it still works for: the raw bodies (until their retention
#: ends) and the command that creates their Lead (Salesforce needs the name and address)
KEPT_WHILE_NEEDED = {"raw_requests.body", "outbox.payload"}


def _values(person: Person, people: list[Person], ids: dict[str, list[str]]) -> list[str]:
    """A person's address, unique surname, full name and CRM ids."""
    values = [person.email, f"{person.first_name} {person.last_name}", *ids.get(person.key, [])]
    surnames = [p.last_name for p in people]
    if surnames.count(person.last_name) == 1:
        values.append(person.last_name)
    return values


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def week(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    out = tmp_path_factory.mktemp("privacy-demo")
    if request.param == "sqlite":
        yield from _play(out, f"sqlite:///{out / 'baton.db'}")
        return
    with postgres_schema_url() as url:
        yield from _play(out, url)


def _play(out: Path, url: str) -> Iterator[dict[str, Any]]:
    plan = plan_week(SEED)
    seen: dict[str, Any] = {}
    logs = io.StringIO()
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    configure_logging("INFO", "json")  # as `baton demo` does, one level more talkative
    root.handlers[0].setStream(logs)  # type: ignore[attr-defined]

    def after_week(stack: DemoStack) -> None:
        seen["secrets"] = secrets_in(stack.runtime.config)
        seen["metrics"] = generate_latest(stack.runtime.metrics.registry).decode()
        seen["ids"] = _ids(stack, plan.people)
        deleted = plan.with_fate(Fate.WORKED)[0]
        contact_id = seen["ids"][deleted.key][0].removeprefix("contact:")
        sdk = stack.runtime.clients().hubspot.sdk
        sdk.crm.contacts.basic_api.purge(
            public_gdpr_delete_input=PublicGdprDeleteInput(object_id=contact_id)
        )
        seen["privacy_deleted"] = deleted
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not _erased(stack.runtime.store):
            time.sleep(0.2)
        stack.wait_until_idle(30)

    try:
        code = run_demo(
            once=True,
            seed=SEED,
            port=0,
            database_url=url,
            out=out,
            echo=lambda line: None,
            after_week=after_week,
        )
    finally:
        root.handlers[:], _ = saved[0], root.setLevel(saved[1])
    store = Store(url)
    try:
        yield {
            "code": code,
            "plan": plan,
            "store": store,
            "url": url,
            "logs": logs.getvalue(),
            **seen,
        }
    finally:
        store.dispose()


def _ids(stack: DemoStack, people: tuple[Person, ...]) -> dict[str, list[str]]:
    """Each person's HubSpot contact id, then their Lead and Contact ids in Salesforce."""
    id_field = stack.runtime.config.salesforce.hubspot_id_field
    contacts = {c["properties"]["email"]: str(c["id"]) for c in stack.hubspot.all("contacts")}
    leads = stack.salesforce.all("Lead")
    found: dict[str, list[str]] = {}
    for person in people:
        contact_id = contacts.get(person.email)
        if contact_id is None:
            continue
        ids = [f"contact:{contact_id}"]  # deal 1001 may exist beside contact 1001
        for lead in leads:
            if lead.get(id_field) == contact_id:
                ids += [
                    lead["Id"],
                    *([lead["ConvertedContactId"]] if lead.get("ConvertedContactId") else []),
                ]
        found[person.key] = ids
    return found


def _erased(store: Store) -> bool:
    with store.session() as session:
        return session.scalar(select(Erasure.id).limit(1)) is not None


def _forget(url: str, *args: str) -> Any:
    return CliRunner().invoke(main, list(args), env={"BATON_DATABASE_URL": url, "BATON_CONFIG": ""})


def test_the_week_ran_and_a_hubspot_privacy_deletion_left_nothing_of_the_person(
    week: dict[str, Any],
) -> None:
    assert week["code"] == 0
    person = week["privacy_deleted"]
    values = _values(person, list(week["plan"].people), week["ids"])
    assert where_found(week["store"], values) == {}
    with week["store"].session() as session:
        origins = set(session.scalars(select(Erasure.origin)))
    assert origins == {"hubspot"}


def test_baton_keeps_the_name_and_address_of_a_person_only_where_a_write_needs_them(
    week: dict[str, Any],
) -> None:
    plan = week["plan"]
    kept = plan.with_fate(Fate.IN_PIPELINE)[0]
    found = where_found(week["store"], [kept.email, kept.first_name + " " + kept.last_name])
    assert found  # the Lead's creation needed them
    assert set().union(*found.values()) <= KEPT_WHILE_NEEDED, found


def test_forget_after_a_full_journey_erases_everywhere_and_keeps_every_count(
    week: dict[str, Any],
) -> None:
    plan, store, url = week["plan"], week["store"], week["url"]
    people = list(plan.people)
    chosen = [
        plan.with_fate(Fate.IGNORED)[0],
        plan.with_fate(Fate.RECYCLED)[0],
        plan.with_fate(Fate.WON)[0],
    ]
    exports = {}
    for person in chosen:
        result = _forget(url, "export-person", person.email)
        assert result.exit_code == 0, result.output
        exports[person.fate] = json.loads(result.output)
    # the journey really went through every job for these people
    assert "sla_clocks" in exports[Fate.IGNORED]["tables"]
    assert "recycle_episodes" in exports[Fate.RECYCLED]["tables"]
    assert "credit_ledger" in exports[Fate.WON]["tables"]
    won_contact = week["ids"][chosen[2].key][0].removeprefix("contact:")
    assert won_contact in exports[Fate.WON]["subject"]["hubspot_contact_ids"]
    before = aggregates(store)

    for person in chosen:
        result = _forget(url, "forget", person.email)
        assert result.exit_code == 0, result.output
        assert "row(s) changed" in result.output

    assert aggregates(store) == before
    for person in chosen:
        assert where_found(store, _values(person, people, week["ids"])) == {}, person.key
        again = _forget(url, "forget", person.email)
        assert again.output.strip().endswith("erased: 0 row(s) changed"), again.output
        left = json.loads(_forget(url, "export-person", person.email).output)
        assert left["tables"] == {}
    with store.session() as session:
        pending = session.scalars(
            select(OutboxCommand.status).where(OutboxCommand.status == "pending")
        ).all()
    assert pending == []


def test_the_logs_and_metrics_of_the_week_hold_no_address_name_or_secret(
    week: dict[str, Any],
) -> None:
    logs = week["logs"] + week["metrics"]
    assert logs  # the week logged something
    people = list(week["plan"].people)
    leaked = [
        value
        for person in people
        for value in (person.email, f"{person.first_name} {person.last_name}")
        if value.lower() in logs.lower()
    ]
    assert leaked == []
    assert [secret for secret in week["secrets"] if secret in logs] == []
