"""The ``crm_calls{system,status}`` counter, labelled the same way by every CRM client."""

from __future__ import annotations

from connector.metrics import Metrics


def status_class(status: int) -> str:
    """The ``status`` label: 2xx/3xx/4xx/5xx, with 429 kept apart (it means "slow down")."""
    return "429" if status == 429 else f"{status // 100}xx"


def count_call(metrics: Metrics | None, system: str, status: int | str) -> None:
    """Count one outbound call; ``status`` is an HTTP status or a label such as "network"."""
    if metrics is None:
        return
    label = status_class(status) if isinstance(status, int) else status
    metrics.crm_calls.labels(system=system, status=label).inc()
