"""Build the CRM adapters from the admin's config: one client (and rate budget) per CRM.

A CRM whose section is disabled gets no client, no writer and no reader, so single-CRM mode
needs no special case downstream. Writers and readers built from the same :class:`CrmClients`
share one limiter per CRM, which is what keeps Baton inside its configured share; build the
clients once and pass them to both ``build_writers`` and ``build_readers``.

Tests that point the adapters at a sandbox without a config file use the constructors directly
(``HubSpotClient(token, base_url)``, ``SalesforceClient(instance_url, session_id=...)``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from adapters.hubspot.client import HubSpotClient
from adapters.hubspot.owners import HubSpotOwnerDirectory
from adapters.hubspot.reader import HubSpotReader
from adapters.hubspot.writer import HubSpotWriter
from adapters.notify.crm_task import SalesforceTaskCreator
from adapters.notify.email import SmtpSender
from adapters.notify.hubspot_task import HubSpotTaskCreator
from adapters.notify.slack import SlackSender
from adapters.notify.writer import NotifyWriter
from adapters.ratelimit import CallLedger, hubspot_limiter, salesforce_limiter
from adapters.retrying import RetryPolicy
from adapters.salesforce.client import SalesforceClient
from adapters.salesforce.reader import SalesforceReader
from adapters.salesforce.writer import SalesforceWriter
from connector.commands import System
from connector.config.secrets import reveal
from connector.jobs.digest.job import address_hash
from connector.metrics import Metrics
from connector.ports import CrmReader, CrmWriter


@dataclass(frozen=True, slots=True)
class CrmClients:
    """The metered clients of the enabled CRMs (None for a disabled one)."""

    hubspot: HubSpotClient | None = None
    salesforce: SalesforceClient | None = None


def build_clients(
    config: Any,
    metrics: Metrics | None = None,
    *,
    salesforce_verify: bool | str = True,
    ledger: CallLedger | None = None,
) -> CrmClients:
    """Clients for ``config.hubspot`` / ``config.salesforce`` (a BatonConfig or look-alike).

    Args:
        salesforce_verify: TLS verification for Salesforce: True (system CAs, or
            ``REQUESTS_CA_BUNDLE``) or a CA bundle path, e.g. the sandbox's.
        ledger: call counts shared with Baton's other processes (the limiters consult it).
    """
    return CrmClients(
        hubspot=_hubspot_client(config.hubspot, metrics, ledger),
        salesforce=_salesforce_client(config.salesforce, metrics, salesforce_verify, ledger),
    )


def build_writers(
    config: Any,
    metrics: Metrics | None = None,
    *,
    clients: CrmClients | None = None,
    policy: RetryPolicy | None = None,
) -> dict[System, CrmWriter]:
    """One CrmWriter per enabled CRM, keyed by System; by default they do not sleep in-call
    between retries (``RetryPolicy.rescheduling``: the outbox reschedules instead)."""
    clients = clients or build_clients(config, metrics)
    policy = policy or RetryPolicy.rescheduling()
    writers: dict[System, CrmWriter] = {}
    if clients.hubspot is not None:
        writers[System.HUBSPOT] = HubSpotWriter(clients.hubspot, policy=policy)
    if clients.salesforce is not None:
        section = config.salesforce
        writers[System.SALESFORCE] = SalesforceWriter(
            clients.salesforce,
            policy=policy,
            hubspot_id_field=section.hubspot_id_field,
            use_assignment_rules=section.use_assignment_rules,
            lead_external_id_field=section.lead_external_id_field,
        )
    notify = build_notify_writer(config, clients, policy)
    if notify is not None:
        writers[System.NOTIFY] = notify
    return writers


def build_notify_writer(
    config: Any, clients: CrmClients, policy: RetryPolicy | None = None
) -> NotifyWriter | None:
    """The e-mail / Slack / CRM-task writer when any can send (None: notices dead-letter)."""
    notifiers = getattr(config, "notifiers", None)
    email = notifiers.email if notifiers is not None else None
    slack = notifiers.slack if notifiers is not None else None
    if email is None and slack is None and clients.salesforce is None and clients.hubspot is None:
        return None
    users: Any = None  # who a user id is: Salesforce Users, or HubSpot owners when alone
    if clients.salesforce is not None:
        users = SalesforceReader(clients.salesforce)
    elif clients.hubspot is not None:
        users = HubSpotOwnerDirectory(clients.hubspot)
    sla = getattr(config, "sla", None)
    timezone = sla.calendar.timezone if sla is not None else "UTC"
    salesforce = clients.salesforce
    return NotifyWriter(
        email=SmtpSender(email) if email is not None else None,
        slack=SlackSender(slack) if slack is not None else None,
        tasks=SalesforceTaskCreator(salesforce, policy, timezone) if salesforce else None,
        users=users,
        timezone=timezone,
        digest_recipients=digest_recipients(config),
        hubspot_tasks=_hubspot_tasks(config, clients.hubspot, policy, timezone),
        owners=HubSpotOwnerDirectory(clients.hubspot) if clients.hubspot is not None else None,
    )


def _hubspot_tasks(
    config: Any, client: HubSpotClient | None, policy: RetryPolicy | None, timezone: str
) -> HubSpotTaskCreator | None:
    """The HubSpot task creator; with HubSpot alone its tasks also go on the Leads record."""
    if client is None:
        return None
    salesforce = getattr(config, "salesforce", None)
    alone = salesforce is None or not salesforce.enabled
    leads = getattr(config.hubspot, "leads_object", None)
    link_leads = alone and leads is not None and bool(leads.enabled)
    return HubSpotTaskCreator(client, policy, timezone, link_leads=link_leads)


def digest_recipients(config: Any) -> dict[str, str]:
    """The scorecard digest's e-mail recipients by the hash its commands name them by."""
    scorecard = getattr(config, "scorecard", None)
    if scorecard is None:
        return {}
    return {address_hash(a): a for a in (*scorecard.recipients, *scorecard.management)}


def build_readers(
    config: Any,
    metrics: Metrics | None = None,
    *,
    clients: CrmClients | None = None,
    policy: RetryPolicy | None = None,
) -> dict[System, CrmReader]:
    """One CrmReader per enabled CRM, keyed by System (HubSpotReader / SalesforceReader)."""
    clients = clients or build_clients(config, metrics)
    readers: dict[System, CrmReader] = {}
    if clients.hubspot is not None:
        readers[System.HUBSPOT] = HubSpotReader(clients.hubspot, policy=policy)
    if clients.salesforce is not None:
        readers[System.SALESFORCE] = SalesforceReader(clients.salesforce, policy=policy)
    return readers


def _hubspot_client(
    section: Any, metrics: Metrics | None, ledger: CallLedger | None = None
) -> HubSpotClient | None:
    if section is None or not section.enabled:
        return None
    token = reveal(section.access_token)
    if not token:
        raise ValueError("hubspot.access_token is required when hubspot is enabled")
    limits = section.rate_limit
    limiter = hubspot_limiter(
        burst_limit=limits.burst_limit,
        burst_window_ms=limits.burst_window_ms,
        daily_limit=limits.daily_limit,
        share=limits.share,
        search_rps=limits.search_rps,
        shared=ledger,
    )
    return HubSpotClient(token, str(section.base_url), limiter=limiter, metrics=metrics)


def _salesforce_client(
    section: Any, metrics: Metrics | None, verify: bool | str, ledger: CallLedger | None = None
) -> SalesforceClient | None:
    if section is None or not section.enabled:
        return None
    auth = section.auth
    if auth is None or section.instance_url is None:
        raise ValueError("salesforce.instance_url and salesforce.auth are required when enabled")
    limiter = salesforce_limiter(
        daily_limit=section.rate_limit.daily_limit, share=section.rate_limit.share, shared=ledger
    )
    common: dict[str, Any] = {
        "api_version": section.api_version,
        "verify": verify,
        "limiter": limiter,
        "metrics": metrics,
    }
    if auth.session_id is not None:
        return SalesforceClient(
            str(section.instance_url), session_id=reveal(auth.session_id), **common
        )
    if auth.client_credentials is not None:
        credentials = {
            "consumer_key": auth.client_credentials.consumer_key,
            "consumer_secret": reveal(auth.client_credentials.consumer_secret),
        }
        return SalesforceClient(str(section.instance_url), client_credentials=credentials, **common)
    jwt = {
        "username": auth.jwt.username,
        "consumer_key": auth.jwt.consumer_key,
        "private_key_path": str(auth.jwt.private_key_path),
        "domain": auth.jwt.domain,
    }
    return SalesforceClient(str(section.instance_url), jwt=jwt, **common)
