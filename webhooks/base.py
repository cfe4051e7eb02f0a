"""The one receiver pipeline: read raw body → authenticate → parse → store → acknowledge.

Acknowledgement policy (docs/adrs/001-webhook-responses.md): a request is acknowledged only
after its events and raw body are committed to the inbox in one transaction, and nothing slow (no
CRM call) happens before that. Everything that is not acknowledged gets a 4xx/503 with a short
error body, so the sender retries; nothing of a refused request is stored, and nothing already
accepted is touched.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, ClassVar
from urllib.parse import quote

from flask import Request, Response, current_app, jsonify, request
from flask.views import View
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import RequestEntityTooLarge

from connector.events import ChangeEvent, Source
from connector.inbox import AppendResult, IncomingRequest, append
from connector.replays import first_sighting
from connector.runtime import Runtime
from connector.storable import events_problem
from webhooks.errors import (
    BodyTooLarge,
    NotConnected,
    PayloadError,
    StoreUnavailable,
    WebhookError,
)

log = logging.getLogger("baton.webhooks")

#: Headers kept with the raw request (an allow-list: signatures, tokens, cookies never stored).
KEPT_HEADERS = (
    "Content-Type",
    "Content-Length",
    "User-Agent",
    "SOAPAction",
    "X-HubSpot-Request-Timestamp",
    "X-HubSpot-Signature-Version",
    "X-HubSpot-Timeout-Millis",
    "X-Baton-Timestamp",
)


@dataclass(frozen=True, slots=True)
class WebhookRequest:
    """What a receiver needs from one HTTP request, read once, before anything parses it.

    ``raw_path`` is the path exactly as sent on the wire (percent-escapes intact), relative to
    the app root; ``query_string`` keeps the original order and encoding.
    """

    method: str
    raw_path: str
    query_string: str
    headers: Mapping[str, str]
    body: bytes
    content_type: str
    route_args: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_flask(cls, req: Request, max_body_bytes: int) -> WebhookRequest:
        """Read the body (bounded by ``max_body_bytes``) and the wire form of the URL."""
        too_large = BodyTooLarge("body_too_large", "request body exceeds the configured limit")
        if req.content_length is not None and req.content_length > max_body_bytes:
            raise too_large
        # A chunked body has no Content-Length: Werkzeug stops reading at max_content_length and
        # returns what it read, so a limit of exactly max_body_bytes would truncate an oversized
        # body into an acceptable one. One byte more tells "too large" from "exactly the limit".
        req.max_content_length = max_body_bytes + 1
        try:
            body = req.get_data(cache=True)
        except RequestEntityTooLarge:
            raise too_large from None
        if len(body) > max_body_bytes:
            raise too_large
        return cls(
            method=req.method,
            raw_path=_wire_path(req),
            query_string=_wire_text(req.query_string),
            headers=dict(req.headers.items()),
            body=body,
            content_type=req.mimetype,
            route_args=dict(req.view_args or {}),
        )

    def header(self, name: str) -> str | None:
        """A header value, case-insensitively."""
        wanted = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == wanted), None)

    def kept_headers(self) -> dict[str, str]:
        """The headers safe to store: see :data:`KEPT_HEADERS`."""
        kept = {name: self.header(name) for name in KEPT_HEADERS}
        return {name: value[:512] for name, value in kept.items() if value is not None}

    def digest(self) -> str:
        """SHA-256 of method, path, query and body: identical retries share it."""
        head = "\n".join((self.method, self.raw_path, self.query_string, ""))
        return hashlib.sha256(head.encode("utf-8", "surrogateescape") + self.body).hexdigest()


class WebhookView(View):
    """Receive one sender's webhook: authenticate, parse, store, then acknowledge.

    Acknowledgement policy (ADR 001): 2xx / ``Ack true`` only after the events and the raw body
    are committed to the inbox; a refusal (401 not authentic, 400 unusable, 413 too large, 503
    store down) stores nothing, so the sender retries; an authentic event of a type Baton does
    not handle is stored as UNKNOWN and acknowledged, because a retry could never succeed.

    Subclasses set ``receiver`` and ``source`` and implement :meth:`authenticate`,
    :meth:`parse` and :meth:`acknowledge`; they may override :meth:`error_response` (SOAP
    faults) and :meth:`stored_path` (to hide a path token). They should not override
    :meth:`dispatch_request`.
    """

    methods: ClassVar[list[str]] = ["POST"]
    init_every_request = False
    #: the metrics/log label of this endpoint, e.g. "hubspot"
    receiver: ClassVar[str]
    #: the system whose events this endpoint receives
    source: ClassVar[Source]
    #: accepted media types (lower case); empty means any
    content_types: ClassVar[tuple[str, ...]] = ()

    def dispatch_request(self, **_route_args: Any) -> Response:
        """Run the fixed pipeline; every refusal is mapped to a response in one place."""
        started = time.perf_counter()
        runtime: Runtime = current_app.extensions["baton"]
        try:
            raw = WebhookRequest.from_flask(request, runtime.config.service.max_body_bytes)
            if not getattr(runtime.config, str(self.source)).enabled:
                raise NotConnected("crm_not_connected", f"{self.source} is not connected to Baton")
            self.authenticate(raw, runtime)
            self.check_content_type(raw)
            events = self.parse(raw, runtime)
            self.check_storable(events)
            result = self.store(raw, events, runtime)
        except WebhookError as error:
            return self._refuse(error, runtime)
        self._count_accepted(runtime, result, started)
        return self.acknowledge(result)

    def authenticate(self, raw: WebhookRequest, runtime: Runtime) -> None:
        """Raise :class:`WebhookRejected` unless the request is authentic (before parsing)."""
        raise NotImplementedError

    def parse(self, raw: WebhookRequest, runtime: Runtime) -> list[ChangeEvent]:
        """Translate the body into events; raise :class:`PayloadError` (or reject) otherwise."""
        raise NotImplementedError

    def acknowledge(self, result: AppendResult) -> Response:
        """The success response, sent only after the inbox transaction committed."""
        raise NotImplementedError

    def error_response(self, error: WebhookError) -> Response:
        """The body of a refusal: short JSON by default."""
        response = jsonify(error=error.code, message=error.message)
        response.status_code = error.status
        return response

    def stored_path(self, raw: WebhookRequest) -> str:
        """The path recorded with the raw request (override to hide secrets in the path)."""
        return raw.raw_path

    def check_content_type(self, raw: WebhookRequest) -> None:
        """Refuse a body whose media type is not one of :attr:`content_types`."""
        if self.content_types and raw.content_type.lower() not in self.content_types:
            raise PayloadError("unsupported_content_type", "unsupported content type")

    def check_storable(self, events: list[ChangeEvent]) -> None:
        """Refuse (400) events the store could not keep, before the transaction starts."""
        problem = events_problem(events)
        if problem is not None:
            raise PayloadError("unstorable_value", problem)

    def store(
        self, raw: WebhookRequest, events: list[ChangeEvent], runtime: Runtime
    ) -> AppendResult:
        """Append the events and the raw request in one transaction; commit before returning."""
        incoming = IncomingRequest(
            source=self.source.value,
            path=self.stored_path(raw),
            body=raw.body,
            content_type=raw.header("Content-Type"),
            headers=raw.kept_headers(),
        )
        window = self.replay_window(runtime)
        try:
            with _writer_slot(runtime), runtime.store.session() as session:
                if window and not first_sighting(
                    session, self.receiver, raw.digest(), window=window
                ):
                    return AppendResult(None, 0, len(events), replayed=True)
                return append(session, events, incoming)
        except SQLAlchemyError as exc:
            log.error(
                "webhook not stored",
                extra={"receiver": self.receiver, "error": type(exc).__name__},
            )
            raise StoreUnavailable("store_unavailable", "could not store the request") from None

    def replay_window(self, runtime: Runtime) -> timedelta | None:
        """How long a request digest is remembered to ignore replays; None: not at all.

        Only endpoints whose signature has no timestamp need it: elsewhere the ±5 min window
        plus the inbox dedupe already make a replay a no-op.
        """
        return None

    def now_ms(self) -> int:
        """The clock for timestamp windows (``BATON_CLOCK`` in the app config, for tests)."""
        clock: Callable[[], float] = current_app.config.get("BATON_CLOCK") or time.time
        return int(clock() * 1000)

    def _refuse(self, error: WebhookError, runtime: Runtime) -> Response:
        runtime.metrics.webhook_requests.labels(self.receiver, error.outcome).inc()
        # Only fixed phrases and sizes: no body, no header values, no secrets, no personal data.
        log.log(
            logging.ERROR if error.status >= 500 else logging.WARNING,
            "webhook refused",
            extra={
                "receiver": self.receiver,
                "status": error.status,
                "reason": error.code,
                "detail": error.message,
                "content_length": request.content_length,
            },
        )
        return self.error_response(error)

    def _count_accepted(self, runtime: Runtime, result: AppendResult, started: float) -> None:
        metrics = runtime.metrics
        outcome = "replayed" if result.replayed else "accepted"
        metrics.webhook_requests.labels(self.receiver, outcome).inc()
        metrics.webhook_events.labels(self.receiver, "accepted").inc(result.accepted)
        metrics.webhook_events.labels(self.receiver, "duplicate").inc(result.duplicates)
        metrics.webhook_ack_seconds.labels(self.receiver).observe(time.perf_counter() - started)
        log.log(
            logging.WARNING if result.replayed else logging.INFO,
            "webhook replay ignored" if result.replayed else "webhook stored",
            extra={
                "receiver": self.receiver,
                "accepted": result.accepted,
                "duplicates": result.duplicates,
                "raw_request_id": result.raw_request_id,
            },
        )


# SQLite has one writer at a time. Its busy handler polls with sleeps of up to 100 ms, so web
# threads contending for the write lock see long, unfair waits (p99 in seconds under load).
# Queueing this process's receivers on a lock first leaves SQLite one writer per process.
_SQLITE_WRITER = threading.Lock()


def _writer_slot(runtime: Runtime) -> AbstractContextManager[Any]:
    """The in-process write queue on SQLite; nothing on PostgreSQL (row locks suffice)."""
    return _SQLITE_WRITER if runtime.store.dialect == "sqlite" else nullcontext()


def _wire_path(req: Request) -> str:
    """The request path as the client sent it, relative to the app root (escapes intact)."""
    environ = req.environ
    raw_uri = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if raw_uri:
        path = _wire_text(raw_uri.encode("latin-1", "replace")).split("?", 1)[0]
        if "://" in path:  # absolute-form request target
            path = "/" + path.split("://", 1)[1].partition("/")[2]
        script_root = req.script_root
        if script_root and path.startswith(script_root):
            path = path[len(script_root) :]
        return path or "/"
    # Test clients and some servers give no raw URI; WSGI PATH_INFO is latin-1-decoded bytes.
    path_bytes = environ.get("PATH_INFO", "/").encode("latin-1", "replace")
    return quote(path_bytes, safe="/:@!$&'()*+,;=-._~")


def _wire_text(raw: bytes) -> str:
    """Bytes from the wire as text that encodes back to the same bytes (surrogateescape)."""
    return raw.decode("utf-8", "surrogateescape")
