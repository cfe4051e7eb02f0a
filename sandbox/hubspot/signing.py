"""HubSpot request signatures (v1 and v3), as HubSpot computes them for outgoing webhooks. Pure."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

#: The characters HubSpot's v3 validation decodes in the request URI (hubspot.md §2).
V3_URI_DECODE = {
    "%3A": ":",
    "%2F": "/",
    "%3F": "?",
    "%40": "@",
    "%21": "!",
    "%24": "$",
    "%27": "'",
    "%28": "(",
    "%29": ")",
    "%2A": "*",
    "%2C": ",",
    "%3B": ";",
}
_ENCODED = re.compile("|".join(re.escape(k) for k in V3_URI_DECODE), re.IGNORECASE)


def decode_v3_uri(uri: str) -> str:
    """Apply HubSpot's 12-entry decoding table (only those escapes; others stay encoded)."""
    return _ENCODED.sub(lambda m: V3_URI_DECODE[m.group(0).upper()], uri)


def sign_v3(client_secret: str, method: str, uri: str, body: str, timestamp_ms: int) -> str:
    """`X-HubSpot-Signature-v3`: base64 HMAC-SHA256 of method + decoded URI + body + timestamp."""
    source = f"{method}{decode_v3_uri(uri)}{body}{timestamp_ms}"
    digest = hmac.new(client_secret.encode(), source.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def sign_v1(client_secret: str, body: str) -> str:
    """`X-HubSpot-Signature` (v1): hex SHA-256 of client secret + body (not an HMAC)."""
    return hashlib.sha256(f"{client_secret}{body}".encode()).hexdigest()


def signature_headers(client_secret: str, uri: str, body: str, timestamp_ms: int) -> dict[str, str]:
    """All signature headers HubSpot puts on a webhook POST: v3 plus the v1 pair beside it."""
    return {
        "X-HubSpot-Signature-v3": sign_v3(client_secret, "POST", uri, body, timestamp_ms),
        "X-HubSpot-Request-Timestamp": str(timestamp_ms),
        "X-HubSpot-Signature": sign_v1(client_secret, body),
        "X-HubSpot-Signature-Version": "v1",
    }
