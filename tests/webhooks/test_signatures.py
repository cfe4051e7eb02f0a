"""Signature checks: HubSpot's official vectors, the SDK cross-check, one test per failure mode."""

from __future__ import annotations

import string

import pytest
from hubspot.utils.signature import Signature
from hypothesis import given, settings
from hypothesis import strategies as st
from intake_helpers import hubspot_decode

from webhooks.errors import WebhookRejected
from webhooks.signatures import (
    decode_hubspot_uri,
    public_uri,
    sign_hubspot_v1,
    sign_hubspot_v2,
    sign_hubspot_v3,
    sign_json_callout,
    verify_hubspot_legacy,
    verify_hubspot_v3,
    verify_json_callout,
    verify_organization,
    verify_path_token,
)

# HubSpot's documented vectors (shared/reference/hubspot.md §2).
DOC_SECRET = "yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy"
V1_BODY = (
    b'[{"eventId":1,"subscriptionId":12345,"portalId":62515,"occurredAt":1564113600000,'
    b'"subscriptionType":"contact.creation","attemptNumber":0,"objectId":123,'
    b'"changeSource":"CRM","changeFlag":"NEW","appId":54321}]'
)
V1_SIGNATURE = "232db2615f3d666fe21a8ec971ac7b5402d33b9a925784df3ca654d05f4817de"
V2_URI = "https://www.example.com/webhook_uri"
V2_GET_SIGNATURE = "eee2dddcc73c94d699f5e395f4b9d454a069a6855fbfa152e91e88823087200e"
V2_POST_BODY = b'{"example_field":"example_value"}'
V2_POST_SIGNATURE = "9569219f8ba981ffa6f6f16aa0f48637d35d728c7e4d93d0d52efaa512af7900"
# The official Python SDK's v3 test vector (tests/spec/utils/test_signature.py).
V3_BODY = b"{'example_field':'example_value'}"
V3_TIMESTAMP = "1693657560000"
V3_SIGNATURE = "K36dawei4A+QBNolUOqo7s91KQDWQ5MXZ/QufNYuk/Y="
V3_NOW = int(V3_TIMESTAMP)

SECRET = "secret-A"


def _v3(**overrides: object) -> None:
    arguments: dict[str, object] = {
        "method": "POST",
        "uri": V2_URI,
        "body": V3_BODY,
        "timestamp": V3_TIMESTAMP,
        "signature": V3_SIGNATURE,
        "secrets": [DOC_SECRET],
        "now_ms": V3_NOW,
    }
    arguments.update(overrides)
    verify_hubspot_v3(**arguments)  # type: ignore[arg-type]


class TestOfficialVectors:
    def test_v1_vector(self) -> None:
        assert sign_hubspot_v1(DOC_SECRET, V1_BODY) == V1_SIGNATURE
        verify_hubspot_legacy(
            version="v1",
            method="POST",
            uri="ignored-for-v1",
            body=V1_BODY,
            signature=V1_SIGNATURE,
            secrets=[DOC_SECRET],
        )

    def test_v2_get_vector(self) -> None:
        assert sign_hubspot_v2(DOC_SECRET, "GET", V2_URI, b"") == V2_GET_SIGNATURE
        verify_hubspot_legacy(
            version="v2",
            method="GET",
            uri=V2_URI,
            body=b"",
            signature=V2_GET_SIGNATURE,
            secrets=[DOC_SECRET],
        )

    def test_v2_post_vector(self) -> None:
        assert sign_hubspot_v2(DOC_SECRET, "POST", V2_URI, V2_POST_BODY) == V2_POST_SIGNATURE
        verify_hubspot_legacy(
            version="v2",
            method="POST",
            uri=V2_URI,
            body=V2_POST_BODY,
            signature=V2_POST_SIGNATURE,
            secrets=[DOC_SECRET],
        )

    def test_v3_sdk_vector(self) -> None:
        assert sign_hubspot_v3(DOC_SECRET, "POST", V2_URI, V3_BODY, V3_TIMESTAMP) == V3_SIGNATURE
        _v3()

    def test_v3_vector_accepted_at_both_edges_of_the_window(self) -> None:
        _v3(now_ms=V3_NOW + 300_000)
        _v3(now_ms=V3_NOW - 300_000)


_URI_CHARS = string.ascii_letters + string.digits + "-._~:@!$'()*,;=%/"
_uri_text = st.text(alphabet=_URI_CHARS, max_size=30)


class TestSdkCrossCheck:
    @settings(max_examples=60, deadline=None)
    @given(
        method=st.sampled_from(["POST", "GET", "PUT"]),
        path=_uri_text,
        query=st.one_of(st.just(""), _uri_text),
        body=st.text(max_size=200),
        timestamp=st.integers(min_value=0, max_value=10**13),
        secret=st.text(min_size=1, max_size=40),
    )
    def test_v3_matches_sdk_get_signature(
        self, method: str, path: str, query: str, body: str, timestamp: int, secret: str
    ) -> None:
        # The SDK does not apply the decode table (a quirk): the caller passes the decoded URI.
        uri = public_uri("https://baton.example.com", "/webhooks/hubspot" + path, query)
        expected = Signature.get_signature(
            secret,
            body,
            "v3",
            http_uri=hubspot_decode(uri),
            http_method=method,
            timestamp=str(timestamp),
        )
        ours = sign_hubspot_v3(
            secret, method, decode_hubspot_uri(uri), body.encode(), str(timestamp)
        )
        assert ours == expected
        verify_hubspot_v3(
            method=method,
            uri=uri,
            body=body.encode(),
            timestamp=str(timestamp),
            signature=expected,
            secrets=[secret],
            now_ms=timestamp,
        )

    def test_sdk_accepts_future_timestamps_but_we_do_not(self) -> None:
        """The SDK's freshness check has no absolute value; ours refuses the future too."""
        import time

        future = str(int(time.time() * 1000) + 3_600_000)
        signature = sign_hubspot_v3(DOC_SECRET, "POST", V2_URI, V3_BODY, future)
        assert Signature.is_valid(
            signature,
            DOC_SECRET,
            V3_BODY.decode(),
            http_uri=V2_URI,
            signature_version="v3",
            timestamp=future,
        )
        with pytest.raises(WebhookRejected) as caught:
            verify_hubspot_v3(
                method="POST",
                uri=V2_URI,
                body=V3_BODY,
                timestamp=future,
                signature=signature,
                secrets=[DOC_SECRET],
                now_ms=int(future) - 3_600_000,
            )
        assert caught.value.code == "stale_timestamp"


class TestHubSpotV3FailureModes:
    def test_wrong_signature(self) -> None:
        with pytest.raises(WebhookRejected, match="does not match"):
            _v3(signature="K36dawei4A+QBNolUOqo7s91KQDWQ5MXZ/QufNYuk/Z=")

    def test_missing_signature(self) -> None:
        with pytest.raises(WebhookRejected) as caught:
            _v3(signature=None)
        assert caught.value.code == "missing_signature"

    def test_wrong_secret(self) -> None:
        with pytest.raises(WebhookRejected):
            _v3(secrets=["another-secret"])

    def test_tampered_body(self) -> None:
        with pytest.raises(WebhookRejected):
            _v3(body=V3_BODY + b" ")

    def test_other_method(self) -> None:
        with pytest.raises(WebhookRejected):
            _v3(method="PUT")

    def test_other_uri(self) -> None:
        with pytest.raises(WebhookRejected):
            _v3(uri="https://www.example.com/webhook_uri2")

    def test_http_instead_of_https(self) -> None:
        with pytest.raises(WebhookRejected):
            _v3(uri="http://www.example.com/webhook_uri")

    def test_stale_timestamp(self) -> None:
        with pytest.raises(WebhookRejected) as caught:
            _v3(now_ms=V3_NOW + 300_001)
        assert caught.value.code == "stale_timestamp"

    def test_future_timestamp(self) -> None:
        with pytest.raises(WebhookRejected) as caught:
            _v3(now_ms=V3_NOW - 300_001)
        assert caught.value.code == "stale_timestamp"

    def test_missing_timestamp(self) -> None:
        with pytest.raises(WebhookRejected) as caught:
            _v3(timestamp=None)
        assert caught.value.code == "bad_timestamp"

    @pytest.mark.parametrize(
        "timestamp", ["", "abc", "1693657560.000", "-1", "²³", "١٢٣", "9" * 17]
    )
    def test_malformed_timestamp(self, timestamp: str) -> None:
        with pytest.raises(WebhookRejected) as caught:
            _v3(timestamp=timestamp)
        assert caught.value.code == "bad_timestamp"

    def test_timestamp_in_seconds_is_stale(self) -> None:
        with pytest.raises(WebhookRejected):
            _v3(timestamp=V3_TIMESTAMP[:-3])

    def test_non_ascii_signature_is_a_rejection_not_a_crash(self) -> None:
        with pytest.raises(WebhookRejected):
            _v3(signature="K36dawei4A+QBNolUOqo7s91KQDWQ5MXZ/QufNYuk/Y=é")

    def test_no_secret_configured_refuses_everything(self) -> None:
        with pytest.raises(WebhookRejected) as caught:
            _v3(secrets=["", ""])
        assert caught.value.code == "not_configured"

    @pytest.mark.parametrize("tolerance", [0, -1])
    def test_window_cannot_be_switched_off(self, tolerance: int) -> None:
        with pytest.raises(ValueError):
            _v3(tolerance_ms=tolerance)

    def test_rotation_accepts_old_and_new_secret(self) -> None:
        _v3(secrets=["new-secret", DOC_SECRET])
        _v3(secrets=[DOC_SECRET, "new-secret"])


class TestDecodeTable:
    @pytest.mark.parametrize(
        ("escaped", "char"),
        [
            ("%3A", ":"), ("%2F", "/"), ("%3F", "?"), ("%40", "@"), ("%21", "!"), ("%24", "$"),
            ("%27", "'"), ("%28", "("), ("%29", ")"), ("%2A", "*"), ("%2C", ","), ("%3B", ";"),
        ],
    )  # fmt: skip
    def test_each_entry_is_decoded_in_either_case(self, escaped: str, char: str) -> None:
        assert decode_hubspot_uri(f"https://h/p?q=a{escaped}b") == f"https://h/p?q=a{char}b"
        assert decode_hubspot_uri(f"https://h/p?q=a{escaped.lower()}b") == f"https://h/p?q=a{char}b"

    @pytest.mark.parametrize("escaped", ["%20", "%25", "%26", "%3D", "%2B", "%23", "%C3%A9"])
    def test_other_escapes_are_kept(self, escaped: str) -> None:
        assert decode_hubspot_uri(f"https://h/p?q={escaped}") == f"https://h/p?q={escaped}"

    def test_signature_is_over_the_decoded_uri(self) -> None:
        raw = "https://baton.example.com/webhooks/hubspot?source=a%3Ab%2Cc"
        signature = sign_hubspot_v3(
            SECRET, "POST", "https://baton.example.com/webhooks/hubspot?source=a:b,c", b"[]", "1"
        )
        verify_hubspot_v3(
            method="POST",
            uri=raw,
            body=b"[]",
            timestamp="1",
            signature=signature,
            secrets=[SECRET],
            now_ms=1,
        )

    def test_public_uri_joins_base_path_and_query(self) -> None:
        assert public_uri("https://b.example/", "/webhooks/hubspot") == (
            "https://b.example/webhooks/hubspot"
        )
        assert public_uri("https://b.example/prefix", "/webhooks/hubspot", "b=2&a=1") == (
            "https://b.example/prefix/webhooks/hubspot?b=2&a=1"
        )


class TestHubSpotLegacyFailureModes:
    def test_v1_wrong_signature(self) -> None:
        with pytest.raises(WebhookRejected):
            verify_hubspot_legacy(
                version="v1",
                method="POST",
                uri="",
                body=V1_BODY + b" ",
                signature=V1_SIGNATURE,
                secrets=[DOC_SECRET],
            )

    def test_v2_signature_is_bound_to_the_method(self) -> None:
        with pytest.raises(WebhookRejected):
            verify_hubspot_legacy(
                version="v2",
                method="POST",
                uri=V2_URI,
                body=b"",
                signature=V2_GET_SIGNATURE,
                secrets=[DOC_SECRET],
            )

    @pytest.mark.parametrize("version", [None, "", "v3", "v0", "V9"])
    def test_unknown_version(self, version: str | None) -> None:
        with pytest.raises(WebhookRejected) as caught:
            verify_hubspot_legacy(
                version=version,
                method="POST",
                uri="",
                body=V1_BODY,
                signature=V1_SIGNATURE,
                secrets=[DOC_SECRET],
            )
        assert caught.value.code == "unsupported_signature_version"

    def test_missing_signature(self) -> None:
        with pytest.raises(WebhookRejected) as caught:
            verify_hubspot_legacy(
                version="v1", method="POST", uri="", body=V1_BODY, signature="", secrets=[SECRET]
            )
        assert caught.value.code == "missing_signature"

    def test_uppercase_hex_is_the_same_signature(self) -> None:
        verify_hubspot_legacy(
            version="V1",
            method="POST",
            uri="",
            body=V1_BODY,
            signature=V1_SIGNATURE.upper(),
            secrets=[DOC_SECRET],
        )


class TestJsonCallout:
    def _verify(self, **overrides: object) -> None:
        body = b'{"organizationId":"00D000000000001EAA","events":[]}'
        arguments: dict[str, object] = {
            "body": body,
            "timestamp": "1700000000000",
            "signature": sign_json_callout(SECRET, "1700000000000", body),
            "secrets": [SECRET],
            "now_ms": 1_700_000_000_000,
        }
        arguments.update(overrides)
        verify_json_callout(**arguments)  # type: ignore[arg-type]

    def test_valid(self) -> None:
        self._verify()

    def test_prefixed_signature(self) -> None:
        body = b"{}"
        signature = "sha256=" + sign_json_callout(SECRET, "1700000000000", body)
        self._verify(body=body, signature=signature)

    def test_tampered_body(self) -> None:
        with pytest.raises(WebhookRejected):
            self._verify(body=b"{}")

    def test_timestamp_is_inside_the_mac(self) -> None:
        """Replaying a captured body with a fresh timestamp does not verify."""
        with pytest.raises(WebhookRejected):
            self._verify(timestamp="1700000001000", now_ms=1_700_000_001_000)

    def test_stale(self) -> None:
        with pytest.raises(WebhookRejected):
            self._verify(now_ms=1_700_000_000_000 + 300_001)

    def test_missing_signature(self) -> None:
        with pytest.raises(WebhookRejected):
            self._verify(signature=None)

    def test_wrong_secret(self) -> None:
        with pytest.raises(WebhookRejected):
            self._verify(secrets=["other"])


class TestSalesforceTokenAndOrganization:
    def test_token_accepted(self) -> None:
        verify_path_token("tok-1", ["tok-0", "tok-1"])

    @pytest.mark.parametrize("token", ["", "tok", "tok-10", "TOK-1", "tok-1 ", "tök-1"])
    def test_token_refused(self, token: str) -> None:
        with pytest.raises(WebhookRejected):
            verify_path_token(token, ["tok-1"])

    def test_no_token_configured(self) -> None:
        with pytest.raises(WebhookRejected) as caught:
            verify_path_token("anything", [])
        assert caught.value.code == "not_configured"

    def test_org_allowed(self) -> None:
        verify_organization("00D000000000001EAA", ["00D000000000002EAA", "00D000000000001EAA"])

    def test_fifteen_character_org_matches_its_eighteen_character_form(self) -> None:
        verify_organization("00D000000000001", ["00D000000000001EAA"])

    @pytest.mark.parametrize(
        "org", ["00D000000000002EAA", "00d000000000001EAA", "", None, "00D000000000001EA"]
    )
    def test_org_refused(self, org: str | None) -> None:
        with pytest.raises(WebhookRejected) as caught:
            verify_organization(org, ["00D000000000001EAA"])
        assert caught.value.code == "unknown_organization"

    def test_empty_allow_list_refuses(self) -> None:
        with pytest.raises(WebhookRejected):
            verify_organization("00D000000000001EAA", [])
