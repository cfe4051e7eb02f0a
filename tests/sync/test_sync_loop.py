"""The whole sync loop (inbox → worker → rules → outbox → CRMs → echoes) on the real store."""

from __future__ import annotations

from sqlalchemy import select

from connector.jobs.lifecycle.processor import HOLD_REASON_PROPERTY
from connector.store.models import DeadLetter, InboxEvent, RecordLink
from tests.sync.harness import Loop, loop_config


def test_mql_is_handed_off_as_a_linked_lead_with_context(sqlite_store):
    loop = Loop(sqlite_store)
    lead_id = loop.handed_off_pair("101")
    lead = loop.salesforce.records[lead_id]
    assert lead["Status"] == "Open - Not Contacted"
    assert (lead["LastName"], lead["Company"], lead["Email"]) == (
        "Visser",
        "Acme BV",
        "101@acme.nl",
    )
    assert lead[loop.config.salesforce.hubspot_id_field] == "101"
    with sqlite_store.session() as s:
        link = s.scalars(select(RecordLink)).one()
        assert (link.hubspot_contact_id, link.salesforce_lead_id) == ("101", lead_id)
        assert link.email_hash and "@" not in link.email_hash  # no address kept in clear


def test_mql_failing_the_definition_is_held_back_with_a_reason(sqlite_store):
    loop = Loop(sqlite_store)
    loop.hubspot.ui_set("7", email="x@acme.nl", lastname="Bakker")  # no company
    loop.hubspot.ui_set("7", lifecyclestage="marketingqualifiedlead")
    loop.settle()
    assert loop.salesforce.records == {}
    assert loop.hubspot.records["7"][HOLD_REASON_PROPERTY] == "missing company"


def test_salesforce_status_moves_hubspot_backwards_by_clearing_first(sqlite_store):
    loop = Loop(sqlite_store)
    lead_id = loop.handed_off_pair()
    loop.salesforce.ui_set(lead_id, Status="Working - Contacted")
    loop.settle()
    assert loop.hubspot.records["101"]["lifecyclestage"] == "salesqualifiedlead"
    loop.salesforce.ui_set(lead_id, Status="Recycled")
    loop.settle()
    # the fake, like HubSpot, ignores a plain backwards write: this only lands via clear-then-set
    assert loop.hubspot.records["101"]["lifecyclestage"] == "lead"


def test_echoes_and_redeliveries_cause_no_further_writes(sqlite_store):
    loop = Loop(sqlite_store, duplicate_rate=1.0, shuffle=True)
    lead_id = loop.handed_off_pair()
    loop.salesforce.ui_set(lead_id, Status="Working - Contacted")
    loop.settle()
    settled = loop.commands()
    with sqlite_store.session() as s:  # replay every event Baton ever received
        events = s.scalars(select(InboxEvent)).all()
        for event in events:
            event.status = "pending"
    loop.settle()
    assert loop.commands() == settled
    assert loop.salesforce.calls + loop.hubspot.calls <= settled


def test_a_refused_write_becomes_a_dead_letter_with_the_crms_message(sqlite_store):
    loop = Loop(sqlite_store)
    lead_id = loop.handed_off_pair()
    loop.salesforce.dead_fields = {"Status"}
    loop.hubspot.ui_set("101", lifecyclestage="salesqualifiedlead")
    loop.settle()
    assert loop.salesforce.records[lead_id]["Status"] == "Open - Not Contacted"
    with sqlite_store.session() as s:
        (dead,) = s.scalars(select(DeadLetter)).all()
        assert (dead.error_code, dead.message) == ("INVALID", "refused by validation rule")


def test_transient_failures_are_retried_until_the_write_lands(sqlite_store):
    loop = Loop(sqlite_store)
    lead_id = loop.handed_off_pair()
    loop.salesforce.fail_next = 3
    loop.hubspot.ui_set("101", lifecyclestage="salesqualifiedlead")
    loop.settle()
    assert loop.salesforce.records[lead_id]["Status"] == "Working - Contacted"


def test_hubspot_as_source_of_truth_reverts_a_salesforce_change(sqlite_store):
    loop = Loop(sqlite_store, config=loop_config("hubspot_wins"))
    lead_id = loop.handed_off_pair()
    loop.salesforce.ui_set(lead_id, Status="Working - Contacted")
    loop.settle()
    assert loop.hubspot.records["101"]["lifecyclestage"] == "marketingqualifiedlead"
    assert loop.salesforce.records[lead_id]["Status"] == "Open - Not Contacted"


def test_salesforce_as_source_of_truth_reverts_a_hubspot_change(sqlite_store):
    loop = Loop(sqlite_store, config=loop_config("salesforce_wins"))
    lead_id = loop.handed_off_pair()
    loop.hubspot.ui_set("101", lifecyclestage="opportunity")
    loop.settle()
    assert loop.salesforce.records[lead_id]["Status"] == "Open - Not Contacted"
    assert loop.hubspot.records["101"]["lifecyclestage"] == "marketingqualifiedlead"


def test_newest_change_wins_whatever_order_the_events_arrive_in(sqlite_store):
    loop = Loop(sqlite_store, shuffle=True)
    lead_id = loop.handed_off_pair()
    loop.hubspot.ui_set("101", lifecyclestage="opportunity")  # earlier
    loop.salesforce.ui_set(lead_id, Status="Working - Contacted")  # later: must win
    loop.settle()
    assert loop.salesforce.records[lead_id]["Status"] == "Working - Contacted"
    assert loop.hubspot.records["101"]["lifecyclestage"] == "salesqualifiedlead"


def test_a_won_opportunity_makes_its_contacts_customers_and_never_moves_them_back(sqlite_store):
    from sqlalchemy import select as _select

    loop = Loop(sqlite_store)
    loop.handed_off_pair("101")
    with sqlite_store.session() as s:  # the lead was converted: the link follows the Contact
        link = s.scalars(_select(RecordLink)).one()
        link.salesforce_contact_id = "003000000000000001"
    loop.salesforce.win_opportunity("006000000000000001", ["003000000000000001"], "Closed Won")
    loop.settle()
    assert loop.hubspot.records["101"]["lifecyclestage"] == "customer"
    loop.salesforce.win_opportunity("006000000000000002", ["003000000000000001"], "Prospecting")
    loop.settle()
    assert loop.hubspot.records["101"]["lifecyclestage"] == "customer"


def test_an_unrelated_salesforce_edit_while_a_write_is_queued_reverts_nothing(sqlite_store):
    loop = Loop(sqlite_store)
    lead_id = loop.handed_off_pair("101")
    loop.hubspot.ui_set("101", lifecyclestage="salesqualifiedlead")
    loop.salesforce.ui_set(lead_id, Company="Acme Holding BV")  # its snapshot shows the old Status
    loop.settle()
    assert loop.hubspot.records["101"]["lifecyclestage"] == "salesqualifiedlead"
    assert loop.salesforce.records[lead_id]["Status"] == "Working - Contacted"


def test_a_queued_write_is_retired_when_its_target_changes_later(sqlite_store):
    loop = Loop(sqlite_store)
    lead_id = loop.handed_off_pair("101")
    loop.salesforce.writes.clear()
    loop.hubspot.ui_set("101", lifecyclestage="salesqualifiedlead")  # earlier
    loop.salesforce.ui_set(lead_id, Status="Qualified")  # later, by the rep
    loop.settle()
    assert loop.salesforce.records[lead_id]["Status"] == "Qualified"
    assert loop.hubspot.records["101"]["lifecyclestage"] == "opportunity"
    # the rep's value was never overwritten, not even for a moment
    assert [fields.get("Status") for _, fields in loop.salesforce.writes] == []
