"""Dead letters: listing them, sending them back to the outbox, dropping them."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from connector.admin import dead_letters as letters
from connector.admin.dead_letters_format import dead_letters_json, dead_letters_text, outcomes_text
from connector.store import Store
from connector.store.models import DeadLetter, OutboxCommand
from tests.admin.conftest import dead_letter_on_status, store_snapshot
from tests.sync.harness import Loop

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def listed(store: Store, **kwargs) -> list[letters.DeadLetterRow]:
    with store.session() as session:
        return letters.list_dead_letters(session, **kwargs)


def test_a_refused_write_is_listed_with_the_crms_words(loop: Loop, store: Store):
    lead_id = dead_letter_on_status(loop)
    (row,) = listed(store)
    assert (row.system, row.kind, row.record_key) == (
        "salesforce",
        "set_stage",
        f"salesforce:lead:{lead_id}",
    )
    assert (row.error_code, row.message) == ("INVALID", "refused by validation rule")
    assert row.attempts == 1 and row.command_status == "dead" and row.resolution is None
    assert listed(store, system="hubspot") == []
    assert [r.id for r in listed(store, system="salesforce")] == [row.id]


def test_retry_lands_the_write_once_the_cause_is_fixed(loop: Loop, store: Store):
    lead_id = dead_letter_on_status(loop)
    (row,) = listed(store)
    loop.salesforce.dead_fields = set()  # the admin fixed the validation rule
    with store.session() as session:
        outcome = letters.retry(session, [row.id], NOW)
    assert outcome == [letters.Outcome(row.id, "retried")]
    with store.session() as session:
        command = session.get(OutboxCommand, row.command_id)
        assert (command.status, command.attempts, command.next_attempt_at) == ("pending", 0, NOW)
    loop.settle()
    assert loop.salesforce.records[lead_id]["Status"] == "Working - Contacted"
    assert listed(store) == []
    (resolved,) = listed(store, include_resolved=True)
    assert (resolved.resolution, resolved.command_status) == ("retried", "done")


def test_retry_and_drop_are_idempotent(loop: Loop, store: Store):
    dead_letter_on_status(loop)
    (row,) = listed(store)
    with store.session() as session:
        assert letters.drop(session, [row.id], NOW)[0].result == "dropped"
    before = store_snapshot(store)
    with store.session() as session:
        assert letters.drop(session, [row.id, row.id], NOW) == [
            letters.Outcome(row.id, "already dropped")
        ]
    assert store_snapshot(store) == before
    with store.session() as session:
        command = session.get(OutboxCommand, row.command_id)
        assert command.status == "dead"  # dropping leaves the command dead
        assert letters.retry(session, [row.id], NOW)[0].result == "retried"  # changed mind
    with store.session() as session:
        assert letters.retry(session, [row.id], NOW)[0].result == "already retried"
        assert letters.drop(session, [row.id], NOW)[0].result == "already retried; not dropped"


def test_unknown_ids_change_nothing(loop: Loop, store: Store):
    dead_letter_on_status(loop)
    (row,) = listed(store)
    before = store_snapshot(store)
    for action in (letters.retry, letters.drop):
        with (
            pytest.raises(letters.UnknownDeadLetters, match="no dead letter with id 404"),
            store.session() as session,
        ):
            action(session, [row.id, 404], NOW)
    assert store_snapshot(store) == before


def test_a_letter_whose_command_was_revived_by_another_letter_is_only_marked(
    loop: Loop, store: Store
):
    dead_letter_on_status(loop)
    (first,) = listed(store)
    with store.session() as session:
        letters.retry(session, [first.id], NOW)
    loop.settle()  # still refused: a second letter for the same command
    (second,) = listed(store)
    assert second.command_id == first.command_id and second.id != first.id
    with store.session() as session:
        letters.drop(session, [second.id], NOW)
        command = session.get(OutboxCommand, first.command_id)
        command.status = "done"  # e.g. landed by a third path; a retry must not re-send it
    with store.session() as session:
        (outcome,) = letters.retry(session, [second.id], NOW)
        assert outcome.result == "command already done"
        status = session.scalar(
            select(OutboxCommand.status).where(OutboxCommand.id == first.command_id)
        )
        assert status == "done"
        assert session.get(DeadLetter, second.id).resolution == "retried"


def test_open_ids_serve_retry_all(loop: Loop, store: Store):
    dead_letter_on_status(loop)
    with store.session() as session:
        ids = letters.open_ids(session)
        assert len(ids) == 1
        assert letters.open_ids(session, system="hubspot") == []


# -- rendering (pure) -----------------------------------------------------------------------


def row(**overrides) -> letters.DeadLetterRow:
    data = dict(
        id=3,
        system="hubspot",
        kind="update_fields",
        record_key="hubspot:contact:1001",
        payload={
            "system": "hubspot",
            "object_type": "contacts",
            "object_id": "1001",
            "fields": {"baton_hold_reason": "missing company", "email": "a@b.nl"},
        },
        error_code="PROPERTY_DOESNT_EXIST",
        message='Property "baton_hold_reason" does not exist',
        created_at=datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
        attempts=1,
        command_id=11,
        command_status="dead",
        resolution=None,
        resolved_at=None,
    )
    data.update(overrides)
    return letters.DeadLetterRow(**data)


def test_text_lists_id_system_command_record_error_time_and_attempts():
    text = dead_letters_text([row()])
    assert text.splitlines()[:6] == [
        "1 dead letter(s)",
        "",
        "#3  hubspot update_fields  contacts 1001",
        "    record:   hubspot:contact:1001",
        '    refused:  PROPERTY_DOESNT_EXIST: Property "baton_hold_reason" does not exist',
        "    when:     2026-03-02 09:00:00Z after 1 attempt(s)",
    ]
    assert "baton_hold_reason='missing company'" in text
    assert "a@b.nl" not in text
    assert dead_letters_text([]) == "no dead letters\n"


def test_json_is_one_object_per_letter():
    (data,) = json.loads(dead_letters_json([row(resolution="dropped")]))
    assert data["id"] == 3 and data["resolution"] == "dropped"
    assert data["fields"]["email"] == "<hidden>"
    assert data["created_at"] == "2026-03-02T09:00:00+00:00"


def test_outcomes_count_what_changed():
    text = outcomes_text(
        "retried", [letters.Outcome(1, "retried"), letters.Outcome(2, "already retried")]
    )
    assert text == "#1 retried\n#2 already retried\n1 of 2 dead letter(s) retried\n"
