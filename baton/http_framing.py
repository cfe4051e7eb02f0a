"""Is a buffered HTTP/1.1 request complete? Pure framing arithmetic over the bytes read so far.

The intake worker (:mod:`baton.intake_worker`) reads each request in its event loop and hands
it to a thread only once this says it is whole, so a client that stalls mid-upload holds a
socket and a buffer, never a thread. The scan only has to know where the request ends; it
validates nothing else. Anything it cannot frame (a malformed length, an oversized head, a body
already over the limit) is "ready" too: gunicorn's own parser and the receivers then refuse it
from the buffer, without waiting on the client.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Largest request line plus headers buffered before handing over (gunicorn refuses far less).
MAX_HEAD_BYTES = 64 * 1024
_CHUNK_SIZE = re.compile(rb"[0-9A-Fa-f]{1,16}")
_MAX_CHUNK_LINE = 1024


@dataclass(frozen=True, slots=True)
class Scan:
    """The verdict on a buffer: hand it over now, and whether the client awaits 100 Continue."""

    ready: bool
    expects_continue: bool = False


def scan_request(buffer: bytes | bytearray, *, max_body: int) -> Scan:
    """Whether ``buffer`` holds a whole request (or enough to refuse it without reading on)."""
    return RequestScanner(max_body).feed(buffer)


class RequestScanner:
    """:func:`scan_request` for one connection's buffer, which only grows: each ``feed`` looks
    only at bytes not framed yet (the head is parsed once, a chunk once it is whole), so a
    large upload arriving in many reads costs its length, not its length times its reads."""

    def __init__(self, max_body: int) -> None:
        self.max_body = max_body
        #: bytes searched so far (the tests hold it near the buffer's length)
        self.examined = 0
        self._searched = 0  # how far the head's end was looked for
        self._body_start = -1
        self._length: int | None = None  # Content-Length, or None when chunked
        self._waits = False
        self._chunk_at = 0  # where the next chunk-size line starts
        self._total = 0
        self._trailer_from = -1  # after the last chunk: where to look for the trailer's end
        self._done: Scan | None = None

    def feed(self, buffer: bytes | bytearray) -> Scan:
        """The verdict on the buffer as it is now (the same buffer, grown since the last call)."""
        if self._done is not None:
            return self._done
        if self._body_start < 0:
            refused = self._head(buffer)
            if refused is not None:
                return refused
            if self._body_start < 0:
                return Scan(ready=False)
        body_bytes = len(buffer) - self._body_start
        ready = body_bytes >= self._length if self._length is not None else self._chunks(buffer)
        scan = Scan(ready=ready, expects_continue=self._waits and not ready and not body_bytes)
        if ready:
            self._done = scan
        return scan

    def _finish(self, scan: Scan) -> Scan:
        self._done = scan
        return scan

    def _head(self, buffer: bytes | bytearray) -> Scan | None:
        """Find and read the header section; a Scan when it settles the request already."""
        start = max(0, self._searched - 3)
        head_end = buffer.find(b"\r\n\r\n", start)
        self.examined += (head_end + 4 if head_end >= 0 else len(buffer)) - start
        if head_end < 0:
            self._searched = len(buffer)
            return self._finish(Scan(ready=True)) if len(buffer) > MAX_HEAD_BYTES else None
        if head_end > MAX_HEAD_BYTES:
            return self._finish(Scan(ready=True))
        headers = _headers(bytes(buffer[:head_end]))
        self._body_start = self._chunk_at = head_end + 4
        self._waits = headers.get(b"expect", b"").strip().lower() == b"100-continue"
        if b"transfer-encoding" in headers:
            if not headers[b"transfer-encoding"].lower().rstrip().endswith(b"chunked"):
                return self._finish(Scan(ready=True))  # not framed by chunks: the parser refuses it
            return None
        if b"content-length" in headers:
            declared = headers[b"content-length"].strip()
            if not declared.isdigit() or int(declared) > self.max_body:
                return self._finish(Scan(ready=True))  # malformed or over the limit: refused now
            self._length = int(declared)
            return None
        return self._finish(Scan(ready=True))  # no body

    def chunks_complete(self, body: bytes | bytearray) -> bool:
        """For a buffer that holds only a chunked body (no head)."""
        self._body_start = 0
        return self._chunks(body)

    def _chunks(self, buffer: bytes | bytearray) -> bool:
        """Whether the chunked body has ended, is malformed or is over ``max_body``."""
        while True:
            if self._trailer_from >= 0:  # the trailer section ends with an empty line
                found = buffer.find(b"\r\n\r\n", self._trailer_from)
                self.examined += len(buffer) - self._trailer_from
                if found >= 0:
                    return True
                self._trailer_from = max(self._trailer_from, len(buffer) - 3)
                return False
            line_end = buffer.find(b"\r\n", self._chunk_at, self._chunk_at + _MAX_CHUNK_LINE + 2)
            if line_end < 0:
                self.examined += min(len(buffer) - self._chunk_at, _MAX_CHUNK_LINE + 2)
                return len(buffer) - self._chunk_at > _MAX_CHUNK_LINE
            self.examined += line_end + 2 - self._chunk_at
            size_text = bytes(buffer[self._chunk_at : line_end]).split(b";", 1)[0].strip()
            if not _CHUNK_SIZE.fullmatch(size_text):
                return True
            size = int(size_text, 16)
            if size == 0:  # last chunk
                self._trailer_from = line_end
                continue
            if self._total + size > self.max_body:
                return True
            following = line_end + 2 + size + 2
            if following > len(buffer):
                return False  # the chunk is not whole yet: its size line is read again then
            self._total += size
            self._chunk_at = following


def chunked_body_complete(body: bytes | bytearray, *, max_body: int) -> bool:
    """Whether a chunked body has ended, is malformed, or already carries over ``max_body``."""
    return RequestScanner(max_body).chunks_complete(body)


def _headers(head: bytes) -> dict[bytes, bytes]:
    """Header names (lower case) to values; a repeated framing header makes the request ready."""
    headers: dict[bytes, bytes] = {}
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        key = name.strip().lower()
        if key in headers and key in (b"content-length", b"transfer-encoding"):
            headers[key] = b"\x00"  # ambiguous framing: not digits, not chunked → ready
            continue
        headers[key] = value
    return headers
