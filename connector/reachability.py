"""Whether each configured CRM answers on the network, for readiness (never on the start path).

A TCP connection to the CRM's host is enough to tell "unreachable" (DNS, firewall, outage)
from "reachable"; it costs no API call and no rate-limit budget, and holds no credentials.
Answers are kept for ``ttl_s`` so a load balancer probing every second does not open sockets
every second.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from connector.config import BatonConfig

REACHABLE = "reachable"
UNREACHABLE = "unreachable"
#: no address to try (a Salesforce org that logs in to find its instance)
UNKNOWN = "unknown"


def crm_addresses(config: BatonConfig) -> dict[str, str | None]:
    """The base address of each enabled CRM (None when the config has none yet)."""
    found: dict[str, str | None] = {}
    if config.hubspot.enabled:
        found["hubspot"] = str(config.hubspot.base_url)
    if config.salesforce.enabled:
        url = config.salesforce.instance_url
        found["salesforce"] = str(url) if url else None
    return found


def probe(url: str | None, timeout_s: float = 1.0) -> str:
    """``reachable`` when a TCP connection to the URL's host and port opens within the timeout."""
    if not url:
        return UNKNOWN
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with socket.create_connection((parts.hostname or "", port), timeout=timeout_s):
            return REACHABLE
    except OSError:
        return UNREACHABLE


@dataclass
class Reachability:
    """The CRMs' reachability, probed at most once per ``ttl_s``, in a thread of its own: a
    readiness call waits ``wait_s`` at most for a fresh answer (a name lookup can hang longer
    than the connect timeout), and says ``unknown`` for a CRM not probed yet."""

    addresses: dict[str, str | None]
    ttl_s: float = 30.0
    wait_s: float = 1.5
    prober: Callable[[str | None], str] = probe
    clock: Callable[[], float] = time.monotonic
    _found: dict[str, str] = field(default_factory=dict)
    _probed_at: float | None = None
    _probing: threading.Thread | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def now(self) -> dict[str, str]:
        """CRM name → reachable / unreachable / unknown."""
        with self._lock:
            stale = self._probed_at is None or self.clock() - self._probed_at >= self.ttl_s
            if stale and self._probing is None:
                self._probing = threading.Thread(target=self._probe_all, daemon=True)
                self._probing.start()
            probing = self._probing
        if probing is not None:
            probing.join(self.wait_s)
        with self._lock:
            return {name: self._found.get(name, UNKNOWN) for name in self.addresses}

    def _probe_all(self) -> None:
        found = {name: self.prober(url) for name, url in self.addresses.items()}
        with self._lock:
            self._found, self._probed_at, self._probing = found, self.clock(), None
