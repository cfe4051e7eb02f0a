"""Prometheus metrics, one registry per app so tests and several apps in one process never clash."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class Metrics:
    """The counters and timings Baton exposes on ``/metrics``."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.webhook_requests = Counter(
            "baton_webhook_requests_total",
            "Webhook requests by source and outcome (accepted, unauthorized, bad_request, ...)",
            ["source", "outcome"],
            registry=self.registry,
        )
        self.webhook_events = Counter(
            "baton_webhook_events_total",
            "Events received by source and result (accepted or duplicate)",
            ["source", "result"],
            registry=self.registry,
        )
        self.webhook_ack_seconds = Histogram(
            "baton_webhook_ack_seconds",
            "Time from request start to acknowledgement",
            ["source"],
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
            registry=self.registry,
        )
        self.inbox_pending = Gauge(
            "baton_inbox_pending", "Inbox events not yet processed", registry=self.registry
        )
        self.events_processed = Counter(
            "baton_events_processed_total",
            "Inbox events processed by the worker, by outcome",
            ["outcome"],
            registry=self.registry,
        )
        self.timers_fired = Counter(
            "baton_timers_fired_total",
            "Due job timers turned into events of their records",
            registry=self.registry,
        )
        self.crm_calls = Counter(
            "baton_crm_calls_total",
            "Outbound CRM API calls by system and status class",
            ["system", "status"],
            registry=self.registry,
        )
        self.commands = Counter(
            "baton_commands_total",
            "Outbox commands by system, kind and final outcome (done, retried, dead)",
            ["system", "kind", "outcome"],
            registry=self.registry,
        )
        self.in_doubt_writes = Counter(
            "baton_in_doubt_writes_total",
            "Writes that were in flight when a worker died, by what became of them: read back "
            "and found landed (not sent again), not readable yet (waiting) or sent again",
            ["system", "kind", "result"],
            registry=self.registry,
        )
        self.claims_taken_back = Counter(
            "baton_claims_taken_back_total",
            "Record and command claims of dead workers taken back (connector.heartbeats)",
            registry=self.registry,
        )
