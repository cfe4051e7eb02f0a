"""``baton explain``: the whole story of one person, gathered from the store and rendered."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from connector.admin.explain import (
    Explanation,
    KnownState,
    PendingWrite,
    TimelineEntry,
    explain,
)
from connector.admin.explain_format import explain_json, explain_text
from connector.admin.lookup import parse_query
from connector.store import Store
from tests.admin.conftest import dead_letter_on_status
from tests.sync.harness import Loop


def gather(store: Store, text: str) -> list[Explanation]:
    with store.session() as session:
        return explain(session, parse_query(text))


def test_both_sides_events_rules_and_writes_in_time_order(loop: Loop, store: Store):
    lead_id = loop.handed_off_pair("101")
    loop.salesforce.ui_set(lead_id, Status="Working - Contacted")
    loop.settle()

    (person,) = gather(store, "101@acme.nl")

    assert person.link is not None
    assert (person.link["hubspot_contact_id"], person.link["salesforce_lead_id"]) == (
        "101",
        lead_id,
    )
    assert [e.sort_key for e in person.timeline] == sorted(e.sort_key for e in person.timeline)
    kinds = {(e.kind, e.record_key.split(":")[0]) for e in person.timeline}
    assert {("event", "hubspot"), ("event", "salesforce"), ("rule", "hubspot")} <= kinds
    summaries = [e.summary for e in person.timeline]
    create = next(i for i, s in enumerate(summaries) if "create lead" in s)
    handoff = next(i for i, s in enumerate(summaries) if s.startswith("hand-off"))
    carried = next(i for i, s in enumerate(summaries) if "Working - Contacted" in s)
    assert handoff < create < carried  # decided, then written, then the rep's change
    events = [e for e in person.timeline if e.kind == "event"]
    assert all(e.detail["status"] in ("done", "skipped") for e in events)
    assert all(e.detail["occurred_at"] and e.detail["received_at"] for e in events)
    states = {s.record_key: s.values for s in person.states}
    assert states["hubspot:contact:101"]["lifecyclestage"] == "salesqualifiedlead"
    assert states[f"salesforce:lead:{lead_id}"]["Status"] == "Working - Contacted"
    assert person.pending == []


def test_the_same_person_by_each_of_its_ids(loop: Loop, store: Store):
    lead_id = loop.handed_off_pair("101")
    by_email = gather(store, "101@acme.nl")[0]
    for text in ("101", lead_id):
        other = gather(store, text)[0]
        assert other.record_keys == by_email.record_keys
        assert [e.summary for e in other.timeline] == [e.summary for e in by_email.timeline]


def test_worker_event_lines_are_folded_into_the_event_entry(loop: Loop, store: Store):
    loop.handed_off_pair("101")
    (person,) = gather(store, "101")
    event_ids = [e.detail["id"] for e in person.timeline if e.kind == "event"]
    assert len(event_ids) == len(set(event_ids))
    assert not any(e.kind == "event" and "id" not in e.detail for e in person.timeline)


def test_a_dead_letter_shows_once_with_its_id_and_the_crms_words(loop: Loop, store: Store):
    lead_id = dead_letter_on_status(loop)
    (person,) = gather(store, lead_id)
    dead = [e for e in person.timeline if e.kind == "dead_letter"]
    assert len(dead) == 1
    assert dead[0].detail["error_code"] == "INVALID"
    assert "refused by validation rule" in dead[0].summary and "[open]" in dead[0].summary
    assert not any(e.kind == "error" and "dead letter" in e.summary for e in person.timeline)


def test_writes_still_waiting_are_listed(loop: Loop, store: Store):
    lead_id = loop.handed_off_pair("101")
    loop.salesforce.fail_next = 100  # every write is told to come back later
    loop.hubspot.ui_set("101", lifecyclestage="salesqualifiedlead")
    loop.deliver(loop.hubspot.take_events())
    loop.worker.run_once()
    (person,) = gather(store, lead_id)
    (waiting,) = person.pending
    assert waiting.fields == {"Status": "Working - Contacted"}
    assert waiting.attempts == 1 and "429" in (waiting.last_error or "")


def test_an_unlinked_record_says_so(loop: Loop, store: Store):
    loop.hubspot.ui_set("55", lifecyclestage="lead")
    loop.settle()
    text = explain_text("55", gather(store, "55"))
    assert text.splitlines()[0] == "Record hubspot:contact:55 (not linked to the other CRM)"
    assert "  hubspot:contact:55: lifecyclestage='lead' (as of " in text


def test_unknown_people_give_nothing(loop: Loop, store: Store):
    loop.handed_off_pair("101")
    assert gather(store, "someone@else.nl") == []
    assert gather(store, "999") == []


# -- rendering (pure) -----------------------------------------------------------------------

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def sample() -> Explanation:
    return Explanation(
        link={
            "id": 7,
            "hubspot_contact_id": "1001",
            "salesforce_lead_id": "00Q000000000001AAA",
            "salesforce_contact_id": None,
            "has_email_hash": True,
            "created_at": T0.isoformat(),
            "updated_at": T0.isoformat(),
        },
        record_keys=("hubspot:contact:1001", "salesforce:lead:00Q000000000001AAA"),
        states=[
            KnownState(
                "hubspot:contact:1001",
                {"lifecyclestage": "marketingqualifiedlead"},
                T0,
                {},
                None,
                False,
                T0,
            )
        ],
        timeline=[
            TimelineEntry(
                T0,
                "event",
                "hubspot:contact:1001",
                "hubspot contact.propertyChange (updated) -> done: hand-off",
                {"occurred_at": (T0 - timedelta(seconds=3)).isoformat(), "changes": {}},
            ),
            TimelineEntry(
                T0 + timedelta(seconds=1),
                "dead_letter",
                "salesforce:lead:00Q000000000001AAA",
                "dead letter #3: refused",
                {"id": 3},
            ),
        ],
        pending=[
            PendingWrite(
                9, "salesforce set_stage Lead 00Q…: Status='Working'", {}, 2, T0, "HTTP 503"
            )
        ],
    )


def test_text_names_both_sides_and_reads_top_to_bottom():
    text = explain_text("1001", [sample()])
    lines = text.splitlines()
    assert lines[0] == (
        "Person: HubSpot contact 1001 <-> Salesforce Lead 00Q000000000001AAA  [link #7]"
    )
    assert "  hubspot:contact:1001: lifecyclestage='marketingqualifiedlead' (as of " in text
    event = next(line for line in lines if "contact.propertyChange" in line)
    assert event.startswith("  2026-03-02 09:30:00Z  event HS/contact  ")
    assert event.endswith("(occurred 2026-03-02 09:29:57Z)")
    assert lines.index(event) < next(i for i, x in enumerate(lines) if "DEAD  SF/lead" in x)
    assert "  #9 salesforce set_stage Lead 00Q…: Status='Working' (attempts 2," in text
    assert "last error: HTTP 503" in text


def test_several_people_are_counted_first():
    text = explain_text("e-mail (hash ab…)", [sample(), sample()])
    assert text.startswith("2 people found for e-mail (hash ab…)\n\nPerson:")


def test_json_has_every_part_with_iso_times():
    data = json.loads(explain_json("1001", [sample()]))
    (person,) = data["people"]
    assert person["link"]["id"] == 7
    assert [e["kind"] for e in person["timeline"]] == ["event", "dead_letter"]
    assert person["timeline"][0]["at"] == "2026-03-02T09:30:00+00:00"
    assert person["pending_writes"][0]["last_error"] == "HTTP 503"
    assert person["states"][0]["values"] == {"lifecyclestage": "marketingqualifiedlead"}


def test_addresses_are_hidden_in_every_output(loop: Loop, store: Store):
    loop.handed_off_pair("101")
    found = gather(store, "101")
    assert "101@acme.nl" not in explain_json("101", found)
    assert "101@acme.nl" not in explain_text("101", found)
