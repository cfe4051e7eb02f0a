"""What `baton doctor` and `baton setup` run: check the CRMs against the config; create what
Baton writes.

``doctor`` prints one line per check (ok, warn, FAIL with its fix) and exits 0 only when
Baton can run. ``setup`` prints a plan, asks (or ``--yes``), creates what the APIs allow and
prints the rest as a checklist; a second run finds nothing to do. Only enabled CRMs are asked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import click

from adapters.hubspot.admin import HubSpotAdmin
from adapters.hubspot.app_webhooks import HubSpotAppWebhooks
from adapters.registry import CrmClients, build_clients
from adapters.salesforce.admin import SalesforceAdmin
from baton import onboarding_io
from connector.config import BatonConfig
from connector.config.secrets import reveal
from connector.onboarding.checks import Report
from connector.onboarding.hubspot_checks import hubspot_checks
from connector.onboarding.plan import checklist, setup_steps
from connector.onboarding.salesforce_checks import salesforce_checks
from connector.onboarding.service_checks import self_test_check
from connector.onboarding.values import needs_of


@dataclass(frozen=True, slots=True)
class Admins:
    """The admin clients of the enabled CRMs."""

    hubspot: HubSpotAdmin | None
    salesforce: SalesforceAdmin | None
    #: a public/legacy app's Webhooks API (None: a private app, or HubSpot off)
    app_webhooks: HubSpotAppWebhooks | None = None

    @classmethod
    def for_config(cls, config: BatonConfig) -> Admins:
        """Clients built from the config (TLS trust as for serve: system CAs or
        ``REQUESTS_CA_BUNDLE``)."""
        return cls.build(config, build_clients(config))

    @classmethod
    def build(cls, config: BatonConfig, clients: CrmClients) -> Admins:
        """Wrap the metered clients (None for a disabled CRM)."""
        hubspot = None
        if clients.hubspot is not None:
            token = reveal(config.hubspot.access_token) or ""
            hubspot = HubSpotAdmin(clients.hubspot, str(config.hubspot.base_url), token)
        salesforce = SalesforceAdmin(clients.salesforce) if clients.salesforce else None
        app_webhooks = None
        developer_key = reveal(config.hubspot.developer_api_key)
        if hubspot is not None and developer_key and config.hubspot.app_id:
            app_webhooks = HubSpotAppWebhooks(
                developer_key, config.hubspot.app_id, str(config.hubspot.base_url)
            )
        return cls(hubspot, salesforce, app_webhooks)


def run_doctor(
    config: BatonConfig,
    admins: Admins,
    *,
    echo: Callable[[str], None] = click.echo,
    post: Callable[..., Any] | None = None,
) -> int:
    """Run every check, print one line each; 0 when Baton can run, else 1."""
    needs = needs_of(config)
    report = Report()
    if admins.hubspot is not None:
        facts = onboarding_io.read_hubspot(admins.hubspot, config, needs, admins.app_webhooks)
        report.add(*hubspot_checks(config, needs, facts))
    if admins.salesforce is not None:
        sf_facts = onboarding_io.read_salesforce(admins.salesforce, needs, config)
        report.add(*salesforce_checks(config, needs, sf_facts))
    if config.hubspot.enabled:
        kwargs = {"post": post} if post is not None else {}
        report.add(self_test_check(onboarding_io.self_test(config, **kwargs)))
    for line in report.lines():
        echo(line)
    failed = sum(check.status == "fail" for check in report.checks)
    echo(
        "Baton can run."
        if report.passed
        else f"{failed} check(s) failed: fix them, then run `baton doctor` again."
    )
    return 0 if report.passed else 1


def run_setup(
    config: BatonConfig,
    admins: Admins,
    *,
    confirm: Callable[[str], bool],
    echo: Callable[[str], None] = click.echo,
) -> int:
    """Plan, ask, create; then the checklist. 0 on success (also when nothing was to do)."""
    needs = needs_of(config)
    hubspot_props: dict[str, set[str]] = {}
    hubspot_groups: dict[str, set[str]] = {}
    if admins.hubspot is not None:
        for object_type in dict.fromkeys(n.object_type for n in needs.properties):
            hubspot_props[object_type] = set(admins.hubspot.properties(object_type))
            hubspot_groups[object_type] = admins.hubspot.group_names(object_type)
    salesforce = None
    if admins.salesforce is not None:
        salesforce = onboarding_io.read_salesforce_schema(admins.salesforce, config, needs)
    app_webhooks = None
    if admins.app_webhooks is not None:
        app_webhooks = onboarding_io.read_app_webhooks(admins.app_webhooks)
    steps = setup_steps(
        needs, hubspot_props, hubspot_groups, salesforce, app_webhooks=app_webhooks, config=config
    )
    if not steps:
        echo(
            "nothing to do: every property and field Baton writes exists"
            + (", and the app's webhooks are set" if app_webhooks is not None else "")
        )
    else:
        echo("Plan:")
        for step in steps:
            echo(f"  {step.line()}")
        if not confirm(f"Create these {len(steps)}?"):
            echo("nothing created")
            return 1
        for step in steps:
            outcome = onboarding_io.apply_step(step, admins)
            echo(f"  {outcome}: {step.kind} {step.target}")
    echo("By hand (the APIs do not allow it, or it is yours to decide):")
    for item in checklist(config, needs, hubspot_props, salesforce, steps, app_webhooks):
        echo(f"  - {item}")
    return 0
