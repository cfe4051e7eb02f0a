"""Checks that span sections, written so each runs as soon as the sections it reads are valid.

BatonConfig runs them all after every section validated. When some section is broken, the loader
runs the checks whose sections are fine, so one typo does not hide the other problems.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from connector.config.issues import Path, did_you_mean
from connector.config.models.escalation import EscalationConfig
from connector.config.models.handoff import HandoffConfig
from connector.config.models.hubspot import HubSpotConfig
from connector.config.models.lifecycle import LifecycleConfig
from connector.config.models.notifiers import NotifiersConfig
from connector.config.models.recycle import RecycleConfig
from connector.config.models.routing import RoutingConfig
from connector.config.models.salesforce import SalesforceConfig
from connector.config.models.scorecard import ScorecardConfig
from connector.config.models.service import PrivacyConfig, StoreConfig
from connector.config.models.sla import ALL_TEAMS, SlaConfig

Problems = Iterator[tuple[Path, str]]


def some_crm_enabled(hubspot: HubSpotConfig, salesforce: SalesforceConfig) -> Problems:
    """Baton needs at least one CRM (single-CRM mode is fine)."""
    if not hubspot.enabled and not salesforce.enabled:
        yield (), "enable hubspot, salesforce or both (each section has `enabled`)"


def stages_exist_and_recycle_goes_back(
    lifecycle: LifecycleConfig, handoff: HandoffConfig, recycle: RecycleConfig
) -> Problems:
    """The hand-off and recycle stages are real stages, and recycling moves backwards."""
    for path, stage in (
        (("handoff", "stage"), handoff.stage),
        (("recycle", "hubspot_stage"), recycle.hubspot_stage),
    ):
        if not lifecycle.is_known_stage(stage):
            yield path, lifecycle.unknown_stage_message(stage)
    back = lifecycle.stage_rank(recycle.hubspot_stage)
    forward = lifecycle.stage_rank(handoff.stage)
    if back is not None and forward is not None and back >= forward:
        yield (
            ("recycle", "hubspot_stage"),
            f"recycling must move the contact back: {recycle.hubspot_stage!r} is not "
            f"before the hand-off stage {handoff.stage!r}",
        )


def policies_name_real_teams(sla: SlaConfig, routing: RoutingConfig) -> Problems:
    """SLA policies apply to teams defined under routing.teams."""
    for index, policy in enumerate(sla.policies):
        for team_index, team in enumerate(policy.applies_to):
            if team != ALL_TEAMS and team not in routing.teams:
                yield (
                    ("sla", "policies", index, "applies_to", team_index),
                    f"unknown team {team!r}{did_you_mean(team, routing.teams)}: "
                    "teams are defined under routing.teams",
                )


def channels_have_notifiers(
    escalation: EscalationConfig, notifiers: NotifiersConfig, scorecard: ScorecardConfig
) -> Problems:
    """Every e-mail or Slack message Baton is asked to send has a notifier to send it."""
    for index, step in enumerate(escalation.ladder):
        for channel_index, channel in enumerate(step.channels):
            if channel in ("email", "slack") and getattr(notifiers, channel) is None:
                yield (
                    ("escalation", "ladder", index, "channels", channel_index),
                    f"channel {channel!r} needs notifiers.{channel} to be configured",
                )
    if scorecard.recipients and notifiers.email is None:
        yield ("scorecard", "recipients"), "sending the digest needs notifiers.email"
    if scorecard.management and notifiers.email is None:
        yield ("scorecard", "management"), "sending the digest needs notifiers.email"
    if scorecard.slack and notifiers.slack is None:
        yield ("scorecard", "slack"), "posting the digest to Slack needs notifiers.slack"


def managers_known_without_salesforce(
    escalation: EscalationConfig, hubspot: HubSpotConfig, salesforce: SalesforceConfig
) -> Problems:
    """HubSpot owners have no manager, so HubSpot-only mode needs escalation.managers."""
    if not (hubspot.enabled and not salesforce.enabled) or escalation.managers:
        return
    for index, step in enumerate(escalation.ladder):
        if step.notify in ("manager", "director"):
            yield (
                ("escalation", "ladder", index, "notify"),
                "HubSpot owners have no manager: list them under escalation.managers",
            )


def routing_fits_crms(
    routing: RoutingConfig, hubspot: HubSpotConfig, salesforce: SalesforceConfig
) -> Problems:
    """Each team has reps in the CRM the hand-off assigns in: Salesforce users whenever
    Salesforce is connected, HubSpot owners when HubSpot is alone."""
    field, what = (
        ("members", "Salesforce users")
        if salesforce.enabled
        else ("hubspot_owners", "HubSpot owner ids (HubSpot-only mode)")
    )
    for name, team in routing.teams.items():
        if not getattr(team, field):
            yield ("routing", "teams", name, field), f"this team needs {what}"


def mql_fits_salesforce_alone(
    handoff: HandoffConfig, hubspot: HubSpotConfig, salesforce: SalesforceConfig
) -> Problems:
    """With Salesforce alone the MQL definition reads Lead fields: each name needs one."""
    if hubspot.enabled or not salesforce.enabled:
        return
    for path, name in handoff.mql_definition.named_properties():
        if handoff.salesforce_field(name) is None:
            yield (
                ("handoff", "mql_definition", *path),
                f"{name!r} has no Salesforce Lead field (Salesforce-only mode): map it in "
                f"handoff.salesforce_lead_fields, e.g. {name}: My_Field__c",
            )


def raw_bodies_within_inbox_retention(privacy: PrivacyConfig, store: StoreConfig) -> Problems:
    """Raw bodies live in inbox rows, so they cannot outlive them."""
    if privacy.keep_raw_bodies_days > store.inbox_retention_days:
        yield (
            ("privacy", "keep_raw_bodies_days"),
            "raw bodies live in inbox rows: this cannot exceed "
            f"store.inbox_retention_days ({store.inbox_retention_days})",
        )


CHECKS: tuple[Callable[..., Problems], ...] = (
    some_crm_enabled,
    stages_exist_and_recycle_goes_back,
    policies_name_real_teams,
    channels_have_notifiers,
    managers_known_without_salesforce,
    routing_fits_crms,
    mql_fits_salesforce_alone,
    raw_bodies_within_inbox_retention,
)


def cross_section_problems(sections: Mapping[str, Any]) -> list[tuple[Path, str]]:
    """Run every check whose sections (named by its parameters) are present in ``sections``."""
    found: list[tuple[Path, str]] = []
    for check in CHECKS:
        names = check.__code__.co_varnames[: check.__code__.co_argcount]
        if all(name in sections for name in names):
            found.extend(check(*(sections[name] for name in names)))
    return found
