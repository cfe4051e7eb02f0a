"""The outbound path token never reaches the logs, not even gunicorn's (issue 8, finding 5).

gunicorn logs a malformed request line verbatim ("Invalid HTTP request line: 'GET
/webhooks/salesforce/outbound/<token> …'"). The real ``baton serve`` gets malformed requests
that carry the token, clear and percent-encoded; its whole log output is then searched.
"""

from __future__ import annotations

import socket
import time
from pathlib import Path
from urllib.parse import quote

import pytest
import requests
from live_baton import OUTBOUND_TOKEN, live_baton

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]

PATH = f"/webhooks/salesforce/outbound/{OUTBOUND_TOKEN}"
ENCODED_PATH = "/webhooks/salesforce/outbound/" + "".join(f"%{ord(c):02X}" for c in OUTBOUND_TOKEN)

MALFORMED = [
    f"GET {PATH} HTTP/1.1 extra\r\nHost: x\r\n\r\n",
    f"POST {PATH} HTTP/9.9\r\nHost: x\r\n\r\n",
    f"POST {PATH}\x01 HTTP/1.1\r\nHost: x\r\n\r\n",
    f"POST {PATH} HTTP/1.1\r\nHost: x\r\nX-Token {OUTBOUND_TOKEN}\r\n\r\n",
    f"POST {PATH} HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n",
    f"{OUTBOUND_TOKEN} / HTTP/1.1\r\nHost: x\r\n\r\n",
    f"GET {ENCODED_PATH}\x01 HTTP/1.1\r\nHost: x\r\n\r\n",
    f"GET /?q={quote(OUTBOUND_TOKEN)}{OUTBOUND_TOKEN} HTTP/1.1 x\r\n\r\n",
]


def send_raw(port: int, request: str) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(request.encode("latin-1"))
        try:
            return sock.recv(4096)
        except TimeoutError:
            return b""


def test_malformed_requests_carrying_the_token_leave_no_token_in_the_log(tmp_path: Path) -> None:
    with live_baton(tmp_path, service=", log_level: DEBUG") as baton:
        answers = [send_raw(baton.port, request) for request in MALFORMED]
        # Baton's own refusals on the token path too: wrong type, broken XML, wrong token.
        requests.post(baton.url + PATH, data=b"<x", headers={"Content-Type": "text/xml"})
        requests.post(baton.url + PATH, data=b"{}", headers={"Content-Type": "application/json"})
        requests.post(baton.url + PATH + "x", data=b"<x/>", headers={"Content-Type": "text/xml"})
        time.sleep(0.5)  # let the worker flush its log lines
        log = baton.log_text()
    assert all(answer.startswith(b"HTTP/1.1 4") for answer in answers), answers
    # gunicorn did log them, with the token cut out or the encoded line withheld.
    assert "Invalid HTTP request line: 'POST /webhooks/salesforce/outbound/[redacted]" in log
    assert "[log message withheld" in log
    assert "webhook refused" in log
    assert OUTBOUND_TOKEN not in log
    assert ENCODED_PATH.split("/")[-1] not in log
