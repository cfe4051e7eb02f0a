"""HubSpot receivers: app webhooks (v3) and workflow "Send a webhook" calls (v2 or v3)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import timedelta
from urllib.parse import parse_qsl

from flask import Response, jsonify

from adapters import strict_json
from adapters.hubspot import events as hubspot_events
from connector.events import ChangeEvent, Source, utcnow
from connector.inbox import AppendResult
from connector.runtime import Runtime
from webhooks.base import WebhookRequest, WebhookView
from webhooks.errors import PayloadError, WebhookRejected
from webhooks.secrets import secret_values
from webhooks.signatures import public_uri, verify_hubspot_legacy, verify_hubspot_v3


def verify_hubspot_request(
    raw: WebhookRequest,
    *,
    secrets: Sequence[str],
    public_base_url: str,
    now_ms: int,
    legacy_versions: Collection[str] = (),
) -> None:
    """Verify v3 when its headers are present, else a legacy signature of ``legacy_versions``.

    v1 and v2 carry no timestamp, so a captured request verifies forever: each endpoint names
    the legacy versions it still takes (none on the app endpoint by default, whose deliveries
    always carry v3). A wrong v3 is never rescued by a legacy signature. The signed URI is
    rebuilt from the configured public base URL, never from what Flask sees, because behind a
    proxy scheme and host differ (hubspot.md §2).
    """
    uri = public_uri(public_base_url, raw.raw_path, raw.query_string)
    signature_v3 = raw.header("X-HubSpot-Signature-v3")
    timestamp = raw.header("X-HubSpot-Request-Timestamp")
    if signature_v3 is not None or timestamp is not None:
        verify_hubspot_v3(
            method=raw.method,
            uri=uri,
            body=raw.body,
            timestamp=timestamp,
            signature=signature_v3,
            secrets=secrets,
            now_ms=now_ms,
        )
        return
    version = (raw.header("X-HubSpot-Signature-Version") or "").strip().lower()
    if version not in legacy_versions:
        if legacy_versions:
            raise WebhookRejected("unsupported_signature_version", "signature version not accepted")
        raise WebhookRejected("v3_signature_required", "a timestamped v3 signature is required")
    verify_hubspot_legacy(
        version=version,
        method=raw.method,
        uri=uri,
        body=raw.body,
        signature=raw.header("X-HubSpot-Signature"),
        secrets=secrets,
    )


class _HubSpotView(WebhookView):
    """Shared authentication and acknowledgement for both HubSpot endpoints."""

    source = Source.HUBSPOT

    def authenticate(self, raw: WebhookRequest, runtime: Runtime) -> None:
        """Check the HubSpot signature with the app's client secret(s)."""
        config = runtime.config
        verify_hubspot_request(
            raw,
            secrets=secret_values(config.hubspot.signing_secrets),
            public_base_url=str(config.service.public_base_url),
            now_ms=self.now_ms(),
            legacy_versions=self.legacy_versions(runtime),
        )

    def legacy_versions(self, runtime: Runtime) -> tuple[str, ...]:
        """Timestamp-less signature versions this endpoint accepts without v3 headers."""
        return ("v1",) if runtime.config.hubspot.accept_v1_signatures else ()

    def acknowledge(self, result: AppendResult) -> Response:
        """Any 2xx is success for HubSpot; the counts help operators and tests."""
        return jsonify(status="stored", accepted=result.accepted, duplicates=result.duplicates)


class HubSpotWebhookView(_HubSpotView):
    """App webhooks: a JSON array of up to 100 subscription events."""

    receiver = "hubspot"
    content_types = ("application/json",)

    def parse(self, raw: WebhookRequest, runtime: Runtime) -> list[ChangeEvent]:
        """Decode the batch; unknown event types become UNKNOWN events, not errors."""
        try:
            payload = hubspot_events.parse_batch(raw.body)
        except ValueError as exc:
            raise PayloadError("malformed_body", str(exc)) from None
        return hubspot_events.to_change_events(
            payload,
            app_id=_text_or_none(runtime.config.hubspot.app_id),
            portal_id=_text_or_none(runtime.config.hubspot.portal_id),
            received_at=utcnow(),
        )


class HubSpotWorkflowView(_HubSpotView):
    """Workflow "Send a webhook" actions: one record, POST (JSON object) or GET (query)."""

    methods = ["GET", "POST"]
    receiver = "hubspot_workflow"

    def legacy_versions(self, runtime: Runtime) -> tuple[str, ...]:
        """Workflow calls are signed v2 (hubspot.md §1.5); v1 only with the legacy switch."""
        return ("v2", *super().legacy_versions(runtime))

    def replay_window(self, runtime: Runtime) -> timedelta | None:
        """v2 has no timestamp: a call seen within the window again is a replay or a retry."""
        return timedelta(days=runtime.config.hubspot.workflow_replay_window_days)

    def check_content_type(self, raw: WebhookRequest) -> None:
        """POST bodies must be JSON; GET carries its data in the query string."""
        if raw.method == "POST" and raw.content_type.lower() != "application/json":
            raise PayloadError("unsupported_content_type", "unsupported content type")

    def parse(self, raw: WebhookRequest, runtime: Runtime) -> list[ChangeEvent]:
        """Translate the call into one snapshot event keyed by the request digest."""
        if raw.method == "GET":
            payload: object = _query_values(raw.query_string)
        else:
            try:
                payload = strict_json.loads(raw.body)
            except ValueError as exc:
                raise PayloadError("malformed_body", str(exc)) from None
        if not isinstance(payload, dict):
            raise PayloadError("malformed_body", "body is not a JSON object")
        return [
            hubspot_events.workflow_to_change_event(
                payload,
                request_digest=raw.digest(),
                portal_id=_text_or_none(runtime.config.hubspot.portal_id),
                received_at=utcnow(),
            )
        ]


def _query_values(query_string: str) -> dict[str, str]:
    return dict(parse_qsl(query_string, keep_blank_values=True))


def _text_or_none(value: object) -> str | None:
    return None if value is None or value == "" else str(value)
