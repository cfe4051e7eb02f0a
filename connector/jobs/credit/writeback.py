"""What the primary model's credit looks like in the CRMs (pure).

- **HubSpot deal properties** (``credit.writeback.hubspot_deal_properties``): a summary of the
  credit by channel and campaign in the deal currency, the channel with the most credit (ties:
  the earlier one on the timeline), and when it was computed. Reversal clears all three.
- **Salesforce CampaignInfluence** rows, one per (campaign, contact) of the Salesforce campaign
  responses that got credit: ``Influence`` is the percent of the Amount credited to it, in whole
  hundredths of a percent by largest remainder (the part credited elsewhere — HubSpot touches,
  the no-marketing-touch bucket — is what the rows leave out). Salesforce derives RevenueShare.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from connector.config.models.credit import HubSpotDealProperties
from connector.jobs.credit.allocation import apportion
from connector.jobs.credit.compute import Attribution
from connector.jobs.credit.currency import format_minor
from connector.jobs.credit.touches import SALESFORCE

#: Influence is a percent with two decimals: 10,000 hundredths of a percent make the whole
_BASIS = 10_000
_SUMMARY_LIMIT = 1000


def credit_by_source(result: Attribution) -> dict[tuple[str, str | None], int]:
    """Minor units per (channel, campaign), in order of first appearance on the timeline."""
    totals: dict[tuple[str, str | None], int] = {}
    for share in result.shares:
        key = (share.channel, share.touch.campaign if share.touch else None)
        totals[key] = totals.get(key, 0) + share.minor
    return totals


def hubspot_properties(
    result: Attribution, names: HubSpotDealProperties, computed_at: datetime
) -> dict[str, str]:
    """The deal properties for ``result`` (see the module docstring)."""
    currency = result.amount.currency
    totals = credit_by_source(result)
    parts = [
        f"{channel}{f' ({campaign})' if campaign else ''}: {format_minor(minor, currency)}"
        for (channel, campaign), minor in totals.items()
    ]
    summary = f"{result.model}, {currency}: " + "; ".join(parts)
    by_channel = result.by_channel()
    top = max(by_channel, key=lambda channel: by_channel[channel])  # first of equals wins
    return {
        names.summary: summary[:_SUMMARY_LIMIT],
        names.top_channel: top,
        names.computed_at: computed_at.isoformat().replace("+00:00", "Z"),
    }


def hubspot_cleared(names: HubSpotDealProperties) -> dict[str, str]:
    """The deal properties emptied (a reversed deal)."""
    return {names.summary: "", names.top_channel: "", names.computed_at: ""}


def influence_rows(
    result: Attribution, contact_of: Mapping[str, str | None]
) -> tuple[dict[str, Any], ...]:
    """CampaignInfluence rows for the Salesforce touches with a campaign (module docstring).

    ``contact_of`` maps a CampaignMember id to its ContactId. With a zero amount every row has
    Influence 0.
    """
    minors: dict[tuple[str, str | None], int] = {}
    for share in result.shares:
        touch = share.touch
        if touch is None or touch.source != SALESFORCE or not touch.campaign:
            continue
        key = (touch.campaign, contact_of.get(touch.touch_id))
        minors[key] = minors.get(key, 0) + share.minor
    if not minors:
        return ()
    keys = sorted(minors, key=lambda k: (k[0], k[1] or ""))
    total = result.amount.minor
    if total == 0:
        points = [0] * len(keys)
    else:
        rest = total - sum(minors.values())
        points = apportion(_BASIS, [*(minors[k] for k in keys), rest])[:-1]
    return tuple(
        {
            "CampaignId": campaign,
            "ContactId": contact,
            "Influence": float(Decimal(point) / 100),
        }
        for (campaign, contact), point in zip(keys, points, strict=True)
    )
