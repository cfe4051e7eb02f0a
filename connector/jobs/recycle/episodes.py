"""The recycle job's own state: one ``recycle_episodes`` row per time sales said "not now"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from connector.jobs.recycle.rules import PastRecycle, Person, Verdict
from connector.store.models import RecycleEpisode

#: episodes that count towards ``max_recycles`` (the person really went back to marketing)
COUNTED = (Verdict.RECYCLE.value, "reactivated", "converted")


@dataclass(frozen=True, slots=True)
class History:
    """A person's episodes, oldest first."""

    episodes: tuple[RecycleEpisode, ...]

    @property
    def open(self) -> RecycleEpisode | None:
        """The episode in progress (the person is in nurture), if any."""
        return next((e for e in self.episodes if e.state == Verdict.RECYCLE.value), None)

    @property
    def last(self) -> RecycleEpisode | None:
        """The newest episode."""
        return self.episodes[-1] if self.episodes else None

    @property
    def recycled(self) -> list[RecycleEpisode]:
        """Episodes that went back to marketing."""
        return [e for e in self.episodes if e.state in COUNTED]

    def person(self, hubspot_stage: str | None, converted: bool) -> Person:
        """The rules' view of this person."""
        disqualified = any(e.state == Verdict.DISQUALIFY.value for e in self.episodes)
        return Person(
            hubspot_stage, converted, len(self.recycled), self.open is not None, disqualified
        )

    def past(self, labels: dict[str, str]) -> list[PastRecycle]:
        """Earlier recycles in words, for the history line on the Lead."""
        return [
            PastRecycle(
                labels.get(e.reason_code or "", e.reason_code or "no reason"), e.recycled_at
            )
            for e in self.recycled
        ]

    def is_stale(self, at: datetime) -> bool:
        """A trigger from before the last episode ended (a late or reordered delivery)."""
        last = self.last
        ended = last.closed_at if last is not None else None
        return ended is not None and at <= ended


def history(session: Session, person_key: str) -> History:
    """Every episode of one person."""
    rows = session.scalars(
        select(RecycleEpisode)
        .where(RecycleEpisode.person_key == person_key)
        .order_by(RecycleEpisode.number)
    )
    return History(tuple(rows))


def close(episode: RecycleEpisode, state: str, by: str, at: datetime, note: str = "") -> None:
    """End an open episode: re-activated (by timer or behaviour) or won by a conversion."""
    episode.state, episode.closed_by, episode.closed_at = state, by, at
    if note:
        episode.note = note[:2000]
