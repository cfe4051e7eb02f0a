"""Salesforce receivers: outbound messages (SOAP 1.1) and JSON callouts (Flow/Apex, HMAC)."""

from __future__ import annotations

from flask import Response, jsonify

from adapters.salesforce import events as salesforce_events
from connector.events import ChangeEvent, Source, utcnow
from connector.inbox import AppendResult
from connector.runtime import Runtime
from webhooks.base import WebhookRequest, WebhookView
from webhooks.errors import PayloadError, WebhookError
from webhooks.secrets import secret_values
from webhooks.signatures import verify_json_callout, verify_organization, verify_path_token
from webhooks.soap import ACK_ENVELOPE, SOAP_CONTENT_TYPE, fault_envelope

#: Shown instead of the secret path token wherever the path is stored.
REDACTED_TOKEN = "{token}"


class SalesforceOutboundView(WebhookView):
    """Outbound messages: path token, then hardened parse, then the org allow-list.

    Outbound messages carry no signature; a secret token in the endpoint path (known only to the
    org's admin) and the organization id inside the message authenticate them (salesforce.md
    §1.6). The answer is the exact ``Ack true`` envelope after the whole batch is committed, or
    a SOAP fault so Salesforce retries.
    """

    receiver = "salesforce_outbound"
    source = Source.SALESFORCE
    content_types = ("text/xml", "application/xml", "application/soap+xml")

    def authenticate(self, raw: WebhookRequest, runtime: Runtime) -> None:
        """Compare the path token, constant-time, with the configured one(s)."""
        token = str(raw.route_args.get("token") or "")
        verify_path_token(token, secret_values(runtime.config.salesforce.path_tokens))

    def parse(self, raw: WebhookRequest, runtime: Runtime) -> list[ChangeEvent]:
        """Parse the envelope (no DTDs or entities), check the org, translate notifications."""
        try:
            message = salesforce_events.parse_outbound_message(raw.body)
        except ValueError as exc:
            raise PayloadError("malformed_body", str(exc)) from None
        config = runtime.config.salesforce
        verify_organization(message.organization_id, list(config.organization_ids or ()))
        return salesforce_events.to_change_events(
            message,
            integration_user_id=config.integration_user_id or None,
            received_at=utcnow(),
        )

    def acknowledge(self, result: AppendResult) -> Response:
        """The exact notificationsResponse/Ack true envelope (one ack covers the whole batch)."""
        return Response(ACK_ENVELOPE, status=200, content_type=SOAP_CONTENT_TYPE)

    def error_response(self, error: WebhookError) -> Response:
        """A SOAP fault with the refusal's HTTP status: Salesforce keeps the message queued."""
        body = fault_envelope(error.message, server_side=error.status >= 500)
        return Response(body, status=error.status, content_type=SOAP_CONTENT_TYPE)

    def stored_path(self, raw: WebhookRequest) -> str:
        """The path without the secret token."""
        token = str(raw.route_args.get("token") or "")
        prefix, _, _ = raw.raw_path.rpartition("/")
        return f"{prefix}/{REDACTED_TOKEN}" if token else raw.raw_path


class SalesforceEventsView(WebhookView):
    """JSON callouts from Flow or Apex, signed with Baton's HMAC scheme (see signatures.py)."""

    receiver = "salesforce_events"
    source = Source.SALESFORCE
    content_types = ("application/json",)

    def authenticate(self, raw: WebhookRequest, runtime: Runtime) -> None:
        """Check X-Baton-Signature over the timestamp and body with the shared secret(s)."""
        verify_json_callout(
            body=raw.body,
            timestamp=raw.header("X-Baton-Timestamp"),
            signature=raw.header("X-Baton-Signature"),
            secrets=secret_values(runtime.config.salesforce.json_secrets),
            now_ms=self.now_ms(),
        )

    def parse(self, raw: WebhookRequest, runtime: Runtime) -> list[ChangeEvent]:
        """Decode the contract, check the org, translate the events."""
        try:
            organization_id, events = salesforce_events.parse_json_callout(raw.body)
        except ValueError as exc:
            raise PayloadError("malformed_body", str(exc)) from None
        config = runtime.config.salesforce
        verify_organization(organization_id, list(config.organization_ids or ()))
        return salesforce_events.json_to_change_events(
            organization_id, events, integration_user_id=config.integration_user_id or None
        )

    def acknowledge(self, result: AppendResult) -> Response:
        """A JSON object (Flow HTTP Callout wants ``{}``-style bodies, never an empty one)."""
        return jsonify(status="stored", accepted=result.accepted, duplicates=result.duplicates)
