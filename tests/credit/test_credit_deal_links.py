"""The HubSpot deals of an opportunity: searched until found, then read by id (real store)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from connector.jobs.credit.deal_links import hubspot_deals
from connector.ports import CrmRecord

OPP, PROP = "0068d0000000001AAA", "salesforce_opportunity_id"
NOW = datetime(2026, 12, 3, 13, 0, tzinfo=UTC)


class Deals:
    """Deals by id with their link property; search answers late (eventually consistent)."""

    def __init__(self) -> None:
        self.links: dict[str, str] = {}
        self.indexed = False  # the search index has not caught up yet
        self.searches = 0
        self.reads: list[list[str]] = []

    def deals_for_opportunity(self, opportunity_id: str, prop: str) -> list[str]:
        self.searches += 1
        if not self.indexed:
            return []
        return sorted(d for d, value in self.links.items() if value == opportunity_id)

    def read(self, object_type: str, ids: Sequence[str], fields: Sequence[str]) -> dict:
        assert object_type == "deals" and list(fields) == [PROP]
        self.reads.append(list(ids))
        return {i: CrmRecord("deals", i, {PROP: self.links[i]}) for i in ids if i in self.links}


def test_deals_are_searched_until_found_then_read_by_id(store):
    portal = Deals()
    portal.links["9001"] = OPP
    with store.session() as session:
        assert hubspot_deals(session, portal, OPP, PROP, NOW) == [], "not indexed yet"
        portal.indexed = True
        assert hubspot_deals(session, portal, OPP, PROP, NOW) == ["9001"]
        assert portal.searches == 2, "an empty answer is not kept: searched again"
    with store.session() as session:
        for _ in range(3):
            assert hubspot_deals(session, portal, OPP, PROP, NOW) == ["9001"]
    assert portal.searches == 2, "found once: never searched again"
    assert portal.reads == [["9001"]] * 3, "read by id instead (consistent, no search limit)"


def test_a_deal_that_no_longer_holds_the_id_sends_the_job_back_to_search(store):
    portal = Deals()
    portal.indexed = True
    portal.links.update({"9001": OPP})
    with store.session() as session:
        assert hubspot_deals(session, portal, OPP, PROP, NOW) == ["9001"]
        portal.links["9001"] = "0068d0000000002AAA"  # re-linked to another opportunity
        portal.links["9002"] = OPP
        assert hubspot_deals(session, portal, OPP, PROP, NOW) == ["9002"]
        assert portal.searches == 2
        del portal.links["9002"]  # deleted, nothing holds the id any more
        assert hubspot_deals(session, portal, OPP, PROP, NOW) == []
        assert portal.searches == 3
