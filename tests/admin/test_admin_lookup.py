"""Understanding what the admin typed, and finding the person it names."""

from __future__ import annotations

import pytest

from connector.admin.lookup import QueryError, find_people, parse_query
from connector.knowledge import email_hash
from connector.store import Store
from connector.store.models import InboxEvent, RecordLink
from tests.sync.harness import Loop


def test_an_address_becomes_its_hash_never_a_key():
    query = parse_query("  Ann.Visser@Acme.NL ")
    assert query.email_hash == email_hash("ann.visser@acme.nl")
    assert query.record_key is None
    assert "acme" not in query.label  # the address is not echoed back


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("1001", "hubspot:contact:1001"),
        ("00Q000000000001AAA", "salesforce:lead:00Q000000000001AAA"),
        ("003000000000002AAA", "salesforce:contact:003000000000002AAA"),
        ("salesforce:lead:00Qabc", "salesforce:lead:00Qabc"),
        ("hubspot:deal:77", "hubspot:deal:77"),
    ],
)
def test_ids_and_keys_name_one_record(text, key):
    assert parse_query(text).record_key == key


def test_a_15_character_salesforce_id_is_completed_to_18():
    # per 5-character chunk, one letter encoding which characters are upper case:
    # "00Q5e" -> Q (bit 2) = E; "00000" -> A; "AbCdE" -> bits 0, 2, 4 = 21 = V
    assert parse_query("00Q5e00000AbCdE").record_key == "salesforce:lead:00Q5e00000AbCdEEAV"


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("001000000000001AAA", "Lead (00Q…) or Contact (003…)"),
        ("ann@", "not an e-mail address"),
        ("a@b@c", "not an e-mail address"),
        ("hubspot:planet:1", "not a record type"),
        ("Ann Visser", "HubSpot contact id (digits)"),
        ("", "HubSpot contact id (digits)"),
    ],
)
def test_anything_else_is_refused_with_what_is_accepted(text, says):
    with pytest.raises(QueryError, match=says.replace("(", r"\(").replace(")", r"\)")):
        parse_query(text)


def test_people_are_found_by_email_hubspot_id_and_salesforce_id(store: Store):
    loop = Loop(store)
    lead_id = loop.handed_off_pair("101")
    keys = ("hubspot:contact:101", f"salesforce:lead:{lead_id}")
    with store.session() as session:
        for text in ("101@ACME.nl", "101", lead_id, f"salesforce:lead:{lead_id}"):
            (person,) = find_people(session, parse_query(text))
            assert person.record_keys == keys
            assert person.link is not None


def test_an_unlinked_record_is_found_when_baton_has_seen_it(store: Store):
    loop = Loop(store)
    loop.hubspot.ui_set("55", lifecyclestage="lead")  # not a hand-off: no link is made
    loop.settle()
    with store.session() as session:
        (person,) = find_people(session, parse_query("55"))
        assert (person.link, person.record_keys) == (None, ("hubspot:contact:55",))
        assert find_people(session, parse_query("56")) == []
        assert find_people(session, parse_query("nobody@acme.nl")) == []


def test_one_address_on_two_people_finds_both(store: Store):
    digest = email_hash("shared@acme.nl")
    with store.session() as session:
        session.add(RecordLink(hubspot_contact_id="1", email_hash=digest))
        session.add(RecordLink(hubspot_contact_id="2", email_hash=digest))
    with store.session() as session:
        people = find_people(session, parse_query("shared@acme.nl"))
        assert [p.record_keys for p in people] == [("hubspot:contact:1",), ("hubspot:contact:2",)]
        assert session.query(InboxEvent).count() == 0
