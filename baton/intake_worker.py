"""gunicorn's gthread worker, but no thread waits on a slow client.

Stock gthread hands a connection to a thread as soon as bytes arrive, and the thread then
blocks reading the rest: nine uploads that sent their headers and stalled held all eight
threads and ``/healthz`` stopped answering (issue 8). Here the event loop reads each request
whole (framing from :mod:`baton.http_framing`) into a buffer, and only a complete request, or
one already refusable, reaches a thread, which parses it from that buffer. A request not whole
within ``body_read_timeout_s`` of its connection is answered 408 and closed. The closing
handshake after a response (gunicorn lingers up to 2 s reading what the client still sends)
runs in the event loop too, without blocking it.

A client that sends ``Expect: 100-continue`` is told to go on by the event loop (and once more
by gunicorn's parser later: two interim 1xx responses, which HTTP allows).

Costs, deliberately: one request per connection (no keep-alive; the CRMs open a connection per
delivery anyway), and up to ``max_body_bytes`` of memory per connection being read, bounded by
gunicorn's ``worker_connections``.
"""

from __future__ import annotations

import contextlib
import errno
import selectors
import socket
import time
from collections import deque
from dataclasses import dataclass, field
from functools import partial
from typing import Any, ClassVar

from gunicorn import http
from gunicorn.workers.gthread import TConn, ThreadWorker

from baton.http_framing import RequestScanner

_READ_SIZE = 64 * 1024
_LINGER_SECONDS = 2.0
_LINGER_MAX_BYTES = 64 * 1024
_CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"
_TIMEOUT_BODY = b'{"error":"request_timeout","message":"request not received in time"}'
_TIMEOUT_RESPONSE = (
    b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Type: application/json\r\n"
    + b"Content-Length: %d\r\n\r\n" % len(_TIMEOUT_BODY)
    + _TIMEOUT_BODY
)


@dataclass(frozen=True, slots=True)
class IntakeLimits:
    """How much a request may weigh and how long reading it may take."""

    max_body_bytes: int = 1024 * 1024
    body_read_timeout_s: float = 10.0


@dataclass(slots=True, eq=False)
class _Reading:
    """A connection whose request is still arriving."""

    conn: TConn
    deadline: float
    scanner: RequestScanner
    buffer: bytearray = field(default_factory=bytearray)
    continued: bool = False


@dataclass(slots=True, eq=False)
class _Lingering:
    """A connection answered and half-closed, drained until the peer closes or time is up."""

    sock: socket.socket
    deadline: float
    drained: int = 0


class _IntakeConn(TConn):  # type: ignore[misc]
    """A connection whose thread-side reads are bounded too, and whose close never blocks."""

    worker: BufferingThreadWorker

    def init(self) -> None:
        super().init()
        # Defence in depth: should a thread ever read from the socket, it waits this long at most.
        self.sock.settimeout(self.worker.limits.body_read_timeout_s)

    def close(self, graceful: bool = False) -> None:
        if graceful:
            self.worker.linger(self.sock)
        else:
            super().close()


class BufferingThreadWorker(ThreadWorker):  # type: ignore[misc]
    """gthread whose event loop reads requests whole before a thread parses them.

    Set :attr:`limits` before gunicorn forks (``baton.serve`` does); TLS is not handled here
    (``baton serve`` never terminates TLS) and falls back to stock gthread.
    """

    limits: ClassVar[IntakeLimits] = IntakeLimits()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._reading: deque[_Reading] = deque()  # in deadline order: one timeout for all
        self._lingering: deque[_Lingering] = deque()

    def load_wsgi(self) -> None:
        """Load the app, then take the intake limits from its config."""
        super().load_wsgi()
        found = limits_of(self.wsgi)
        if found is not None:
            self.limits = found  # type: ignore[misc]

    def accept(self, listener: socket.socket) -> None:
        """Accept a connection and start reading its request in the event loop."""
        if self.cfg.is_ssl:
            super().accept(listener)
            return
        try:
            client_sock, client_addr = listener.accept()
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                raise
            return
        self.nr_conns += 1
        conn = _IntakeConn(self.cfg, client_sock, client_addr, listener.getsockname())
        conn.worker = self
        reading = _Reading(
            conn,
            time.monotonic() + self.limits.body_read_timeout_s,
            RequestScanner(self.limits.max_body_bytes),
        )
        self._reading.append(reading)
        self.poller.register(client_sock, selectors.EVENT_READ, partial(self._read, reading))

    def murder_pending(self) -> None:
        """Besides gunicorn's own pending connections, expire slow requests and lingerers."""
        super().murder_pending()
        now = time.monotonic()
        while self._reading and self._reading[0].deadline <= now:
            reading = self._reading.popleft()
            self._forget(reading.conn.sock)
            _send_quietly(reading.conn.sock, _TIMEOUT_RESPONSE)
            self.nr_conns -= 1
            self.linger(reading.conn.sock)
        while self._lingering and self._lingering[0].deadline <= now:
            lingering = self._lingering.popleft()
            self._forget(lingering.sock)
            _close_quietly(lingering.sock)

    def linger(self, sock: socket.socket) -> None:
        """Half-close ``sock`` and drain it from the event loop (RFC 9112 §9.6), never blocking.

        Called from the main loop (gunicorn closes connections there) and from
        :meth:`murder_pending`; both run on the event-loop thread.
        """
        try:
            sock.setblocking(False)
            sock.shutdown(socket.SHUT_WR)
        except OSError:
            _close_quietly(sock)
            return
        lingering = _Lingering(sock, time.monotonic() + _LINGER_SECONDS)
        self._lingering.append(lingering)
        self.poller.register(sock, selectors.EVENT_READ, partial(self._drain, lingering))

    def _read(self, reading: _Reading, sock: socket.socket) -> None:
        try:
            data = sock.recv(_READ_SIZE)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:  # the client went away before its request was whole
            self._reading.remove(reading)
            self._forget(sock)
            self.nr_conns -= 1
            _close_quietly(sock)
            return
        reading.buffer += data
        scan = reading.scanner.feed(reading.buffer)  # only the bytes not framed yet
        if scan.expects_continue and not reading.continued:
            reading.continued = True
            _send_quietly(sock, _CONTINUE)
        if scan.ready:
            self._reading.remove(reading)
            self._forget(sock)
            self._dispatch(reading)

    def _dispatch(self, reading: _Reading) -> None:
        """Give a whole request to a thread, its parser fed from the buffer."""
        conn = reading.conn
        conn.parser = http.get_parser(self.cfg, conn.sock, conn.client)
        conn.parser.unreader.unread(bytes(reading.buffer))
        conn.data_ready = True
        self.enqueue_req(conn)

    def _drain(self, lingering: _Lingering, sock: socket.socket) -> None:
        try:
            data = sock.recv(_READ_SIZE)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        lingering.drained += len(data)
        if not data or lingering.drained >= _LINGER_MAX_BYTES:
            self._lingering.remove(lingering)
            self._forget(sock)
            _close_quietly(sock)

    def _forget(self, sock: socket.socket) -> None:
        with contextlib.suppress(KeyError, ValueError, OSError):  # already gone
            self.poller.unregister(sock)


def limits_of(app: Any) -> IntakeLimits | None:
    """The intake limits of a Baton app's config (None for an app without a Baton runtime)."""
    runtime = getattr(app, "extensions", {}).get("baton")
    if runtime is None:
        return None
    service = runtime.config.service
    return IntakeLimits(
        max_body_bytes=service.max_body_bytes, body_read_timeout_s=service.body_read_timeout_s
    )


def _send_quietly(sock: socket.socket, data: bytes) -> None:
    with contextlib.suppress(OSError):  # the client is gone or not reading: nothing to tell it
        sock.send(data)


def _close_quietly(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.close()
