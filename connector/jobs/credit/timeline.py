"""One deal's marketing timeline: deduplicated, ordered touches, milestones and the amount.

Decisions (docs/credit.md explains them for admins):

- **Identity.** A touch is identified by (source system, touch id). Seeing it again is a
  duplicate, whatever order the deliveries came in; of conflicting copies the one with the
  smallest (time, channel, campaign) is kept, so the choice never depends on delivery order.
- **Order.** By time, then source system, then touch id: a total order, so touches at the same
  instant always line up the same way (and the allocation tie-break follows it).
- **Window.** The timeline ends at the closed-won milestone (or, without one, at its latest touch
  or milestone). Touches after the end cannot have influenced the win; touches more than
  ``lookback_days`` before it are out of range. Both bounds are inclusive.
- **Milestones → touches.** The first-touch position is the first touch in the window and the
  closed-won position the last. Lead creation (= Baton's hand-off), MQL and opportunity creation
  sit on the touch the milestone names if it is in the window, else on the last touch at or
  before the milestone's time; a milestone that names a touch outside the window, that comes
  before every touch, or that is absent has no touch (the models redistribute its weight).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Literal

TouchKey = tuple[str, str]  # (source system, touch id)


class Milestone(StrEnum):
    """The moments of a deal's life Baton records; the position models read some of them."""

    FIRST_TOUCH = "first_touch"
    LEAD_CREATION = "lead_creation"  # Baton's hand-off to sales
    MQL = "mql"
    OPPORTUNITY_CREATION = "opportunity_creation"
    CLOSED_WON = "closed_won"


def _utc(moment: datetime, what: str) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware, got {moment.isoformat()}")
    return moment.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class Touch:
    """One marketing interaction: a form submission, a campaign response, a source property."""

    at: datetime
    channel: str
    campaign: str | None
    source: str
    touch_id: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "at", _utc(self.at, f"touch {self.touch_id} time"))

    @property
    def key(self) -> TouchKey:
        """Identity across deliveries."""
        return (self.source, self.touch_id)

    @property
    def order(self) -> tuple[datetime, str, str]:
        """Position in the timeline (time, then source, then id)."""
        return (self.at, self.source, self.touch_id)

    def _content(self) -> tuple[datetime, str, str]:
        return (self.at, self.channel, self.campaign or "")


@dataclass(frozen=True, slots=True)
class MilestoneAt:
    """A milestone reached at ``at``, optionally naming the touch that caused it."""

    kind: Milestone
    at: datetime
    touch: TouchKey | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "at", _utc(self.at, f"milestone {self.kind.value} time"))


@dataclass(frozen=True, slots=True)
class Money:
    """An amount in integer minor units of an ISO 4217 currency (cents for EUR, yen for JPY)."""

    minor: int
    currency: str

    def __post_init__(self) -> None:
        if isinstance(self.minor, bool) or not isinstance(self.minor, int) or self.minor < 0:
            raise ValueError(f"amount must be a non-negative integer, not {self.minor!r}")


DropReason = Literal["duplicate", "before_lookback", "after_close"]


@dataclass(frozen=True, slots=True)
class Dropped:
    """A touch that was delivered but is not on the timeline, and why."""

    touch: Touch
    reason: DropReason


@dataclass(frozen=True)
class Timeline:
    """What the models read. Build it with :func:`build_timeline`, not by hand."""

    touches: tuple[Touch, ...]
    milestones: tuple[MilestoneAt, ...]
    amount: Money
    ends_at: datetime | None
    lookback_days: int
    dropped: tuple[Dropped, ...] = ()
    _positions: dict[Milestone, int | None] = field(
        default_factory=dict, repr=False, compare=False, hash=False
    )

    def position(self, kind: Milestone) -> int | None:
        """Index of the touch holding milestone ``kind``, or None when no touch holds it."""
        if kind not in self._positions:
            self._positions[kind] = self._resolve(kind)
        return self._positions[kind]

    def milestone(self, kind: Milestone) -> MilestoneAt | None:
        """The recorded milestone of this kind, if any."""
        return next((m for m in self.milestones if m.kind is kind), None)

    def _resolve(self, kind: Milestone) -> int | None:
        if not self.touches:
            return None
        if kind is Milestone.FIRST_TOUCH:
            return 0
        if kind is Milestone.CLOSED_WON:
            return len(self.touches) - 1
        milestone = self.milestone(kind)
        if milestone is None:
            return None
        if milestone.touch is not None:
            keys = [touch.key for touch in self.touches]
            return keys.index(milestone.touch) if milestone.touch in keys else None
        before = [i for i, touch in enumerate(self.touches) if touch.at <= milestone.at]
        return before[-1] if before else None


def build_timeline(
    touches: Iterable[Touch],
    milestones: Iterable[MilestoneAt],
    amount: Money,
    *,
    lookback_days: int,
) -> Timeline:
    """Deduplicate, window and order ``touches`` (see the module docstring for each rule)."""
    if lookback_days < 1:
        raise ValueError("lookback_days must be at least 1")
    reached = sorted(milestones, key=lambda m: (m.at, m.kind.value))
    kinds = [m.kind for m in reached]
    if len(set(kinds)) != len(kinds):
        raise ValueError("each milestone can be reached once on a timeline")

    kept: dict[TouchKey, Touch] = {}
    duplicates: list[Touch] = []
    for touch in sorted(touches, key=lambda t: (t.key, t._content())):
        if touch.key in kept:
            duplicates.append(touch)
        else:
            kept[touch.key] = touch

    won = next((m.at for m in reached if m.kind is Milestone.CLOSED_WON), None)
    moments = [t.at for t in kept.values()] + [m.at for m in reached]
    ends_at = won if won is not None else max(moments, default=None)
    dropped = [Dropped(touch, "duplicate") for touch in duplicates]
    window: list[Touch] = []
    for touch in kept.values():
        assert ends_at is not None  # there is at least this touch
        if touch.at > ends_at:
            dropped.append(Dropped(touch, "after_close"))
        elif touch.at < ends_at - timedelta(days=lookback_days):
            dropped.append(Dropped(touch, "before_lookback"))
        else:
            window.append(touch)
    return Timeline(
        touches=tuple(sorted(window, key=lambda t: t.order)),
        milestones=tuple(reached),
        amount=amount,
        ends_at=ends_at,
        lookback_days=lookback_days,
        dropped=tuple(sorted(dropped, key=lambda d: (d.touch.order, d.reason))),
    )
