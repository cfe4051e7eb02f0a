"""The Markov model's history, as pure rules: a closed deal's journey and the snapshot a fit uses.

- **Journey path.** The deal's timeline touches in order (already deduplicated by the timeline),
  each as ``(channel, campaign)``; consecutive repeats of the same pair are collapsed. Ids and
  codes only: no touch id, no person.
- **Snapshot.** A computation fits Markov on the journeys closed in the look-back window before
  the deal's own close, the deal itself left out, read once: the same snapshot always gives the
  same fit. Its fingerprint (SHA-256 over the sorted journeys) is recorded with every Markov
  credit, so a reviewer can tell two credits came from the same history.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from connector.jobs.credit.markov import Journey
from connector.jobs.credit.timeline import Timeline

#: bump when the way a path is built from a timeline changes
JOURNEY_VERSION = "journey:1"

Step = tuple[str, str | None]  # (channel, campaign id)


def journey_path(timeline: Timeline) -> tuple[Step, ...]:
    """The timeline's touches as (channel, campaign), consecutive repeats collapsed."""
    path: list[Step] = []
    for touch in timeline.touches:
        step = (touch.channel, touch.campaign or None)
        if not path or path[-1] != step:
            path.append(step)
    return tuple(path)


@dataclass(frozen=True)
class Snapshot:
    """The recorded journeys a computation fits on, and the window they were read from."""

    journeys: tuple[Journey, ...]
    since: datetime
    until: datetime

    @property
    def total(self) -> int:
        """Won plus lost journeys."""
        return sum(journey.count for journey in self.journeys)

    @property
    def won(self) -> int:
        """Won journeys."""
        return sum(journey.count for journey in self.journeys if journey.won)

    @property
    def fingerprint(self) -> str:
        """16 hex digits of SHA-256 over the journeys, in a canonical order."""
        canonical = sorted([list(j.channels), j.won, j.count] for j in self.journeys)
        return hashlib.sha256(json.dumps(canonical).encode()).hexdigest()[:16]

    def without(self, channels: tuple[str, ...], won: bool) -> Snapshot:
        """The snapshot with one journey like this taken out (the deal being credited)."""
        journeys = []
        for journey in self.journeys:
            if (journey.channels, journey.won) != (channels, won):
                journeys.append(journey)
            elif journey.count > 1:  # alike journeys are one entry: there is one such entry
                journeys.append(Journey(channels, won, journey.count - 1))
        return Snapshot(tuple(journeys), self.since, self.until)

    def summary(self) -> dict[str, object]:
        """What the ledger and ``baton credit show`` report about the history used."""
        return {
            "journeys": self.total,
            "won": self.won,
            "lost": self.total - self.won,
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "fingerprint": self.fingerprint,
        }


def snapshot(
    paths: Iterable[tuple[Iterable[str], bool]], since: datetime, until: datetime
) -> Snapshot:
    """Alike journeys (same channels, same outcome) folded into one with a count, sorted."""
    counts = Counter((tuple(channels), won) for channels, won in paths)
    journeys = tuple(
        Journey(channels, won, count) for (channels, won), count in sorted(counts.items())
    )
    return Snapshot(journeys, since, until)


def unavailable_reason(snap: Snapshot, minimum: int, lookback_days: int) -> str | None:
    """Why Markov cannot run on ``snap`` ("12 of 50 journeys recorded …"), or None: it can."""
    window = f"closed in the {lookback_days} days before this deal's close"
    if snap.total < minimum:
        return (
            f"{snap.total} of {minimum} won or lost journeys recorded ({snap.won} won, "
            f"{snap.total - snap.won} lost, {window}); live once {minimum} are recorded"
        )
    if snap.won == 0:
        return f"none of the {snap.total} journeys {window} was won"
    return None
