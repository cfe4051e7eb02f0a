"""Deal pipelines (`/crm/v3/pipelines/deals`) with stages carrying isClosed/probability."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .properties import iso_from_ms


@dataclass
class Stage:
    """One pipeline stage. Closed-won = closed with probability 1.0."""

    id: str
    label: str
    display_order: int
    probability: float
    is_closed: bool

    @property
    def is_won(self) -> bool:
        """Closed-won is a closed stage at probability 1.0 (ids differ per pipeline)."""
        return self.is_closed and self.probability >= 1.0

    def to_api(self, created_ms: int) -> dict[str, Any]:
        """The PipelineStage JSON; metadata values are strings, as HubSpot sends them."""
        iso = iso_from_ms(created_ms)
        return {
            "id": self.id,
            "label": self.label,
            "displayOrder": self.display_order,
            "metadata": {
                "isClosed": "true" if self.is_closed else "false",
                "probability": str(self.probability),
            },
            "createdAt": iso,
            "updatedAt": iso,
            "archived": False,
            "writePermissions": "CRM_PERMISSIONS_ENFORCEMENT",
        }


@dataclass
class Pipeline:
    """A pipeline and its ordered stages."""

    id: str
    label: str
    display_order: int
    stages: list[Stage] = field(default_factory=list)
    created_at_ms: int = 0

    def stage(self, stage_id: str) -> Stage | None:
        """The stage with this id, or None if it is not in this pipeline."""
        return next((s for s in self.stages if s.id == stage_id), None)

    def to_api(self) -> dict[str, Any]:
        """The Pipeline JSON."""
        iso = iso_from_ms(self.created_at_ms)
        return {
            "id": self.id,
            "label": self.label,
            "displayOrder": self.display_order,
            "stages": [s.to_api(self.created_at_ms) for s in self.stages],
            "createdAt": iso,
            "updatedAt": iso,
            "archived": False,
        }


def default_sales_pipeline(created_ms: int) -> Pipeline:
    """HubSpot's default "Sales Pipeline" with its seven stages."""
    stages = [
        ("appointmentscheduled", "Appointment Scheduled", 0.2, False),
        ("qualifiedtobuy", "Qualified To Buy", 0.4, False),
        ("presentationscheduled", "Presentation Scheduled", 0.6, False),
        ("decisionmakerboughtin", "Decision Maker Bought-In", 0.8, False),
        ("contractsent", "Contract Sent", 0.9, False),
        ("closedwon", "Closed Won", 1.0, True),
        ("closedlost", "Closed Lost", 0.0, True),
    ]
    return Pipeline(
        "default",
        "Sales Pipeline",
        0,
        [Stage(sid, label, i, p, closed) for i, (sid, label, p, closed) in enumerate(stages)],
        created_ms,
    )
