"""Random API faults for both stand-ins: a share of calls refused, a share answered but lost.

Real CRMs fail a small share of calls at random: 429 under load, 500/503 on a bad day, and
timeouts, where the write may have landed although the caller saw no answer. ``refuse`` picks
the calls answered with an error *before* anything happens; ``lose_answer`` picks the calls
carried out whose answer is then replaced by a 504 (what a client sees when its read times out
after the CRM committed). Both draw from one seeded generator, so a run can be repeated.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field


@dataclass
class ApiChaos:
    """``refuse_rate`` and ``lost_answer_rate`` are shares of API calls (0 = off)."""

    refuse_rate: float = 0.0
    lost_answer_rate: float = 0.0
    refuse_statuses: tuple[int, ...] = (429, 500, 503)
    seed: int = 0
    refused: int = 0
    lost: int = 0
    _rng: random.Random = field(init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def __post_init__(self) -> None:
        for name in ("refuse_rate", "lost_answer_rate"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"ApiChaos.{name} must be within [0, 1]")
        self._rng = random.Random(self.seed)

    def refuse(self) -> int | None:
        """The status to refuse this call with, or None to carry it out."""
        with self._lock:
            if self.refuse_rate and self._rng.random() < self.refuse_rate:
                self.refused += 1
                return self._rng.choice(self.refuse_statuses)
        return None

    def lose_answer(self) -> bool:
        """True when this carried-out call's answer is to be lost (answered 504)."""
        with self._lock:
            if self.lost_answer_rate and self._rng.random() < self.lost_answer_rate:
                self.lost += 1
                return True
        return False
