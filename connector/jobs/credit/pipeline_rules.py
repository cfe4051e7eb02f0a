"""Open-pipeline rules (pure): a deal's marketing flags and whether a read changes its row.

- **Flags.** ``influenced``: a marketing touch on the deal's credit timeline within
  ``credit.lookback_days`` before now. ``sourced``: the timeline's first touch in that window
  is a marketing touch — the definition of marketing-sourced revenue (docs/scorecard.md), so
  a deal is counted the same way before and after it is won. Every timeline touch is a
  marketing touch (campaign responses, HubSpot sources and forms), so today a deal with a
  touch is both.
- **Order.** The credit job reads the deal as it is now, so a stale or repeated delivery reads
  the same facts. Two reads racing (a poll and an outbound message on two workers) are ordered
  by the CRM's change stamp: a read older than the recorded one changes nothing, so a late
  "open" never re-opens a newer close.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from connector.jobs.credit.timeline import Timeline
from connector.jobs.credit.trigger import Deal

OPEN = "open"


@dataclass(frozen=True, slots=True)
class Flags:
    """What marketing did for an open deal."""

    sourced: bool
    influenced: bool
    #: the channel with the most touches in the window (ties: the first by name)
    top_channel: str | None


def flags(timeline: Timeline, now: datetime, lookback_days: int) -> Flags:
    """The deal's marketing flags from its credit timeline, as of ``now``."""
    since = now - timedelta(days=lookback_days)
    window = [touch for touch in timeline.touches if since <= touch.at <= now]
    counts = Counter(touch.channel for touch in window)
    top = min(counts, key=lambda channel: (-counts[channel], channel)) if counts else None
    return Flags(sourced=bool(window), influenced=bool(window), top_channel=top)


def state_of(deal: Deal | None) -> str:
    """``open``, ``won``, ``lost`` or ``deleted`` (the opportunity is gone)."""
    if deal is None:
        return "deleted"
    if deal.won:
        return "won"
    return "lost" if deal.closed else OPEN


class Step(StrEnum):
    """What a read does to the deal's pipeline row."""

    ENTER = "enter"  # open, first seen (or open again after a close): write the row
    UPDATE = "update"  # still open, newer facts: write the row
    LEAVE = "leave"  # closed or deleted after being open: stamp ``left_at``
    NOTHING = "nothing"  # never seen open and not open now, or a repeat of the same state
    OLDER = "older"  # older than the recorded read: ignored


@dataclass(frozen=True, slots=True)
class Recorded:
    """The row's state as stored."""

    state: str
    modified_at: datetime


def step(recorded: Recorded | None, state: str, modified_at: datetime) -> Step:
    """What a read of the deal in ``state``, stamped ``modified_at``, does to its row."""
    if recorded is None:
        return Step.ENTER if state == OPEN else Step.NOTHING
    if modified_at < recorded.modified_at:
        return Step.OLDER
    if state == OPEN:
        return Step.UPDATE if recorded.state == OPEN else Step.ENTER
    if recorded.state == OPEN:
        return Step.LEAVE
    return Step.NOTHING if recorded.state == state else Step.LEAVE
