"""Proof that a single-CRM install never reaches the other CRM.

Two independent witnesses: every outgoing TCP connection the process attempts is recorded at the
socket level (the official clients, urllib3 and requests all end in ``socket.connect``), and the
other CRM's client, reader and writer classes count their constructions. The other CRM's address
in the config is a loopback port with nothing listening, so even a stray attempt cannot succeed
quietly.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest


def dead_port() -> int:
    """A loopback port nothing listens on (bound, then closed)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class ConnectionLog:
    """Every (host, port) a socket of this process tried to connect to, from any thread."""

    attempts: list[tuple[str, int]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, address: Any) -> None:
        if isinstance(address, tuple) and len(address) >= 2:
            with self._lock:
                self.attempts.append((str(address[0]), int(address[1])))

    def to_port(self, port: int) -> list[tuple[str, int]]:
        """The attempts made to ``port``."""
        with self._lock:
            return [a for a in self.attempts if a[1] == port]

    def ports(self) -> set[int]:
        """Every port an attempt went to."""
        with self._lock:
            return {port for _, port in self.attempts}


@contextlib.contextmanager
def connections_recorded(monkeypatch: pytest.MonkeyPatch) -> Iterator[ConnectionLog]:
    """Record every socket connect attempt while the block runs."""
    log = ConnectionLog()
    original_connect = socket.socket.connect
    original_connect_ex = socket.socket.connect_ex

    def connect(sock: socket.socket, address: Any) -> Any:
        log.record(address)
        return original_connect(sock, address)

    def connect_ex(sock: socket.socket, address: Any) -> Any:
        log.record(address)
        return original_connect_ex(sock, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    yield log


def count_constructions(monkeypatch: pytest.MonkeyPatch, *classes: type) -> dict[str, int]:
    """Count how often each class is instantiated from now on (by class name)."""
    counts = {cls.__name__: 0 for cls in classes}
    for cls in classes:
        original = cls.__init__

        def counting(self: Any, *args: Any, _original: Any = original, **kwargs: Any) -> None:
            counts[type(self).__name__] = counts.get(type(self).__name__, 0) + 1
            _original(self, *args, **kwargs)

        monkeypatch.setattr(cls, "__init__", counting)
    return counts
