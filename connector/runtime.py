"""The objects one Baton process shares: config, store, metrics. Built once, passed explicitly."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

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
    #: TLS trust for Salesforce: True (system CAs) or a CA bundle path (the sandbox's, a proxy's)
    salesforce_verify: bool | str = field(
        default_factory=lambda: os.environ.get("BATON_SALESFORCE_CA_BUNDLE") or True
    )
    _clients: Any = field(default=None, repr=False)

    def clients(self) -> Any:
        """One client per enabled CRM, built once: readers, writers and pollers share them, so
        they share one rate-limit budget (the configured share of each CRM's limit); on
        PostgreSQL the budget is counted in the store, shared with every other process."""
        if self._clients is None:
            from adapters.registry import build_clients
            from connector.call_ledger import SharedCallLedger

            # PostgreSQL: many processes, one share of each CRM's limits for all of them
            shared = self.store.dialect == "postgresql"
            self._clients = build_clients(
                self.config,
                self.metrics,
                salesforce_verify=self.salesforce_verify,
                ledger=SharedCallLedger(self.store) if shared else None,
            )
        return self._clients

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
