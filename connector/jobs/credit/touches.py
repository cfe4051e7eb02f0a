"""CRM rows → touches and milestones (pure): what the credit job hands to ``build_timeline``.

Ids and codes only: a touch is named by its CRM id, its channel is a code (the campaign's Type,
HubSpot's source value, ``form_submission``), its campaign a campaign id. Names, e-mails and
URLs are never copied.

- **Salesforce campaign responses**: one touch per CampaignMember with ``HasResponded``, at its
  ``FirstRespondedDate`` (a date: the start of that day, UTC), channel the campaign's Type.
- **HubSpot source properties**: the original source (``hs_analytics_source`` at
  ``hs_analytics_first_timestamp``) and the latest source (``hs_latest_source`` at
  ``hs_latest_source_timestamp``) of each linked contact; the latest is the same touch as the
  original when both name the same moment and source.
- **HubSpot form submissions**: the first and the most recent conversion
  (``first_conversion_date``, ``recent_conversion_date``): HubSpot keeps these two on the
  contact; earlier submissions in between are not read.
- **The same interaction seen by both CRMs** (``merge_same_person``): a HubSpot form submission
  and a Salesforce campaign response of the same person on the same UTC day are one touch —
  the form handler or HubSpot's Salesforce integration adds a form's submitter to the campaign.
  The Salesforce response is kept (it carries the campaign, which the CampaignInfluence rows
  need) at the form's exact time (a response has only a date).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, time
from typing import Any

from connector.jobs.credit.timeline import Milestone, MilestoneAt, Touch, TouchKey

SALESFORCE, HUBSPOT = "salesforce", "hubspot"
FORM_SUBMISSION = "form_submission"
#: contact properties read for the HubSpot touches and the MQL milestone
SOURCE_PROPERTIES = (
    "hs_analytics_source",
    "hs_analytics_first_timestamp",
    "hs_latest_source",
    "hs_latest_source_timestamp",
)
FORM_PROPERTIES = ("first_conversion_date", "recent_conversion_date")
_CODE = re.compile(r"[^a-z0-9]+")


#: the kinds of touch a HubSpot contact's own properties give; a touch id is "<contact id>:<kind>"
HUBSPOT_TOUCH_KINDS = ("original_source", "latest_source", "first_conversion", "recent_conversion")


def channel_code(value: object, default: str = "other") -> str:
    """A channel as a short lower-case code: ``Paid Search`` / ``PAID_SEARCH`` → ``paid_search``."""
    code = _CODE.sub("_", str(value or "").strip().lower()).strip("_")
    return (code or default)[:64]


def parse_moment(value: object) -> datetime | None:
    """A CRM time as aware UTC: ISO 8601 (``Z``/offset, Salesforce's ``+0000``), epoch ms, or a
    date (the start of that day, UTC). None for anything else, out-of-range values included (a
    CRM value must never fail the event on every retry)."""
    try:
        return _parse_moment(value)
    except (ValueError, OverflowError, OSError):
        return None


def _parse_moment(value: object) -> datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value / 1000, UTC)
    text = str(value).strip()
    if text.isdigit():
        return datetime.fromtimestamp(int(text) / 1000, UTC)
    if len(text) == 10:
        try:
            return datetime.combine(date.fromisoformat(text), time(), UTC)
        except ValueError:
            return None
    text = text.replace("Z", "+00:00")
    if re.search(r"[+-]\d{4}$", text):
        text = f"{text[:-2]}:{text[-2:]}"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo else None


def end_of_day(value: object) -> datetime | None:
    """A Salesforce date (CloseDate) as the last microsecond of that day, UTC."""
    start = parse_moment(value)
    if start is None:
        return None
    return datetime.combine(start.date(), time.max, UTC)


def response_touches(rows: Iterable[Mapping[str, Any]]) -> list[Touch]:
    """One touch per responded CampaignMember row (rows without a response date are skipped)."""
    touches = []
    for row in rows:
        at = parse_moment(row.get("FirstRespondedDate"))
        if at is None or not row.get("Id"):
            continue
        campaign = row.get("CampaignId")
        touches.append(
            Touch(
                at=at,
                channel=channel_code(row.get("CampaignType")),
                campaign=str(campaign) if campaign else None,
                source=SALESFORCE,
                touch_id=str(row["Id"]),
            )
        )
    return touches


def hubspot_touches(
    contact_id: str, properties: Mapping[str, Any], *, sources: bool, forms: bool
) -> list[Touch]:
    """The touches a HubSpot contact's own properties record (see the module docstring)."""
    touches: list[Touch] = []
    if sources:
        original = _touch(
            contact_id,
            "original_source",
            properties,
            "hs_analytics_first_timestamp",
            "hs_analytics_source",
        )
        latest = _touch(
            contact_id,
            "latest_source",
            properties,
            "hs_latest_source_timestamp",
            "hs_latest_source",
        )
        touches += [t for t in (original, latest) if t is not None]
        if original and latest and (original.at, original.channel) == (latest.at, latest.channel):
            touches.remove(latest)
    if forms:
        first = _touch(contact_id, "first_conversion", properties, "first_conversion_date", None)
        recent = _touch(contact_id, "recent_conversion", properties, "recent_conversion_date", None)
        touches += [t for t in (first, recent) if t is not None]
        if first and recent and first.at == recent.at:
            touches.remove(recent)
    return touches


def _touch(
    contact_id: str,
    kind: str,
    properties: Mapping[str, Any],
    time_property: str,
    channel_property: str | None,
) -> Touch | None:
    at = parse_moment(properties.get(time_property))
    if at is None:
        return None
    channel = (
        channel_code(properties.get(channel_property)) if channel_property else FORM_SUBMISSION
    )
    return Touch(at, channel, None, HUBSPOT, f"{contact_id}:{kind}")


def merge_same_person(touches: Sequence[Touch], person_of: Mapping[TouchKey, str]) -> list[Touch]:
    """Fold each HubSpot form submission into a Salesforce campaign response of the same person
    (``person_of``: touch key → a person id common to both CRMs) on the same UTC day.

    Pairs are made in timeline order, each response with at most one submission, so the result
    does not depend on the order the touches came in. Unpaired touches are left as they are.
    """
    ordered = sorted(touches, key=lambda t: t.order)
    responses: dict[tuple[str, date], list[Touch]] = {}
    for touch in ordered:
        person = person_of.get(touch.key)
        if touch.source == SALESFORCE and person:
            responses.setdefault((person, touch.at.date()), []).append(touch)
    merged: dict[TouchKey, Touch] = {}
    folded: set[TouchKey] = set()
    for touch in ordered:
        person = person_of.get(touch.key)
        if touch.source != HUBSPOT or touch.channel != FORM_SUBMISSION or not person:
            continue
        waiting = responses.get((person, touch.at.date()))
        if not waiting:
            continue
        response = waiting.pop(0)
        merged[response.key] = replace(response, at=touch.at)  # same day, the exact moment
        folded.add(touch.key)
    return [merged.get(t.key, t) for t in ordered if t.key not in folded]


def milestones(
    *,
    lead_creation: datetime | None,
    mql: datetime | None,
    opportunity_created: datetime | None,
    closed_won: datetime | None,
) -> list[MilestoneAt]:
    """The milestones that were reached (absent ones are simply left out)."""
    reached = (
        (Milestone.LEAD_CREATION, lead_creation),
        (Milestone.MQL, mql),
        (Milestone.OPPORTUNITY_CREATION, opportunity_created),
        (Milestone.CLOSED_WON, closed_won),
    )
    return [MilestoneAt(kind, at) for kind, at in reached if at is not None]
