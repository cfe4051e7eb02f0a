"""The open-pipeline recorder: its rules (pure) and the credit job's step on a real store.

The rules: which read changes a deal's row (open, closed, re-opened, an older read), and the
marketing flags from a timeline. The job: an open opportunity enters with its amount, stage and
flags; a repeat read of the same change costs no timeline reads; an older read never re-opens a
newer close; won, lost and deleted deals leave; a re-opened one enters again; with HubSpot alone
the HubSpot deal is the row.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from credit_testing import CLOSE, deal_handler, timeline, touch

from connector.commands import System
from connector.config import default_config, with_changes
from connector.events import Source
from connector.jobs.base import DONE, SKIPPED
from connector.jobs.credit.pipeline_rules import Recorded, Step, flags, state_of, step
from connector.jobs.credit.trigger import deal_from_fields
from connector.ports import CrmRecord
from connector.store import Store
from connector.store.models import PipelineDeal, RecordLink

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
NOW = datetime(2026, 12, 3, 13, 0, tzinfo=UTC)

# -- pure: the steps ------------------------------------------------------------------------------


def test_an_open_deal_enters_a_closed_one_it_never_saw_stays_out():
    assert step(None, "open", T0) is Step.ENTER
    for state in ("won", "lost", "deleted"):
        assert step(None, state, T0) is Step.NOTHING, state


def test_newer_reads_update_close_and_reopen_older_ones_change_nothing():
    open_row = Recorded("open", T0)
    assert step(open_row, "open", T0 + timedelta(minutes=1)) is Step.UPDATE
    assert step(open_row, "open", T0) is Step.UPDATE  # same stamp: the store skips the reads
    assert step(open_row, "won", T0 + timedelta(minutes=1)) is Step.LEAVE
    assert step(open_row, "deleted", T0 + timedelta(minutes=1)) is Step.LEAVE
    won = Recorded("won", T0 + timedelta(hours=1))
    assert step(won, "open", T0) is Step.OLDER, "a late 'open' never re-opens a newer close"
    assert step(won, "open", T0 + timedelta(hours=2)) is Step.ENTER, "re-opened after the close"
    assert step(won, "won", T0 + timedelta(hours=2)) is Step.NOTHING
    assert step(won, "lost", T0 + timedelta(hours=2)) is Step.LEAVE  # the state follows quietly


def test_the_state_comes_from_the_won_and_closed_flags():
    def read(**fields: Any):
        return deal_from_fields({"Amount": 10, "CloseDate": "2026-12-20", **fields})

    assert state_of(None) == "deleted"
    assert state_of(read(IsWon=False, IsClosed=False)) == "open"
    assert state_of(read(IsWon=False, IsClosed=True)) == "lost"
    assert state_of(read(IsWon=True, IsClosed=True)) == "won"
    found = read(IsWon=False, IsClosed=False, StageName="Proposal",
                 SystemModstamp="2026-12-01T09:00:00.000+0000")  # fmt: skip
    assert found is not None and found.stage == "Proposal" and found.modified_at == T0
    assert found.close_date == datetime(2026, 12, 20, 23, 59, 59, 999999, tzinfo=UTC)


def test_flags_read_the_touches_within_the_lookback_before_now():
    line = timeline(
        [touch("a", 30, "paid_search"), touch("b", 20, "webinar"), touch("c", 10, "webinar")]
    )
    found = flags(line, CLOSE, 365)
    assert (found.sourced, found.influenced, found.top_channel) == (True, True, "webinar")
    assert flags(line, CLOSE + timedelta(days=400), 365).influenced is False, "all too old"
    nothing = flags(timeline([]), CLOSE, 365)
    assert (nothing.sourced, nothing.influenced, nothing.top_channel) == (False, False, None)


# -- the job on a real store ------------------------------------------------------------------

OPP, CONTACT, HS_CONTACT = "0068d0000000009AAA", "0038d0000000009AAA", "509"


class Org:
    """One opportunity whose contact responded to a webinar; counts the reads it answers."""

    system = System.SALESFORCE

    def __init__(self) -> None:
        self.reads: list[str] = []
        self.opportunity: dict[str, Any] | None = {
            "IsWon": False, "IsClosed": False, "StageName": "Prospecting", "Amount": "1250.50",
            "CloseDate": "2026-12-20", "CreatedDate": "2026-11-20T10:00:00.000+0000",
            "SystemModstamp": "2026-12-01T09:00:00.000+0000",
        }  # fmt: skip

    def change(self, minutes: int, **fields: Any) -> None:
        assert self.opportunity is not None
        stamp = (T0 + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%S.000+0000")
        self.opportunity.update(fields, SystemModstamp=stamp)

    def read(self, object_type: str, ids: Sequence[str], fields: Sequence[str]) -> dict:
        self.reads.append(object_type)
        if self.opportunity is None:
            return {}
        return {OPP: CrmRecord("Opportunity", OPP, dict(self.opportunity))}

    def contacts_of_opportunity(self, opportunity_id: str) -> list[str]:
        self.reads.append("OpportunityContactRole")
        return [CONTACT]

    def campaign_responses(self, contact_ids: tuple[str, ...]) -> list[dict[str, Any]]:
        self.reads.append("CampaignMember")
        return [{"Id": "00v9", "CampaignId": "7019", "ContactId": CONTACT,
                 "FirstRespondedDate": "2026-11-25", "CampaignType": "Webinar"}]  # fmt: skip


class Portal:
    system = System.HUBSPOT

    def __init__(self) -> None:
        self.reads: list[str] = []

    def read(self, object_type: str, ids: Sequence[str], fields: Sequence[str]) -> dict:
        self.reads.append(object_type)
        properties = {"hs_analytics_source": "PAID_SEARCH",
                      "hs_analytics_first_timestamp": "2026-11-10T08:00:00.000Z"}  # fmt: skip
        return {HS_CONTACT: CrmRecord("contacts", HS_CONTACT, properties)}


def _handler(store: Store, config: Any, readers: dict[System, Any], source: Source):
    return deal_handler(store, config, readers, source, NOW)


def _row(store: Store, deal_id: str = OPP) -> PipelineDeal | None:
    with store.session() as session:
        found = session.get(PipelineDeal, deal_id)
        if found is not None:
            session.expunge(found)
        return found


def test_an_open_opportunity_enters_leaves_when_won_and_never_reopens_from_an_older_read(store):
    org, portal = Org(), Portal()
    with store.session() as session:
        session.add(RecordLink(hubspot_contact_id=HS_CONTACT, salesforce_contact_id=CONTACT))
    handle = _handler(store, default_config(), {System.SALESFORCE: org, System.HUBSPOT: portal},
                      Source.SALESFORCE)  # fmt: skip

    entered = handle(OPP)
    assert entered.status == DONE and entered.commands == ()
    assert entered.audit == (
        f"pipeline: deal {OPP} entered the open pipeline, 1250.50 EUR (sourced, influenced)",
    )
    row = _row(store)
    assert row is not None
    assert (row.system, row.state, row.amount_minor, row.currency, row.stage) == (
        "salesforce", "open", 125050, "EUR", "Prospecting",
    )  # fmt: skip
    # one paid-search source touch (HubSpot) and one webinar response: a tie, first by name
    assert (row.sourced, row.influenced, row.top_channel) == (True, True, "paid_search")
    assert row.opened_at == datetime(2026, 11, 20, 10, 0, tzinfo=UTC), "from CreatedDate"
    assert row.left_at is None and row.modified_at == T0
    # one Opportunity read, then the timeline: contact roles, responses, the HubSpot contact
    assert org.reads == ["Opportunity", "OpportunityContactRole", "CampaignMember"]
    assert portal.reads == ["contacts"]

    org.reads.clear(), portal.reads.clear()
    assert handle(OPP).status == SKIPPED, "a repeat of the same change writes nothing"
    assert org.reads == ["Opportunity"] and portal.reads == [], "and reads no timeline"

    # a contact role changed (the poller's event): the touches, not the opportunity's stamp
    org.reads.clear()
    role = handle(OPP, {"OpportunityId": OPP, "OpportunityContactRoleId": "00K9"})
    assert role.audit == (
        f"pipeline: deal {OPP} updated in the open pipeline, 1250.50 EUR (sourced, influenced)",
    )
    assert org.reads == ["Opportunity", "OpportunityContactRole", "CampaignMember"], (
        "the same SystemModstamp, but the touches are read again"
    )

    org.change(30, Amount="2000", StageName="Proposal")
    assert "updated in the open pipeline, 2000.00 EUR" in handle(OPP).audit[0]
    assert (_row(store).amount_minor, _row(store).stage) == (200000, "Proposal")  # type: ignore[union-attr]

    org.change(60, IsWon=True, IsClosed=True, StageName="Closed Won")
    won = handle(OPP)
    assert won.audit[0] == f"pipeline: deal {OPP} left the open pipeline (won)"
    assert any(line.startswith("credit: opportunity") for line in won.audit), "credit as before"
    row = _row(store)
    assert row is not None and row.state == "won" and row.left_at == T0 + timedelta(minutes=60)

    # a read racing from before the win (an older SystemModstamp) does not re-open it
    org.change(45, IsWon=False, IsClosed=False, StageName="Proposal")
    assert not any(line.startswith("pipeline:") for line in handle(OPP).audit)
    assert _row(store).state == "won"  # type: ignore[union-attr]

    org.change(90, IsWon=False, IsClosed=False, StageName="Negotiation")
    reopened = handle(OPP)
    assert reopened.audit[0].startswith(f"pipeline: deal {OPP} entered the open pipeline")
    row = _row(store)
    assert row is not None and row.state == "open" and row.left_at is None
    assert row.opened_at == T0 + timedelta(minutes=90), "in the pipeline again from the re-open"

    org.opportunity = None
    assert handle(OPP).audit[0] == f"pipeline: deal {OPP} left the open pipeline (deleted)"
    row = _row(store)
    assert row is not None and row.state == "deleted" and row.left_at == NOW


def test_a_lost_deal_leaves_and_an_uncountable_amount_is_said_not_stored(store):
    org, portal = Org(), Portal()
    handle = _handler(store, default_config(), {System.SALESFORCE: org, System.HUBSPOT: portal},
                      Source.SALESFORCE)  # fmt: skip
    org.change(0, Amount="12.345")  # three decimals: not a euro amount
    refused = handle(OPP)
    assert refused.audit == (
        f"pipeline: deal {OPP} not counted: amount 12.345 not countable in EUR: "
        "12.345 has more than the 2 decimal(s) EUR allows",
    )
    assert _row(store) is None
    org.change(10, Amount="800")
    handle(OPP)
    row = _row(store)
    assert row is not None and row.amount_minor == 80000
    assert (row.sourced, row.influenced, row.top_channel) == (True, True, "webinar"), (
        "no HubSpot link: the contact role's campaign response alone"
    )
    org.change(20, IsClosed=True, StageName="Closed Lost")
    lost = handle(OPP)
    assert lost.audit[0] == f"pipeline: deal {OPP} left the open pipeline (lost)"


def test_hubspot_alone_the_deal_is_the_row(store):
    deal = "9001"

    class Deals:
        system = System.HUBSPOT

        def read(self, object_type: str, ids: Sequence[str], fields: Sequence[str]) -> dict:
            if object_type == "deals":
                properties = {"amount": "300", "closedate": "2026-12-24T00:00:00Z",
                              "createdate": "2026-11-30T08:00:00Z", "hs_is_closed": "false",
                              "hs_is_closed_won": "false", "dealstage": "appointmentscheduled",
                              "hs_lastmodifieddate": "2026-12-01T09:00:00Z"}  # fmt: skip
                return {deal: CrmRecord("deals", deal, properties)}
            properties = {"hs_analytics_source": "ORGANIC_SEARCH",
                          "hs_analytics_first_timestamp": "2026-11-28T08:00:00.000Z"}  # fmt: skip
            return {"77": CrmRecord("contacts", "77", properties)}

        def associated_ids(self, from_type: str, from_id: str, to_type: str) -> list[str]:
            return ["77"]

    config = with_changes(default_config(), {"salesforce.enabled": False})
    handle = _handler(store, config, {System.HUBSPOT: Deals()}, Source.HUBSPOT)
    assert handle(deal).status == DONE
    row = _row(store, deal)
    assert row is not None
    assert (row.system, row.stage, row.amount_minor, row.modified_at) == (
        "hubspot", "appointmentscheduled", 30000, T0,
    )  # fmt: skip
    assert (row.sourced, row.influenced, row.top_channel) == (True, True, "organic_search")
