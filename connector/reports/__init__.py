"""Read-only reports over Baton's store, for the dashboard, the demo summary and later the
weekly scorecard. Each function takes an open session and returns plain frozen values; none of
them writes or calls a CRM."""

from connector.reports.operations import (
    AuditLine,
    Backlog,
    DeadLetterLine,
    IntakeCount,
    backlog,
    dead_letters,
    intake,
    recent_audit,
)
from connector.reports.pipeline import (
    Funnel,
    Handoff,
    HeldBack,
    StageCount,
    funnel,
    handoff_count,
    handoffs,
    held_back,
    order_stages,
    owners_of,
    team_of,
)

__all__ = [
    "AuditLine",
    "Backlog",
    "DeadLetterLine",
    "Funnel",
    "Handoff",
    "HeldBack",
    "IntakeCount",
    "StageCount",
    "backlog",
    "dead_letters",
    "funnel",
    "handoff_count",
    "handoffs",
    "held_back",
    "intake",
    "order_stages",
    "owners_of",
    "recent_audit",
    "team_of",
]
