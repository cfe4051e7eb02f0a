"""Where a buffered request ends (baton.http_framing): whole, still arriving, or refusable now."""

from __future__ import annotations

import pytest

from baton.http_framing import MAX_HEAD_BYTES, RequestScanner, chunked_body_complete, scan_request

HEAD = b"POST /webhooks/hubspot HTTP/1.1\r\nHost: x\r\n"


def ready(buffer: bytes, max_body: int = 100) -> bool:
    return scan_request(buffer, max_body=max_body).ready


@pytest.mark.parametrize(
    ("buffer", "expected"),
    [
        (HEAD, False),  # header section not ended
        (HEAD + b"\r\n", True),  # no body
        (HEAD + b"Content-Length: 5\r\n\r\nabc", False),
        (HEAD + b"Content-Length: 5\r\n\r\nabcde", True),
        (HEAD + b"content-length: 0\r\n\r\n", True),
        (HEAD + b"Content-Length: 101\r\n\r\n", True),  # over the limit: refused from the head
        (HEAD + b"Content-Length: -1\r\n\r\n", True),  # malformed: the parser refuses it
        (HEAD + b"Content-Length: 5\r\nContent-Length: 6\r\n\r\n", True),  # ambiguous
        (HEAD + b"Transfer-Encoding: gzip\r\n\r\n", True),
        (HEAD + b"Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n", False),
        (HEAD + b"Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", True),
    ],
)
def test_scan(buffer: bytes, expected: bool) -> None:
    assert ready(buffer) is expected


def test_an_endless_header_section_is_handed_over_to_be_refused() -> None:
    assert ready(HEAD + b"X: " + b"a" * MAX_HEAD_BYTES)


def test_expect_continue_is_answered_only_before_the_body() -> None:
    head = HEAD + b"Expect: 100-continue\r\nContent-Length: 3\r\n\r\n"
    assert scan_request(head, max_body=100).expects_continue
    assert not scan_request(head + b"a", max_body=100).expects_continue


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"", False),
        (b"5\r\nab", False),
        (b"5;ext=1\r\nabcde\r\n0\r\n\r\n", True),
        (b"5\r\nabcde\r\n0\r\n", False),  # trailer section not ended
        (b"5\r\nabcde\r\n0\r\nX-Trailer: y\r\n\r\n", True),
        (b"zz\r\n", True),  # malformed size: refused by the parser
        (b"0x5\r\nabcde\r\n0\r\n\r\n", True),  # Python's int() would take it; HTTP does not
        (b"40\r\n" + b"a" * 64 + b"\r\n40\r\n", True),  # 128 > 100: over the limit already
        (b"1" * 2000, True),  # a size line that never ends
    ],
)
def test_chunked_bodies(body: bytes, expected: bool) -> None:
    assert chunked_body_complete(body, max_body=100) is expected


def _fed_in_pieces(buffer: bytes, piece: int, max_body: int = 10**9):  # type: ignore[no-untyped-def]
    scanner, grown, verdicts = RequestScanner(max_body), bytearray(), []
    for start in range(0, len(buffer), piece):
        grown += buffer[start : start + piece]
        verdicts.append(scanner.feed(grown))
    return scanner, grown, verdicts


@pytest.mark.parametrize("piece", [1, 3, 7])
def test_fed_piece_by_piece_the_verdict_is_the_whole_buffers(piece: int) -> None:
    cases = [
        HEAD + b"Content-Length: 5\r\n\r\nabcde",
        HEAD + b"Expect: 100-continue\r\nContent-Length: 3\r\n\r\nabc",
        HEAD + b"Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n5;x=1\r\nabcde\r\n0\r\nT: y\r\n\r\n",
        HEAD + b"Transfer-Encoding: chunked\r\n\r\n40\r\n" + b"a" * 64 + b"\r\n40\r\n",
    ]
    for case in cases:
        _, grown, verdicts = _fed_in_pieces(case, piece, max_body=100)
        for n, verdict in enumerate(verdicts):
            assert verdict.ready is ready(bytes(grown[: (n + 1) * piece]))


def test_a_large_upload_is_scanned_once_not_once_per_read() -> None:
    chunks = b"".join(b"%x\r\n%s\r\n" % (100, b"a" * 100) for _ in range(2000)) + b"0\r\n\r\n"
    buffer = HEAD + b"Transfer-Encoding: chunked\r\n\r\n" + chunks
    scanner, _, verdicts = _fed_in_pieces(buffer, 512)
    assert verdicts[-1].ready and not any(v.ready for v in verdicts[:-1])
    # each read looks only at what is new (a chunk cut by a read has its size line read again)
    assert scanner.examined < 2 * len(buffer)
