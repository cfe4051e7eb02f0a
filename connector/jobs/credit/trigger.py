"""When a Salesforce opportunity earns credit, and when its credit is taken back (pure).

The event only says "look again": the job reads the opportunity's current state, so duplicate
and out-of-order deliveries (a stale "won" after a re-open) decide on the same, current facts.
``IsWon`` decides, never the stage label (stages are the org's own). A won opportunity is
(re)computed — a new ledger revision only when its inputs changed (amount, close date, contact
roles and their touches). A re-opened, lost or deleted one has its credit reversed, once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from connector.jobs.credit.touches import end_of_day, parse_moment

#: Opportunity fields the job reads
OPPORTUNITY_FIELDS = (
    "IsWon", "IsClosed", "StageName", "Amount", "CloseDate", "CreatedDate", "SystemModstamp",
)  # fmt: skip
#: the deal's currency in a multi-currency org (the field exists only there)
CURRENCY_FIELD = "CurrencyIsoCode"


class Action(StrEnum):
    """What the job does with the deal."""

    CREDIT = "credit"
    REVERSE = "reverse"
    NOTHING = "nothing"


@dataclass(frozen=True, slots=True)
class Deal:
    """The opportunity as read now (None: it no longer exists)."""

    won: bool
    amount: Decimal
    closed_won_at: datetime | None
    created_at: datetime | None
    #: ``CurrencyIsoCode`` in a multi-currency org; None: the org's one currency
    currency: str | None = None
    #: closed, won or lost (``IsClosed``; HubSpot ``hs_is_closed``): its journey is recorded
    closed: bool = False
    #: the end of ``CloseDate`` (UTC) when closed, won or lost: the journey's end
    closed_at: datetime | None = None
    #: ``StageName`` (HubSpot ``dealstage``): shown beside an open deal in the pipeline
    stage: str | None = None
    #: the CRM's change stamp (``SystemModstamp``, HubSpot ``hs_lastmodifieddate``): the
    #: pipeline never lets an older read overwrite a newer one
    modified_at: datetime | None = None
    #: the end of ``CloseDate`` whatever the state (an open deal's expected close)
    close_date: datetime | None = None

    @property
    def open(self) -> bool:
        """Not closed, won or lost: in the open pipeline."""
        return not self.closed

    @property
    def lost(self) -> bool:
        """Closed and not won (Salesforce ``IsClosed && !IsWon``, HubSpot ``closedlost``)."""
        return self.closed and not self.won


#: the HubSpot deal properties a HubSpot-only credit reads (HubSpot derives the won flag)
HUBSPOT_DEAL_FIELDS = (
    "amount", "closedate", "createdate", "hs_is_closed_won", "hs_is_closed", "dealstage",
    "hs_lastmodifieddate",
)  # fmt: skip


def deal_from_hubspot(properties: Mapping[str, Any] | None) -> Deal | None:
    """The deal from a HubSpot deal's properties (HubSpot alone: the deal is the opportunity)."""
    if properties is None:
        return None
    return deal_from_fields(
        {
            "IsWon": properties.get("hs_is_closed_won"),
            "IsClosed": properties.get("hs_is_closed"),
            "Amount": properties.get("amount") or None,
            "CloseDate": str(properties.get("closedate") or "")[:10] or None,
            "CreatedDate": properties.get("createdate"),
            "StageName": properties.get("dealstage"),
            "SystemModstamp": properties.get("hs_lastmodifieddate"),
        }
    )


def deal_from_fields(fields: Mapping[str, Any] | None) -> Deal | None:
    """The deal from its Opportunity fields; None when the opportunity is gone."""
    if fields is None:
        return None
    won = str(fields.get("IsWon")).lower() == "true"
    closed = won or str(fields.get("IsClosed")).lower() == "true"
    try:
        amount = Decimal(str(fields.get("Amount"))) if fields.get("Amount") is not None else None
    except InvalidOperation:
        amount = None
    return Deal(
        won=won,
        amount=amount if amount is not None and amount.is_finite() else Decimal(0),
        closed_won_at=end_of_day(fields.get("CloseDate")) if won else None,
        created_at=parse_moment(fields.get("CreatedDate")),
        currency=str(fields[CURRENCY_FIELD]).upper() if fields.get(CURRENCY_FIELD) else None,
        closed=closed,
        closed_at=end_of_day(fields.get("CloseDate")) if closed else None,
        stage=str(fields["StageName"])[:120] if fields.get("StageName") else None,
        modified_at=parse_moment(fields.get("SystemModstamp")),
        close_date=end_of_day(fields.get("CloseDate")),
    )


def decide(deal: Deal | None, *, credited: bool) -> Action:
    """Credit a won deal; reverse a credited one that is no longer won; else nothing."""
    if deal is not None and deal.won:
        return Action.CREDIT
    return Action.REVERSE if credited else Action.NOTHING
