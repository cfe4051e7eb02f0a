"""First come, first served for SQLite's one write lock among the threads of one process.

SQLite lets one transaction write at a time; a thread that finds the lock taken sleeps in
SQLite's busy handler (1, 2, 5 … 100 ms) and tries again. A worker that begins its next chunk
the moment it committed the last one wins nearly every retry, so webhook intake waited for
seconds behind a burst: Salesforce outbound messages took 24 to 40 s (p50) to be acknowledged
while a 10,000-change burst was worked off (docs/BENCHMARKS.md, ``bench/sync.py``). Here each
write transaction of the process queues for the lock in arrival order, and a commit hands it
straight to the longest waiter, so intake waits for at most the transaction ahead of it.

Only threads of this process queue; another process on the same file still meets SQLite's
busy handler, as before. A thread that already holds the lock (a second session opened inside
a first) does not queue, and no one waits here longer than ``WAIT_S``: past that the
transaction goes on to SQLite's own busy timeout, exactly as without the queue.
"""

from __future__ import annotations

import threading
from collections import deque

#: the longest a transaction waits in the queue before it falls back to SQLite's busy timeout
WAIT_S = 30.0


class WriterQueue:
    """A fair (FIFO) hand-over lock; :meth:`enter` says whether the caller now holds it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._held = False
        self._holder: int | None = None
        self._waiting: deque[threading.Event] = deque()

    def enter(self, timeout: float = WAIT_S) -> bool:
        """Wait for the lock in arrival order; False (not held) for its own holder or after
        ``timeout`` seconds."""
        me = threading.get_ident()
        with self._lock:
            if self._holder == me:
                return False
            if not self._held:
                self._held, self._holder = True, me
                return True
            turn = threading.Event()
            self._waiting.append(turn)
        if turn.wait(timeout):
            return self._take(me)
        with self._lock:
            if turn in self._waiting:  # gave up before it was handed over
                self._waiting.remove(turn)
                return False
        return self._take(me)  # handed over just as the wait ran out

    def leave(self) -> None:
        """Hand the lock to the longest waiter, or free it."""
        with self._lock:
            if self._waiting:
                self._holder = None
                self._waiting.popleft().set()
            else:
                self._held, self._holder = False, None

    def _take(self, me: int) -> bool:
        with self._lock:
            self._holder = me
        return True
