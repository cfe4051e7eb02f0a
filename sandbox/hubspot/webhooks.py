"""Outgoing webhooks: subscriptions, HubSpot's event payloads, and a delivery worker that batches,
signs, limits concurrency, retries with growing jittered delays, and may duplicate or reorder."""

from __future__ import annotations

import json
import logging
import random
import threading
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any

import requests

from .config import HubSpotSandboxConfig
from .events import CrmChange
from .schema import find_type
from .signing import signature_headers

log = logging.getLogger(__name__)

_LINGER_S = 0.02  # events are held this long so one operation's events share a batch
_LEGACY_PREFIXES = frozenset({"contact", "company", "deal"})
_NOT_SUBSCRIBABLE = {"hs_lastmodifieddate", "num_unique_conversion_events"}
_USER_AGENT = "HubSpot Connect 2.0 (http://dev.hubspot.com/) - WebhooksExecutorDaemon-executor"


@dataclass(frozen=True)
class Subscription:
    """One subscription: e.g. contact.propertyChange on lifecyclestage, to one target URL."""

    id: int
    target_url: str
    subscription_type: str  # "contact.creation", "object.propertyChange", ...
    property_name: str | None = None
    #: made through the Webhooks API: paused until activated, sent to the app's target URL
    active: bool = True
    via_api: bool = False
    created_at_ms: int = 0
    #: a generic (object.*) subscription names its object type, as webhooks.json's
    #: ``objectName`` does ("call", "meeting"); None = every type (the sandbox's old shorthand)
    object_name: str | None = None

    def matches(self, change: CrmChange) -> bool:
        """Whether this subscription reports the change."""
        if not self.active or not self.target_url:
            return False
        prefix, _, kind = self.subscription_type.partition(".")
        if kind != change.kind:
            return False
        if kind == "propertyChange" and change.property_name != self.property_name:
            return False
        if prefix == "object":
            scoped = find_type(self.object_name) if self.object_name else None
            return scoped is None or scoped.name == change.object_type
        otype = find_type(prefix)
        if otype is None:
            return False
        if kind == "associationChange":
            return otype.name in (change.object_type, change.extra.get("otherObjectType"))
        return otype.name == change.object_type


@dataclass
class DeliveryRecord:
    """One POST to a target URL: what was sent and how it was answered."""

    url: str
    status: int | None
    error: str | None
    event_ids: tuple[int, ...]
    attempt_numbers: tuple[int, ...]
    at: float


@dataclass
class _Pending:
    url: str
    payload: dict[str, Any]
    attempt: int = 0
    due: float = 0.0
    seq: int = 0
    history: list[int] = field(default_factory=list)


def _parse_spec(spec: Any) -> tuple[str, str | None, str | None]:
    object_name: str | None = None
    if isinstance(spec, dict):  # the webhooks.json form of a generic subscription
        subscription_type = str(spec.get("subscriptionType") or "")
        prop = spec.get("propertyName")
        object_name = spec.get("objectName")
        if not subscription_type.startswith("object.") or find_type(str(object_name)) is None:
            raise ValueError(
                f"a generic subscription needs object.<kind> and a known objectName: {spec!r}"
            )
    elif isinstance(spec, str):
        subscription_type, prop = spec, None
    elif isinstance(spec, tuple | list) and len(spec) == 2:
        subscription_type, prop = str(spec[0]), str(spec[1])
    else:
        raise ValueError(f"a subscription is 'type' or ('type', 'property'), got {spec!r}")
    prefix, _, kind = subscription_type.partition(".")
    kinds = {
        "creation",
        "deletion",
        "propertyChange",
        "merge",
        "restore",
        "associationChange",
        "privacyDeletion",
    }
    if kind not in kinds or prefix not in _LEGACY_PREFIXES | {"object"}:
        raise ValueError(
            f"unknown subscription type {subscription_type!r}: legacy types exist for "
            f"{sorted(_LEGACY_PREFIXES)}; other objects use object.<kind>"
        )
    if kind == "privacyDeletion" and prefix != "contact":
        raise ValueError("privacyDeletion exists only as contact.privacyDeletion")
    if (kind == "propertyChange") != (prop is not None):
        raise ValueError("a propertyChange subscription names exactly one property; others none")
    if prop in _NOT_SUBSCRIBABLE:
        raise ValueError(f"HubSpot does not allow subscribing to {prop}")
    return subscription_type, prop, object_name


class WebhookDispatcher:
    """Turns `CrmChange`s into signed HubSpot webhook deliveries, in a background thread."""

    def __init__(self, config: HubSpotSandboxConfig) -> None:
        self.config = config
        self.subscriptions: list[Subscription] = []
        #: the app's webhook target URL as set through the settings API (None: not set)
        self.app_target_url: str | None = None
        self.app_max_concurrent = config.webhook_max_concurrency
        self.deliveries: list[DeliveryRecord] = []
        self.given_up: list[dict[str, Any]] = []
        self._pending: list[_Pending] = []
        self._in_flight = 0
        self._seq = 0
        self._cond = threading.Condition()
        self._rng = random.Random(config.seed + 7919)
        self._event_id = self._rng.randrange(1_000_000, 4_000_000_000)
        self._running = False
        self._thread: threading.Thread | None = None
        self._executor: ThreadPoolExecutor | None = None
        self._local = threading.local()

    # ----------------------------------------------------------- subscriptions
    def subscribe(self, target_url: str, specs: Iterable[Any]) -> list[int]:
        """Add subscriptions for `target_url`; returns their ids."""
        if not target_url.startswith(("http://", "https://")):
            raise ValueError(f"target_url must be an http(s) URL, got {target_url!r}")
        parsed = [_parse_spec(s) for s in specs]
        ids = []
        with self._cond:
            for subscription_type, prop, object_name in parsed:
                sub_id = 100_000 + len(self.subscriptions) + 1
                self.subscriptions.append(
                    Subscription(
                        sub_id, target_url, subscription_type, prop, object_name=object_name
                    )
                )
                ids.append(sub_id)
        return ids

    def add_app_subscription(
        self, event_type: str, property_name: str | None, active: bool, now_ms: int
    ) -> Subscription:
        """Create one subscription as ``POST /webhooks/v3/{appId}/subscriptions`` does; a bad
        type or property is a ValueError (answered 400)."""
        subscription_type, prop, _ = _parse_spec(
            (event_type, property_name) if property_name else event_type
        )
        with self._cond:
            sub = Subscription(
                100_000 + len(self.subscriptions) + 1,
                self.app_target_url or "",
                subscription_type,
                prop,
                active=active,
                via_api=True,
                created_at_ms=now_ms,
            )
            self.subscriptions.append(sub)
            return sub

    def set_app_target(self, target_url: str) -> None:
        """``PUT /webhooks/v3/{appId}/settings``: API subscriptions now go to ``target_url``."""
        with self._cond:
            self.app_target_url = target_url
            self.subscriptions = [
                replace(s, target_url=target_url) if s.via_api else s for s in self.subscriptions
            ]

    # ----------------------------------------------------------- events in
    def enqueue(self, change: CrmChange) -> None:
        """Queue one event per matching subscription (maybe duplicated, as HubSpot may)."""
        with self._cond:
            matching = [s for s in self.subscriptions if s.matches(change)]
            if not matching:
                return
            now = time.monotonic()
            for sub in matching:
                payload = self._payload(sub, change)
                copies = 2 if self._rng.random() < self.config.webhook_duplicate_rate else 1
                for copy_index in range(copies):
                    delay = _LINGER_S * (1 + copy_index * self._rng.uniform(1, 10))
                    self._seq += 1
                    self._pending.append(
                        _Pending(sub.target_url, dict(payload), 0, now + delay, self._seq)
                    )
            self._cond.notify_all()

    def _payload(self, sub: Subscription, change: CrmChange) -> dict[str, Any]:
        self._event_id += 1
        body: dict[str, Any] = {
            "eventId": self._event_id,
            "subscriptionId": sub.id,
            "portalId": self.config.portal_id,
            "appId": self.config.app_id,
            "occurredAt": change.occurred_at_ms,
            "subscriptionType": sub.subscription_type,
            "attemptNumber": 0,
        }
        if change.kind != "associationChange":
            body["objectId"] = change.object_id
        if change.kind == "propertyChange":
            body["propertyName"] = change.property_name
            body["propertyValue"] = change.property_value
        body["changeSource"] = change.change_source
        body["sourceId"] = change.source_id
        body.update({k: v for k, v in change.extra.items() if k != "otherObjectType"})
        if sub.subscription_type.startswith("object."):
            otype = find_type(change.object_type)
            body["objectTypeId"] = otype.type_id if otype else change.object_type
        return body

    # ----------------------------------------------------------- worker
    def start(self) -> None:
        """Start the delivery thread (idempotent)."""
        with self._cond:
            if self._running:
                return
            self._running = True
            self._executor = ThreadPoolExecutor(
                max_workers=self.config.webhook_max_concurrency, thread_name_prefix="hs-webhook"
            )
            self._thread = threading.Thread(target=self._run, name="hs-webhooks", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stop delivering; queued events are dropped."""
        with self._cond:
            self._running = False
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)

    def flush(self, timeout: float) -> bool:
        """Wait until nothing is queued or in flight; False if `timeout` passed first."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._pending or self._in_flight:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(min(remaining, 0.05))
        return True

    def _run(self) -> None:
        while True:
            with self._cond:
                if not self._running:
                    return
                batches = self._take_due_batches()
                if not batches:
                    self._cond.wait(self._wait_time())
                    continue
                self._in_flight += len(batches)
            assert self._executor is not None
            for url, batch in batches:
                self._executor.submit(self._deliver, url, batch)

    def _wait_time(self) -> float:
        if not self._pending:
            return 0.5
        return max(0.001, min(p.due for p in self._pending) - time.monotonic())

    def _take_due_batches(self) -> list[tuple[str, list[_Pending]]]:
        free = self.config.webhook_max_concurrency - self._in_flight
        if free <= 0:
            return []
        now = time.monotonic()
        due = [p for p in self._pending if p.due <= now]
        if not due:
            return []
        if self.config.webhook_reorder:
            self._rng.shuffle(due)
        else:
            due.sort(key=lambda p: p.seq)
        batches: list[tuple[str, list[_Pending]]] = []
        by_url: dict[str, list[_Pending]] = {}
        for item in due:
            by_url.setdefault(item.url, []).append(item)
        for url, items in by_url.items():
            size = self.config.webhook_batch_size
            for start in range(0, len(items), size):
                if len(batches) >= free:
                    break
                batches.append((url, items[start : start + size]))
        taken = {id(p) for _, batch in batches for p in batch}
        self._pending = [p for p in self._pending if id(p) not in taken]
        return batches

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.trust_env = False  # deliveries go to the given URL, never via a proxy
            self._local.session = session
        return session

    def _deliver(self, url: str, batch: list[_Pending]) -> None:
        events = [{**p.payload, "attemptNumber": p.attempt} for p in batch]
        body = json.dumps(events, separators=(",", ":"))
        status: int | None = None
        error: str | None = None
        try:
            prepared = requests.Request("POST", url, data=body.encode()).prepare()
            # Sign exactly the URL that goes on the wire, as the receiver will rebuild it.
            timestamp_ms = int(time.time() * 1000)
            prepared.headers.update({"Content-Type": "application/json", "User-Agent": _USER_AGENT})
            prepared.headers.update(
                signature_headers(
                    self.config.client_secret, prepared.url or url, body, timestamp_ms
                )
            )
            response = self._session().send(prepared, timeout=self.config.webhook_timeout_s)
            status = response.status_code
        except requests.RequestException as exc:
            error = f"{type(exc).__name__}: {exc}"
        except Exception as exc:  # never let the worker die
            log.exception("webhook delivery to %s crashed", url)
            error = f"{type(exc).__name__}: {exc}"
        ok = status is not None and 200 <= status < 300
        with self._cond:
            self.deliveries.append(
                DeliveryRecord(
                    url,
                    status,
                    error,
                    tuple(p.payload["eventId"] for p in batch),
                    tuple(p.attempt for p in batch),
                    time.time(),
                )
            )
            if not ok:
                self._schedule_retries(batch)
            self._in_flight -= 1
            self._cond.notify_all()

    def _schedule_retries(self, batch: list[_Pending]) -> None:
        now = time.monotonic()
        for item in batch:
            item.attempt += 1
            if item.attempt > self.config.webhook_max_attempts:
                self.given_up.append({**item.payload, "attemptNumber": item.attempt - 1})
                continue
            base = self.config.webhook_retry_base_s * (2 ** (item.attempt - 1))
            item.due = now + base * self._rng.uniform(0.5, 1.5)
            self._pending.append(item)
