"""What a deal's credit was computed from, as stable strings (pure).

``model_version`` names a configured model and the rules' version: changing a model's options
(weights, half-life) or the rules gives a new version. ``inputs_digest`` covers the timeline
(touches, milestones, amount, currency, lookback) and every model version, so the same inputs
always give the same digest — the ledger writes nothing when it already holds it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable

from connector.config.models.credit import CreditModel
from connector.jobs.credit.timeline import Timeline

#: bump when a rule in connector/jobs/credit changes what a model computes
RULES_VERSION = "1"


def model_version(model: CreditModel) -> str:
    """``<model>:<rules version>:<12 hex of the options>``, e.g. ``linear:1:44136fa355b3``."""
    options = model.model_dump(mode="json", exclude={"name"})
    digest = hashlib.sha256(json.dumps(options, sort_keys=True).encode()).hexdigest()[:12]
    return f"{model.model}:{RULES_VERSION}:{digest}"[:64]


def inputs_digest(timeline: Timeline, versions: Iterable[str]) -> str:
    """SHA-256 over the timeline's inputs and the model versions (64 hex digits)."""
    canonical = {
        "amount": [timeline.amount.minor, timeline.amount.currency],
        "lookback_days": timeline.lookback_days,
        "touches": [
            [t.source, t.touch_id, t.at.isoformat(), t.channel, t.campaign or ""]
            for t in timeline.touches
        ],
        "milestones": [[m.kind.value, m.at.isoformat()] for m in timeline.milestones],
        "models": sorted(versions),
    }
    return hashlib.sha256(json.dumps(canonical, sort_keys=True).encode()).hexdigest()
