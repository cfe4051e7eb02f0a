"""The outbound-message sender: queue, batching, retries, collapsing, duplicates, reordering.

Behaviour modelled on the documented platform (salesforce.md §1.5): notifications are queued
after the save commits; a background sender batches up to 100 per message; a delivery counts
only when answered 200 with the exact Ack-true envelope; failures retry with exponential backoff
(capped, scaled by `outbound_retry_base_s`) until `outbound_max_age_s`, then are dropped; a
record changed again while its notification waits is sent once with its latest values; order is
not guaranteed when `outbound_reorder`; duplicates happen at `outbound_duplicate_rate`. Writes by
the integration user fire nothing unless `integration_user_sends_outbound`.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests

from .org import JsonRecord, Org
from .outbound_envelope import MAX_NOTIFICATIONS, Notification, build_envelope, is_ack

log = logging.getLogger(__name__)
BACKOFF_CAP_FACTOR = 240  # with a 30 s first retry this is the documented 2 h ceiling


@dataclass(frozen=True)
class OutboundAction:
    """One configured outbound message (an object, fields, endpoint and trigger)."""

    action_id: str
    sobject: str
    fields: tuple[str, ...]
    endpoint_url: str
    when: Callable[[JsonRecord | None, JsonRecord], bool] | None
    send_session_id: bool
    verify: bool | str
    name: str


@dataclass
class _Pending:
    notification_id: str
    action: OutboundAction
    record_id: str
    enqueued_at: float
    next_attempt_at: float
    attempts: int = 0
    in_flight: bool = False
    replay: bytes | None = None  # a duplicate re-send of an already acknowledged envelope


@dataclass(frozen=True)
class DeliveryAttempt:
    """One POST to an endpoint and what came of it."""

    action_id: str
    endpoint_url: str
    notification_ids: tuple[str, ...]
    record_ids: tuple[str, ...]
    attempt: int
    status: int | None
    acked: bool
    error: str | None
    duplicate: bool
    body: bytes = field(repr=False, default=b"")


def check_endpoint(url: str, send_session_id: bool) -> None:
    """Apply Salesforce's endpoint rules: http(s) only, ports 80/443/1024-65535, HTTPS with a
    session id."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"outbound endpoint must be an http(s) URL: {url!r}")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    allowed = port == (443 if parts.scheme == "https" else 80) or 1024 <= port <= 65535
    if not allowed:
        raise ValueError(f"port {port} is not allowed for {parts.scheme} outbound messages")
    if send_session_id and parts.scheme != "https":
        raise ValueError("Send Session ID requires an HTTPS endpoint")


class OutboundSender:
    """Queues notifications after commits and delivers them from a background thread."""

    def __init__(self, org: Org, instance_url: Callable[[], str]) -> None:
        self.org = org
        self.config = org.config
        self._instance_url = instance_url
        self._actions: list[OutboundAction] = []
        self._pending: list[_Pending] = []
        self._attempts: list[DeliveryAttempt] = []
        self.dropped: list[tuple[str, str]] = []  # (notification id, record id)
        self.trigger_errors: list[BaseException] = []
        self._rng = random.Random(self.config.seed)
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._stopping = False
        self._http = requests.Session()
        self._http.trust_env = False  # loopback receivers: no proxies, `verify` as given
        org.save_listeners.append(self._on_save)

    # ---- configuration ----
    def add_action(
        self,
        sobject: str,
        fields: list[str],
        endpoint_url: str,
        when: Callable[[JsonRecord | None, JsonRecord], bool] | None,
        send_session_id: bool,
        verify: bool | str,
        name: str | None,
    ) -> str:
        """Register an outbound message; returns its ActionId (04k...)."""
        check_endpoint(endpoint_url, send_session_id)
        action_id = self.org.ids.new("04k")
        ordered = tuple(["Id", *sorted(f for f in dict.fromkeys(fields) if f != "Id")])
        action = OutboundAction(
            action_id,
            sobject,
            ordered,
            endpoint_url,
            when,
            send_session_id,
            verify,
            name or f"{sobject}_Outbound_{len(self._actions) + 1}",
        )
        with self._cond:
            self._actions.append(action)
        return action_id

    # ---- lifecycle ----
    def start(self) -> None:
        """Start the delivery thread."""
        with self._cond:
            self._stopping = False
        self._thread = threading.Thread(target=self._run, name="salesforce-outbound", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop delivering (queued notifications stay undelivered)."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=self.config.outbound_timeout_s + 5)
            self._thread = None
        self._http.close()

    def flush(self, timeout: float) -> bool:
        """Wait until nothing is queued or in flight; False on timeout."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._pending:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(min(remaining, 0.05))
            return True

    def attempts(self) -> list[DeliveryAttempt]:
        """Every delivery attempt so far."""
        with self._cond:
            return list(self._attempts)

    # ---- queueing ----
    def _on_save(self, sobject: str, old: JsonRecord | None, new: JsonRecord, actor: str) -> None:
        if (
            actor == self.org.integration_user_id
            and not self.config.integration_user_sends_outbound
        ):
            return  # the integration user's profile lacks "Send Outbound Messages"
        for action in list(self._actions):
            if action.sobject != sobject:
                continue
            try:
                fire = action.when is None or action.when(old, new)
            except Exception as exc:  # a broken test trigger must not break the API write
                log.exception("outbound trigger %s failed", action.name)
                self.trigger_errors.append(exc)
                continue
            if fire:
                self._enqueue(action, new["Id"])

    def _enqueue(self, action: OutboundAction, record_id: str) -> None:
        now = time.monotonic()
        with self._cond:
            for item in self._pending:
                waiting = not item.in_flight and item.replay is None
                if waiting and item.action is action and item.record_id == record_id:
                    return  # collapsed: the queued notification will carry the latest values
            hold = self.config.outbound_batch_window_s
            if self.config.outbound_reorder:
                hold += self._rng.random() * self.config.outbound_retry_base_s
            self._pending.append(
                _Pending(self.org.ids.new("04l"), action, record_id, now, now + hold)
            )
            self._cond.notify_all()

    # ---- delivery ----
    def _run(self) -> None:
        while True:
            with self._cond:
                batches = self._take_due()
                while not batches and not self._stopping:
                    self._cond.wait(self._sleep_time())
                    batches = self._take_due()
                if self._stopping:
                    return
            for batch in batches:
                self._deliver(batch)

    def _sleep_time(self) -> float:
        if not self._pending:
            return 1.0
        soonest = (
            min(p.next_attempt_at for p in self._pending if not p.in_flight)
            if any(not p.in_flight for p in self._pending)
            else time.monotonic() + 1.0
        )
        return max(0.001, min(1.0, soonest - time.monotonic()))

    def _take_due(self) -> list[list[_Pending]]:
        now = time.monotonic()
        for item in [p for p in self._pending if not p.in_flight]:
            if now - item.enqueued_at > self.config.outbound_max_age_s:
                self._pending.remove(item)
                self.dropped.append((item.notification_id, item.record_id))
                self._cond.notify_all()
        due = [p for p in self._pending if not p.in_flight and p.next_attempt_at <= now]
        # Fresh notifications of an action that is sending anyway ride along in the same message.
        sending = {p.action.action_id for p in due if p.replay is None}
        due += [
            p
            for p in self._pending
            if not p.in_flight and p not in due and p.attempts == 0 and p.replay is None
            and p.action.action_id in sending
        ]  # fmt: skip
        if self.config.outbound_reorder:
            self._rng.shuffle(due)
        batches: list[list[_Pending]] = []
        groups: dict[tuple[str, bool], list[_Pending]] = {}
        for item in due:
            item.in_flight = True
            if item.replay is not None:
                batches.append([item])
                continue
            groups.setdefault((item.action.action_id, False), []).append(item)
        for items in groups.values():
            size = MAX_NOTIFICATIONS
            if self.config.outbound_reorder and len(items) > 1:
                size = self._rng.randint(1, min(MAX_NOTIFICATIONS, len(items)))
            batches.extend(items[i : i + size] for i in range(0, len(items), size))
        if self.config.outbound_reorder:
            self._rng.shuffle(batches)
        return batches

    def _envelope(self, batch: list[_Pending]) -> bytes:
        action = batch[0].action
        base = self._instance_url()
        org15 = self.config.org_id[:15]
        version = self.config.api_version
        notifications = []
        with self.org.store.lock:
            for item in batch:
                record = self.org.store.get(item.record_id)
                if record is None or record.is_deleted:
                    fields: tuple[tuple[str, Any], ...] = (("Id", item.record_id),)
                else:
                    fields = tuple((name, record.values.get(name)) for name in action.fields)
                notifications.append(Notification(item.notification_id, action.sobject, fields))
        return build_envelope(
            self.config.org_id,
            action.action_id,
            self.config.session_id if action.send_session_id else None,
            f"{base}/services/Soap/c/{version}/{org15}",
            f"{base}/services/Soap/u/{version}/{org15}",
            notifications,
        )

    def _deliver(self, batch: list[_Pending]) -> None:
        action = batch[0].action
        replay = batch[0].replay
        envelope = replay if replay is not None else self._envelope(batch)
        status: int | None = None
        error: str | None = None
        acked = False
        try:
            response = self._http.post(
                action.endpoint_url,
                data=envelope,
                headers={
                    "Content-Type": "text/xml; charset=utf-8",
                    "SOAPAction": '""',
                    "User-Agent": "Jakarta Commons-HttpClient/3.1",
                },
                timeout=self.config.outbound_timeout_s,
                verify=action.verify,
            )
            status = response.status_code
            acked = status == 200 and is_ack(response.content)
            if not acked:
                error = "SOAP response was a nack" if status == 200 else f"HTTP {status}"
        except requests.RequestException as exc:
            error = f"{type(exc).__name__}: {exc}"
        self._settle(batch, envelope, status, acked, error)

    def _settle(
        self,
        batch: list[_Pending],
        envelope: bytes,
        status: int | None,
        acked: bool,
        error: str | None,
    ) -> None:
        now = time.monotonic()
        base = self.config.outbound_retry_base_s
        with self._cond:
            first = batch[0]
            self._attempts.append(
                DeliveryAttempt(
                    first.action.action_id,
                    first.action.endpoint_url,
                    tuple(p.notification_id for p in batch),
                    tuple(p.record_id for p in batch),
                    first.attempts + 1,
                    status,
                    acked,
                    error,
                    first.replay is not None,
                    envelope,
                )
            )
            for item in batch:
                item.attempts += 1
                item.in_flight = False
                if acked or item.replay is not None:
                    self._pending.remove(item)
                else:
                    delay = min(base * 2 ** (item.attempts - 1), base * BACKOFF_CAP_FACTOR)
                    item.next_attempt_at = now + delay
            if (
                acked
                and first.replay is None
                and self._rng.random() < self.config.outbound_duplicate_rate
            ):
                self._pending.append(
                    _Pending(
                        first.notification_id,
                        first.action,
                        first.record_id,
                        now,
                        now + self._rng.random() * base,
                        replay=envelope,
                    )
                )
            self._cond.notify_all()
