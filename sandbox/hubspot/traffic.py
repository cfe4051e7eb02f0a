"""What tests and benchmarks see of the traffic: the request log and injected faults."""

from __future__ import annotations

import threading
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestRecord:
    """One API call Baton made: method, path, answer status and how many records it carried."""

    method: str
    path: str
    status: int
    n_inputs: int


class RequestLog:
    """Append-only, thread-safe list of `RequestRecord`s."""

    def __init__(self) -> None:
        self._records: list[RequestRecord] = []
        self._lock = threading.Lock()

    def append(self, record: RequestRecord) -> None:
        """Log one answered request."""
        with self._lock:
            self._records.append(record)

    def snapshot(self) -> list[RequestRecord]:
        """A copy of the log so far."""
        with self._lock:
            return list(self._records)

    def clear(self) -> None:
        """Forget everything logged."""
        with self._lock:
            self._records.clear()


@dataclass
class _Fault:
    status: int
    remaining: int
    path_prefix: str | None
    retry_after_s: float | None


class FaultInjector:
    """Queued faults: the next matching requests get the given status instead of an answer."""

    def __init__(self) -> None:
        self._faults: list[_Fault] = []
        self._lock = threading.Lock()

    def add(
        self, status: int, count: int, path_prefix: str | None, retry_after_s: float | None
    ) -> None:
        """Queue `count` answers of `status` for paths starting with `path_prefix` (or any)."""
        if not 400 <= status <= 599:
            raise ValueError(f"an injected fault is a 4xx/5xx status, got {status}")
        if count < 1:
            raise ValueError("count must be at least 1")
        with self._lock:
            self._faults.append(_Fault(status, count, path_prefix, retry_after_s))

    def take(self, path: str) -> tuple[int, float | None] | None:
        """The fault this request should get (consuming one use), or None."""
        with self._lock:
            for fault in self._faults:
                if fault.path_prefix is None or path.startswith(fault.path_prefix):
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        self._faults.remove(fault)
                    return fault.status, fault.retry_after_s
        return None

    def clear(self) -> None:
        """Drop every queued fault."""
        with self._lock:
            self._faults.clear()
