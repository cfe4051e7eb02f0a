"""`baton check-config FILE`: validate the admin's file; say what it will do, or what is wrong."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from typing import TextIO

from connector.config.issues import ConfigError
from connector.config.loader import load_config
from connector.config.models import BatonConfig


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


#: said of config sections that are validated but that no job acts on yet (never shown as live)
NOT_YET = "validated; not acted on yet"


def _sla_line(config: BatonConfig) -> str:
    """SLA clocks and the lead ladder are live; the per-rep ladder is not."""
    sla, ladder = config.sla, config.escalation.ladder
    senders = {
        "email": config.notifiers.email is not None,
        "slack": config.notifiers.slack is not None,
        "crm_task": config.salesforce.enabled,  # a Salesforce Task for the person escalated to
    }
    used = sorted({c for step in ladder for c in step.channels})
    sending = [c for c in used if senders[c]]
    unset = [c for c in used if not senders[c]]
    if sending:
        escalation = f"escalation (live): {_count(len(ladder), 'step')}, {' and '.join(sending)} "
        escalation += f"messages in {config.escalation.language}"
    else:  # a ladder that can send nothing is not live, whatever its steps say
        escalation = f"escalation: {_count(len(ladder), 'step')} — nothing can send"
    for channel in unset:
        needs = (
            "salesforce is disabled" if channel == "crm_task" else f"notifiers.{channel} not set"
        )
        escalation += f"; {channel} used but {needs}: dead-lettered"
    return (
        f"sla (live): {_count(len(sla.policies), 'policy').replace('policys', 'policies')}, "
        f"calendar {sla.calendar.timezone}, first touch = a Task, Event, HubSpot call, e-mail, "
        f"meeting or status "
        f"{', '.join(sla.working_statuses) or '(none)'}; {escalation}"
    )


def _recycle_line(config: BatonConfig) -> str:
    recycle = config.recycle
    triggers = [*recycle.trigger_statuses.salesforce, *recycle.trigger_statuses.hubspot]
    nurture = f"nurture list {recycle.nurture_list_id}" if recycle.nurture_list_id else "no list"
    return (
        f"recycle (live): on {', '.join(triggers)} back to {recycle.hubspot_stage}, {nurture}, "
        f"re-activation after {recycle.reactivation_after_days} days; "
        f"reasons: {', '.join(recycle.reasons)}; disqualify: "
        f"{', '.join(recycle.disqualify_reasons) or 'none'}"
    )


def _credit_line(config: BatonConfig) -> str:
    credit = config.credit
    writeback = credit.writeback
    markov = [m.name for m in credit.models if m.model == "markov"]
    targets = [
        name
        for name, on in (
            ("HubSpot deal properties", writeback.hubspot),
            (f"Salesforce CampaignInfluence ({writeback.salesforce_influence_model})",
             writeback.salesforce),
        )
        if on
    ]  # fmt: skip
    if credit.primary_model in markov:  # the primary is never available yet: nothing written
        targets = []
    line = (
        f"credit (live): won opportunities — {', '.join(m.name for m in credit.models)} "
        f"(primary {credit.primary_model}, {credit.currency}, {credit.lookback_days}-day "
        f"lookback); written to {' and '.join(targets) or 'the ledger only'}"
    )
    if markov:
        line += f"; {', '.join(markov)}: {NOT_YET} (no history of lost deals)"
    return line


def summarize(config: BatonConfig) -> list[str]:
    """A few lines an admin can compare with their intent (never includes secrets)."""
    hubspot, salesforce = config.hubspot, config.salesforce
    lines = [
        f"hubspot: enabled, portal {hubspot.portal_id}, {hubspot.base_url}"
        if hubspot.enabled
        else "hubspot: disabled",
        f"salesforce: enabled, {salesforce.instance_url} (API {salesforce.api_version})"
        if salesforce.enabled
        else "salesforce: disabled",
        f"store: {config.store.safe_database_url}",
        f"lifecycle: {_count(len(config.lifecycle.stages), 'stage mapping')}, "
        f"{_count(len(config.lifecycle.lead_status), 'lead-status mapping')}, "
        f"{_count(len(config.lifecycle.opportunity_stages), 'opportunity mapping')}; "
        f"conflicts: {config.lifecycle.conflict_policy}",
        f"hand-off at {config.handoff.stage}; routing: "
        f"{_count(len(config.routing.rules), 'rule')}, {_count(len(config.routing.teams), 'team')}",
        _recycle_line(config),
        _credit_line(config),
        _sla_line(config),
    ]
    return lines


def check_config_command(
    path: str,
    *,
    env: Mapping[str, str] | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Validate the file at ``path``: print a summary (exit code 0) or every error (1)."""
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    try:
        config = load_config(path, env=os.environ if env is None else env)
    except ConfigError as error:
        for issue in error.errors:
            print(issue, file=err)
        count = len(error.errors)
        print(f"{path}: {count} error{'s' if count != 1 else ''}", file=err)
        return 1
    print(f"{path}: OK", file=out)
    for line in summarize(config):
        print(f"  {line}", file=out)
    return 0
