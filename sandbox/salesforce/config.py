"""Configuration of one Salesforce stand-in org."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

#: Out-of-the-box Lead statuses: (ApiName, IsConverted, IsDefault).
DEFAULT_LEAD_STATUSES: tuple[tuple[str, bool, bool], ...] = (
    ("Open - Not Contacted", False, True),
    ("Working - Contacted", False, False),
    ("Closed - Converted", True, False),
    ("Closed - Not Converted", False, False),
)

#: Out-of-the-box opportunity stages: (ApiName, IsClosed, IsWon, SortOrder).
DEFAULT_OPPORTUNITY_STAGES: tuple[tuple[str, bool, bool, int], ...] = (
    ("Prospecting", False, False, 1),
    ("Qualification", False, False, 2),
    ("Needs Analysis", False, False, 3),
    ("Value Proposition", False, False, 4),
    ("Id. Decision Makers", False, False, 5),
    ("Perception Analysis", False, False, 6),
    ("Proposal/Price Quote", False, False, 7),
    ("Negotiation/Review", False, False, 8),
    ("Closed Won", True, True, 9),
    ("Closed Lost", True, False, 10),
)

#: Out-of-the-box task statuses: (ApiName, IsClosed, IsDefault).
DEFAULT_TASK_STATUSES: tuple[tuple[str, bool, bool], ...] = (
    ("Not Started", False, True),
    ("In Progress", False, False),
    ("Completed", True, False),
    ("Waiting on someone else", False, False),
    ("Deferred", False, False),
)

_ORG_ID = re.compile(r"^00D[a-zA-Z0-9]{15}$")
_VERSION = re.compile(r"^\d{2}\.0$")


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class SalesforceSandboxConfig:
    """Everything that differs between orgs (and what tests tune to provoke behaviour).

    `clock` supplies the org's "now" (aware UTC); tests may pass a controllable clock to make
    CreatedDate/SystemModstamp and the replication windows deterministic. The outbound sender's
    retry timing always runs on real time, scaled by `outbound_retry_base_s`.
    """

    org_id: str = "00D000000000001AAA"
    api_version: str = "59.0"
    session_id: str = "00D000000000001!AQ0AQSandboxSessionTokenForTheIntegrationUser"
    daily_api_limit: int = 100_000
    lead_statuses: list[tuple[str, bool, bool]] = field(
        default_factory=lambda: list(DEFAULT_LEAD_STATUSES)
    )
    #: Lead status labels where they differ from the API value (ApiName → MasterLabel), as in
    #: an org that renamed or translated them; the API still takes and returns the API values
    lead_status_labels: dict[str, str] = field(default_factory=dict)
    opportunity_stages: list[tuple[str, bool, bool, int]] = field(
        default_factory=lambda: list(DEFAULT_OPPORTUNITY_STAGES)
    )
    task_statuses: list[tuple[str, bool, bool]] = field(
        default_factory=lambda: list(DEFAULT_TASK_STATUSES)
    )
    query_batch_size: int = 2000
    outbound_retry_base_s: float = 1.0
    outbound_max_age_s: float = 86_400.0
    outbound_duplicate_rate: float = 0.0
    outbound_reorder: bool = False
    outbound_timeout_s: float = 60.0
    outbound_batch_window_s: float = 0.02
    integration_user_sends_outbound: bool = False
    campaign_influence_enabled: bool = True
    #: multi-currency org: the active ISO codes, the corporate currency first. Empty = a
    #: single-currency org, whose objects have no CurrencyIsoCode field (as in Salesforce)
    currencies: tuple[str, ...] = ()
    seed: int = 0
    clock: Callable[[], datetime] = _utc_now
    #: seconds a session lives (the configured session_id too); None = sessions never end.
    #: After it, every API call answers 401 INVALID_SESSION_ID until the client logs in again
    session_lifetime_s: float | None = None
    #: the connected app Baton's client-credentials login names (POST /services/oauth2/token)
    oauth_client_id: str = "3MVG9SandboxConnectedAppConsumerKeyForBaton"
    oauth_client_secret: str = "SandboxConnectedAppConsumerSecret0001"
    #: seconds every API answer takes (a real org answers in tens of ms; 0 = at once)
    response_delay_s: float = 0.0

    def validate(self) -> None:
        """Raise ValueError naming the first setting that cannot work."""
        if not _ORG_ID.match(self.org_id):
            raise ValueError(f"org_id must be an 18-char id starting 00D, got {self.org_id!r}")
        if not _VERSION.match(self.api_version):
            raise ValueError(f"api_version must look like '59.0', got {self.api_version!r}")
        if not self.session_id:
            raise ValueError("session_id must not be empty")
        if self.session_lifetime_s is not None and self.session_lifetime_s <= 0:
            raise ValueError("session_lifetime_s must be positive (or None: never)")
        if self.response_delay_s < 0:
            raise ValueError("response_delay_s must be >= 0")
        if self.daily_api_limit < 1:
            raise ValueError("daily_api_limit must be at least 1")
        if not 1 <= self.query_batch_size <= 2000:
            raise ValueError("query_batch_size must be between 1 and 2000")
        if not 0.0 <= self.outbound_duplicate_rate <= 1.0:
            raise ValueError("outbound_duplicate_rate must be between 0 and 1")
        if self.outbound_retry_base_s <= 0 or self.outbound_max_age_s <= 0:
            raise ValueError("outbound_retry_base_s and outbound_max_age_s must be positive")
        _check_statuses("lead_statuses", [(s[0], s[2]) for s in self.lead_statuses])
        _check_statuses("task_statuses", [(s[0], s[2]) for s in self.task_statuses])
        unknown = set(self.lead_status_labels) - {status[0] for status in self.lead_statuses}
        if unknown:
            raise ValueError(f"lead_status_labels names no lead status: {sorted(unknown)}")
        if not any(converted for _, converted, _ in self.lead_statuses):
            raise ValueError("lead_statuses needs at least one converted status")
        names = [stage[0] for stage in self.opportunity_stages]
        if not names or len(set(names)) != len(names):
            raise ValueError("opportunity_stages must be non-empty with unique names")
        for name, is_closed, is_won, _ in self.opportunity_stages:
            if is_won and not is_closed:
                raise ValueError(f"opportunity stage {name!r} is won but not closed")


def _check_statuses(setting: str, values: list[tuple[str, bool]]) -> None:
    names = [name for name, _ in values]
    if not names or len(set(names)) != len(names):
        raise ValueError(f"{setting} must be non-empty with unique names")
    if sum(1 for _, is_default in values if is_default) != 1:
        raise ValueError(f"{setting} needs exactly one default value")
