"""Which HubSpot deals carry a Salesforce opportunity's credit: searched once, then read by id.

HubSpot's search is eventually consistent and limited to about 5 requests per second per
portal, and the credit job needs the deals at every write-back (a new revision, a reversal).
So the deals are searched (``deals_for_opportunity``) only until some are found; they are then
kept in ``credit_deal_links`` and afterwards **read by id** (batch read: consistent, outside the
search limit) to check each still holds the opportunity id in the link property. When none
does any more (the property was changed or the deals deleted) the search runs again. An empty
search answer is never kept: a deal found late gets its credit at the next write-back.
A second deal linked to the same opportunity after the first was found is not picked up while
the first still holds the id (deal syncs link one deal per opportunity).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from connector.store.models import CreditDealLink


def hubspot_deals(
    session: Session, hubspot: Any, opportunity_id: str, link_property: str, at: datetime
) -> list[str]:
    """The HubSpot deals whose ``link_property`` holds ``opportunity_id`` (see module doc)."""
    row = session.get(CreditDealLink, opportunity_id)
    if row is not None and row.hubspot_deal_ids:
        known = [str(i) for i in row.hubspot_deal_ids]
        found = hubspot.read("deals", known, [link_property])
        still = [
            deal
            for deal in known
            if deal in found
            and str(found[deal].fields.get(link_property) or "").strip() == opportunity_id
        ]
        if still:
            if still != known:
                row.hubspot_deal_ids = still
            return still
    find = getattr(hubspot, "deals_for_opportunity", None)
    deals = list(find(opportunity_id, link_property)) if find is not None else []
    if deals and row is None:
        session.add(CreditDealLink(opportunity_id=opportunity_id, hubspot_deal_ids=deals,
                                   found_at=at))  # fmt: skip
    elif row is not None:
        row.hubspot_deal_ids, row.found_at = deals, at
    return deals
