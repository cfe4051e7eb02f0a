"""What a ``baton backfill`` run reports while it runs (progress) and when it ends (counts)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Protocol


class Progress(Protocol):
    """What the command line shows while a pass runs (``click.progressbar`` fits)."""

    def update(self, n_steps: int) -> None:
        """``n_steps`` more records handled."""
        ...


ProgressFactory = Callable[[str, int | None], AbstractContextManager[Progress]]


@dataclass
class PassReport:
    """Counts of one pass in one run."""

    name: str
    label: str
    read: int = 0
    linked: dict[str, int] = field(default_factory=dict)
    states_recorded: int = 0
    events_new: int = 0
    events_duplicate: int = 0
    finished: bool = False
    skipped_done: bool = False

    def count_link(self, how: str) -> None:
        """Tally one linking outcome (``id_field``, ``email``, ``conflict`` …)."""
        self.linked[how] = self.linked.get(how, 0) + 1


@dataclass
class BackfillReport:
    """What a run did, pass by pass, and whether it stopped at ``--limit``."""

    passes: list[PassReport] = field(default_factory=list)
    stopped_at_limit: bool = False

    @property
    def complete(self) -> bool:
        """Every pass has reached its end (now or in an earlier run)."""
        return all(p.finished or p.skipped_done for p in self.passes)
