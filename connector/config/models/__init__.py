"""The config schema, one module per section; BatonConfig is the root."""

from __future__ import annotations

from connector.config.models.calendar import BusinessCalendar, Holidays, TimeRange, WorkingHours
from connector.config.models.credit import CreditConfig, CreditModel, CreditWriteback
from connector.config.models.criteria import Criterion, Threshold
from connector.config.models.escalation import EscalationConfig, EscalationStep
from connector.config.models.handoff import HandoffConfig, MqlDefinition
from connector.config.models.hubspot import HubSpotConfig, HubSpotRateLimit
from connector.config.models.lifecycle import (
    DEFAULT_STAGE_ORDER,
    LeadStatusMapping,
    LifecycleConfig,
    OpportunityStageMapping,
    SalesforceValue,
    StageMapping,
)
from connector.config.models.notifiers import EmailNotifier, NotifiersConfig, SlackNotifier
from connector.config.models.recycle import RecycleConfig, RecycleTriggers
from connector.config.models.root import BatonConfig
from connector.config.models.routing import RoutingConfig, RoutingRule, Team
from connector.config.models.salesforce import (
    JwtAuth,
    SalesforceAuth,
    SalesforceConfig,
    SalesforceRateLimit,
)
from connector.config.models.scorecard import ScorecardConfig
from connector.config.models.service import PrivacyConfig, ServiceConfig, StoreConfig
from connector.config.models.sla import SlaConfig, SlaPolicy

__all__ = [
    "DEFAULT_STAGE_ORDER",
    "BatonConfig",
    "BusinessCalendar",
    "CreditConfig",
    "CreditModel",
    "CreditWriteback",
    "Criterion",
    "EmailNotifier",
    "EscalationConfig",
    "EscalationStep",
    "HandoffConfig",
    "Holidays",
    "HubSpotConfig",
    "HubSpotRateLimit",
    "JwtAuth",
    "LeadStatusMapping",
    "LifecycleConfig",
    "MqlDefinition",
    "NotifiersConfig",
    "OpportunityStageMapping",
    "PrivacyConfig",
    "RecycleConfig",
    "RecycleTriggers",
    "RoutingConfig",
    "RoutingRule",
    "SalesforceAuth",
    "SalesforceConfig",
    "SalesforceRateLimit",
    "SalesforceValue",
    "ScorecardConfig",
    "ServiceConfig",
    "SlaConfig",
    "SlaPolicy",
    "SlackNotifier",
    "StageMapping",
    "StoreConfig",
    "Team",
    "Threshold",
    "TimeRange",
    "WorkingHours",
]
