"""Request authentication as small pure functions over raw bytes (the stripe ``verify_header`` way).

Every ``verify_*`` function returns ``None`` for an authentic request and raises
:class:`~webhooks.errors.WebhookRejected` otherwise. Time is passed in (``now_ms``) so tests can
pin it, and every function accepts several secrets so a secret can be rotated without downtime.
Comparisons are constant-time and done on bytes, so a non-ASCII header can never crash them.

Sources: HubSpot "Validating requests" (v1, v2, v3 and the v3 URI decoding table), see
``shared/reference/hubspot.md`` §2; Salesforce outbound-messaging security (organization id +
a secret the endpoint knows), ``salesforce.md`` §1.6.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Iterable, Sequence

from webhooks.errors import WebhookRejected

#: HubSpot rejects v3 requests whose timestamp is more than 5 minutes away; so do we, both ways.
HUBSPOT_TOLERANCE_MS = 5 * 60 * 1000
#: Same window for Baton's own HMAC scheme (Salesforce Flow/Apex JSON callouts).
JSON_HMAC_TOLERANCE_MS = 5 * 60 * 1000

# Map HubSpot's v3 decode table: these escapes are decoded before signing (hubspot.md §2).
_HUBSPOT_DECODE = {
    "3A": ":", "2F": "/", "3F": "?", "40": "@", "21": "!", "24": "$",
    "27": "'", "28": "(", "29": ")", "2A": "*", "2C": ",", "3B": ";",
}  # fmt: skip
# Percent-escapes are case-insensitive (RFC 3986 §2.1), so %3a is decoded like %3A.
_HUBSPOT_ESCAPE = re.compile("%(" + "|".join(_HUBSPOT_DECODE) + ")", re.IGNORECASE)
_MILLIS = re.compile(r"[0-9]{1,16}")


def decode_hubspot_uri(uri: str) -> str:
    """Apply HubSpot's 12-entry v3 decoding table to ``uri`` (and nothing else)."""
    return _HUBSPOT_ESCAPE.sub(lambda m: _HUBSPOT_DECODE[m.group(1).upper()], uri)


def public_uri(public_base_url: str, raw_path: str, query_string: str = "") -> str:
    """The full URL the sender called: configured public base + raw path + original query.

    Built from configuration, never from what Flask sees, because behind a proxy the scheme and
    host differ. The query string keeps its original order and encoding.
    """
    uri = public_base_url.rstrip("/") + "/" + raw_path.lstrip("/")
    return f"{uri}?{query_string}" if query_string else uri


def sign_hubspot_v3(secret: str, method: str, uri: str, body: bytes, timestamp: str) -> str:
    """HubSpot v3: Base64(HMAC-SHA256(secret, method + uri + body + timestamp)); ``uri`` decoded."""
    message = method.encode() + uri.encode("utf-8", "surrogateescape") + body + timestamp.encode()
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def sign_hubspot_v2(secret: str, method: str, uri: str, body: bytes) -> str:
    """HubSpot v2 (workflow webhooks): hex SHA-256 of secret + method + uri + body (not an HMAC)."""
    message = secret.encode() + method.encode() + uri.encode("utf-8", "surrogateescape") + body
    return hashlib.sha256(message).hexdigest()


def sign_hubspot_v1(secret: str, body: bytes) -> str:
    """HubSpot v1 (legacy app webhooks): hex SHA-256 of secret + body (not an HMAC)."""
    return hashlib.sha256(secret.encode() + body).hexdigest()


def verify_hubspot_v3(
    *,
    method: str,
    uri: str,
    body: bytes,
    timestamp: str | None,
    signature: str | None,
    secrets: Sequence[str],
    now_ms: int,
    tolerance_ms: int = HUBSPOT_TOLERANCE_MS,
) -> None:
    """Check ``X-HubSpot-Signature-v3`` for a request to ``uri`` (the public URL, undecoded).

    Unlike ``hubspot.utils.signature.Signature``, future timestamps beyond the window are refused
    too, and the decoding table is applied here.
    """
    _require_positive(tolerance_ms)
    usable = _usable(secrets)
    check_timestamp(timestamp, now_ms=now_ms, tolerance_ms=tolerance_ms)
    if not signature:
        raise WebhookRejected("missing_signature", "signature header missing")
    assert timestamp is not None  # check_timestamp refused None
    signed_uri = decode_hubspot_uri(uri)
    candidates = (sign_hubspot_v3(s, method, signed_uri, body, timestamp) for s in usable)
    _require_match(signature, candidates)


def verify_hubspot_legacy(
    *,
    version: str | None,
    method: str,
    uri: str,
    body: bytes,
    signature: str | None,
    secrets: Sequence[str],
) -> None:
    """Check ``X-HubSpot-Signature`` with ``X-HubSpot-Signature-Version`` v1 or v2.

    These carry no timestamp, so a captured request verifies forever: the receivers take them
    only where HubSpot sends nothing better (workflow calls: v2) or behind the legacy switch
    (v1), and remember request digests there (``connector/replays.py``).
    """
    usable = _usable(secrets)
    if not signature:
        raise WebhookRejected("missing_signature", "signature header missing")
    normalized = (version or "").strip().lower()
    if normalized == "v1":
        candidates: Iterable[str] = (sign_hubspot_v1(s, body) for s in usable)
    elif normalized == "v2":
        candidates = (sign_hubspot_v2(s, method, uri, body) for s in usable)
    else:
        raise WebhookRejected("unsupported_signature_version", "signature version not supported")
    _require_match(signature.lower(), candidates)


def sign_json_callout(secret: str, timestamp: str, body: bytes) -> str:
    """Baton's scheme for Salesforce JSON callouts: hex HMAC-SHA256 of ``timestamp + "." + body``.

    The timestamp is inside the MAC so a captured request cannot be replayed with a fresh one.
    Apex: ``EncodingUtil.convertToHex(Crypto.generateMac('hmacSHA256',
    Blob.valueOf(ts + '.' + body), Blob.valueOf(secret)))``.
    """
    message = timestamp.encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def verify_json_callout(
    *,
    body: bytes,
    timestamp: str | None,
    signature: str | None,
    secrets: Sequence[str],
    now_ms: int,
    tolerance_ms: int = JSON_HMAC_TOLERANCE_MS,
) -> None:
    """Check ``X-Baton-Signature`` (optionally prefixed ``sha256=``) and ``X-Baton-Timestamp``."""
    _require_positive(tolerance_ms)
    usable = _usable(secrets)
    check_timestamp(timestamp, now_ms=now_ms, tolerance_ms=tolerance_ms)
    if not signature:
        raise WebhookRejected("missing_signature", "signature header missing")
    assert timestamp is not None
    provided = signature.strip()
    if provided[:7].lower() == "sha256=":
        provided = provided[7:]
    _require_match(provided.lower(), (sign_json_callout(s, timestamp, body) for s in usable))


def verify_path_token(provided: str, secrets: Sequence[str]) -> None:
    """Check the secret token in a Salesforce outbound-message endpoint path, constant-time."""
    usable = _usable(secrets)
    _require_match(provided, usable, code="bad_token", message="endpoint token not recognised")


def verify_organization(organization_id: str | None, allowed: Sequence[str]) -> None:
    """Check a Salesforce organization id against the allow-list (18-character ids).

    A 15-character id in the message is compared on its first 15 characters, which are the
    case-sensitive identity of the org.
    """
    if not allowed:
        raise WebhookRejected("not_configured", "no organization is allowed")
    provided = (organization_id or "").strip()
    matched = False
    for candidate in allowed:
        if len(provided) == 15:
            candidate = candidate[:15]
        matched |= _equal(provided, candidate)
    if not provided or not matched:
        raise WebhookRejected("unknown_organization", "organization not allowed")


def check_timestamp(timestamp: str | None, *, now_ms: int, tolerance_ms: int) -> None:
    """Refuse a missing, malformed, stale or future (beyond ``tolerance_ms``) millisecond stamp."""
    _require_positive(tolerance_ms)
    if timestamp is None or not _MILLIS.fullmatch(timestamp.strip()):
        raise WebhookRejected("bad_timestamp", "timestamp header missing or malformed")
    if abs(now_ms - int(timestamp.strip())) > tolerance_ms:
        raise WebhookRejected("stale_timestamp", "timestamp outside the allowed window")


def _usable(secrets: Sequence[str]) -> list[str]:
    usable = [secret for secret in secrets if secret]
    if not usable:
        # A receiver without a secret refuses everything rather than accepting anything.
        raise WebhookRejected("not_configured", "receiver has no secret configured")
    return usable


def _require_match(
    provided: str,
    candidates: Iterable[str],
    *,
    code: str = "bad_signature",
    message: str = "signature does not match",
) -> None:
    matched = False
    for expected in candidates:  # no early exit: every secret is compared
        matched |= _equal(provided, expected)
    if not matched:
        raise WebhookRejected(code, message)


def _equal(provided: str, expected: str) -> bool:
    # Bytes, not str: hmac.compare_digest raises TypeError on non-ASCII str.
    return hmac.compare_digest(
        provided.encode("utf-8", "surrogatepass"), expected.encode("utf-8", "surrogatepass")
    )


def _require_positive(tolerance_ms: int) -> None:
    if tolerance_ms <= 0:
        # Never let a falsy tolerance switch the replay window off (stripe's optional tolerance).
        raise ValueError("tolerance_ms must be positive")
