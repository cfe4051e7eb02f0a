"""CRM reachability for readiness: probed off the request, cached, never blocking for long."""

from __future__ import annotations

import socket
import threading

from connector.reachability import REACHABLE, UNKNOWN, UNREACHABLE, Reachability, probe


def test_a_listening_port_is_reachable_and_a_closed_one_is_not() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        assert probe(f"http://127.0.0.1:{port}") == REACHABLE
    assert probe("https://127.0.0.1:9") == UNREACHABLE
    assert probe(None) == UNKNOWN


def test_answers_are_cached_and_a_hanging_probe_does_not_hold_readiness() -> None:
    calls: list[str | None] = []
    release = threading.Event()
    now = [0.0]

    def prober(url: str | None) -> str:
        calls.append(url)
        if url == "slow":
            release.wait(5)
        return REACHABLE

    fast = Reachability({"hubspot": "fast"}, ttl_s=30, prober=prober, clock=lambda: now[0])
    assert fast.now() == {"hubspot": REACHABLE}
    assert fast.now() == {"hubspot": REACHABLE} and calls == ["fast"], "cached"
    now[0] = 31
    fast.now()
    assert calls == ["fast", "fast"], "probed again after the ttl"

    slow = Reachability({"salesforce": "slow"}, wait_s=0.1, prober=prober)
    assert slow.now() == {"salesforce": UNKNOWN}, "answered within wait_s, not after the probe"
    release.set()
