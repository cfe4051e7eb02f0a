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
    head_end = buffer.find(b"\r\n\r\n")
    if head_end < 0:
        return Scan(ready=len(buffer) > MAX_HEAD_BYTES)
    if head_end > MAX_HEAD_BYTES:
        return Scan(ready=True)
    headers = _headers(bytes(buffer[:head_end]))
    body = buffer[head_end + 4 :]
    waits = headers.get(b"expect", b"").strip().lower() == b"100-continue"
    if b"transfer-encoding" in headers:
        if not headers[b"transfer-encoding"].lower().rstrip().endswith(b"chunked"):
            return Scan(ready=True)  # not framed by chunks: the parser refuses it
        ready = chunked_body_complete(body, max_body=max_body)
    elif b"content-length" in headers:
        declared = headers[b"content-length"].strip()
        if not declared.isdigit() or int(declared) > max_body:
            return Scan(ready=True)  # malformed or over the limit: refused from the head alone
        ready = len(body) >= int(declared)
    else:
        return Scan(ready=True)  # no body
    return Scan(ready=ready, expects_continue=waits and not ready and not body)


def chunked_body_complete(body: bytes | bytearray, *, max_body: int) -> bool:
    """Whether a chunked body has ended, is malformed, or already carries over ``max_body``."""
    position, total = 0, 0
    while True:
        line_end = body.find(b"\r\n", position)
        if line_end < 0:
            return len(body) - position > _MAX_CHUNK_LINE
        size_text = bytes(body[position:line_end]).split(b";", 1)[0].strip()
        if not _CHUNK_SIZE.fullmatch(size_text):
            return True
        size = int(size_text, 16)
        position = line_end + 2
        if size == 0:  # last chunk; the trailer section ends with an empty line
            return body.find(b"\r\n\r\n", position - 2) >= 0
        total += size
        if total > max_body:
            return True
        position += size + 2
        if position > len(body):
            return False


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
