"""The objects one Baton process shares: config, store, metrics. Built once, passed explicitly."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from connector.metrics import Metrics
from connector.store import Store, resolve_database_url, upgrade

if TYPE_CHECKING:
    from connector.config import BatonConfig


@dataclass
class Runtime:
    """What the web app, the worker and the CLI commands need, without module globals."""

    config: BatonConfig
    store: Store
    metrics: Metrics = field(default_factory=Metrics)

    @classmethod
    def open(cls, config: BatonConfig, *, migrate: bool = True) -> Runtime:
        """Connect to the configured store (running migrations first unless told not to)."""
        url = resolve_database_url(config.store.database_url)
        if migrate:
            upgrade(url)
        return cls(config=config, store=Store(url))

    def close(self) -> None:
        """Release database connections."""
        self.store.dispose()
